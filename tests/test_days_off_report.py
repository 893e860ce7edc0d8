"""Days off in the weekly report (issue 13): marked in the day rows of the terminal table, the
JSON and the HTML page, and left out of the movement goal's streak, which neither counts nor
breaks on a day off (it runs on across it, as across a weekend)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import isolate, run_cli
from freezegun import freeze_time
from report_helpers import GOAL_CONFIG as GOAL
from report_helpers import HEADER, at, row, use_config, write_trace

from glutecoach.cli.main import cli
from glutecoach.cli.report_cmd import report

if "report" not in cli.commands:
    cli.add_command(report)

W47 = date(2026, 11, 16)  # Monday of 2026-W47
W48 = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("GLUTECOACH_HOME", str(tmp_path / "home"))
    yield tmp_path / "home"


def moving_day(d: date) -> list[str]:
    """Typing 08:00-09:20, away 10 min, typing to 12:00, locked over lunch to 14:00, typing to
    15:00: 70 minutes of movement inside the work windows (the goal of 45 is met)."""
    return [row(at(d, "08:00"), at(d, "09:20"), "active"),
            row(at(d, "09:30"), at(d, "12:00"), "active"),
            row(at(d, "12:00") + timedelta(seconds=1), at(d, "14:00"), "locked"),
            row(at(d, "14:00"), at(d, "15:00"), "active")]


def still_day(d: date) -> list[str]:
    """Seven hours typed through without a break: no movement at all (the goal is missed)."""
    return [row(at(d, "08:00"), at(d, "15:00"), "active")]


def record(capsys: pytest.CaptureFixture[str], tmp_path: Path, rows: list[str]) -> None:
    trace = write_trace(tmp_path / "week.csv", HEADER + "\n".join(rows) + "\n")
    r = run_cli(capsys, "simulate", trace, "--record")
    assert r.code == 0, r.err


def report_of(capsys: pytest.CaptureFixture[str], week: str, *args: str,
              now: str = "2026-12-15 12:00:00") -> Any:
    with freeze_time(now):
        r = run_cli(capsys, "report", "--week", week, *args)
    assert r.code == 0, r.err
    return r.json() if "--json" in args else r.out


def test_a_day_off_is_marked_and_neither_meets_nor_breaks_the_streak(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Mon and Wed-Fri meet the goal; Tuesday is a day off typed through without a break. As a
    working day it would break the streak (4 days, not 4 + none); as a day off it is skipped."""
    off = f"\n[[schedule.days_off]]\nfirst = {W47 + timedelta(days=1)}\nnote = \"moving house\"\n"
    use_config(monkeypatch, tmp_path, GOAL.replace("[report]", off + "[report]"))
    rows = [*moving_day(W47), *still_day(W47 + timedelta(days=1))]
    rows += [r for i in (2, 3, 4) for r in moving_day(W47 + timedelta(days=i))]
    record(capsys, tmp_path, rows)

    doc = report_of(capsys, "2026-W47", "--json")
    extra = doc["extra"]["days"]
    assert [e["day_off"] for e in extra] == [None, "moving house", None, None, None, None, None]
    assert [e["goal_met"] for e in extra] == [True, None, True, True, True, None, None]
    assert extra[1]["work_minutes"] == 0 and extra[1]["movement_minutes"] == 0
    assert doc["days"][1]["sitting_minutes"] == 7 * 60  # still counted
    assert doc["days"][1]["prompts"] == 0  # no work windows, no prompts
    assert (doc["extra"]["totals"]["goal_days_met"], doc["extra"]["totals"]["goal_days"]) == (4, 4)
    assert doc["extra"]["goal_streak_days"] == 4
    assert set(doc["days"][1]) == set(doc["days"][0])  # the DAY keys of cli.md, no more

    # The same week without the day off: Tuesday is missed and the streak starts after it.
    use_config(monkeypatch, tmp_path, GOAL)
    plain = report_of(capsys, "2026-W47", "--json")
    assert plain["extra"]["days"][1]["goal_met"] is False
    assert plain["extra"]["goal_streak_days"] == 3


def test_the_terminal_and_the_page_mark_days_off(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """In Bavaria, Epiphany (Tue 2026-01-06) is a public holiday: a day off with sitting shows its
    numbers and "day off" where movement goes; a day off without sitting (Thursday, from the
    user's own range) says "day off" instead of "nothing recorded"."""
    use_config(monkeypatch, tmp_path, GOAL.replace('"Europe/Berlin"\n',
                                                   '"Europe/Berlin"\nholidays = "DE-BY"\n')
               + '[[schedule.days_off]]\nfirst = 2026-01-08\nnote = "dentist"\n')
    monday = date(2026, 1, 5)
    rows = [*moving_day(monday), *still_day(monday + timedelta(days=1)),
            *moving_day(monday + timedelta(days=2))]
    record(capsys, tmp_path, rows)

    text = report_of(capsys, "2026-W02")
    tue = next(line for line in text.splitlines() if line.lstrip().startswith("Tue 06"))
    assert "day off: Epiphany" in tue and "7:00" in tue
    thu = next(line for line in text.splitlines() if line.lstrip().startswith("Thu 08"))
    assert "day off: dentist" in thu and "nothing recorded" not in thu
    fri = next(line for line in text.splitlines() if line.lstrip().startswith("Fri 09"))
    assert "nothing recorded" in fri
    assert "Days off: Tue 06 Jan (Epiphany), Thu 08 Jan (dentist)." in " ".join(text.split())
    assert "neither counts nor breaks" in text

    doc = report_of(capsys, "2026-W02", "--json")
    assert [e["day_off"] for e in doc["extra"]["days"]][:5] == [None, "Epiphany", None,
                                                                 "dentist", None]

    html_path = tmp_path / "week.html"
    report_of(capsys, "2026-W02", "--html", str(html_path))
    page = html_path.read_text(encoding="utf-8")
    assert '<tr class="off"><td>Tue 06 Jan</td>' in page
    assert "<td>day off: Epiphany</td></tr>" in page
    assert '<tr class="none off"><td>Thu 08 Jan</td>' in page and "day off: dentist" in page
    assert "neither counts nor breaks" in page


def test_a_week_of_vacation_away_from_the_desk_does_not_end_the_streak(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """W46 met every day, W47 was a vacation with nothing recorded, W48 Mon-Tue met: the streak
    on Wednesday of W48 is 2 + 5, the vacation neither adding nor breaking."""
    vacation = (f"\n[[schedule.days_off]]\nfirst = {W47 - timedelta(days=2)}\n"
                f"last = {W47 + timedelta(days=6)}\nnote = \"vacation\"\n")
    use_config(monkeypatch, tmp_path, GOAL.replace("[report]", vacation + "[report]"))
    w46 = W47 - timedelta(days=7)
    rows = [r for i in range(5) for r in moving_day(w46 + timedelta(days=i))]
    rows += [r for i in range(2) for r in moving_day(W48 + timedelta(days=i))]
    record(capsys, tmp_path, rows)
    doc = report_of(capsys, "2026-W49", "--json", now="2026-12-02 08:00:00")
    # W49 and W48's figures: the week shown is W49 (nothing yet), W48 Mon-Tue met.
    assert doc["extra"]["goal_streak_days"] == 2 + 5
    # Without the vacation in the config, the empty week ends the search: only W48 counts.
    use_config(monkeypatch, tmp_path, GOAL)
    plain = report_of(capsys, "2026-W49", "--json", now="2026-12-02 08:00:00")
    assert plain["extra"]["goal_streak_days"] == 2

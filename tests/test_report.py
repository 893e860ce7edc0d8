"""`glutecoach report` (issue 5): the JSON of spec/cli.md from a recorded simulated week, and the
issue's key property: a week recorded with `simulate --record` reports exactly the days that
`simulate --json` printed. Also CSV, empty / no-prompt / partial / DST weeks, previous_week,
muscles from exercise_log rows, the movement goal and its streak, the heat map, the terminal at
100 and 80 columns, and the weekly summary with its cron trigger on a virtual clock."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import isolate, run_cli
from freezegun import freeze_time
from report_helpers import (
    BERLIN,
    GOAL_CONFIG,
    HEADER,
    at,
    realistic_week,
    row,
    use_config,
    write_trace,
)

from glutecoach.cli.main import cli
from glutecoach.cli.report_cmd import report
from glutecoach.config import parse_config
from glutecoach.days import OUTCOMES
from glutecoach.library import MUSCLES, load_library
from glutecoach.plans.model import part_of
from glutecoach.report.build import build_report
from glutecoach.report.export import CSV_COLUMNS
from glutecoach.report.summary import (
    JOB_ID,
    schedule_weekly_summary,
    summary_text,
    summary_trigger,
    weekly_summary_text,
)
from glutecoach.report.week import IsoWeek
from glutecoach.store import DB_NAME, Store
from glutecoach.store.tables import ExerciseLogRow

# Until glutecoach/cli/main.py registers it (one line), the tests add the command themselves.
if "report" not in cli.commands:
    cli.add_command(report)

DATA = Path(__file__).parent / "data"
BERLIN_CFG = DATA / "berlin.toml"
DAY_KEYS = {
    "date",
    "sitting_minutes",
    "longest_sitting_minutes",
    "prompts",
    "done",
    "snoozed",
    "skipped",
    "missed",
    "natural_breaks",
    "compliance",
}
W47 = date(2026, 11, 16)  # Monday of 2026-W47
W48 = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    isolate(monkeypatch, tmp_path)
    yield


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("GLUTECOACH_HOME", str(h))
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(BERLIN_CFG))
    return h


def simulate_and_record(capsys: pytest.CaptureFixture[str], trace: Path) -> list[dict[str, Any]]:
    """`simulate --json` (what it printed), then `simulate --record` of the same trace."""
    r = run_cli(capsys, "simulate", trace, "--json")
    assert r.code == 0, r.err
    days = r.json()["days"]
    rec = run_cli(capsys, "simulate", trace, "--record")
    assert rec.code == 0, rec.err
    return days


def report_json(
    capsys: pytest.CaptureFixture[str], week: str | None = None, now: str = "2026-12-15 12:00:00"
) -> dict[str, Any]:
    with freeze_time(now):
        r = run_cli(capsys, "report", *(["--week", week] if week else []), "--json")
    assert r.code == 0, r.err
    assert r.err == ""
    return r.json()


def zero_day(d: date) -> dict[str, Any]:
    return {
        "date": d.isoformat(),
        "sitting_minutes": 0.0,
        "longest_sitting_minutes": 0.0,
        "prompts": 0,
        "done": 0,
        "snoozed": 0,
        "skipped": 0,
        "missed": 0,
        "natural_breaks": 0,
        "compliance": None,
    }


def expected_muscles(home: Path, week: IsoWeek) -> dict[str, int]:
    """The oracle for `muscles`: the week's exercise_log rows, read here with plain SQL, each
    counted once for every primary muscle of its exercise (ids the library lacks: not at all)."""
    a, b = (
        t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        for t in (week.start(BERLIN), week.end(BERLIN))
    )
    conn = sqlite3.connect(home / DB_NAME)
    try:
        rows = conn.execute(
            "SELECT exercise FROM exercise_log WHERE at_utc >= ? AND at_utc < ?", (a, b)
        ).fetchall()
    finally:
        conn.close()
    library = load_library()
    out = dict.fromkeys(MUSCLES, 0)
    for (exercise,) in rows:
        ex = library.get(exercise)
        if ex is None or part_of(ex) == "walk":  # walks are not glute work (report and plans)
            continue
        for m in ex.primary_muscles:
            out[m] += 1
    return out


def assert_heat_sums(doc: dict[str, Any]) -> None:
    """Every day's hour cells add up to its sitting minutes (cells are rounded to 0.01)."""
    for day, extra in zip(doc["days"], doc["extra"]["days"], strict=True):
        assert len(extra["sitting_minutes_by_hour"]) == 24
        assert sum(extra["sitting_minutes_by_hour"]) == pytest.approx(
            day["sitting_minutes"], abs=0.13
        )


# --- the contract and the one source of truth ---------------------------------------------------


def test_a_recorded_week_reports_exactly_what_simulate_printed(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    trace = write_trace(tmp_path / "w47.csv", realistic_week(W47, seed=7))
    printed = simulate_and_record(capsys, trace)
    assert [d["date"] for d in printed] == [
        (W47 + timedelta(days=i)).isoformat() for i in range(5)
    ]  # Thu's evening ends on Fri
    assert sum(d["prompts"] for d in printed) > 20  # a week worth testing
    assert {o: sum(d[o] for d in printed) for o in OUTCOMES}["done"] > 0

    doc = report_json(capsys, "2026-W47")
    assert set(doc) == {"week", "from", "to", "days", "totals", "previous_week", "muscles", "extra"}
    assert (doc["week"], doc["from"], doc["to"]) == ("2026-W47", "2026-11-16", "2026-11-22")
    assert len(doc["days"]) == 7
    assert all(set(d) == DAY_KEYS for d in doc["days"])
    by_date = {d["date"]: d for d in printed}
    for i, day in enumerate(doc["days"]):
        expected = by_date.get(
            (W47 + timedelta(days=i)).isoformat(), zero_day(W47 + timedelta(days=i))
        )
        assert day == expected  # every key, the same numbers
    assert set(doc["totals"]) == DAY_KEYS - {"date"}
    for key in ("prompts", "done", "snoozed", "skipped", "missed", "natural_breaks"):
        assert doc["totals"][key] == sum(d[key] for d in printed)
    assert doc["totals"]["sitting_minutes"] == pytest.approx(
        sum(d["sitting_minutes"] for d in printed), abs=0.05
    )
    assert doc["totals"]["longest_sitting_minutes"] == max(
        d["longest_sitting_minutes"] for d in printed
    )
    t = doc["totals"]
    assert t["compliance"] == round(t["done"] / (t["done"] + t["skipped"] + t["missed"]), 4)
    assert doc["previous_week"] == {k: v for k, v in zero_day(W47).items() if k != "date"}
    assert doc["muscles"] == expected_muscles(home, IsoWeek.parse("2026-W47"))
    assert_heat_sums(doc)


def test_previous_week_is_the_totals_of_the_week_before(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    before = simulate_and_record(
        capsys, write_trace(tmp_path / "w47.csv", realistic_week(W47, seed=1))
    )
    this = simulate_and_record(
        capsys, write_trace(tmp_path / "w48.csv", realistic_week(W48, seed=2, days=3))
    )
    doc = report_json(capsys, "2026-W48")
    assert doc["previous_week"] == report_json(capsys, "2026-W47")["totals"]
    prev = doc["previous_week"]
    for key in ("prompts", "done", "snoozed", "skipped", "missed", "natural_breaks"):
        assert prev[key] == sum(d[key] for d in before)
    assert doc["days"][:3] == this
    assert doc["days"][3:] == [zero_day(W48 + timedelta(days=i)) for i in range(3, 7)]
    change = doc["extra"]["previous_week"]
    assert set(change) == {"stretches_over_limit", "movement_minutes"}


def test_week_defaults_to_the_wall_clock_week_in_the_config_zone(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    # Sunday 23:30 UTC is already Monday 00:30 in Berlin: the next ISO week there.
    assert report_json(capsys, None, now="2026-11-22 23:30:00")["week"] == "2026-W48"
    assert report_json(capsys, None, now="2026-11-22 22:59:00")["week"] == "2026-W47"
    assert report_json(capsys, None, now="2027-01-01 12:00:00")["week"] == "2026-W53"


@pytest.mark.parametrize(
    "week",
    ["2026-W54", "2027-W53", "2026-W00", "2026-13", "W12", "2026-W1", "26-W12", "", "next week"],
)
def test_a_bad_week_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], home: Path, week: str
) -> None:
    r = run_cli(capsys, "report", "--week", week, "--json")
    assert r.code == 2, r
    assert r.out == ""
    assert len(r.err.splitlines()) == 1 and r.err.startswith("glutecoach: error: --week")
    assert not home.exists()


def test_iso_week_boundaries() -> None:
    assert IsoWeek.parse("2026-w53").dates()[-1] == date(2027, 1, 3)
    assert IsoWeek.parse("2020-W01").monday == date(2019, 12, 30)
    assert IsoWeek.parse("2026-W01").previous() == IsoWeek(2025, 52)
    assert IsoWeek.parse("2026-W53").next() == IsoWeek(2027, 1)
    w = IsoWeek.parse("2026-W13")  # clocks go forward on Sunday 29 March
    assert w.end(BERLIN) - w.start(BERLIN) == timedelta(hours=167)
    w = IsoWeek.parse("2026-W43")  # and back on Sunday 25 October
    assert w.end(BERLIN) - w.start(BERLIN) == timedelta(hours=169)


# --- empty, quiet, partial and DST weeks ---------------------------------------------------------


def test_an_empty_week_and_an_empty_home(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    doc = report_json(capsys, "2026-W10")
    week = IsoWeek.parse("2026-W10")
    assert doc["days"] == [zero_day(d) for d in week.dates()]
    assert (
        doc["totals"]
        == doc["previous_week"]
        == {k: v for k, v in zero_day(week.monday).items() if k != "date"}
    )
    assert doc["muscles"] == dict.fromkeys(MUSCLES, 0)
    assert doc["extra"]["goal_streak_days"] == 0
    with freeze_time("2026-12-15 12:00:00"):
        r = run_cli(capsys, "report", "--week", "2026-W10")
    assert r.code == 0, r.err
    assert "Nothing was recorded in 2026-W10" in r.out


def test_a_week_without_prompts(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    # Twenty minutes of typing, then ten away, all day: never 30 minutes in a row.
    rows = []
    for i in range(3):
        d = W47 + timedelta(days=i)
        t = at(d, "09:00")
        while t < at(d, "17:00"):
            rows.append(row(t, t + timedelta(minutes=20), "active"))
            t += timedelta(minutes=30)
    printed = simulate_and_record(
        capsys, write_trace(tmp_path / "quiet.csv", HEADER + "\n".join(rows) + "\n")
    )
    doc = report_json(capsys, "2026-W47")
    assert doc["days"][:3] == printed
    assert doc["totals"]["prompts"] == 0 and doc["totals"]["compliance"] is None
    assert doc["totals"]["natural_breaks"] == 3 * 15 + 2  # and the two nights
    assert doc["totals"]["sitting_minutes"] == 3 * 16 * 20
    with freeze_time("2026-12-15 12:00:00"):
        r = run_cli(capsys, "report", "--week", "2026-W47")
    assert r.code == 0, r.err
    assert "–" in r.out  # compliance of 0/0


def test_a_partial_week_leaves_the_days_to_come_empty(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    trace = write_trace(
        tmp_path / "mon-wed.csv",
        HEADER
        + "\n".join(
            [
                row(at(W48, "09:00"), at(W48, "09:20"), "active"),
                row(
                    at(W48 + timedelta(days=2), "09:00"),
                    at(W48 + timedelta(days=2), "09:25"),
                    "active",
                ),
            ]
        )
        + "\n",
    )
    printed = simulate_and_record(capsys, trace)
    # The coach crashed at Wed 11:00 Berlin with a stretch open since 10:00: it counts up to now.
    conn = sqlite3.connect(home / DB_NAME)
    conn.execute(
        "INSERT INTO stretches (start_utc, end_utc, tz, source) VALUES "
        "('2026-11-25 09:00:00.000000', NULL, 'Europe/Berlin', 'coach')"
    )
    conn.commit()
    conn.close()

    now = "2026-11-25 11:00:00"  # UTC: Wed 12:00 in Berlin
    doc = report_json(capsys, None, now=now)
    assert doc["week"] == "2026-W48" and len(doc["days"]) == 7
    assert doc["days"][0] == printed[0]
    assert doc["days"][2]["sitting_minutes"] == 25 + 120  # 10:00 -> now (12:00)
    assert [d["status"] for d in doc["extra"]["days"]] == [
        "past",
        "past",
        "today",
        "future",
        "future",
        "future",
        "future",
    ]
    assert doc["days"][3:] == [zero_day(W48 + timedelta(days=i)) for i in range(3, 7)]
    assert [d["goal_met"] for d in doc["extra"]["days"][3:]] == [None] * 4
    assert_heat_sums(doc)

    with freeze_time(now):
        r = run_cli(capsys, "report")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    for day in ("Thu 26", "Fri 27", "Sat 28", "Sun 29"):
        assert any(line.startswith(day) and "to come" in line for line in lines), day
    assert any(line.startswith("Tue 24") and "nothing recorded" in line for line in lines)
    assert "The week is not over" in r.out


@pytest.mark.parametrize(
    ("week", "sunday", "real_hours", "hour_two"),
    [
        ("2026-W13", date(2026, 3, 29), 1, 0.0),  # 02:00-03:00 does not exist that night
        ("2026-W43", date(2026, 10, 25), 3, 120.0),  # 02:00-03:00 happens twice
    ],
)
def test_weeks_across_a_dst_change(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    tmp_path: Path,
    week: str,
    sunday: date,
    real_hours: int,
    hour_two: float,
) -> None:
    monday = sunday - timedelta(days=6)
    trace = write_trace(
        tmp_path / "dst.csv",
        HEADER
        + "\n".join(
            [
                row(at(monday, "09:00"), at(monday, "10:10"), "active"),
                row(at(sunday, "01:30"), at(sunday, "03:30"), "active"),  # local: DST inside
            ]
        )
        + "\n",
    )
    printed = simulate_and_record(capsys, trace)
    doc = report_json(capsys, week)
    assert doc["days"][0] == printed[0]
    assert doc["days"][6] == printed[-1]
    assert doc["days"][6]["sitting_minutes"] == real_hours * 60  # real elapsed time
    heat = doc["extra"]["days"][6]["sitting_minutes_by_hour"]
    assert (heat[1], heat[2], heat[3]) == (30.0, hour_two, 30.0)
    assert_heat_sums(doc)
    with freeze_time("2026-12-15 12:00:00"):
        r = run_cli(capsys, "report", "--week", week)
    day_hours = 23 if real_hours == 1 else 25
    assert f"that day had {day_hours} hours" in r.out
    # The week after sees it as its previous week.
    after = IsoWeek.parse(week).next()
    assert report_json(capsys, str(after))["previous_week"] == doc["totals"]


# --- figures beyond the DAY keys -----------------------------------------------------------------


def a_day(d: date, away: int) -> list[str]:
    """Typing 08:00-09:20, away for `away` minutes, typing until 12:00, the screen locked over
    lunch until 14:00 (12:00-12:30 and 13:30-14:00 of it in working hours), typing 14:00-15:00.
    Minutes of movement: away + 60."""
    rows = [row(at(d, "08:00"), at(d, "09:20"), "active")]
    back = at(d, "09:20") + timedelta(minutes=away)
    rows.append(row(back, at(d, "12:00"), "active"))
    rows.append(row(at(d, "12:00") + timedelta(seconds=1), at(d, "14:00"), "locked"))
    rows.append(row(at(d, "14:00"), at(d, "15:00"), "active"))
    return rows


def test_minutes_of_movement_are_breaks_inside_work_windows(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_config(monkeypatch, tmp_path, GOAL_CONFIG)
    rows = a_day(W47, away=10)
    # Before the first input and after the last one do not count: the coach cannot tell.
    simulate_and_record(capsys, write_trace(tmp_path / "move.csv", HEADER + "\n".join(rows) + "\n"))
    doc = report_json(capsys, "2026-W47")
    mon = doc["extra"]["days"][0]
    assert mon["movement_minutes"] == 10 + 30 + 30  # the 10-min break, lunch inside windows
    assert mon["work_minutes"] == 7.5 * 60
    assert mon["goal_met"] is True
    assert doc["extra"]["days"][5]["work_minutes"] == 0  # Saturday: no windows
    assert doc["extra"]["totals"]["movement_minutes"] == 70


def test_stretches_over_the_limit_follow_the_longest_stretch(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    simulate_and_record(capsys, write_trace(tmp_path / "w.csv", realistic_week(W47, seed=3)))
    doc = report_json(capsys, "2026-W47")
    for day, extra in zip(doc["days"], doc["extra"]["days"], strict=True):
        assert (extra["stretches_over_limit"] > 0) == (day["longest_sitting_minutes"] > 30)
    assert doc["extra"]["totals"]["stretches_over_limit"] == sum(
        e["stretches_over_limit"] for e in doc["extra"]["days"]
    )


def test_the_goal_streak_runs_back_across_weeks(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Goal 45 min: a day of `a_day` moves 70 min (met); a day typed through without a break
    moves none (missed)."""
    use_config(monkeypatch, tmp_path, GOAL_CONFIG)

    def missed(d: date) -> list[str]:
        return [row(at(d, "08:00"), at(d, "15:00"), "active")]

    rows: list[str] = []
    w46 = W47 - timedelta(days=7)
    for i in range(5):  # W46: Mon-Wed missed, Thu-Fri met
        d = w46 + timedelta(days=i)
        rows += a_day(d, 10) if i >= 3 else missed(d)
    for i in range(5):  # W47: all met (the weekend neither meets nor breaks the streak)
        rows += a_day(W47 + timedelta(days=i), 10)
    for i in range(2):  # W48: Mon, Tue met; Wed (today) not yet
        rows += a_day(W48 + timedelta(days=i), 10)
    wed = W48 + timedelta(days=2)
    rows.append(row(at(wed, "08:00"), at(wed, "09:00"), "active"))
    simulate_and_record(
        capsys, write_trace(tmp_path / "streak.csv", HEADER + "\n".join(rows) + "\n")
    )
    # Wednesday 09:00 Berlin: an hour of sitting and no movement yet.
    doc = report_json(capsys, None, now="2026-11-25 08:00:00")
    assert doc["week"] == "2026-W48"
    assert [e["goal_met"] for e in doc["extra"]["days"]] == [
        True,
        True,
        None,
        None,
        None,
        None,
        None,
    ]
    assert doc["extra"]["goal_streak_days"] == 2 + 5 + 2  # W48 Mon-Tue, W47, W46 Thu-Fri
    assert (doc["extra"]["totals"]["goal_days_met"], doc["extra"]["totals"]["goal_days"]) == (2, 2)
    w46_doc = report_json(capsys, "2026-W46")
    assert [e["goal_met"] for e in w46_doc["extra"]["days"][:5]] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert w46_doc["extra"]["goal_streak_days"] == 2
    # A missed day ends the streak.
    assert (
        report_json(capsys, "2026-W47", now="2026-11-21 12:00:00")["extra"]["goal_streak_days"]
        == 5 + 2
    )


def test_muscles_count_exercise_log_rows_of_the_week_by_primary_muscle(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    simulate_and_record(capsys, write_trace(tmp_path / "w.csv", realistic_week(W47, seed=4)))
    week = IsoWeek.parse("2026-W47")
    start, end = week.start(BERLIN), week.end(BERLIN)
    done = [
        (start, "clamshell"),
        (start + timedelta(hours=33), "glute-bridge"),
        (start + timedelta(days=2), "lunge"),
        (end - timedelta(seconds=1), "clamshell"),
        (start + timedelta(days=3), "no-longer-there"),
        (start - timedelta(seconds=1), "lunge"),
        (end, "lunge"),
    ]  # these two: other weeks
    before = expected_muscles(home, week)  # what simulate's own plans logged
    store = Store.open(home)
    with store.session() as s:
        s.add_all(
            ExerciseLogRow(
                at_utc=t.astimezone(UTC).replace(tzinfo=None), exercise=e, tz="Europe/Berlin"
            )
            for t, e in done
        )
        s.commit()
    store.close()
    library = load_library()
    expected = dict(before)
    for _t, e in done[:4]:
        for m in library.get(e).primary_muscles:  # type: ignore[union-attr]
            expected[m] += 1
    assert expected == expected_muscles(home, week)  # the oracle agrees on the boundaries
    doc = report_json(capsys, "2026-W47")
    assert doc["muscles"] == expected
    assert sum(expected.values()) >= sum(before.values()) + 4
    assert doc["extra"]["unknown_exercises"] == {"no-longer-there": 1}
    with freeze_time("2026-12-15 12:00:00"):
        r = run_cli(capsys, "report", "--week", "2026-W47")
    assert "gluteus medius" in r.out and "no-longer-there x1" in r.out


# --- CSV and files -------------------------------------------------------------------------------


def test_csv_header_and_rows(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    printed = simulate_and_record(
        capsys, write_trace(tmp_path / "w.csv", realistic_week(W47, seed=5))
    )
    out = tmp_path / "out" / "week.csv"
    out.parent.mkdir()
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)
    with freeze_time("2026-12-15 12:00:00"):
        r = run_cli(capsys, "report", "--week", "2026-W47", "--csv", out)
    assert r.code == 0, r.err
    assert r.out.strip() == f"Wrote the prompts and stretches of 2026-W47 to {out}"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert (
        text.splitlines()[0]
        == ",".join(CSV_COLUMNS)
        == ("kind,date,start,end,minutes,outcome,auto,snoozes,exercise,over_limit,ongoing")
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    prompts = [x for x in rows if x["kind"] == "prompt"]
    stretches = [x for x in rows if x["kind"] == "stretch"]
    assert len(prompts) + len(stretches) == len(rows)
    assert len(prompts) == sum(d["prompts"] for d in printed)
    starts = [datetime.fromisoformat(x["start"]) for x in rows]
    assert starts == sorted(starts)
    hist = run_cli(capsys, "history", "--json").json()
    assert [(x["start"], x["outcome"], x["auto"]) for x in prompts] == [
        (p["at"], p["outcome"], "true" if p["auto"] else "false") for p in hist
    ]
    for d in printed:
        mine = [x for x in stretches if x["date"] == d["date"]]
        assert sum(float(x["minutes"]) for x in mine) == pytest.approx(
            d["sitting_minutes"], abs=0.01 * len(mine)
        )
        assert max(float(x["minutes"]) for x in mine) == pytest.approx(
            d["longest_sitting_minutes"], abs=0.01
        )
        assert {x["over_limit"] for x in mine} <= {"true", "false"}
        assert all((x["over_limit"] == "true") == (float(x["minutes"]) > 30) for x in mine)
    # Thursday's late stretch is split at midnight: one row ends, the next starts, at 00:00.
    assert any(x["end"] == "2026-11-20T00:00:00+01:00" for x in stretches)
    assert any(x["start"] == "2026-11-20T00:00:00+01:00" for x in stretches)
    for p in prompts:
        if p["outcome"] == "pending":
            assert p["end"] == "" and p["minutes"] == ""
        else:
            elapsed = datetime.fromisoformat(p["end"]) - datetime.fromisoformat(p["start"])
            assert float(p["minutes"]) == round(elapsed.total_seconds() / 60, 2)


def test_files_with_json_say_where_they_went_on_stderr(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    simulate_and_record(
        capsys, write_trace(tmp_path / "w.csv", realistic_week(W47, seed=6, days=1))
    )
    with freeze_time("2026-12-15 12:00:00"):
        r = run_cli(
            capsys,
            "report",
            "--week",
            "2026-W47",
            "--json",
            "--csv",
            tmp_path / "a.csv",
            "--html",
            tmp_path / "a.html",
        )
    assert r.code == 0, r.err
    assert r.json()["week"] == "2026-W47"  # stdout: the document alone
    assert f"to {tmp_path / 'a.csv'}" in r.err and f"to {tmp_path / 'a.html'}" in r.err
    for name in ("a.csv", "a.html"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("where", ["missing-dir/week.csv", "."])
def test_a_bad_output_path_is_one_line(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path, where: str
) -> None:
    r = run_cli(capsys, "report", "--csv", tmp_path / where)
    assert r.code == 2, r
    assert len(r.err.splitlines()) == 1 and r.err.startswith("glutecoach: error: ")


# --- the terminal --------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [100, 80])
def test_the_terminal_report_fits_its_width(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path, width: int
) -> None:
    from rich.console import Console

    from glutecoach.report.terminal import render

    simulate_and_record(capsys, write_trace(tmp_path / "w.csv", realistic_week(W47, seed=8)))
    simulate_and_record(
        capsys, write_trace(tmp_path / "w2.csv", realistic_week(W48, seed=9, days=3))
    )
    store = Store.open(home, write=False)
    r = build_report(
        store,
        parse_config(BERLIN_CFG.read_text()),
        IsoWeek.parse("2026-W48"),
        now=datetime(2026, 11, 25, 11, tzinfo=UTC),
    )
    store.close()
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    render(r, console)
    text = console.export_text()
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    for words in (
        "Week 2026-W48",
        "Sitting by hour",
        "Against the week before (2026-W47)",
        "Muscles trained",
        "Movement goal",
        "Buckley 2015",
        "streak",
        "to come",
    ):
        assert words in text, words
    assert "…" not in text  # nothing cut short
    if width >= 100:
        assert "██" in text.split("Sitting by hour")[0]  # bars in the day table
    assert "▼" in text or "▲" in text


# --- the weekly summary and its moment -----------------------------------------------------------


def test_summary_text_and_trigger(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    simulate_and_record(capsys, write_trace(tmp_path / "w.csv", realistic_week(W47, seed=10)))
    simulate_and_record(capsys, write_trace(tmp_path / "w2.csv", realistic_week(W48, seed=11)))
    cfg = parse_config(BERLIN_CFG.read_text())
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 16:00 in Berlin
    title, body = weekly_summary_text(cfg, home, now=friday)
    assert title == "Your week 2026-W48 so far"
    doc = report_json(capsys, "2026-W48", now="2026-11-27 15:00:00")
    assert f"of {doc['totals']['prompts']} prompts" in body
    assert "on last week" in body and "Movement goal" in body
    assert len(body.splitlines()) <= 4 and all(len(line) < 90 for line in body.splitlines())
    assert summary_trigger(cfg) == {
        "day_of_week": "fri",
        "hour": 16,
        "minute": 0,
        "timezone": "Europe/Berlin",
    }
    later = parse_config(
        BERLIN_CFG.read_text() + '[report]\nsummary_day = "mon"\nsummary_time = "08:45"\n'
    )
    assert summary_trigger(later)["day_of_week"] == "mon"
    assert (summary_trigger(later)["hour"], summary_trigger(later)["minute"]) == (8, 45)


def test_an_empty_week_summary() -> None:
    cfg = parse_config(BERLIN_CFG.read_text())
    store_dir = Path(os.environ["XDG_DATA_HOME"]) / "gc"
    title, body = weekly_summary_text(cfg, store_dir, now=datetime(2026, 11, 30, 9, tzinfo=UTC))
    assert (title, body) == ("Your week 2026-W49 so far", "Nothing was recorded this week.")


def test_the_summary_trigger_on_a_virtual_clock_follows_dst() -> None:
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger(**summary_trigger(parse_config(BERLIN_CFG.read_text())))
    t = datetime(2026, 3, 20, 12, tzinfo=UTC)
    fired = []
    for _ in range(3):
        nxt = trigger.get_next_fire_time(None, t)
        assert nxt is not None
        fired.append(nxt)
        t = nxt + timedelta(seconds=1)
    assert [f.isoformat() for f in fired] == [
        "2026-03-20T16:00:00+01:00",
        "2026-03-27T16:00:00+01:00",
        "2026-04-03T16:00:00+02:00",
    ]  # 16:00 local


def test_the_summary_job_sends_the_weeks_text(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    simulate_and_record(capsys, write_trace(tmp_path / "w.csv", realistic_week(W48, seed=12)))
    cfg = parse_config(BERLIN_CFG.read_text())
    sent: list[tuple[str, str]] = []
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start(paused=True)  # nothing runs by itself: the test plays the clock
    try:
        job = schedule_weekly_summary(scheduler, cfg, home, lambda t, b: sent.append((t, b)))
        assert job is not None and scheduler.get_job(JOB_ID) is job
        with freeze_time("2026-11-27 15:00:00"):
            job.func()
        assert sent == [weekly_summary_text(cfg, home, now=datetime(2026, 11, 27, 15, tzinfo=UTC))]
        assert job.trigger.get_next_fire_time(None, datetime(2026, 11, 25, tzinfo=UTC)) == datetime(
            2026, 11, 27, 15, tzinfo=UTC
        )
        # Turned off in the config (and reloaded): the job goes.
        off = parse_config(BERLIN_CFG.read_text() + "[report]\nweekly_summary = false\n")
        assert schedule_weekly_summary(scheduler, off, home, lambda t, b: None) is None
        assert scheduler.get_job(JOB_ID) is None
    finally:
        scheduler.shutdown(wait=False)


def test_summary_text_of_a_finished_week(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    simulate_and_record(capsys, write_trace(tmp_path / "w.csv", realistic_week(W47, seed=13)))
    store = Store.open(home, write=False)
    r = build_report(
        store,
        parse_config(BERLIN_CFG.read_text()),
        IsoWeek.parse("2026-W47"),
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    store.close()
    title, body = summary_text(r)
    assert title == "Your week 2026-W47"
    assert body.startswith("Sitting ")


# --- an empty week points to the weeks with data ------------------------------------------------


def record_mondays(capsys: pytest.CaptureFixture[str], tmp_path: Path, *mondays: date) -> None:
    """Forty minutes at the desk on each of these Mondays, recorded with simulate --record."""
    for d in mondays:
        trace = write_trace(tmp_path / f"{d}.csv",
                            HEADER + row(at(d, "09:00"), at(d, "09:40"), "active") + "\n")
        simulate_and_record(capsys, trace)


def test_an_empty_week_names_the_weeks_with_data(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    """`report` with no argument in a week with nothing recorded (2026-W51) says which weeks
    have data, joined into spans, and the command for the nearest one; that command works."""
    record_mondays(capsys, tmp_path, W47 - timedelta(days=14), W47, W48)  # W45, W47, W48
    with freeze_time("2026-12-15 12:00:00"):
        r = run_cli(capsys, "report")
    assert r.code == 0 and r.err == "", r.err
    assert ("Nothing recorded this week (2026-W51).\n"
            "Weeks with data: 2026-W45, 2026-W47 to 2026-W48.\n"
            "Try: glutecoach report --week 2026-W48\n") in r.out
    with freeze_time("2026-12-15 12:00:00"):
        tried = run_cli(capsys, "report", "--week", "2026-W48")
    assert tried.code == 0 and "Nothing recorded" not in tried.out and "Mon 23" in tried.out

    # A week asked for by name: the same pointers, to the week nearest to it.
    with freeze_time("2026-12-15 12:00:00"):
        r = run_cli(capsys, "report", "--week", "2026-W44")
    assert "Nothing recorded in 2026-W44.\n" in r.out
    assert "Try: glutecoach report --week 2026-W45\n" in r.out


def test_an_empty_week_as_json_keeps_its_shape_and_says_it_on_stderr(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    record_mondays(capsys, tmp_path, W47)
    with freeze_time("2026-12-15 12:00:00"):
        r = run_cli(capsys, "report", "--json")
    assert r.code == 0
    doc = r.json()
    assert set(doc) == {"week", "from", "to", "days", "totals", "previous_week", "muscles",
                        "extra"}
    assert doc["week"] == "2026-W51" and doc["totals"]["sitting_minutes"] == 0
    assert r.err == ("glutecoach: Nothing recorded this week (2026-W51). Weeks with data: "
                     "2026-W47. Try: glutecoach report --week 2026-W47\n")
    # A week the script asked for by name: stderr stays quiet.
    assert report_json(capsys, "2026-W50")["week"] == "2026-W50"


def test_week_spans_join_consecutive_weeks_and_shorten_long_lists() -> None:
    from glutecoach.report.terminal import week_spans

    weeks = [IsoWeek.parse(w) for w in ("2026-W52", "2026-W53", "2027-W01", "2027-W03")]
    assert week_spans(weeks) == "2026-W52 to 2027-W01, 2027-W03"
    many = [IsoWeek(2026, n) for n in range(1, 30, 2)]  # 15 weeks, none next to another
    assert week_spans(many) == "2026-W01, …, 2026-W23, 2026-W25, 2026-W27, 2026-W29"

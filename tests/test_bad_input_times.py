"""Times the rules cannot handle (issue 11, item 3): a trace at the very ends of the calendar is one
line naming the file, line and column, exit 2, and nothing is written; a trace at the ends of the
range that is accepted goes through the rules, day accounting, --record, history and the report.

The range is 1900-01-01T00:00Z up to (not including) 9999-01-01T00:00Z: the work windows look a
day back and about ten days ahead, a day's accounting runs to the next local midnight, and local
zones lie up to 14 hours from UTC, so a year of room at each end is far more than they need."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cli_helpers import isolate, run_cli

from glutecoach.config import Hours
from glutecoach.days import FIRST_INSTANT, LAST_INSTANT, local_midnight, split_at_midnight
from glutecoach.errors import InputError
from glutecoach.store import DB_NAME
from glutecoach.trace import parse_trace
from glutecoach.workhours import WorkHours

HEADER = "at,until,event"
ALL_DAY = "\n".join(f'{d} = ["00:00-24:00"]' for d in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                         "sun"))
# The zones furthest from UTC today (+14, -12), one with minutes in its offset, and Berlin, whose
# offset in 1900 was its local mean time.
ZONES = ["Etc/GMT-14", "Etc/GMT+12", "Asia/Kathmandu", "Europe/Berlin", "Pacific/Kiritimati"]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def config(tmp_path: Path, zone: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[schedule]\ntimezone = "{zone}"\nsit_minutes = 20\n'
                    f"[schedule.hours]\n{ALL_DAY}\n", encoding="utf-8")
    return path


def trace(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "trace.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_limits_are_whole_years_in_utc() -> None:
    assert datetime(1900, 1, 1, tzinfo=UTC) == FIRST_INSTANT
    assert datetime(9999, 1, 1, tzinfo=UTC) == LAST_INSTANT


@pytest.mark.parametrize(("row", "column", "line"), [
    # the trace: a day ending on the last date there is
    ("9999-12-31T09:00:00,9999-12-31T10:00:00,active", "at", 2),
    ("2026-11-23T09:00:00,9999-12-31T10:00:00,active", "until", 2),
    ("9998-12-31T23:00:00-05:00,9998-12-31T23:30:00-05:00,active", "at", 2),  # 9999 in UTC
    ("0001-01-01T09:00:00,0001-01-01T10:00:00,active", "at", 2),
    ("0001-01-01T00:00:00+05:00,2026-11-23T09:31:00,active", "at", 2),  # before year 1 in UTC
    ("1899-12-31T23:59:59Z,1900-01-01T00:30:00Z,active", "at", 2),
    ("9999-12-31T23:59:59-05:00,,done", "at", 2),  # past year 9999 in UTC
])
def test_times_beyond_the_range_are_one_line_naming_line_and_column(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, row: str, column: str,
        line: int) -> None:
    path = trace(tmp_path, row)
    home = tmp_path / "home"
    for extra in ([], ["--record"]):
        r = run_cli(capsys, "--config", config(tmp_path, "Europe/Berlin"), "--home", home,
                    "simulate", path, *extra)
        assert r.code == 2, r.err
        assert r.out == ""
        assert r.err.count("\n") == 1, r.err
        assert r.err.startswith(f"glutecoach: error: {path}:{line}: \"{column}\" "), r.err
        assert "1900-01-01 to 9998-12-31" in r.err
        assert not (home / DB_NAME).exists()


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("end", ["first", "last"])
def test_the_ends_of_the_range_go_through_rules_days_record_history_and_report(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, zone: str, end: str) -> None:
    if end == "first":
        rows = ["1900-01-01T00:00:00Z,1900-01-01T01:10:00Z,active",
                "1900-01-01T01:15:00Z,1900-01-01T01:40:00Z,locked",
                "1900-01-01T00:50:00Z,,snooze"]
    else:
        rows = ["9998-12-31T22:00:00Z,9998-12-31T23:59:59.999999Z,active",
                "9998-12-31T22:30:00Z,9998-12-31T22:40:00Z,paused",
                "9998-12-31T23:00:00Z,,skip"]
    path = trace(tmp_path, *rows)
    cfg, home = config(tmp_path, zone), tmp_path / "home"
    r = run_cli(capsys, "--config", cfg, "--home", home, "simulate", path, "--json", "--record")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["prompts"], "the rules ran"
    assert sum(d["sitting_minutes"] for d in doc["days"]) > 60

    h = run_cli(capsys, "--config", cfg, "--home", home, "history", "--json")
    assert h.code == 0 and h.err == "", h.err
    assert [p["at"] for p in h.json()] == [p["at"] for p in doc["prompts"]]

    shown = datetime.fromisoformat(doc["prompts"][0]["at"]).date()
    iso = shown.isocalendar()
    if 1900 <= iso.year <= 9998:  # `report --week` takes the same years
        rep = run_cli(capsys, "--config", cfg, "--home", home, "report", "--week",
                      f"{iso.year}-W{iso.week:02d}", "--json")
        assert rep.code == 0, rep.err
        assert rep.json()["totals"]["prompts"] >= 1


@pytest.mark.parametrize("zone", ZONES)
def test_day_accounting_and_work_windows_at_both_ends(zone: str) -> None:
    """The calendar code itself, at the first and last instants a trace may hold."""
    tz = ZoneInfo(zone)
    hours = WorkHours(Hours(**{d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri",
                                                            "sat", "sun")}), tz)
    day = timedelta(days=1)
    last = LAST_INSTANT - timedelta(microseconds=1)
    for start, end in ((FIRST_INSTANT, FIRST_INSTANT + day), (last - day, last)):
        parts = list(split_at_midnight(start, end, tz))
        assert sum(seconds for _, seconds in parts) == day.total_seconds()
    for t in (FIRST_INSTANT, last):
        assert hours.is_open(t)
        assert hours.next_open(t + day) is not None  # a rule's deadline later
        assert hours.current_window_end(t) is not None
    # Nothing open: the search looks about ten days ahead, still inside the calendar.
    closed = WorkHours(Hours(), tz)
    assert closed.next_open(LAST_INSTANT + timedelta(days=1)) is None
    assert closed.next_open(FIRST_INSTANT - timedelta(days=1)) is None
    assert local_midnight(date(9999, 1, 2), tz).astimezone(UTC) > LAST_INSTANT
    assert datetime.combine(date(1899, 12, 30), time(0), tz).astimezone(UTC) < FIRST_INSTANT


def test_parse_trace_names_the_limit() -> None:
    with pytest.raises(InputError) as info:
        parse_trace(f"{HEADER}\n2026-11-23T09:00:00,,done\n9999-06-01T09:00:00,,skip\n",
                    ZoneInfo("UTC"), "t.csv")
    assert str(info.value) == (
        't.csv:3: "at" 9999-06-01T09:00:00 is outside the times GluteCoach handles '
        "(1900-01-01 to 9998-12-31, UTC); a typo in a year?")

"""Trace files: strict reading; every bad row named by file and line; via the CLI, exit 2 with one
line on stderr and nothing written to the database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cli_helpers import isolate, run_cli

from glutecoach.errors import InputError
from glutecoach.store import DB_NAME
from glutecoach.trace import parse_trace, read_trace

BERLIN = ZoneInfo("Europe/Berlin")
DATA = Path(__file__).parent / "data"
GOOD = "2026-11-23T09:00:00,2026-11-23T09:31:00,active"
HEADER = "at,until,event"




@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    isolate(monkeypatch, tmp_path)
    yield


# (case, file text, line the error must name or None for the file only, words it must contain)
BAD: list[tuple[str, str, int | None, tuple[str, ...]]] = [
    ("unparseable at", f"{HEADER}\n{GOOD}\nnine o'clock,2026-11-23T09:31:00,active\n", 3,
     ("at", "nine o'clock")),
    ("unparseable until", f"{HEADER}\n{GOOD}\n2026-11-23T10:00:00,2026-11-23T25:00:00,active\n",
     3, ("until", "25:00")),
    ("until before at", f"{HEADER}\n{GOOD}\n\n2026-11-23T10:00:00,2026-11-23T09:59:59,locked\n",
     4, ("until", "before")),
    ("unknown event", f"{HEADER}\n2026-11-23T10:00:00,2026-11-23T10:05:00,typing\n{GOOD}\n", 2,
     ("typing",)),
    ("too few fields", f"{HEADER}\n{GOOD}\n{GOOD}\n2026-11-23T10:00:00,active\n", 4,
     ("3 fields", "2")),
    ("too many fields", f"{HEADER}\n{GOOD},extra\n", 2, ("3 fields", "4")),
    ("missing header", f"{GOOD}\n{GOOD}\n", 1, ("header",)),
    ("wrong header", f"start,end,event\n{GOOD}\n", 1, ("header",)),
    ("answer with until", f"{HEADER}\n{GOOD}\n2026-11-23T09:20:00,2026-11-23T09:21:00,done\n", 3,
     ("done", "until")),
    ("interval without until", f"{HEADER}\n{GOOD}\n2026-11-23T09:40:00,,paused\n", 3,
     ("paused", "until")),
    ("empty at", f"{HEADER}\n,2026-11-23T09:31:00,active\n", 2, ("at", "empty")),
    ("line numbers count a quoted field's lines",
     f'{HEADER}\n"2026-11-23T08:00:00\n",2026-11-23T08:10:00,active\nbad,,skip\n', 4, ("bad",)),
    ("empty file", "", None, ("empty",)),
    ("header only", f"{HEADER}\n\n", None, ("no events",)),
]
BAD_IDS = [case for case, *_ in BAD]


@pytest.mark.parametrize(("case", "text", "line", "words"), BAD, ids=BAD_IDS)
def test_bad_trace_names_file_and_line(tmp_path: Path, case: str, text: str, line: int | None,
                                       words: tuple[str, ...]) -> None:
    path = tmp_path / "day.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_trace(path, BERLIN)
    message = str(info.value)
    assert "\n" not in message
    if line is None:
        assert message.startswith(f"{path}: ")
    else:
        assert message.startswith(f"{path}:{line}: "), message
    for word in words:
        assert word in message, (case, message)


def test_unreadable_traces_are_input_errors(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(f"{HEADER}\n{GOOD}\n".encode() + b"\xe9\xe9,,done\n")
    with pytest.raises(InputError, match="UTF-8"):
        read_trace(latin1, BERLIN)
    with pytest.raises(InputError, match="no such trace file"):
        read_trace(tmp_path / "missing.csv", BERLIN)


def test_good_trace_times_and_zones(tmp_path: Path) -> None:
    path = tmp_path / "day.csv"
    # a BOM, CRLF, spaces, rows out of order, an offset, a Z and local times
    path.write_bytes("\ufeffat,until,event\r\n"
                     " 2026-11-23T10:00:00 , 2026-11-23T10:30:00+00:00 , paused \r\n"
                     "2026-11-23T09:00:00,2026-11-23T09:31:00Z,active\r\n"
                     "\r\n"
                     "2026-11-23T09:10:00.5,,snooze\r\n".encode())
    rows = read_trace(path, BERLIN)
    assert [(r.line, r.event) for r in rows] == [(2, "paused"), (3, "active"), (5, "snooze")]
    assert rows[0].at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 Berlin
    assert rows[0].until == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    assert rows[1].until == datetime(2026, 11, 23, 9, 31, tzinfo=UTC)
    assert rows[2].at == datetime(2026, 11, 23, 8, 10, 0, 500000, tzinfo=UTC)
    assert rows[2].until is None
    assert all(r.at.utcoffset() is not None for r in rows)


def test_local_times_follow_the_zone_across_dst() -> None:
    text = (f"{HEADER}\n2026-03-28T12:00:00,2026-03-28T12:30:00,active\n"
            "2026-03-29T12:00:00,2026-03-29T12:30:00,active\n"
            "2026-10-25T02:30:00,2026-10-25T02:40:00,active\n")  # ambiguous: the first (CEST)
    rows = parse_trace(text, BERLIN, "dst.csv")
    assert [r.at for r in rows] == [datetime(2026, 3, 28, 11, 0, tzinfo=UTC),
                                    datetime(2026, 3, 29, 10, 0, tzinfo=UTC),
                                    datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]
    assert rows[1].at - rows[0].at == timedelta(hours=23)  # elapsed, not wall-clock, time


def test_a_row_ending_before_it_starts_across_the_spring_gap_is_rejected() -> None:
    """02:30 does not exist on 2026-03-29 in Berlin; read as 01:30Z (03:30 CEST), it is after
    03:10 CEST. Compared by wall clock (02:30 < 03:10) the row passed and was silently empty."""
    with pytest.raises(InputError, match=r"^gap\.csv:2: until"):
        parse_trace(f"{HEADER}\n2026-03-29T02:30:00,2026-03-29T03:10:00,active\n", BERLIN,
                    "gap.csv")


def test_rows_are_ordered_by_instant_not_by_wall_clock(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    """A row from the nonexistent 02:30 (01:30Z) comes after one at 03:10-03:20 CEST
    (01:10Z-01:20Z): two stretches, 30 + 10 minutes, not one swallowing the other."""
    cfg = tmp_path / "c.toml"
    cfg.write_text('[schedule]\ntimezone = "Europe/Berlin"\n[schedule.hours]\n'
                   'sun = ["00:00-24:00"]\n', encoding="utf-8")
    trace = tmp_path / "t.csv"
    trace.write_text(f"{HEADER}\n2026-03-29T02:30:00,2026-03-29T04:00:00,active\n"
                     "2026-03-29T03:10:00,2026-03-29T03:20:00,active\n", encoding="utf-8")
    r = run_cli(capsys, "simulate", str(trace), "--config", str(cfg), "--json")
    assert r.code == 0, r.err
    (day,) = json.loads(r.out)["days"]
    assert (day["sitting_minutes"], day["longest_sitting_minutes"]) == (40, 30)


def test_zero_length_interval_is_allowed() -> None:
    rows = parse_trace(f"{HEADER}\n2026-11-23T09:00:00,2026-11-23T09:00:00,locked\n", BERLIN)
    assert rows[0].at == rows[0].until


# --- through the command line -------------------------------------------------------------------


def db_rows(home: Path) -> int | None:
    """Rows in every table of the home's database, or None when there is no database."""
    db = home / DB_NAME
    if not db.exists():
        return None
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)
    finally:
        conn.close()


@pytest.mark.parametrize(("case", "text", "line", "words"), BAD, ids=BAD_IDS)
def test_bad_trace_via_cli_exits_2_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str, text: str,
        line: int | None, words: tuple[str, ...]) -> None:
    trace = tmp_path / "day.csv"
    trace.write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    r = run_cli(capsys, "simulate", str(trace), "--config", str(DATA / "berlin.toml"),
                "--home", str(home), "--record", "--json")
    assert r.code == 2
    assert r.out == ""
    assert len(r.err.splitlines()) == 1, r.err
    where = f"{trace}:{line}:" if line is not None else f"{trace}:"
    assert r.err.startswith(f"glutecoach: error: {where}"), r.err
    assert not home.exists(), "a bad trace created the home"


def test_bad_trace_leaves_an_existing_database_as_it_was(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    home = tmp_path / "home"
    cfg = str(DATA / "berlin.toml")
    ok = run_cli(capsys, "simulate", str(DATA / "worked_example.csv"), "--config", cfg,
                 "--home", str(home), "--record")
    assert ok.code == 0
    before = db_rows(home)
    assert before

    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n2026-11-24T09:00:00,2026-11-24T10:00:00,active\n"
                   "2026-11-24T10:00:00,2026-11-24T09:00:00,active\n", encoding="utf-8")
    r = run_cli(capsys, "simulate", str(bad), "--config", cfg, "--home", str(home), "--record")
    assert r.code == 2
    assert f"{bad}:3:" in r.err
    assert db_rows(home) == before


def test_bad_trace_end_to_end(tmp_path: Path) -> None:
    trace = tmp_path / "day.csv"
    trace.write_text(f"{HEADER}\n{GOOD}\n2026-11-23T09:40:00,2026-11-23T09:45:00,walking\n",
                     encoding="utf-8")
    home = tmp_path / "home"
    env = {**os.environ, "GLUTECOACH_HOME": str(home),
           "GLUTECOACH_CONFIG": str(DATA / "berlin.toml"),
           "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "glutecoach", "simulate", "day.csv", "--record"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        'glutecoach: error: day.csv:3: unknown event "walking" (known: active, locked, '
        "suspended, paused, done, snooze, skip)"]
    assert db_rows(home) is None

"""Damaged databases (issue 11, item 3), on real SQLite files and through the real command line:

- every writer (the coach's StoreWriter, `simulate --record`, `feedback`, recovery) runs the same
  `PRAGMA quick_check` before writing, and refuses a damaged file with one line, leaving it as it
  was;
- a current database whose version stamp says an older schema is refused with one line saying
  what to do, and no backup or other file is left behind;
- a row whose stored time is garbage, or whose text is not UTF-8 (a damaged plan_json), is named
  in a warning, and the rest of the history and the report is still shown."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import isolate, run_cli

from glutecoach.engine import StretchStarted
from glutecoach.errors import GlutecoachError
from glutecoach.history import History, Prompt, Stretch
from glutecoach.store import DB_NAME, Store
from glutecoach.store.migrations import CURRENT_VERSION
from glutecoach.store.recovery import close_breaks_left_open
from glutecoach.store.writer import StoreWriter

DATA = Path(__file__).parent / "data"
WORKED = DATA / "worked_example.csv"  # Mon 2026-11-23, Berlin
BERLIN = DATA / "berlin.toml"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(home: Path) -> set[str]:
    """The files in the home, but SQLite's own -wal and -shm of an open database."""
    return {p.name for p in home.iterdir() if not p.name.endswith(("-wal", "-shm"))}


def one_line(err: str, *words: str) -> None:
    assert err.count("\n") == 1 and err.startswith("glutecoach: error: "), err
    for word in words:
        assert word in err, f"{word!r} not in {err!r}"


def recorded(home: Path) -> Path:
    """The worked example recorded by `simulate --record`, as the CLI leaves it."""
    store = Store.open(home)
    t = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    h = History(stretches=[Stretch(t + timedelta(hours=d), t + timedelta(hours=d, minutes=40))
                           for d in range(3)],
                prompts=[Prompt(d, t + timedelta(hours=d, minutes=30),
                                t + timedelta(hours=d, minutes=30), 0, "done", True,
                                t + timedelta(hours=d, minutes=33), f"exercise-{d}")
                         for d in range(3)])
    store.record(h, "Europe/Berlin", source="simulate", plans={
        d: f'{{"minutes": 3, "items": [{{"exercise": "exercise-{d}", "seconds": 60}}]}}'
        for d in range(3)})
    store.close()
    return home / DB_NAME


def sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


# --- every writer checks the file first ---------------------------------------------------------


def damaged_history(home: Path) -> Path:
    """A year of history (many pages, in WAL mode, folded back) with one page of random bytes in
    the middle: opening it works, and so do the reads and writes of `simulate --record` and
    `feedback`, which miss that page; `PRAGMA quick_check` finds it."""
    store = Store.open(home)
    t = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    h = History()
    for day in range(300):
        start = t + timedelta(days=day)
        h.stretches.append(Stretch(start, start + timedelta(minutes=40)))
        h.prompts.append(Prompt(day, start + timedelta(minutes=30), start + timedelta(minutes=30),
                                0, "done", True, start + timedelta(minutes=33), "clamshell"))
    store.record(h, "Europe/Berlin", source="simulate")
    store.close()
    db = home / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    size = int.from_bytes(data[16:18], "big")
    data[8 * size:9 * size] = random.Random(8).randbytes(size)
    db.write_bytes(bytes(data))
    return db


def test_simulate_record_refuses_a_damaged_database(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = damaged_history(home)
    before = digest(db)
    r = run_cli(capsys, "--config", BERLIN, "--home", home, "simulate", WORKED, "--record")
    assert r.code == 1
    one_line(r.err, str(db), "cannot be read", "quick_check", "untouched", ".recover")
    assert digest(db) == before


def test_feedback_refuses_a_damaged_database(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = damaged_history(home)
    before = digest(db)
    r = run_cli(capsys, "--config", BERLIN, "--home", home, "feedback", "easy", "--muscle",
                "medius")
    assert r.code == 1
    one_line(r.err, str(db), "cannot be read", "quick_check")
    assert digest(db) == before


def test_the_coach_writer_and_recovery_refuse_a_damaged_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = damaged_history(home)
    before = digest(db)
    store = Store.open(home)
    try:
        writer = StoreWriter(store, "Europe/Berlin")
        with pytest.raises(GlutecoachError, match="quick_check"):
            writer.apply([StretchStarted(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))])
        assert writer.backlog, "kept in memory, as for any failed write"
        with pytest.raises(GlutecoachError, match="quick_check"):
            close_breaks_left_open(store)
        with pytest.raises(GlutecoachError, match="quick_check"):
            store.record(History(stretches=[Stretch(datetime(2026, 12, 1, tzinfo=UTC))]),
                         "UTC", source="simulate")
    finally:
        store.close()
    assert digest(db) == before


def test_the_check_runs_once_per_store_and_a_whole_file_is_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    recorded(home)
    store = Store.open(home)
    try:
        writer = StoreWriter(store, "UTC")
        for minute in range(3):
            writer.apply([StretchStarted(datetime(2026, 12, 1, 8, minute, tzinfo=UTC))])
        assert len(store.load(since=datetime(2026, 12, 1, tzinfo=UTC)).stretches) == 3
    finally:
        store.close()


# --- a version stamp older than the tables ------------------------------------------------------


@pytest.mark.parametrize("stamp", range(1, CURRENT_VERSION))
def test_an_old_stamp_on_a_current_database_is_one_line_and_no_new_file(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, stamp: int) -> None:
    home = tmp_path / "home"
    db = recorded(home)
    sql(db, f"PRAGMA user_version = {stamp}", "PRAGMA journal_mode = DELETE")
    before, names = digest(db), files(home)
    for _ in range(2):  # and again: still no backup
        r = run_cli(capsys, "--config", BERLIN, "--home", home, "history", "--json")
        assert r.code == 1 and r.out == ""
        one_line(r.err, str(db), f"stamp says schema {stamp}",
                 f"schema {CURRENT_VERSION}", "left untouched",
                 f"PRAGMA user_version = {CURRENT_VERSION}")
        assert files(home) == names, "no backup, no other file"
        assert digest(db) == before
    # Doing what the line says brings the history back.
    sql(db, f"PRAGMA user_version = {CURRENT_VERSION}")
    r = run_cli(capsys, "--config", BERLIN, "--home", home, "history", "--json")
    assert r.code == 0 and len(r.json()) == 3


def test_a_stamp_that_matches_a_later_version_names_that_version(tmp_path: Path) -> None:
    """Stamped 1, tables of schema 3 (deferred, schema 4's column, missing): set it to 3, and
    the one step left is run as usual."""
    home = tmp_path / "home"
    db = recorded(home)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE prompts DROP COLUMN deferred")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with pytest.raises(GlutecoachError) as info:
        Store.open(home)
    assert "PRAGMA user_version = 3" in str(info.value)
    sql(db, "PRAGMA user_version = 3")
    store = Store.open(home)
    try:
        assert store.schema_version() == CURRENT_VERSION
        assert len(store.load().prompts) == 3
    finally:
        store.close()
    assert sorted(p.name for p in home.iterdir() if ".bak" in p.name) == [
        f"{DB_NAME}.schema3.bak"]


def test_tables_that_match_no_version_are_refused(tmp_path: Path) -> None:
    """Stamped 1, with schema 2's column and schema 4's but not schema 3's."""
    home = tmp_path / "home"
    db = recorded(home)
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE prompts DROP COLUMN plan_json")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    before = digest(db)
    with pytest.raises(GlutecoachError) as info:
        Store.open(home)
    message = str(info.value)
    assert "match no schema version" in message and "prompts.deferred" in message
    assert ".recover" in message and "\n" not in message
    assert digest(db) == before
    assert not [p for p in home.iterdir() if ".bak" in p.name]


def test_a_backup_never_overwrites_an_earlier_one(tmp_path: Path) -> None:
    from test_migrations import build_v1

    home = tmp_path / "home"
    build_v1(home)
    earlier = home / f"{DB_NAME}.schema1.bak"
    earlier.write_bytes(b"an earlier backup the user keeps")
    Store.open(home).close()
    assert earlier.read_bytes() == b"an earlier backup the user keeps"
    second = home / f"{DB_NAME}.schema1.bak.2"
    conn = sqlite3.connect(second)
    assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    conn.close()


# --- damaged rows: named, and the rest shown ----------------------------------------------------


@pytest.mark.parametrize(("value", "said"), [
    ("'garbage'", "'garbage', not a time"),  # sorts after every time: dropped from every range
    ("'9999-12-31 23:00:00.000000'", "outside the times GluteCoach handles"),
    ("12345", "12345, not a time"),  # a number sorts before every text
    ("X'00ff'", "not a time"),  # a blob after it
    ("'2026-11-24 25:61:00'", "not a time"),  # sorts inside the week: met when it is read
])
def test_a_prompt_whose_time_is_garbage_is_named_and_the_rest_shown(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str, said: str) -> None:
    home = tmp_path / "home"
    db = recorded(home)
    sql(db, f"UPDATE prompts SET shown_utc = {value} WHERE id = 2")
    r = run_cli(capsys, "--config", BERLIN, "--home", home, "history", "--json")
    assert r.code == 0
    assert [p["exercise"] for p in r.json()] == ["exercise-0", "exercise-2"]
    (line,) = r.err.splitlines()
    assert line.startswith(f"glutecoach: warning: {db}: prompts row 2: shown_utc holds "), line
    assert said in line and "left out" in line

    rep = run_cli(capsys, "--config", BERLIN, "--home", home, "report", "--week", "2026-W48",
                  "--json")
    assert rep.code == 0
    assert rep.json()["totals"]["prompts"] == 2
    assert "prompts row 2" in rep.err


@pytest.mark.parametrize(("table", "column", "row_id"), [
    ("stretches", "start_utc", 1), ("stretches", "end_utc", 3), ("breaks", "became_utc", 1),
    ("prompts", "due_utc", 1), ("prompts", "answered_utc", 3),
])
def test_every_stored_time_is_checked(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                      table: str, column: str, row_id: int) -> None:
    home = tmp_path / "home"
    db = recorded(home)
    sql(db, "INSERT INTO breaks (start_utc, became_utc, end_utc, kind, reason, tz, source) "
            "VALUES ('2026-11-23 08:40:00.000000', '2026-11-23 08:45:00.000000', "
            "'2026-11-23 09:00:00.000000', 'natural', 'idle', 'UTC', 'simulate')",
        f"UPDATE {table} SET {column} = 'soon' WHERE id = {row_id}")
    r = run_cli(capsys, "--config", BERLIN, "--home", home, "report", "--week", "2026-W48",
                "--json")
    assert r.code == 0, r.err
    (line,) = r.err.splitlines()
    assert f"{table} row {row_id}: {column} holds 'soon', not a time" in line


def test_a_damaged_plan_is_named_and_history_and_report_go_on(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The issue's case: plan_json that is not UTF-8 text made both fail without a hint."""
    home = tmp_path / "home"
    db = recorded(home)
    sql(db, "UPDATE prompts SET plan_json = CAST(X'7b22ff' AS TEXT) WHERE id = 1",
        "UPDATE prompts SET plan_json = '{not json' WHERE id = 3")
    r = run_cli(capsys, "--config", BERLIN, "--home", home, "history", "--json")
    assert r.code == 0, r.err
    assert len(r.json()) == 3, "the prompts are kept"
    assert r.err.splitlines() == [
        f"glutecoach: warning: {db}: prompts row {n}: its stored plan (plan_json) is damaged; "
        "the prompt is kept without it" for n in (1, 3)]
    table = run_cli(capsys, "--config", BERLIN, "--home", home, "history")
    assert table.code == 0 and "exercise-0" in table.out

    rep = run_cli(capsys, "--config", BERLIN, "--home", home, "report", "--week", "2026-W48")
    assert rep.code == 0, rep.err
    assert rep.err.splitlines() == r.err.splitlines(), "each row named once"


def test_damaged_text_elsewhere_is_named_too(capsys: pytest.CaptureFixture[str],
                                             tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = recorded(home)
    sql(db, "UPDATE prompts SET exercise = CAST(X'ff' AS TEXT) WHERE id = 2",
        "UPDATE prompts SET outcome = 'maybe' WHERE id = 3",
        "UPDATE exercise_log SET exercise = CAST(X'c3' AS TEXT) WHERE id = 1")
    r = run_cli(capsys, "--config", BERLIN, "--home", home, "report", "--week", "2026-W48",
                "--json")
    assert r.code == 0, r.err
    assert r.json()["totals"]["prompts"] == 2, "row 3 left out, row 2 kept without its exercise"
    assert r.json()["muscles"] == {"maximus": 0, "medius": 0, "minimus": 0}
    warnings = r.err.splitlines()
    assert len(warnings) == 3, r.err
    for words in (("prompts row 2", "exercise is not UTF-8 text", "kept without it"),
                  ("prompts row 3", "outcome holds 'maybe'"),
                  ("exercise_log row 1", "left out of the muscles trained")):
        assert any(all(w in line for w in words) for line in warnings), (words, warnings)

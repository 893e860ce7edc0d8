"""The history database on a real SQLite file: permissions, WAL, round trips, and files that are
damaged, foreign or too new (refused with one line, and left byte for byte as they were)."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import stat
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from glutecoach.errors import GlutecoachError
from glutecoach.history import Break, History, Prompt, Stretch
from glutecoach.store import DB_NAME, Store
from glutecoach.store.migrations import CURRENT_VERSION

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KATHMANDU = ZoneInfo("Asia/Kathmandu")  # +05:45: minutes in the offset

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture(autouse=True)
def ordinary_umask() -> Iterator[None]:
    """A usual umask, so the store's own care for permissions is what the tests see."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def a_day(day: int = 23) -> History:
    """The worked example's day (Berlin), with an exercise and answers of every kind."""
    t = datetime(2026, 11, day, 9, 0, tzinfo=BERLIN)
    m = timedelta(minutes=1)
    h = History()
    h.stretches = [Stretch(t, t + 31 * m), Stretch(t + 34.5 * m, t + 80 * m)]
    h.breaks = [Break(t + 31 * m, t + 34 * m, "prompted", "idle", t + 34.5 * m)]
    h.prompts = [
        Prompt(1, t + 30 * m, t + 30 * m, 0, "done", True, t + 34 * m, "clamshell"),
        Prompt(2, t + 64.5 * m, t + 64.5 * m, 0, "missed", False, t + 74.5 * m, None),
    ]
    return h


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


# --- files and permissions ----------------------------------------------------------------------


@posix_only
def test_home_and_database_are_private(tmp_path: Path) -> None:
    home = tmp_path / "deep" / "home"
    store = Store.open(home)
    try:
        db = home / DB_NAME
        assert store.path == db
        assert mode(home) == 0o700
        assert mode(db) == 0o600
        store.load()
        for suffix in ("-wal", "-shm"):  # exist while a connection is open in WAL mode
            side = home / (DB_NAME + suffix)
            assert side.exists(), suffix
            assert mode(side) == 0o600, suffix
    finally:
        store.close()


@posix_only
def test_existing_home_is_made_private_and_wal_files_stay_private_on_reopen(
        tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    Store.open(home).close()
    assert mode(home) == 0o700

    store = Store.open(home)
    try:
        store.record(a_day(), "Europe/Berlin", source="simulate")
        for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
            assert mode(home / name) == 0o600, name
    finally:
        store.close()


def test_wal_mode_is_on(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_schema_version_is_current(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
    finally:
        conn.close()
    assert store.schema_version() == CURRENT_VERSION


def test_a_second_connection_reads_while_one_writes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    coach = Store.open(home)
    coach.record(a_day(23), "Europe/Berlin", source="coach")
    writer = sqlite3.connect(coach.path, isolation_level=None, timeout=0.1)
    cli = Store.open(home)
    try:
        # The coach is in the middle of a write (an exclusive transaction, not yet committed).
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute(
            "INSERT INTO prompts (shown_utc, due_utc, outcome, auto, snoozes, tz, source) "
            "VALUES ('2026-11-24 08:30:00.000000', '2026-11-24 08:30:00.000000', 'pending', 0, "
            "0, 'Europe/Berlin', 'coach')")
        started = time.monotonic()
        during = cli.load()
        assert time.monotonic() - started < 2, "the reader waited for the writer"
        assert len(during.prompts) == 2  # the committed ones, not the one being written
        assert cli.has_history_between(datetime(2026, 11, 24, tzinfo=UTC),
                                       datetime(2026, 11, 25, tzinfo=UTC)) is False
        writer.execute("COMMIT")
        assert len(cli.load().prompts) == 3
    finally:
        writer.close()
        cli.close()
        coach.close()


# --- reading back what was written -------------------------------------------------------------


def test_record_and_load_keep_every_instant_exactly(store: Store) -> None:
    t0 = datetime(2026, 3, 29, 1, 59, 59, 123456, tzinfo=BERLIN)  # just before the spring gap
    h = History()
    h.stretches = [
        Stretch(t0, datetime(2026, 3, 29, 3, 0, 0, 1, tzinfo=BERLIN)),
        # the second 01:30 of the autumn fold (06:30Z) to 14:15:00.999999 in Kathmandu (08:30Z)
        Stretch(datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK).replace(fold=1),
                datetime(2026, 11, 1, 14, 15, 0, 999999, tzinfo=KATHMANDU)),
        Stretch(datetime(2026, 12, 1, 9, 0, tzinfo=KATHMANDU), None),  # still going on
    ]
    h.breaks = [Break(datetime(2026, 3, 29, 3, 0, 0, 1, tzinfo=BERLIN),
                      datetime(2026, 3, 29, 3, 5, 0, 1, tzinfo=BERLIN), "natural", "suspend",
                      None)]
    h.prompts = [
        Prompt(1, datetime(2026, 3, 29, 3, 30, 0, 500000, tzinfo=BERLIN),
               datetime(2026, 3, 29, 3, 29, 59, tzinfo=BERLIN), 2, "snoozed", False,
               datetime(2026, 3, 29, 3, 31, 7, 250000, tzinfo=BERLIN), "glute-bridge"),
        Prompt(2, datetime(2026, 12, 1, 9, 30, tzinfo=KATHMANDU),
               datetime(2026, 12, 1, 9, 30, tzinfo=KATHMANDU), 0, "pending", False, None, None),
    ]
    store.record(h, "Europe/Berlin", source="simulate")
    back = store.load()

    def instants(x: History) -> list[list[datetime | None]]:
        # As UTC: Python never finds a fold=1 time equal to one in another zone (PEP 495).
        rows = [[s.start, s.end] for s in x.stretches] + \
               [[b.start, b.became, b.end] for b in x.breaks] + \
               [[p.at, p.due, p.answered_at] for p in x.prompts]
        return [[t and t.astimezone(UTC) for t in row] for row in rows]

    assert instants(back) == instants(h)
    assert back.stretches[1].start == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    for row in [[s.start, s.end] for s in back.stretches] + \
            [[p.at, p.due, p.answered_at] for p in back.prompts]:
        for t in row:
            if t is not None:  # aware, and in UTC
                assert t.tzinfo is not None and t.utcoffset() == timedelta(0), t
    assert [(b.kind, b.reason) for b in back.breaks] == [("natural", "suspend")]
    assert [(p.snoozes, p.outcome, p.auto, p.exercise) for p in back.prompts] == [
        (2, "snoozed", False, "glute-bridge"), (0, "pending", False, None)]


def test_record_writes_the_zone_source_and_an_exercise_log_for_done_prompts(
        store: Store) -> None:
    store.record(a_day(), "Europe/Berlin", source="simulate")
    conn = sqlite3.connect(store.path)
    try:
        tz = {r[0] for t in ("stretches", "breaks", "prompts")
              for r in conn.execute(f"SELECT tz FROM {t}")}
        sources = {r[0] for t in ("stretches", "breaks", "prompts")
                   for r in conn.execute(f"SELECT source FROM {t}")}
        log = conn.execute("SELECT exercise, at_utc FROM exercise_log").fetchall()
        shown = conn.execute("SELECT shown_utc FROM prompts ORDER BY id").fetchall()
    finally:
        conn.close()
    assert tz == {"Europe/Berlin"}
    assert sources == {"simulate"}
    assert log == [("clamshell", "2026-11-23 08:34:00.000000")]  # answered 09:34 Berlin = 08:34Z
    assert shown == [("2026-11-23 08:30:00.000000",), ("2026-11-23 09:04:30.000000",)]


def test_load_is_oldest_first_and_filters_by_time(store: Store) -> None:
    store.record(a_day(25), "Europe/Berlin", source="simulate")
    store.record(a_day(23), "Europe/Berlin", source="simulate")  # recorded later, happened earlier
    everything = store.load()
    assert [p.at.astimezone(BERLIN).day for p in everything.prompts] == [23, 23, 25, 25]
    assert [s.start for s in everything.stretches] == sorted(s.start for s in everything.stretches)

    since = datetime(2026, 11, 24, tzinfo=BERLIN)
    later = store.load(since=since)
    assert [p.at.astimezone(BERLIN).day for p in later.prompts] == [25, 25]
    assert len(later.stretches) == 2 and len(later.breaks) == 1

    first_prompt = everything.prompts[0].at
    assert [p.at for p in store.load(since=first_prompt, until=first_prompt
                                     + timedelta(seconds=1)).prompts] == [first_prompt]
    assert store.load(until=first_prompt).prompts == []  # until is exclusive


def test_has_history_between(store: Store) -> None:
    def between(a: tuple[int, int], b: tuple[int, int], day: int = 23) -> bool:
        return store.has_history_between(datetime(2026, 11, day, *a, tzinfo=BERLIN),
                                         datetime(2026, 11, day, *b, tzinfo=BERLIN))

    assert between((0, 0), (23, 59)) is False  # empty database
    store.record(a_day(), "Europe/Berlin", source="simulate")  # history 09:00-10:20 Berlin
    assert between((8, 0), (9, 0)) is True  # touches the first stretch's start
    assert between((10, 20), (11, 0)) is True  # touches the last stretch's end
    assert between((9, 40), (9, 41)) is True  # inside
    assert between((7, 0), (20, 0)) is True  # around
    assert between((8, 0), (8, 59)) is False
    assert between((10, 21), (12, 0)) is False
    assert between((9, 0), (10, 0), day=24) is False
    # Zone-proof: 08:59 UTC is 09:59 Berlin, inside the recorded span.
    assert store.has_history_between(datetime(2026, 11, 23, 8, 59, tzinfo=UTC),
                                     datetime(2026, 11, 23, 8, 59, tzinfo=UTC)) is True


def test_has_history_between_sees_an_open_stretch_and_lone_prompts(store: Store) -> None:
    t = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
    h = History(stretches=[Stretch(t, None)])
    store.record(h, "Europe/Berlin", source="coach")
    assert store.has_history_between(t + timedelta(days=3), t + timedelta(days=4)) is True
    assert store.has_history_between(t - timedelta(hours=2), t - timedelta(hours=1)) is False

    other = Store.open(store.path.parent.parent / "other")
    try:
        p = Prompt(1, t, t, 0, "missed", False, t + timedelta(minutes=10), None)
        other.record(History(prompts=[p]), "Europe/Berlin", source="coach")
        assert other.has_history_between(t - timedelta(minutes=1), t + timedelta(minutes=1))
        assert not other.has_history_between(t + timedelta(minutes=1), t + timedelta(hours=1))
    finally:
        other.close()


def test_an_empty_file_becomes_a_new_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / DB_NAME).touch()
    store = Store.open(home)
    try:
        assert store.schema_version() == CURRENT_VERSION
        assert store.load().prompts == []
    finally:
        store.close()


# --- files that are not ours, damaged, or too new ------------------------------------------------


def open_and_read(home: Path) -> None:
    store = Store.open(home)
    try:
        store.load()
    finally:
        store.close()


def assert_refused(home: Path, *fragments: str) -> None:
    db = home / DB_NAME
    before = digest(db)
    with pytest.raises(GlutecoachError) as info:
        open_and_read(home)
    message = str(info.value)
    assert "\n" not in message
    assert str(db) in message
    for fragment in fragments:
        assert fragment in message
    assert type(info.value).exit_code == 1
    assert digest(db) == before, "the refused file was changed"


def test_random_bytes_are_refused_and_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / DB_NAME).write_bytes(random.Random(7).randbytes(8192))
    assert_refused(home, "cannot be read", "untouched")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_a_truncated_database_is_refused_and_left_alone(tmp_path: Path, keep: float) -> None:
    home = tmp_path / "home"
    store = Store.open(home)
    for day in range(1, 29):  # enough rows for several pages
        store.record(a_day(day), "Europe/Berlin", source="simulate")
    store.close()
    db = home / DB_NAME
    conn = sqlite3.connect(db)  # one self-contained file: fold the WAL back in
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = db.read_bytes()
    assert len(data) > 4 * 4096
    db.write_bytes(data[: int(len(data) * keep) // 4096 * 4096 + 100])
    assert_refused(home, "cannot be read")


def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db = home / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('my shopping list')")
    conn.commit()
    conn.close()
    assert_refused(home, "not a GluteCoach")
    conn = sqlite3.connect(db)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"notes"}
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()


def test_a_database_from_a_newer_version_is_refused_and_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = Store.open(home)
    store.record(a_day(), "Europe/Berlin", source="simulate")
    store.close()
    db = home / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    assert_refused(home, "newer", f"schema {CURRENT_VERSION + 1}")
    assert count(db, "prompts") == 2


def test_ensure_home_failure_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(GlutecoachError) as info:
        Store.open(blocker / "home")
    assert "\n" not in str(info.value)
    assert "cannot create" in str(info.value)

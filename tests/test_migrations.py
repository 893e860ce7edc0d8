"""A database made by schema 1 or 2 opens with the current code: every row kept, the new columns
and tables there, the version raised, and a copy of the old file kept first."""

from __future__ import annotations

import os
import re
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import SQLModel

from glutecoach.store import DB_NAME, Store
from glutecoach.store.migrations import CURRENT_VERSION, STEPS
from glutecoach.store.tables import LevelRow, PromptRow

DATA = Path(__file__).parent / "data"
TABLES = ("stretches", "breaks", "prompts", "exercise_log")


def build_v1(home: Path, fixture: str = "schema_v1.sql") -> Path:
    home.mkdir(mode=0o700, parents=True)
    db = home / DB_NAME
    conn = sqlite3.connect(db)
    try:
        conn.executescript((DATA / fixture).read_text(encoding="utf-8"))
    finally:
        conn.close()
    db.chmod(0o600)
    return db


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def dump(db: Path) -> tuple[int, dict[str, list[str]], dict[str, list[tuple[object, ...]]]]:
    """user_version, the columns and all rows (in id order) of every table."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        cols = {t: columns(conn, t) for t in TABLES}
        rows = {t: conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in TABLES}
    finally:
        conn.close()
    return version, cols, rows


def added_since_v1() -> set[tuple[str, str]]:
    """(table, column) pairs that the migration steps add."""
    added = set()
    for statements in STEPS.values():
        for s in statements:
            m = re.match(r"\s*ALTER TABLE (\w+) ADD COLUMN (\w+)", s, re.IGNORECASE)
            if m:
                added.add((m.group(1), m.group(2)))
    return added


def test_fixture_is_the_current_schema_without_the_later_columns(tmp_path: Path) -> None:
    """schema_v1.sql must stay a faithful schema 1: today's tables minus what the steps add."""
    version, cols, rows = dump(build_v1(tmp_path / "home"))
    assert version == 1
    added = added_since_v1()
    assert ("prompts", "delivered") in added
    for table in TABLES:
        current = [c.name for c in SQLModel.metadata.tables[table].columns]
        assert cols[table] == [c for c in current if (table, c) not in added], table
        assert len(rows[table]) >= 2, f"the fixture should hold a few rows of {table}"


def test_schema_1_database_is_migrated_keeping_every_row(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = build_v1(home)
    _, old_cols, old_rows = dump(db)

    store = Store.open(home)
    try:
        assert store.schema_version() == CURRENT_VERSION == 4
    finally:
        store.close()

    version, new_cols, new_rows = dump(db)
    assert version == CURRENT_VERSION
    assert "delivered" in new_cols["prompts"] and "plan_json" in new_cols["prompts"]
    conn = sqlite3.connect(db)
    try:
        for table in TABLES:
            kept = conn.execute(
                f"SELECT {', '.join(old_cols[table])} FROM {table} ORDER BY id").fetchall()
            assert kept == old_rows[table], table
        delivered = conn.execute("SELECT delivered FROM prompts").fetchall()
    finally:
        conn.close()
    assert delivered == [(None,)] * len(old_rows["prompts"])  # unknown for old prompts
    assert {t: len(r) for t, r in new_rows.items()} == {t: len(r) for t, r in old_rows.items()}


def test_migrated_rows_read_back_as_utc_instants(tmp_path: Path) -> None:
    home = tmp_path / "home"
    build_v1(home)
    store = Store.open(home)
    try:
        h = store.load()
    finally:
        store.close()
    assert [p.at for p in h.prompts] == [
        datetime(2026, 11, 23, 8, 30, tzinfo=UTC),
        datetime(2026, 11, 23, 9, 4, 30, tzinfo=UTC),
        datetime(2026, 11, 23, 9, 15, 10, tzinfo=UTC),
        datetime(2026, 11, 24, 13, 35, 7, 500000, tzinfo=UTC),
    ]
    assert [(p.outcome, p.auto, p.snoozes, p.exercise) for p in h.prompts] == [
        ("done", True, 0, "clamshell"),
        ("snoozed", False, 0, "seated-squeeze"),
        ("skipped", False, 1, None),
        ("pending", False, 0, "glute-bridge"),
    ]
    assert h.prompts[-1].answered_at is None
    assert h.stretches[-1].start == datetime(2026, 11, 24, 13, 5, 0, 250000, tzinfo=UTC)
    assert h.stretches[-1].end is None
    assert [(b.kind, b.reason) for b in h.breaks] == [("prompted", "idle"), ("natural", "lock")]


def test_a_backup_of_the_old_file_is_made_before_migrating(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = build_v1(home)
    _, old_cols, old_rows = dump(db)

    Store.open(home).close()

    extra = sorted(p for p in home.iterdir()
                   if p.name not in {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"})
    assert len(extra) == 1, f"expected one backup file, found {[p.name for p in extra]}"
    backup = extra[0]
    version, cols, rows = dump(backup)
    assert version == 1
    assert cols == old_cols  # the old schema, untouched
    assert rows == old_rows
    if os.name == "posix":
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_migrated_database_takes_new_rows_and_is_not_migrated_twice(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = build_v1(home)
    Store.open(home).close()
    backups = {p.name for p in home.iterdir()}

    store = Store.open(home)
    try:
        with store.session() as s:
            at = datetime(2026, 11, 25, 9, 0)  # naive UTC, as the store writes
            s.add(PromptRow(shown_utc=at, due_utc=at, delivered=True, tz="Europe/Berlin"))
            s.commit()
        assert len(store.load().prompts) == 5
    finally:
        store.close()
    Store.open(home).close()
    assert {p.name for p in home.iterdir()} <= backups | {f"{DB_NAME}-wal", f"{DB_NAME}-shm"}
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == CURRENT_VERSION
        assert conn.execute("SELECT delivered FROM prompts WHERE id = 5").fetchone() == (1,)
    finally:
        conn.close()


def test_every_older_version_has_a_step() -> None:
    assert sorted(STEPS) == list(range(1, CURRENT_VERSION))


def build_v2(home: Path) -> Path:
    return build_v1(home, "schema_v2.sql")


def test_schema_2_fixture_is_the_current_schema_without_the_later_columns(tmp_path: Path) -> None:
    version, cols, rows = dump(build_v2(tmp_path / "home"))
    assert version == 2
    added_later = {("prompts", "plan_json"), ("prompts", "deferred")}
    for table in TABLES:
        current = [c.name for c in SQLModel.metadata.tables[table].columns]
        assert cols[table] == [c for c in current if (table, c) not in added_later], table
        assert len(rows[table]) >= 2, f"the fixture should hold a few rows of {table}"


def test_schema_2_database_is_migrated_keeping_every_row(tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = build_v2(home)
    _, old_cols, old_rows = dump(db)

    store = Store.open(home)
    try:
        assert store.schema_version() == CURRENT_VERSION == 4
        with store.session() as s:  # the new table takes rows through the model
            s.add(LevelRow(muscle="medius", level=2, updated_utc=datetime(2026, 12, 1, 9, 0)))
            s.commit()
    finally:
        store.close()

    version, new_cols, _ = dump(db)
    assert version == CURRENT_VERSION
    assert new_cols["prompts"] == old_cols["prompts"] + ["plan_json", "deferred"]
    conn = sqlite3.connect(db)
    try:
        for table in TABLES:
            kept = conn.execute(
                f"SELECT {', '.join(old_cols[table])} FROM {table} ORDER BY id"
            ).fetchall()
            assert kept == old_rows[table], table
        assert conn.execute("SELECT plan_json FROM prompts").fetchall() == [(None,)] * len(
            old_rows["prompts"]
        )
        assert conn.execute("SELECT muscle, level FROM levels").fetchall() == [("medius", 2)]
        assert columns(conn, "levels") == [
            c.name for c in SQLModel.metadata.tables["levels"].columns
        ]
    finally:
        conn.close()
    backups = sorted(p.name for p in home.iterdir() if p.name.endswith(".bak"))
    assert backups == [f"{DB_NAME}.schema2.bak"]


def test_the_levels_table_made_by_the_step_is_the_one_create_all_makes(tmp_path: Path) -> None:
    """The migration's CREATE TABLE and the model must not drift apart."""
    migrated = build_v2(tmp_path / "old")
    Store.open(tmp_path / "old").close()
    Store.open(tmp_path / "new").close()
    fresh = tmp_path / "new" / DB_NAME

    def levels_sql(db: Path) -> str:
        conn = sqlite3.connect(db)
        try:
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'levels'").fetchone()[0]
        finally:
            conn.close()
        return " ".join(sql.split()).replace("( ", "(").replace(" )", ")")

    assert levels_sql(migrated) == levels_sql(fresh)

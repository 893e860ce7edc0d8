"""What a killed coach leaves in the database, and what the next start does with it: the open
stretch keeps the last input written, a pending prompt stays pending (spec: a prompt pending
when tracking ends), an open break is closed where it became a break."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from glutecoach.engine import BreakBegan, PromptShown, StretchEnded, StretchStarted
from glutecoach.store import Store
from glutecoach.store.recovery import check_whole, close_breaks_left_open
from glutecoach.store.tables import BreakRow, PromptRow, StretchRow
from glutecoach.store.writer import StoreWriter

T = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def naive(t: datetime) -> datetime:
    return t.replace(tzinfo=None)


def test_a_kill_leaves_records_the_next_start_can_trust(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = Store.open(home)
    writer = StoreWriter(store, "UTC")
    m = timedelta(minutes=1)
    writer.apply([StretchStarted(T)])
    writer.touch_stretch(T + 20 * m)
    writer.apply([StretchEnded(T, T + 31 * m), BreakBegan(T + 31 * m, T + 36 * m, "natural",
                                                           "idle")])
    writer.apply([StretchStarted(T + 50 * m)])
    writer.touch_stretch(T + 80 * m)
    writer.apply([PromptShown(1, T + 80 * m, T + 80 * m, 0, True)])
    writer.touch_stretch(T + 83 * m)
    store.close()  # killed here: no finish, no answer

    store = Store.open(home)
    check_whole(store)
    assert close_breaks_left_open(store) == 1
    assert close_breaks_left_open(store) == 0  # once only
    with store.session() as s:
        stretches = list(s.exec(select(StretchRow).order_by(StretchRow.id)))
        (brk,) = s.exec(select(BreakRow))
        (prompt,) = s.exec(select(PromptRow))
    assert [(x.start_utc, x.end_utc) for x in stretches] == [
        (naive(T), naive(T + 31 * m)), (naive(T + 50 * m), naive(T + 83 * m))]
    assert brk.end_utc == brk.became_utc == naive(T + 36 * m)
    assert prompt.outcome == "pending" and prompt.answered_utc is None
    store.close()


def test_touching_the_stretch_writes_only_when_the_last_input_moved(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "home")
    writer = StoreWriter(store, "UTC")
    writer.apply([StretchStarted(T)])
    writes: list[str] = []
    from sqlalchemy import event

    event.listen(store.engine, "before_cursor_execute",
                 lambda *a: writes.append(a[2]) if a[2].startswith("UPDATE") else None)
    for _ in range(3):
        writer.touch_stretch(T + timedelta(minutes=5))
    writer.touch_stretch(T + timedelta(minutes=6))
    assert len(writes) == 2
    store.close()


# --- schema work is all or nothing ---------------------------------------------------------------


class Killed(Exception):
    """Stands for the process dying at this point."""


def test_a_kill_while_creating_the_database_leaves_a_file_to_start_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlmodel import SQLModel

    real = SQLModel.metadata.create_all

    def create_then_die(bind: Any, **kw: Any) -> None:
        real(bind, **kw)
        raise Killed

    monkeypatch.setattr(SQLModel.metadata, "create_all", create_then_die)
    home = tmp_path / "home"
    with pytest.raises(Killed):
        Store.open(home)
    monkeypatch.setattr(SQLModel.metadata, "create_all", real)
    store = Store.open(home)  # not "this file is not a GluteCoach history database"
    assert store.load().prompts == []
    store.close()


def test_a_failed_migration_step_leaves_the_old_schema_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from test_migrations import build_v1, dump

    from glutecoach.store import migrations

    db = build_v1(tmp_path / "home")
    before = dump(db)
    last = max(migrations.STEPS)
    broken = {**migrations.STEPS, last: [*migrations.STEPS[last], "ALTER TABLE nowhere ADD x"]}
    monkeypatch.setattr("glutecoach.store.database.STEPS", broken)
    with pytest.raises(Exception, match="nowhere"):
        Store.open(db.parent)
    assert dump(db) == before  # no column added, the version unchanged
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()

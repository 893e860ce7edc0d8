"""A full disk while the coach writes: it logs, keeps running and showing prompts, keeps what it
could not write, and writes it once there is space again; the CLI gets one clear line.

The disk is a real one: a tiny tmpfs mounted for the test (root only; skipped elsewhere)."""

from __future__ import annotations

import errno
import gc
import logging
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import run_cli
from sqlmodel import select
from test_coach_service import (
    CONFIG,
    MONDAY_9,
    RecordingNotifier,
    ScriptedPresence,
    VirtualClock,
    prompts,
    typing_until,
)

from glutecoach.coach.service import Coach
from glutecoach.config import parse_config
from glutecoach.control import ControlServer, socket_path
from glutecoach.store import Store
from glutecoach.store.tables import StretchRow
from glutecoach.store.writer import StoreWriter

OTHER_DAY_TRACE = "at,until,event\n2026-11-30T09:00:00,2026-11-30T09:45:00,active\n"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs of our own."""
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); needs root")
    try:
        yield mnt
    finally:
        gc.collect()  # in-process CLI runs leave database handles for the collector
        if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], check=False)  # detach what stays open


def fill(disk: Path) -> Path:
    """Fill the disk to the last byte with one file; remove it to make space again."""
    filler = disk / "filler"
    chunk = b"\0" * 65536
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            try:  # the last bytes, to leave not even a page
                while True:
                    f.write(b"\0" * 512)
            except OSError:
                pass
    return filler


def test_full_disk_keeps_the_coach_running_and_loses_nothing(
    small_disk: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    home = small_disk / "home"
    clock = VirtualClock(MONDAY_9)
    presence = ScriptedPresence(clock, MONDAY_9)
    notifier = RecordingNotifier()
    store = Store.open(home)
    coach = Coach(
        config=parse_config(CONFIG),
        config_path=None,
        writer=StoreWriter(store, "Europe/Berlin"),
        presence=presence,
        notifier=notifier,
        clock=clock,
    )  # type: ignore[arg-type]
    server = ControlServer(socket_path(home), coach.handle)
    server.start()
    try:
        typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=29))
        filler = fill(small_disk)

        # The prompt falls due on a full disk: shown all the same, its records kept in memory.
        with caplog.at_level(logging.ERROR, logger="glutecoach"):
            typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
        assert len(notifier.shown) == 1
        assert coach.writer.backlog, "the records should wait in memory"
        assert any("full" in r.getMessage() for r in caplog.records)

        # The user answers from the CLI: it works, with one line saying it is not saved yet.
        done = run_cli(capsys, "--home", home, "done")
        assert done.code == 0
        assert done.err.count("\n") == 1 and "full" in done.err, done.err
        assert "saves it as soon as it can" in done.err

        # Writing a simulation into the full database is refused in one line.
        trace = tmp_path / "other-day.csv"
        trace.write_text(OTHER_DAY_TRACE)
        record = run_cli(
            capsys, "--home", home, "--config", _config(tmp_path), "simulate", trace, "--record"
        )
        assert record.code == 1
        assert record.err.count("\n") == 1 and "full" in record.err, record.err

        # Space comes back: the next poll writes everything, once.
        filler.unlink()
        typing_until(coach, clock, presence, clock.t + timedelta(seconds=30))
        assert coach.writer.backlog == []
        (row,) = prompts(store)
        assert (row.outcome, row.auto) == ("done", False)
        with store.session() as s:
            stretches = list(s.exec(select(StretchRow)))
        assert len(stretches) == 2  # the one ended by "done", and the one typed since
    finally:
        server.stop()
        store.close()
    db = sqlite3.connect(home / "glutecoach.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        db.close()


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path

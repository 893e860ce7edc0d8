"""Permissions as another user would meet them: a read-only database, a home that is not
writable. Run as an unprivileged user with setpriv, since root may write anywhere."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from glutecoach.history import History, Prompt
from glutecoach.store import Store

NOBODY = 65534
WORKED = Path(__file__).parent / "data" / "worked_example.csv"


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A directory other users can enter (pytest's tmp_path is root-only)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as another user")
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="glutecoach-access-"))
    d.chmod(0o755)  # explicit: in-process CLI tests leave the process umask at 077
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def as_nobody(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(home.parent), "LANG": "C.UTF-8"}
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                           sys.executable, "-m", "glutecoach", "--home", str(home), *args],
                          env=env, capture_output=True, text=True, timeout=60,
                          cwd=home.parent)


def recorded_home(base: Path) -> Path:
    """A home owned by nobody whose database belongs to root (readable, not writable)."""
    home = base / "home"
    store = Store.open(home)
    from datetime import UTC, datetime

    t = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    store.record(History(prompts=[Prompt(1, t, t, 0, "done", True, t)]), "UTC", "simulate")
    store.close()
    db = home / "glutecoach.db"
    for extra in ("-wal", "-shm"):
        Path(str(db) + extra).unlink(missing_ok=True)
    db.chmod(0o644)
    os.chown(home, NOBODY, NOBODY)
    return home


def test_history_reads_a_read_only_database(shared_tmp: Path) -> None:
    home = recorded_home(shared_tmp)
    done = as_nobody("history", "--json", home=home)
    assert done.returncode == 0, done.stderr
    assert '"outcome": "done"' in done.stdout


def test_record_into_a_read_only_database_is_one_clear_line(shared_tmp: Path) -> None:
    home = recorded_home(shared_tmp)
    before = (home / "glutecoach.db").read_bytes()
    trace = shared_tmp / "t.csv"
    shutil.copy(WORKED, trace)
    trace.chmod(0o644)
    done = as_nobody("simulate", str(trace), "--record", home=home)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "read-only" in done.stderr, done.stderr
    assert (home / "glutecoach.db").read_bytes() == before


def test_run_with_a_read_only_database_refuses_to_start(shared_tmp: Path) -> None:
    home = recorded_home(shared_tmp)
    done = as_nobody("run", "--headless", home=home)
    assert done.returncode == 1
    assert "read-only" in done.stderr and "Traceback" not in done.stderr


def test_home_that_cannot_be_created_is_one_clear_line(shared_tmp: Path) -> None:
    locked = shared_tmp / "locked"
    locked.mkdir()
    locked.chmod(0o755)  # root's, so nobody cannot create anything in it (chmod: umask-proof)
    done = as_nobody("simulate", str(WORKED), "--record", home=locked / "home")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "cannot create" in done.stderr, done.stderr


def test_config_dir_that_cannot_be_entered_is_one_clear_line(shared_tmp: Path) -> None:
    base = shared_tmp / "user"
    (base / ".config" / "glutecoach").mkdir(parents=True)
    (base / ".config").chmod(0o700)  # root's: nobody cannot look inside
    home = base / "home"
    home.mkdir()
    os.chown(home, NOBODY, NOBODY)
    done = as_nobody("simulate", str(WORKED), home=home)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "cannot look for the config" in done.stderr, \
        done.stderr

"""One coach per home (glutecoach/instance.py): the OS lock is held while a coach runs, refused
to a second one with its pid named, and given back by the OS when the holder dies, even by
SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from glutecoach.errors import GlutecoachError
from glutecoach.instance import LOCK_NAME, InstanceLock

HOLD = """
import sys, time
from pathlib import Path
from glutecoach.instance import InstanceLock
InstanceLock(Path(sys.argv[1])).acquire()
print("held", flush=True)
time.sleep(60)
"""


def holder(home: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(home)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_a_second_coach_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    first = holder(tmp_path)
    try:
        with pytest.raises(GlutecoachError, match=f"already running for {tmp_path} "
                                                  rf"\(pid {first.pid}\)"):
            InstanceLock(tmp_path).acquire()
    finally:
        first.kill()
        first.wait()


def test_a_killed_coach_leaves_no_lock_behind(tmp_path: Path) -> None:
    first = holder(tmp_path)
    first.send_signal(signal.SIGKILL)
    first.wait()
    lock = InstanceLock(tmp_path)
    lock.acquire()  # the OS gave the lock back with the process
    lock.release()


def test_release_lets_the_next_coach_start_and_the_lock_file_is_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # a permissive umask: the lock file is private anyway
    try:
        lock = InstanceLock(tmp_path)
        lock.acquire()
        assert (tmp_path / LOCK_NAME).stat().st_mode & 0o777 == 0o600
        lock.release()
    finally:
        os.umask(old)
    nxt = holder(tmp_path)
    nxt.kill()
    nxt.wait()


def test_a_home_that_cannot_hold_the_lock_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GlutecoachError, match="cannot take the coach lock"):
        InstanceLock(tmp_path / "no-such-folder").acquire()

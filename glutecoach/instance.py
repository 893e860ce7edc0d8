"""One coach per home: an OS file lock, released by the OS even if the coach is killed, so a
stale lock never blocks the next start.

The OS's own lock (flock on Linux and macOS, msvcrt's byte lock on Windows) on one open file is
all this needs: no timeouts, no re-entry, no async variants. The filelock package did the same job
for 0.4-0.7 MB of the idle coach's memory, all day (README "Measured")."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from glutecoach.errors import GlutecoachError

LOCK_NAME = "coach.lock"
PID_NAME = "coach.pid"


def _try_lock(fd: int) -> bool:
    """Take the lock on the open file without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


class InstanceLock:
    def __init__(self, home: Path) -> None:
        self.home = home
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            fd = os.open(self.home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise GlutecoachError(f"{self.home}: cannot take the coach lock ({exc.strerror})") \
                from None
        try:
            held = _try_lock(fd)
        except OSError as exc:
            os.close(fd)
            raise GlutecoachError(f"{self.home}: cannot take the coach lock ({exc.strerror})") \
                from None
        if not held:
            os.close(fd)
            pid = self.running_pid()
            who = f" (pid {pid})" if pid else ""
            raise GlutecoachError(f"a coach is already running for {self.home}{who}; "
                                  "stop it with: glutecoach stop")
        self._fd = fd
        (self.home / PID_NAME).write_text(f"{os.getpid()}\n")

    def release(self) -> None:
        (self.home / PID_NAME).unlink(missing_ok=True)
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases the OS lock
            self._fd = None

    def running_pid(self) -> int | None:
        try:
            return int((self.home / PID_NAME).read_text().strip())
        except (OSError, ValueError):
            return None

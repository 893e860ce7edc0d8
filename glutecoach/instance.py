"""One coach per home: an OS file lock, released by the OS even if the coach is killed, so a
stale lock never blocks the next start."""

from __future__ import annotations

import os
from pathlib import Path

from glutecoach.errors import GlutecoachError

LOCK_NAME = "coach.lock"
PID_NAME = "coach.pid"


class InstanceLock:
    def __init__(self, home: Path) -> None:
        from filelock import FileLock

        self.home = home
        self._lock = FileLock(home / LOCK_NAME)

    def acquire(self) -> None:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            pid = self.running_pid()
            who = f" (pid {pid})" if pid else ""
            raise GlutecoachError(f"a coach is already running for {self.home}{who}; "
                                  "stop it with: glutecoach stop") from None
        except OSError as exc:
            raise GlutecoachError(f"{self.home}: cannot take the coach lock ({exc.strerror})") \
                from None
        (self.home / PID_NAME).write_text(f"{os.getpid()}\n")

    def release(self) -> None:
        (self.home / PID_NAME).unlink(missing_ok=True)
        self._lock.release()

    def running_pid(self) -> int | None:
        try:
            return int((self.home / PID_NAME).read_text().strip())
        except (OSError, ValueError):
            return None

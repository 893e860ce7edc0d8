"""Idle time on macOS: HIDIdleTime of the IOHIDSystem registry entry, read with `ioreg`.

The HID system counts nanoseconds since the last keyboard, mouse or trackpad event. `ioreg` ships
with every macOS and needs no compiled binding; one short process per poll is cheap because the
coach polls rarely. Lock state is left to the idle time (None).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable

from glutecoach.presence.base import PresenceError, PresenceReading, PresenceUnavailable

IOREG_ARGS = ["ioreg", "-c", "IOHIDSystem", "-d", "4"]
_HID_IDLE = re.compile(r'"HIDIdleTime"\s*=\s*(\d+)')

Runner = Callable[[list[str]], str]


def parse_hid_idle_seconds(text: str) -> float:
    """The first HIDIdleTime in `ioreg` output, in seconds; ValueError when there is none."""
    match = _HID_IDLE.search(text)
    if match is None:
        raise ValueError("no HIDIdleTime in the ioreg output")
    return int(match.group(1)) / 1e9


def _run_ioreg(args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=5, check=True)
    return done.stdout


class MacIdle:
    name = "macos"

    def __init__(self, run: Runner | None = None) -> None:
        if run is None:
            if sys.platform != "darwin":
                raise PresenceUnavailable("this is not macOS")
            if shutil.which("ioreg") is None:
                raise PresenceUnavailable("the ioreg command is missing")
            run = _run_ioreg
        self._run = run
        try:
            self.read()
        except PresenceError as e:
            raise PresenceUnavailable(str(e)) from e

    def read(self) -> PresenceReading:
        try:
            text = self._run(IOREG_ARGS)
            return PresenceReading(idle_seconds=parse_hid_idle_seconds(text), locked=None)
        except (OSError, subprocess.SubprocessError, ValueError) as e:
            raise PresenceError(f"ioreg did not give the HID idle time: {e}") from e

    def close(self) -> None:
        pass

"""Idle time on Windows from GetLastInputInfo (user32) through ctypes.

GetLastInputInfo gives the tick count (ms since boot, 32 bits) of the last input in this session;
GetTickCount gives the same clock now. Both wrap after 49.7 days, so the difference is taken
modulo 2**32. Lock state is left to the idle time (None).
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from glutecoach.presence.base import PresenceError, PresenceReading, PresenceUnavailable


class LASTINPUTINFO(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint32)]


class WindowsIdle:
    name = "windows"

    def __init__(self, user32: Any = None, kernel32: Any = None) -> None:
        if user32 is None or kernel32 is None:
            if sys.platform != "win32":
                raise PresenceUnavailable("this is not Windows")
            windll = ctypes.windll  # type: ignore[attr-defined]  # exists on Windows only
            user32, kernel32 = windll.user32, windll.kernel32
        self._user32 = user32
        self._kernel32 = kernel32
        try:
            self.read()
        except PresenceError as e:
            raise PresenceUnavailable(str(e)) from e

    def read(self) -> PresenceReading:
        info = LASTINPUTINFO()
        info.cbSize = ctypes.sizeof(LASTINPUTINFO)
        if not self._user32.GetLastInputInfo(ctypes.byref(info)):
            raise PresenceError("GetLastInputInfo failed (is this a service without a desktop?)")
        now = int(self._kernel32.GetTickCount()) & 0xFFFFFFFF
        idle_ms = (now - info.dwTime) & 0xFFFFFFFF
        return PresenceReading(idle_seconds=idle_ms / 1000.0, locked=None)

    def close(self) -> None:
        pass

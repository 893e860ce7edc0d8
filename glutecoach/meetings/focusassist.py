"""Windows' do-not-disturb: Focus Assist (Windows 10 1803+, "Do not disturb" on Windows 11) and
presentation mode.

Windows has no documented call for the Focus Assist state. The shell publishes it as the WNF
state WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED (0 off, 1 priority only, 2 alarms only), which
ntdll's NtQueryWnfStateData reads; tools that show the state (and PowerToys-like utilities) use
the same. The documented SHQueryUserNotificationState adds presentation mode
(`presentationsettings /start`). Both are one cheap call each through ctypes.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from glutecoach.meetings.base import ReadFailed, SignalUnavailable

# WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED
QUIET_HOURS_STATE = 0x0D83063EA3BF1C75
QUIET_HOURS = {1: "Focus Assist is on (priority only)", 2: "Focus Assist is on (alarms only)"}
QUNS_PRESENTATION_MODE = 4  # QUERY_USER_NOTIFICATION_STATE


class FocusAssist:
    label = "Windows Focus Assist"

    def __init__(self, ntdll: Any = None, shell32: Any = None) -> None:
        if ntdll is None or shell32 is None:
            if sys.platform != "win32":
                raise SignalUnavailable("this is not Windows")
            windll = ctypes.windll  # type: ignore[attr-defined]  # exists on Windows only
            ntdll, shell32 = windll.ntdll, windll.shell32
        self._ntdll = ntdll
        self._shell32 = shell32
        try:
            self._quiet_hours()
        except (ReadFailed, AttributeError, OSError) as e:
            raise SignalUnavailable(f"this Windows does not publish Focus Assist: {e}") from e

    def _quiet_hours(self) -> int:
        state_name = ctypes.c_uint64(QUIET_HOURS_STATE)
        stamp = ctypes.c_uint32()
        value = ctypes.c_uint32()
        size = ctypes.c_uint32(ctypes.sizeof(value))
        status = self._ntdll.NtQueryWnfStateData(
            ctypes.byref(state_name),
            None,
            None,
            ctypes.byref(stamp),
            ctypes.byref(value),
            ctypes.byref(size),
        )
        if status != 0:
            raise ReadFailed(f"NtQueryWnfStateData failed with status {status & 0xFFFFFFFF:#x}")
        return int(value.value)

    def _presentation_mode(self) -> bool:
        state = ctypes.c_int()
        if self._shell32.SHQueryUserNotificationState(ctypes.byref(state)) != 0:
            return False  # only an extra; Focus Assist is the main answer
        return state.value == QUNS_PRESENTATION_MODE

    def check(self) -> str | None:
        try:
            quiet = self._quiet_hours()
        except OSError as e:
            raise ReadFailed(f"NtQueryWnfStateData failed: {e}") from e
        if quiet in QUIET_HOURS:
            return QUIET_HOURS[quiet]
        if self._presentation_mode():
            return "Windows presentation mode is on"
        return None

    def close(self) -> None:
        pass

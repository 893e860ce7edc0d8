"""Idle time on GNOME (Wayland or X11) from org.gnome.Mutter.IdleMonitor over the session bus.

On Wayland no client may watch global input, so the compositor is the only one who knows; GNOME
Shell refuses org.freedesktop.ScreenSaver.GetSessionIdleTime, hence this adapter. Lock state
comes from org.gnome.ScreenSaver, which GNOME Shell owns next to it.
"""

from __future__ import annotations

from glutecoach.presence.base import PresenceError, PresenceReading, PresenceUnavailable
from glutecoach.presence.freedesktop import (
    CALL_TIMEOUT,
    GNOME_SCREENSAVER,
    Bus,
    session_bus_address,
)

IDLE_MONITOR = "org.gnome.Mutter.IdleMonitor"
IDLE_MONITOR_PATH = "/org/gnome/Mutter/IdleMonitor/Core"


class MutterIdle:
    name = "mutter"

    def __init__(self, address: str | None = None, timeout: float = CALL_TIMEOUT) -> None:
        self._bus = Bus(address or session_bus_address(), timeout)
        try:
            if not self._bus.has_owner(IDLE_MONITOR):
                raise PresenceUnavailable(
                    f"nothing owns {IDLE_MONITOR} on the session bus (this is not GNOME)"
                )
            self._idle_ms()
        except PresenceError as e:
            self._bus.close()
            raise PresenceUnavailable(str(e)) from e
        except PresenceUnavailable:
            self._bus.close()
            raise

    def _idle_ms(self) -> int:
        (ms,) = self._bus.call(IDLE_MONITOR, IDLE_MONITOR_PATH, IDLE_MONITOR, "GetIdletime")
        return int(ms)

    def read(self) -> PresenceReading:
        idle = self._idle_ms() / 1000.0
        try:
            (active,) = self._bus.call(*GNOME_SCREENSAVER, GNOME_SCREENSAVER[0], "GetActive")
            locked: bool | None = bool(active)
        except PresenceError:
            locked = None  # no GNOME Shell screensaver (a bare Mutter): idle time is enough
        return PresenceReading(idle_seconds=idle, locked=locked)

    def close(self) -> None:
        self._bus.close()

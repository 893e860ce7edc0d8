"""Idle time on X11 from the XScreenSaver extension, through python-xlib.

The X server counts milliseconds since the last input of any device, so one cheap round trip
per poll is all it costs. Lock state is not known here; `select` adds it from the bus.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from glutecoach.presence.base import PresenceError, PresenceReading, PresenceUnavailable
from glutecoach.xconnection import open_display


class X11Idle:
    name = "x11"

    def __init__(self, display: str | None = None) -> None:
        self._display_name = display if display is not None else os.environ.get("DISPLAY", "")
        if not self._display_name:
            raise PresenceUnavailable("$DISPLAY is not set, so there is no X server to ask")
        self._display: Any = self._connect()
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            self._display.close()
            raise PresenceUnavailable(
                f"the X server on {self._display_name} has no XScreenSaver extension"
            )

    def _connect(self) -> Any:
        try:
            from Xlib import error as xerror
        except ImportError as e:
            raise PresenceUnavailable(
                "python-xlib is not installed (pip install python-xlib)"
            ) from e
        try:
            return open_display(self._display_name, ("MIT-SCREEN-SAVER",))
        except (xerror.DisplayError, xerror.ConnectionClosedError, OSError) as e:
            raise PresenceUnavailable(
                f"cannot connect to the X server on {self._display_name}: {e}"
            ) from e

    def read(self) -> PresenceReading:
        # A server restart (or a dropped socket) leaves a dead connection: reconnect once per read
        # so that a coach running all day heals without being restarted.
        if self._display is None:
            try:
                self._display = self._connect()
            except PresenceUnavailable as e:
                raise PresenceError(str(e)) from e
        try:
            info = self._display.screen().root.screensaver_query_info()
        except Exception as e:  # Xlib raises many unrelated types for a lost connection
            self._drop()
            raise PresenceError(f"the X server on {self._display_name} did not answer: {e}") from e
        return PresenceReading(idle_seconds=info.idle / 1000.0, locked=None)

    def _drop(self) -> None:
        display, self._display = self._display, None
        if display is not None:
            # Closing a dead connection may raise; there is nothing left to free then.
            with contextlib.suppress(Exception):
                display.close()

    def close(self) -> None:
        self._drop()

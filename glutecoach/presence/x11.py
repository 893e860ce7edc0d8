"""Idle time on X11 from the XScreenSaver extension (MIT-SCREEN-SAVER).

The X server counts milliseconds since the last input of any device, so one cheap round trip
per poll is all it costs. The connection is python-xlib's protocol core with the few requests
the coach sends (glutecoach.xprotocol), not its full Display. Lock state is not known here;
`select` adds it from the bus.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

from glutecoach.presence.base import PresenceError, PresenceReading, PresenceUnavailable
from glutecoach.xconnection import XConnectionError, open_display

if TYPE_CHECKING:
    from glutecoach.xprotocol import XConnection


class X11Idle:
    name = "x11"

    def __init__(self, display: str | None = None) -> None:
        self._display_name = display if display is not None else os.environ.get("DISPLAY", "")
        if not self._display_name:
            raise PresenceUnavailable("$DISPLAY is not set, so there is no X server to ask")
        self._display: XConnection | None = self._connect()
        try:
            present = self._display.extension_opcode("MIT-SCREEN-SAVER") is not None
        except Exception as e:  # the server went away between connecting and asking
            self._drop()
            raise PresenceUnavailable(f"the X server on {self._display_name} failed: {e}") from e
        if not present:
            self._drop()
            raise PresenceUnavailable(
                f"the X server on {self._display_name} has no XScreenSaver extension"
            )

    def _connect(self) -> XConnection:
        try:
            return open_display(self._display_name)
        except ImportError as e:
            raise PresenceUnavailable(
                "python-xlib is not installed (pip install python-xlib)"
            ) from e
        except XConnectionError as e:
            raise PresenceUnavailable(str(e)) from e

    def read(self) -> PresenceReading:
        # A server restart (or a dropped socket) leaves a dead connection: reconnect once per read
        # so that a coach running all day heals without being restarted.
        if self._display is None:
            try:
                self._display = self._connect()
            except PresenceUnavailable as e:
                raise PresenceError(str(e)) from e
        try:
            idle_ms = self._display.idle_ms()
        except Exception as e:  # a lost connection: ConnectionClosedError, OSError, a bad reply
            self._drop()
            raise PresenceError(f"the X server on {self._display_name} did not answer: {e}") from e
        return PresenceReading(idle_seconds=idle_ms / 1000.0, locked=None)

    def _drop(self) -> None:
        display, self._display = self._display, None
        if display is not None:
            # Closing a dead connection may raise; there is nothing left to free then.
            with contextlib.suppress(Exception):
                display.close()

    def close(self) -> None:
        self._drop()

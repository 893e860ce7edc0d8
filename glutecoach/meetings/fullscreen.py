"""A fullscreen meeting or slide window on X11: the active window's _NET_WM_STATE holds
_NET_WM_STATE_FULLSCREEN.

The window manager publishes the active window on the root window (EWMH), so a poll is three or
four property reads. Which app it is comes from WM_CLASS and from the process named by
_NET_WM_PID. A fullscreen window alone is no meeting (films, games, a browser in F11): it counts
when its app is a meeting app or a presenting app from the config, and not an ignored one.
"""

from __future__ import annotations

import contextlib
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import FailureLog, MeetingSignal, ReadFailed, SignalUnavailable
from glutecoach.meetings.camera import process_names
from glutecoach.xconnection import XConnectionError, open_display

if TYPE_CHECKING:
    from glutecoach.xprotocol import XConnection

log = logging.getLogger(__name__)

ATOMS = ("_NET_SUPPORTED", "_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN",
         "_NET_WM_PID", "WM_CLASS")  # fmt: skip


class X11Fullscreen:
    name = "fullscreen"

    def __init__(
        self,
        meeting_apps: AppNames,
        presenting_apps: AppNames,
        ignore_apps: AppNames,
        display: str | None = None,
        proc: Path = Path("/proc"),
    ) -> None:
        self._display_name = display if display is not None else os.environ.get("DISPLAY", "")
        if not self._display_name:
            raise SignalUnavailable("$DISPLAY is not set, so there is no X server to ask")
        self._meeting, self._presenting, self._ignore = meeting_apps, presenting_apps, ignore_apps
        self._proc = proc
        self._failures = FailureLog(self.name, log)
        try:
            display = self._connect()
        except ReadFailed as e:
            raise SignalUnavailable(str(e)) from e
        self._display: XConnection | None = display
        try:
            supported = self._supported(display)
        except Exception as e:
            self._drop()
            raise SignalUnavailable(f"the X server on {self._display_name} failed: {e}") from e
        if not {"_NET_ACTIVE_WINDOW", "_NET_WM_STATE_FULLSCREEN"} <= supported:
            self._drop()
            raise SignalUnavailable(
                f"no window manager on {self._display_name} publishes the active window and its"
                " fullscreen state (_NET_ACTIVE_WINDOW, _NET_WM_STATE_FULLSCREEN)"
            )

    def _connect(self) -> XConnection:
        try:
            # Window properties are core protocol: no X extension is needed.
            display = open_display(self._display_name)
        except ImportError as e:
            raise SignalUnavailable("python-xlib is not installed (pip install python-xlib)") from e
        except XConnectionError as e:
            raise ReadFailed(str(e)) from e
        try:
            self._atoms = {name: display.intern_atom(name) for name in ATOMS}
        except Exception as e:  # the server went away at once
            with contextlib.suppress(Exception):
                display.close()
            raise ReadFailed(f"the X server on {self._display_name} failed: {e}") from e
        return display

    def _supported(self, display: XConnection) -> set[str]:
        prop = display.get_property(display.root, self._atoms["_NET_SUPPORTED"])
        if prop is None:
            return set()
        wanted = {atom: name for name, atom in self._atoms.items()}
        return {wanted[a] for a in prop.numbers() if a in wanted}

    def fullscreen_app(self, display: XConnection) -> tuple[str, ...] | None:
        """The names of the active window's app when that window is fullscreen, None otherwise:
        the process's comm and executable name first (they read best), then WM_CLASS."""
        from Xlib.error import BadMatch, BadWindow

        active = display.get_property(display.root, self._atoms["_NET_ACTIVE_WINDOW"])
        window = active.numbers()[0] if active is not None and active.numbers() else 0
        if not window:
            return None
        try:
            state = display.get_property(window, self._atoms["_NET_WM_STATE"])
            if state is None or self._atoms["_NET_WM_STATE_FULLSCREEN"] not in state.numbers():
                return None
            wm_class = display.get_property(window, self._atoms["WM_CLASS"])
            pid = display.get_property(window, self._atoms["_NET_WM_PID"])
        except (BadWindow, BadMatch):
            return None  # the window closed between two requests
        names: list[str] = []
        if pid is not None and pid.numbers():
            names.extend(process_names(self._proc, str(pid.numbers()[0])))
        # WM_CLASS is "instance\0class\0"; the class ("Evince") reads better than the instance.
        parts = wm_class.text().split("\0") if wm_class is not None else []
        if len(parts) >= 2:
            names.extend((parts[1], parts[0]))
        return tuple(n for n in names if n) or (f"window {window:#x}",)

    def read(self, now: datetime) -> MeetingSignal:
        # A dead connection (X restarted) is reopened on the next read: a long-running coach heals.
        try:
            if self._display is None:
                self._display = self._connect()
            names = self.fullscreen_app(self._display)
        except ReadFailed as e:
            return self._failures.failed(e)
        except Exception as e:  # a lost connection: ConnectionClosedError, OSError, a bad reply
            self._drop()
            return self._failures.failed(f"the X server on {self._display_name} failed: {e}")
        if names is None or self._ignore.match(*names) is not None:
            return self._failures.ok(MeetingSignal(False, self.name))
        app = names[0]
        if self._meeting.match(*names) is not None:
            return self._failures.ok(MeetingSignal(True, self.name, f"{app} is fullscreen"))
        if self._presenting.match(*names) is not None:
            return self._failures.ok(
                MeetingSignal(True, self.name, f"{app} is fullscreen (presenting)")
            )
        return self._failures.ok(MeetingSignal(False, self.name))

    def _drop(self) -> None:
        display, self._display = self._display, None
        if display is not None:
            with contextlib.suppress(Exception):  # closing a dead connection may raise
                display.close()

    def close(self) -> None:
        self._drop()

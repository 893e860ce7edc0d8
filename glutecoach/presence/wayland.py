"""Idle time on Wayland compositors from ext-idle-notify-v1, through pywayland.

KWin (Plasma 5.27+), wlroots compositors (sway 1.8+, labwc, river), Hyprland, niri and COSMIC offer
`ext_idle_notifier_v1`; GNOME's Mutter does not (its D-Bus IdleMonitor is `mutter.py`). The
protocol pushes `idled` and `resumed` instead of answering "how long idle?", so a small daemon
thread blocks on the display's socket and stamps each event as it arrives; `read()` never talks to
the compositor and cannot hang. `IdleNotices` turns the events into an idle time.

Which notifications: one, of FINE_SECONDS. While it is not idle the user counts as present; that
is exact for the coach while it is at most the coach's "at the keyboard" threshold (30 s, or a
quarter of `break_minutes`), which 5 s is for every break of 20 s or more. Once it is idle the idle
time is exact (now minus the derived last input), so longer notifications would add events, not
precision. A shorter one would wake the thread at every pause in typing.

Idle inhibitors (a playing video, a call): version 2's `get_input_idle_notification` ignores them,
and is used where offered: the rules want keyboard and mouse input, and a call is the meeting
signals' business. Version 1 (KWin 5.27 offers only that) has only `get_idle_notification`, which
honours them: while an inhibitor is up no `idled` comes, so a video playing looks like input.
By their sources, wlroots also sends `resumed` when an inhibitor appears; KWin 5.27 keeps the
state it had and sends nothing for input made while it lasts, so a user who was idle when a call
began looks idle until it ends (the meeting signals hold prompts then anyway).

Every protocol object is held until close(): pywayland keeps proxies weakly, and one the garbage
collector frees drops the compositor's events to it. Closing disconnects explicitly, also at
exit: an interpreter that frees a proxy after its display dies of SIGSEGV.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from glutecoach.presence.base import PresenceError, PresenceReading, PresenceUnavailable
from glutecoach.presence.idle_notices import IdleNotices

FINE_SECONDS = 5.0
CONNECT_TIMEOUT = 2.0  # seconds; a compositor answers its registry in milliseconds or is stuck
NOTIFIER = "ext_idle_notifier_v1"
SEAT = "wl_seat"


def _clock() -> float:
    """Seconds on CLOCK_BOOTTIME: it goes on while the machine sleeps, so an idle time that spans
    a suspend is as long as the wall clock says (the coach places the sleep itself)."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    return time.clock_gettime(boottime) if boottime is not None else time.monotonic()


def display_name(display: str | None = None) -> str:
    """The compositor's socket as libwayland finds it, or PresenceUnavailable saying why none."""
    name = display if display is not None else os.environ.get("WAYLAND_DISPLAY", "")
    if not name:
        raise PresenceUnavailable("$WAYLAND_DISPLAY is not set, so there is no Wayland compositor")
    if not os.path.isabs(name) and not os.environ.get("XDG_RUNTIME_DIR"):
        raise PresenceUnavailable(
            f"$XDG_RUNTIME_DIR is not set, so the Wayland socket {name} cannot be found"
        )
    return name


class _Link:
    """One connection: the notifications made on it, and the thread that hears them.

    After __init__ only the thread touches the connection, until close() has stopped it: libwayland
    is then used from one thread at a time and needs none of its read-preparation dance.
    """

    def __init__(self, name: str, timeouts: Sequence[float], timeout: float) -> None:
        try:
            from pywayland.client import Display
            from pywayland.protocol.ext_idle_notify_v1 import ExtIdleNotifierV1
            from pywayland.protocol.wayland import WlSeat
        except ImportError as e:
            raise PresenceUnavailable("pywayland is not installed (pip install pywayland)") from e
        self.name = name
        self.failure = ""  # why the connection was lost, once it was
        self._lock = threading.Lock()
        self._stopping = False
        self._display = Display(name)
        try:
            self._display.connect()
        except ValueError as e:
            raise PresenceError(f"cannot connect to the Wayland compositor on {name}") from e
        self._wake_r, self._wake_w = os.pipe()
        try:
            offered: dict[str, tuple[int, int]] = {}

            def on_global(_registry: Any, gid: int, interface: str, version: int) -> None:
                # The first seat is the user's (a second one is rare: a kiosk, a multi-seat box).
                # pywayland hands a handler's return value to C: it must be None.
                offered.setdefault(interface, (gid, version))

            registry = self._display.get_registry()
            registry.dispatcher["global"] = on_global
            self._roundtrip(timeout)
            if NOTIFIER not in offered:
                raise PresenceUnavailable(
                    f"the compositor on {name} does not offer {NOTIFIER} (idle notifications)"
                )
            if SEAT not in offered:
                raise PresenceUnavailable(f"the compositor on {name} has no seat ({SEAT})")
            seat = registry.bind(offered[SEAT][0], WlSeat, 1)
            gid, version = offered[NOTIFIER]
            notifier = registry.bind(gid, ExtIdleNotifierV1, min(version, 2))
            self.ignores_inhibitors = version >= 2
            make = (notifier.get_input_idle_notification if self.ignores_inhibitors
                    else notifier.get_idle_notification)  # fmt: skip
            self._notices = IdleNotices(_clock())
            # Held here: pywayland keeps its proxies only weakly, and a proxy the garbage collector
            # frees is gone on our side alone, so the compositor's events to it are dropped.
            self._proxies: list[Any] = [registry, seat, notifier]
            for seconds in timeouts:
                notification = make(max(0, round(seconds * 1000)), seat)
                notification.dispatcher["idled"] = self._on(self._notices.idled, seconds)
                notification.dispatcher["resumed"] = self._on(self._notices.resumed, seconds)
                self._proxies.append(notification)
            self._roundtrip(timeout)  # the compositor took them: a protocol error shows here
        except BaseException:
            self._disconnect()
            raise
        self._thread = threading.Thread(target=self._listen, name="presence-wayland", daemon=True)
        self._thread.start()

    def _on(self, event: Callable[[float, float], None], seconds: float) -> Callable[..., None]:
        def handler(_proxy: Any) -> None:
            at = _clock()  # stamped as it arrives: the thread dispatches right after reading
            with self._lock:
                event(seconds, at)

        return handler

    def idle_seconds(self) -> float:
        with self._lock:
            return self._notices.idle_seconds(_clock())

    # --- the socket ------------------------------------------------------------------------------

    def _pump(self, wait: float | None) -> bool:
        """Wait up to `wait` seconds (None: for ever) for events or close(), then dispatch them.
        False when nothing came in time; PresenceError when the connection is gone."""
        display = self._display
        try:
            display.dispatch(block=False)  # what an earlier read queued
            display.flush()
            poller = select.poll()
            poller.register(display.get_fd(), select.POLLIN)
            poller.register(self._wake_r, select.POLLIN)
            ready = poller.poll(None if wait is None else max(0, int(wait * 1000)))
            if not ready or self._stopping:
                return bool(ready)
            # Reads without blocking; a closed socket makes it fail (libwayland calls that EPIPE).
            display.read()
            display.dispatch(block=False)
        except RuntimeError as e:  # pywayland's word for a failed libwayland call
            raise PresenceError(
                f"lost the connection to the Wayland compositor on {self.name}"
            ) from e
        return True

    def _roundtrip(self, timeout: float) -> None:
        done: list[bool] = []
        callback = self._display.sync()
        callback.dispatcher["done"] = lambda *_: done.append(True)
        deadline = time.monotonic() + timeout
        while not done:
            left = deadline - time.monotonic()
            if left <= 0 or not self._pump(left):
                raise PresenceError(
                    f"the Wayland compositor on {self.name} did not answer within {timeout:g} s"
                )

    def _listen(self) -> None:
        try:
            while not self._stopping:
                self._pump(None)
        except PresenceError as e:
            with self._lock:
                self.failure = str(e)

    # --- closing ---------------------------------------------------------------------------------

    def close(self) -> None:
        self._stopping = True
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        thread = getattr(self, "_thread", None)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._disconnect()

    def _disconnect(self) -> None:
        # Explicitly, proxies first (pywayland's disconnect destroys them): left to the garbage
        # collector at exit, a proxy freed after its display crashes the interpreter.
        with contextlib.suppress(Exception):
            self._display.disconnect()
        self._proxies = []
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._wake_r = self._wake_w = -1


class WaylandIdle:
    """Idle time from the compositor's idle notifications; lock state is left to the lock probes."""

    name = "wayland"

    def __init__(
        self,
        display: str | None = None,
        timeouts: Sequence[float] = (FINE_SECONDS,),
        timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self.display = display_name(display)
        self.timeouts = sorted(set(timeouts))
        self._timeout = timeout
        self._lock = threading.Lock()
        self._closed = False
        self._lost = ""  # why the last connection ended
        try:
            self._link: _Link | None = self._open()
        except PresenceError as e:
            raise PresenceUnavailable(str(e)) from e
        self.ignores_inhibitors = self._link.ignores_inhibitors

    def _open(self) -> _Link:
        link = _Link(self.display, self.timeouts, self._timeout)
        # Closed at exit too, before the interpreter frees pywayland's objects in any order.
        self._finalizer = weakref.finalize(self, link.close)
        return link

    def read(self) -> PresenceReading:
        with self._lock:
            if self._closed:
                raise PresenceError(f"the Wayland connection to {self.display} is closed")
            link = self._link
            if link is not None and link.failure:
                self._lost = link.failure
                self._drop()
                link = None
            if link is None:
                # A compositor that restarts (Plasma 6 does after a crash) is found again here;
                # while it is gone each read fails at once: its socket refuses.
                try:
                    self._link = link = self._open()
                except (PresenceError, PresenceUnavailable) as e:
                    raise PresenceError(f"{self._lost}; reconnecting failed: {e}") from e
            return PresenceReading(idle_seconds=link.idle_seconds(), locked=None)

    def _drop(self) -> None:
        link, self._link = self._link, None
        if link is not None:
            self._finalizer.detach()
            link.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._drop()

"""Pick the presence source that works on this desktop, or say plainly why none does."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from glutecoach.presence.base import LockProbe, PresenceSource, PresenceUnavailable, WithLock

NAMES = ("auto", "x11", "wayland", "mutter", "freedesktop", "macos", "windows")


def _lock_probes(screensavers: bool) -> list[LockProbe]:
    """The lock probes that answer here; screensaver services first, as they know best."""
    from glutecoach.presence.freedesktop import (
        GNOME_SCREENSAVER,
        SCREENSAVER,
        LogindLock,
        ScreenSaverLock,
    )

    openers: list[Callable[[], LockProbe]] = [LogindLock]
    if screensavers:
        openers[:0] = [
            lambda: ScreenSaverLock(SCREENSAVER),
            lambda: ScreenSaverLock(GNOME_SCREENSAVER),
        ]
    probes: list[LockProbe] = []
    for opener in openers:
        try:
            probes.append(opener())
        except PresenceUnavailable:
            continue  # this desktop has no such service: one fewer way to see the lock
    return probes


def _x11() -> PresenceSource:
    from glutecoach.presence.x11 import X11Idle

    return WithLock(X11Idle(), _lock_probes(screensavers=True))


def _wayland() -> PresenceSource:
    from glutecoach.presence.wayland import WaylandIdle

    # The compositor knows idle time only: KDE's screensaver service and logind know the lock.
    return WithLock(WaylandIdle(), _lock_probes(screensavers=True))


def _mutter() -> PresenceSource:
    from glutecoach.presence.mutter import MutterIdle

    return WithLock(MutterIdle(), _lock_probes(screensavers=False))


def _freedesktop() -> PresenceSource:
    from glutecoach.presence.freedesktop import FreedesktopIdle

    return WithLock(FreedesktopIdle(), _lock_probes(screensavers=False))


def _macos() -> PresenceSource:
    from glutecoach.presence.macos import MacIdle

    return MacIdle()


def _windows() -> PresenceSource:
    from glutecoach.presence.windows import WindowsIdle

    return WindowsIdle()


OPENERS: dict[str, Callable[[], PresenceSource]] = {
    "x11": _x11,
    "wayland": _wayland,
    "mutter": _mutter,
    "freedesktop": _freedesktop,
    "macos": _macos,
    "windows": _windows,
}


def _auto_order() -> tuple[list[str], list[str]]:
    """Candidates to try in order, and reasons for the ones skipped without trying."""
    if sys.platform == "darwin":
        return ["macos"], []
    if sys.platform == "win32":
        return ["windows"], []
    wayland = os.environ.get("XDG_SESSION_TYPE") == "wayland" or bool(
        os.environ.get("WAYLAND_DISPLAY")
    )
    if wayland:
        # XWayland's idle counter only sees input to X11 windows: it would call a typing user idle.
        skipped = [
            "x11: skipped in a Wayland session (XWayland sees only input to X11 windows;"
            " choose x11 by name to use it anyway)"
        ]
        # Mutter offers no ext-idle-notify; its D-Bus IdleMonitor is the way on GNOME. Elsewhere
        # the compositor's notifications come first, and a compositor without them (or a GNOME
        # that does not say so) falls through to the D-Bus sources.
        if _is_gnome():
            return ["mutter", "wayland", "freedesktop"], skipped
        return ["wayland", "mutter", "freedesktop"], skipped
    return ["x11", "mutter", "freedesktop"], []


def _is_gnome() -> bool:
    """GNOME, or a desktop built on it (Ubuntu's "ubuntu:GNOME", "Pop:GNOME"), by its own word."""
    desktops = os.environ.get("XDG_CURRENT_DESKTOP", "")
    return any(name.strip().lower() == "gnome" for name in desktops.split(":"))


def open_presence(preferred: str = "auto") -> PresenceSource:
    """Open the source named `preferred`, or the first that works when it is "auto".

    Raises PresenceUnavailable with one line naming each candidate and why it could not run.
    """
    name = preferred.strip().lower()
    if name not in NAMES:
        raise PresenceUnavailable(
            f'unknown presence source "{preferred}"; choose one of {", ".join(NAMES)}'
        )
    if name != "auto":
        try:
            return OPENERS[name]()
        except PresenceUnavailable as e:
            raise PresenceUnavailable(f"{name}: {e}") from e
    order, reasons = _auto_order()
    for candidate in order:
        try:
            return OPENERS[candidate]()
        except PresenceUnavailable as e:
            reasons.append(f"{candidate}: {e}")
    raise PresenceUnavailable("no presence source works here: " + "; ".join(reasons))

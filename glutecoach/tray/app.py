"""The tray icon: which kind this desktop takes, and the Tray the coach starts, refreshes and
stops whatever the kind.

On Linux the icon is a StatusNotifierItem over D-Bus (`sni`, tray/sni.py) wherever a
StatusNotifierWatcher is on the session bus: KDE Plasma, GNOME with the AppIndicator extension,
XFCE, Cinnamon, MATE, Budgie, LXQt, waybar; X11 or Wayland alike, and with nothing but jeepney
loaded. Only a desktop whose tray takes nothing but XEmbed icons (trayer, stalonetray, older
panels) gets pystray's GTK icon (`gtk`, tray/pystray_tray.py), which needs PyGObject (the
`tray` extra); the coach says so once. macOS and Windows keep pystray. Whatever is missing
becomes one plain TrayUnavailable reason, so the daemon can run headless and say why once.
`PYSTRAY_BACKEND` in the environment forces a pystray backend, as pystray itself reads it.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from glutecoach.tray.menu import TrayState

log = logging.getLogger(__name__)

SNI_WATCHER = "org.kde.StatusNotifierWatcher"
EXTRA_HINT = "install glutecoach with the 'tray' extra and the system packages the README lists"
XEMBED_NOTE = "this desktop's tray only takes XEmbed icons: using the GTK tray (PyGObject)"


class TrayUnavailable(Exception):
    """No tray icon can be shown here; `reason` is one sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- choosing a backend ----------------------------------------------------------------------


def pick_linux_backend(*, sni_host: bool, xembed_host: bool) -> str:
    """The tray for what this Linux desktop offers: `sni`, or pystray's `gtk` for XEmbed."""
    if sni_host:
        return "sni"
    if xembed_host:
        return "gtk"  # not AppIndicator's XEmbed fallback: see tray/pystray_tray.py
    raise TrayUnavailable(
        "no system tray is running on this desktop (on GNOME, the AppIndicator extension adds one)")


def choose_backend(
    env: Mapping[str, str] | None = None, platform: str | None = None, host_wait: float = 0.0
) -> str:
    """Check that a tray can be shown and name its backend (`sni`, or a pystray backend);
    TrayUnavailable if not. `host_wait` gives a panel that starts along with us (autostart at
    login) time to appear."""
    from glutecoach.tray.sni import session_bus_address, watcher_present

    env = os.environ if env is None else env
    platform = platform or sys.platform
    if platform == "darwin":
        return "darwin"
    if platform == "win32":
        return "win32"
    forced = env.get("PYSTRAY_BACKEND")
    x_display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if forced:  # the user's explicit choice of a pystray backend wins, even `xorg`
        if not x_display and not wayland:
            raise TrayUnavailable(
                "no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)")
        if x_display:
            _check_x_display(x_display)
        return forced
    bus = session_bus_address(env)
    deadline = time.monotonic() + host_wait
    while True:
        # The panel draws a StatusNotifierItem: no display of our own is needed, so a coach
        # started without DISPLAY (a systemd user unit, say) still gets its icon.
        if bus is not None and watcher_present(bus):
            return "sni"
        if not x_display and not wayland:
            raise TrayUnavailable(
                "no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)")
        if x_display:
            _check_x_display(x_display)
        xembed = bool(x_display) and _xembed_host_present(x_display)
        if xembed or time.monotonic() >= deadline:
            backend = pick_linux_backend(sni_host=False, xembed_host=xembed)
            _check_gtk()
            return backend
        time.sleep(0.5)


def _check_x_display(name: str) -> None:
    try:
        from Xlib import display as xdisplay
    except ImportError:
        raise TrayUnavailable(f"python-xlib is missing; {EXTRA_HINT}") from None
    try:
        xdisplay.Display(name).close()
    except Exception as exc:
        raise TrayUnavailable(f"cannot connect to the X display {name} ({exc})") from None


def _xembed_host_present(name: str) -> bool:
    """An XEmbed tray (trayer, stalonetray, XFCE, MATE...) owns the screen's tray selection."""
    from Xlib import X
    from Xlib import display as xdisplay

    try:
        d = xdisplay.Display(name)
    except Exception:
        return False
    try:
        atom = d.intern_atom(f"_NET_SYSTEM_TRAY_S{d.get_default_screen()}")
        owner = d.get_selection_owner(atom)
        return int(getattr(owner, "id", owner)) != X.NONE
    finally:
        d.close()


def _check_gtk() -> None:
    """The XEmbed icon is pystray's GtkStatusIcon: PyGObject, GTK 3 and pystray (the `tray`
    extra), or TrayUnavailable. pystray is looked for, not imported: it needs a display."""
    import importlib.util

    try:
        import gi
    except ImportError:
        gi = None
    if gi is None or importlib.util.find_spec("pystray") is None:
        raise TrayUnavailable("this desktop's tray only takes XEmbed icons, which needs PyGObject "
                              f"and pystray; {EXTRA_HINT}")
    try:
        gi.require_version("Gtk", "3.0")
    except ValueError:
        raise TrayUnavailable("GTK 3 is missing: apt-get install gir1.2-gtk-3.0") from None


# --- the tray --------------------------------------------------------------------------------


class _Icon(Protocol):
    def start(self) -> None: ...
    def refresh(self) -> None: ...
    def stop(self) -> None: ...


class Tray:
    """The coach's tray icon and menu, of the kind this desktop takes.

    `get_state` is called only from the threads that call start() and refresh(); `command` is
    called from the icon's thread (the D-Bus service's, or pystray's loop) with a command name
    (menu.COMMANDS) and should hand the work to the daemon quickly rather than do it there.
    `backend` forces a pystray backend; `note` says, after start(), what the user should hear
    about the choice (the XEmbed fallback), if anything.
    """

    def __init__(
        self,
        get_state: Callable[[], TrayState],
        command: Callable[[str], None],
        *,
        backend: str | None = None,
        host_wait: float = 0.0,
        ready_timeout: float = 10.0,
    ) -> None:
        self._get_state = get_state
        self._command = command
        self._forced = backend
        self._host_wait = host_wait
        self._ready_timeout = ready_timeout
        self.backend: str | None = None  # "sni", or the pystray backend, once started
        self.note: str | None = None
        self._icon: Any = None

    def start(self) -> None:
        """Show the icon, serving it from a background thread; TrayUnavailable if it can't."""
        if self._icon is not None:
            return
        self._icon = self._make()
        self._icon.start()

    def run(self) -> None:
        """Like start(), but pystray's loop runs in this thread until stop(): macOS wants the
        main one. (The D-Bus icon has no loop to lend: it starts and returns.)"""
        self._icon = self._make()
        runner = getattr(self._icon, "run", self._icon.start)
        runner()

    def refresh(self) -> None:
        """Show the coach's state now, where it changed."""
        icon = self._icon
        if icon is not None:
            icon.refresh()

    def stop(self) -> None:
        """Remove the icon; safe from a menu command and when never started."""
        icon, self._icon = self._icon, None
        if icon is not None:
            icon.stop()

    def _make(self) -> _Icon:
        env = {**os.environ, "PYSTRAY_BACKEND": self._forced} if self._forced else None
        self.backend = choose_backend(env=env, host_wait=self._host_wait)
        if self.backend == "sni":
            from glutecoach.tray.sni import StatusNotifierTray, session_bus_address

            address = session_bus_address(os.environ) or ""
            return StatusNotifierTray(self._get_state, self._command, address=address)
        from glutecoach.tray.pystray_tray import PystrayTray

        if self.backend == "gtk" and not self._forced and not os.environ.get("PYSTRAY_BACKEND"):
            self.note = XEMBED_NOTE
        return PystrayTray(self._get_state, self._command, self.backend,
                           ready_timeout=self._ready_timeout)

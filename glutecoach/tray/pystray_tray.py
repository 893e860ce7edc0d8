"""The tray icon through pystray, in a thread of its own: on macOS and Windows, and on a Linux
desktop whose tray only takes XEmbed icons (trayer, stalonetray, older panels), where pystray's
`gtk` backend (a GtkStatusIcon, PyGObject: the `tray` extra) is the way in.

On Linux pystray's default order ends at its `xorg` backend, which docks but never receives a
click (pystray issue 151), and `import pystray` raises an Xlib error when there is no display, so
`app.choose_backend` picks the backend before pystray is imported. Either way a left or a right
click opens the menu.

Why not AppIndicator's XEmbed fallback: libayatana-appindicator creates a GtkStatusIcon and then
renames it, which makes GTK unrealize and re-show the icon's window; the X events of the first
window then leave GDK's freeze count one short, and most starts printed "Gdk-CRITICAL ...
gdk_window_thaw_toplevel_updates: assertion ... failed" (issue 11, 4.11). A GtkStatusIcon of our
own is the same XEmbed icon without the rename.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from glutecoach.tray.app import EXTRA_HINT, TrayUnavailable
from glutecoach.tray.menu import MenuEntry, TrayState, build_menu, status_line

log = logging.getLogger(__name__)


def _import_pystray(backend: str) -> Any:
    if "pystray" not in sys.modules:
        # pystray reads its backend from the environment once, at import.
        os.environ["PYSTRAY_BACKEND"] = backend
    try:
        import pystray
    except ModuleNotFoundError as exc:
        if exc.name != "pystray":
            raise TrayUnavailable(f"pystray cannot use its {backend} backend ({exc})") from None
        raise TrayUnavailable(f"pystray is not installed; {EXTRA_HINT}") from None
    except ImportError as exc:
        raise TrayUnavailable(f"pystray cannot use its {backend} backend ({exc})") from None
    except Exception as exc:  # Xlib errors, GLib errors: anything means no tray
        raise TrayUnavailable(f"pystray failed to start ({exc})") from None
    return pystray


class _NoNotifier:
    def hide(self) -> None:
        pass

    def notify(self, *args: object) -> None:
        pass


def _icon_class(pystray: Any) -> Any:
    base = pystray.Icon
    if base.__module__ not in ("pystray._gtk", "pystray._appindicator"):
        return base

    class QuietIcon(base):  # type: ignore[misc, valid-type]
        def _initialize(self) -> None:
            # pystray's GTK icons open a D-Bus proxy to the notification server here, and do it
            # synchronously: a frozen server would hold the tray for 25 s. The coach notifies
            # through its own notifier, so pystray's is replaced by one that does nothing. (It
            # also resets SIGINT to the default there; signals are the daemon's business.)
            self._notifier = _NoNotifier()
            self._mark_ready()

        def _on_status_icon_activate(self, status_icon: Any) -> None:
            # The gtk backend's left click runs a default menu item, which the coach's menu
            # has none of: open the menu, as AppIndicator hosts do on a left click.
            self._on_status_icon_popup_menu(status_icon, 1, 0)

    return QuietIcon


def _flush_gtk(backend: str | None) -> None:
    """Send GTK's last requests (the hide of the icon) to the X server now.

    With the loop ended nothing flushes them, and the icon would stay in the tray until the
    process exits, which it need not do when the tray is stopped.
    """
    if backend not in ("gtk", "appindicator"):
        return
    from gi.repository import Gdk, GLib

    context = GLib.MainContext.default()
    for _ in range(100):  # bounded: a busy source must not keep us here
        if not context.iteration(False):
            break
    display = Gdk.Display.get_default()
    if display is not None:
        display.flush()



# --- the tray ---------------------------------------------------------------------------------


class PystrayTray:
    """The coach's tray icon and menu through pystray's `backend` (app.choose_backend's pick).

    `get_state` is called only from the threads that call start() and refresh(); `command` is
    called from the icon's thread with a command name (menu.COMMANDS) and should hand the work
    to the daemon quickly rather than do it there.
    """

    def __init__(
        self,
        get_state: Callable[[], TrayState],
        command: Callable[[str], None],
        backend: str,
        *,
        ready_timeout: float = 10.0,
        size: int = 64,
    ) -> None:
        self._get_state = get_state
        self._command = command
        self.backend = backend
        self._ready_timeout = ready_timeout
        self._size = size
        self._pystray: Any = None
        self._icon: Any = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: TrayUnavailable | None = None
        self._lock = threading.Lock()
        self._shown: tuple[bytes, tuple[MenuEntry, ...]] | None = None
        self._first: tuple[Any, tuple[MenuEntry, ...], str] | None = None
        self._abandoned = False

    def start(self) -> None:
        """Show the icon, running its loop in a background thread; TrayUnavailable if it can't."""
        if self._thread is not None:
            return
        self._prepare()
        self._thread = threading.Thread(target=self._loop, name="glutecoach-tray", daemon=True)
        self._thread.start()
        if not self._ready.wait(self._ready_timeout):
            self._abandoned = True  # if it comes up later after all, it takes itself down
            raise TrayUnavailable(
                f"the tray icon did not come up within {self._ready_timeout:g} s")
        if self._error is not None:
            raise self._error

    def run(self) -> None:
        """Like start(), but run the loop in this thread until stop(): macOS wants the main one."""
        self._prepare()
        self._loop()
        if self._error is not None:
            raise self._error

    def refresh(self) -> None:
        """Redraw the icon and rebuild the menu from get_state(), where either changed."""
        if self._icon is None:
            return
        image, entries, title = self._render(self._get_state())
        with self._lock:
            icon = self._icon
            if icon is None:
                return
            pixels = image.tobytes()
            if self._shown is None or self._shown[0] != pixels:
                icon.icon = image
            if self._shown is None or self._shown[1] != entries:
                icon.menu = self._menu(entries)
            icon.title = title
            self._shown = (pixels, entries)

    def stop(self) -> None:
        """Remove the icon and end its loop; safe from a menu callback and when never started."""
        with self._lock:
            icon, self._icon = self._icon, None
        if icon is not None:
            try:
                icon.visible = False
                icon.stop()
            except Exception:
                log.warning("tray: the icon did not stop cleanly", exc_info=True)
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._ready.clear()
        self._error = None

    # -- inside -------------------------------------------------------------------------------

    def _prepare(self) -> None:
        """Check for Pillow and draw the first picture, in the caller's thread."""
        try:
            import PIL  # noqa: F401
        except ImportError:
            raise TrayUnavailable(f"Pillow is not installed; {EXTRA_HINT}") from None
        self._first = self._render(self._get_state())

    def _render(self, state: TrayState) -> tuple[Any, tuple[MenuEntry, ...], str]:
        from glutecoach.tray.icon import draw_icon

        return draw_icon(state, self._size), build_menu(state), f"GluteCoach: {status_line(state)}"

    def _loop(self) -> None:
        """The icon's thread: GTK objects are made and used here only."""
        try:
            self._pystray = _import_pystray(self.backend)
            assert self._first is not None  # _prepare() ran
            image, entries, title = self._first
            icon = _icon_class(self._pystray)("glutecoach", image, title, self._menu(entries))
            with self._lock:
                self._icon = icon
                self._shown = (image.tobytes(), entries)
            log.info("tray: showing the icon with pystray's %s backend", self.backend)
            icon.run(setup=self._on_ready)
            _flush_gtk(self.backend)
        except TrayUnavailable as exc:
            self._error = exc
        except Exception as exc:
            log.debug("tray: the icon loop failed", exc_info=True)
            self._error = TrayUnavailable(f"the tray icon failed ({exc})")
        finally:
            with self._lock:
                self._icon = None
            self._ready.set()

    def _on_ready(self, icon: Any) -> None:
        if self._abandoned:  # start() gave up waiting and told the daemon there is no tray
            icon.stop()
            return
        icon.visible = True
        self._ready.set()

    def _menu(self, entries: tuple[MenuEntry, ...]) -> Any:
        pystray = self._pystray
        items = []
        for entry in entries:
            if entry.separator:
                items.append(pystray.Menu.SEPARATOR)
            elif entry.command is None:
                items.append(pystray.MenuItem(entry.label, None, enabled=False))
            else:
                items.append(pystray.MenuItem(entry.label, self._action(entry.command)))
        return pystray.Menu(*items)

    def _action(self, name: str) -> Callable[[Any, Any], None]:
        def send(icon: Any, item: Any) -> None:
            try:
                self._command(name)
            except Exception:
                # An error in the daemon's handler must not take the icon's loop down with it.
                log.exception("tray: the %s command failed", name)

        return send

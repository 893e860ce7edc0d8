"""The tray icon as a StatusNotifierItem: the desktop's panel draws it and its menu; the coach
only answers over D-Bus (jeepney), with no toolkit and no image library loaded.

KDE Plasma, GNOME with the AppIndicator extension (Ubuntu's default), XFCE, Cinnamon, MATE,
Budgie, LXQt and waybar (sway, Hyprland) all host these items. The item owns
`org.kde.StatusNotifierItem-PID-N`, serves `/StatusNotifierItem` and its dbusmenu at `/MenuBar`,
and registers with `org.kde.StatusNotifierWatcher`; when the watcher restarts (the panel
crashed, the user switched panels) it registers again.

What the hosts are given, and why:
- The picture both ways: IconName + IconThemePath (a shipped PNG), which KDE, GNOME's extension
  and waybar prefer, and IconPixmap (shipped ARGB32 at 22-64 px), which gtk-sni-tray/taffybar
  prefer and which a host that cannot read our files (a sandboxed panel) still shows. Every look
  has its own name: GNOME's extension and KDE cache icons by name.
- Status NeedsAttention while a prompt waits (KDE lifts the icon out of its hidden area), Active
  otherwise; never Passive, which waybar and GNOME's extension hide. The attention icon is the
  same picture, since waybar ignores it and GNOME's extension shows only it in that state.
- ItemIsMenu: a left click opens the menu too (KDE, waybar, gtk-sni-tray honour it; GNOME's
  extension always does), as on today's tray. Activate, SecondaryActivate, ContextMenu and
  Scroll are answered and do nothing: every choice is in the menu, and a stray click running
  "break now" would start a prompt nobody asked for.
- The status line as the ToolTip's text under the title "GluteCoach" (GNOME's extension shows
  no tooltips, so it is also the menu's first, disabled line).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glutecoach.tray.app import TrayUnavailable
from glutecoach.tray.dbus_service import BusError, BusService, Reply
from glutecoach.tray.dbusmenu import INTERFACE as MENU_INTERFACE
from glutecoach.tray.dbusmenu import PATH as MENU_PATH
from glutecoach.tray.dbusmenu import XML as MENU_XML
from glutecoach.tray.dbusmenu import DbusMenu
from glutecoach.tray.icon_files import ICON_DIR, Pixmap, icon_name, read_pixmaps
from glutecoach.tray.menu import MenuEntry, TrayState, build_menu, status_line

log = logging.getLogger(__name__)

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
INTERFACE = "org.kde.StatusNotifierItem"
PATH = "/StatusNotifierItem"
TITLE = "GluteCoach"
REGISTER_TRIES, REGISTER_PAUSE = 6, 0.5  # seconds
# What a watcher that has its name but not yet its object answers.
NOT_READY = frozenset({"org.freedesktop.DBus.Error.UnknownObject",
                       "org.freedesktop.DBus.Error.UnknownMethod"})
NO_OWNER = frozenset({"org.freedesktop.DBus.Error.ServiceUnknown",
                      "org.freedesktop.DBus.Error.NameHasNoOwner"})
_instances = itertools.count(1)  # the N in our bus name: one item per tray in this process

XML = """  <interface name="org.kde.StatusNotifierItem">
    <property name="Category" type="s" access="read"/>
    <property name="Id" type="s" access="read"/>
    <property name="Title" type="s" access="read"/>
    <property name="Status" type="s" access="read"/>
    <property name="WindowId" type="i" access="read"/>
    <property name="IconThemePath" type="s" access="read"/>
    <property name="IconName" type="s" access="read"/>
    <property name="IconPixmap" type="a(iiay)" access="read"/>
    <property name="OverlayIconName" type="s" access="read"/>
    <property name="OverlayIconPixmap" type="a(iiay)" access="read"/>
    <property name="AttentionIconName" type="s" access="read"/>
    <property name="AttentionIconPixmap" type="a(iiay)" access="read"/>
    <property name="AttentionMovieName" type="s" access="read"/>
    <property name="ToolTip" type="(sa(iiay)ss)" access="read"/>
    <property name="ItemIsMenu" type="b" access="read"/>
    <property name="Menu" type="o" access="read"/>
    <method name="ContextMenu"><arg type="i" direction="in"/><arg type="i" direction="in"/>
    </method>
    <method name="Activate"><arg type="i" direction="in"/><arg type="i" direction="in"/>
    </method>
    <method name="SecondaryActivate"><arg type="i" direction="in"/>
      <arg type="i" direction="in"/></method>
    <method name="Scroll"><arg type="i" direction="in"/><arg type="s" direction="in"/></method>
    <signal name="NewTitle"/>
    <signal name="NewIcon"/>
    <signal name="NewAttentionIcon"/>
    <signal name="NewOverlayIcon"/>
    <signal name="NewToolTip"/>
    <signal name="NewStatus"><arg type="s"/></signal>
  </interface>
"""


def session_bus_address(env: Mapping[str, str]) -> str | None:
    """The session bus as libdbus finds it, or None: $DBUS_SESSION_BUS_ADDRESS, else
    $XDG_RUNTIME_DIR/bus (systemd's, often the only hint a user service has)."""
    address = env.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime, "bus").is_socket():
        return f"unix:path={Path(runtime, 'bus')}"
    return None


def watcher_present(address: str, timeout: float = 2.0) -> bool:
    """Does a StatusNotifierWatcher own its name on this bus? False when the bus is not there."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    try:
        with open_dbus_connection(address, auth_timeout=timeout) as conn:
            reply = conn.send_and_get_reply(message_bus.NameHasOwner(WATCHER), timeout=timeout)
            return bool(reply.body and reply.body[0])
    except Exception:  # no bus, a refused or frozen one: no StatusNotifier host to talk to
        return False


@dataclass(frozen=True)
class Look:
    """What the item shows for one state of the coach."""

    icon: str
    status: str  # "Active" | "NeedsAttention"
    tooltip: str
    menu: tuple[MenuEntry, ...]

    @classmethod
    def of(cls, state: TrayState) -> Look:
        return cls(icon=icon_name(state),
                   status="NeedsAttention" if state.prompt_waiting else "Active",
                   tooltip=status_line(state), menu=build_menu(state))


class StatusNotifierTray:
    """The coach's tray icon over D-Bus; the same contract as the pystray tray: `get_state` is
    called only from the threads that call start() and refresh(), `command` from the bus
    service's thread with a command name (menu.COMMANDS), after the host has had its answer.

    `pixmaps=False` leaves IconPixmap empty, so that a host that prefers pixmaps must find the
    picture by IconName in IconThemePath (the tests use it to try that path for real).
    """

    def __init__(self, get_state: Callable[[], TrayState], command: Callable[[str], None], *,
                 address: str, timeout: float = 2.0, pixmaps: bool = True) -> None:
        self._get_state = get_state
        self._command = command
        self._address = address
        self._timeout = timeout
        self._serve_pixmaps = pixmaps
        self.bus_name = f"org.kde.StatusNotifierItem-{os.getpid()}-{next(_instances)}"
        self._service: BusService | None = None
        self._menu: DbusMenu | None = None
        self._lock = threading.Lock()  # one refresh at a time: the signals go out in order
        # What the properties answer with: replaced whole, so a host never sees the name of one
        # picture with the pixels of another.
        self._shown: tuple[Look, list[Pixmap]] | None = None
        self.registered = threading.Event()  # the watcher took the item (again)

    # -- the tray's contract ---------------------------------------------------------------------

    def start(self) -> None:
        """Put the icon on the bus and register it; TrayUnavailable with the reason if not."""
        from jeepney import MatchRule
        from jeepney.bus_messages import DBusNameFlags, message_bus

        look = Look.of(self._get_state())
        self._show(look)
        try:
            service = BusService(self._address, timeout=self._timeout, name="glutecoach-tray")
        except Exception as exc:
            raise TrayUnavailable(f"cannot connect to the session bus ({exc})") from None
        self._menu = DbusMenu(self._command, defer=service.after_reply)
        self._menu.show(look.menu)
        service.export(PATH, INTERFACE, self._item_methods(), self._item_properties, XML)
        service.export(MENU_PATH, MENU_INTERFACE, self._menu.methods(), self._menu.properties,
                       MENU_XML)
        service.on_lost = lambda: log.warning("tray: the session bus went away; no tray icon")
        service.start()
        self._service = service
        try:
            owned = service.call(message_bus.RequestName(self.bus_name,
                                                         DBusNameFlags.do_not_queue))
            if owned[0] != 1:  # DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
                raise TrayUnavailable(f"the bus name {self.bus_name} is taken")
            watcher_rule = MatchRule(type="signal", sender="org.freedesktop.DBus",
                                     interface="org.freedesktop.DBus",
                                     member="NameOwnerChanged", path="/org/freedesktop/DBus")
            watcher_rule.add_arg_condition(0, WATCHER)
            service.on_signal(watcher_rule, self._watcher_changed)
            self._register(service)
        except TrayUnavailable:
            self.stop()
            raise
        except BusError as exc:
            self.stop()
            if exc.name in NO_OWNER:
                raise TrayUnavailable("no StatusNotifier watcher is on the session bus") from None
            raise TrayUnavailable(
                f"the StatusNotifier watcher refused the icon ({exc.message or exc.name})"
            ) from None
        except (OSError, TimeoutError) as exc:
            self.stop()
            raise TrayUnavailable(f"the StatusNotifier watcher did not answer ({exc})") from None
        self.registered.set()
        log.info("tray: showing the icon as a StatusNotifierItem (%s)", self.bus_name)

    def refresh(self) -> None:
        """Show the coach's state now: announce what changed (icon, status, tooltip, menu)."""
        service, menu = self._service, self._menu
        if service is None or menu is None:
            return
        look = Look.of(self._get_state())
        with self._lock:
            before = self._shown[0] if self._shown else None
            self._show(look)
            signals: list[tuple[str, str, str | None, tuple[Any, ...]]] = []
            if before is None or before.icon != look.icon:
                signals += [(PATH, "NewIcon", None, ()), (PATH, "NewAttentionIcon", None, ())]
            if before is None or before.status != look.status:
                signals.append((PATH, "NewStatus", "s", (look.status,)))
            if before is None or before.tooltip != look.tooltip:
                signals.append((PATH, "NewToolTip", None, ()))
            if menu.show(look.menu):
                signals.append((MENU_PATH, "LayoutUpdated", "ui", (menu.layout.revision, 0)))
            try:
                for path, member, signature, body in signals:
                    interface = MENU_INTERFACE if path == MENU_PATH else INTERFACE
                    service.emit(path, interface, member, signature, body)
            except OSError as exc:  # the bus is gone: on_lost has said so
                log.debug("tray: cannot announce the new state (%s)", exc)

    def stop(self) -> None:
        """Take the icon off the bus (the watcher drops it with our name); safe from a menu
        command and when never started."""
        service, self._service = self._service, None
        if service is not None:
            service.close()
        self.registered.clear()

    # -- inside ----------------------------------------------------------------------------------

    def _show(self, look: Look) -> None:
        """Make `look` the one the properties answer with; its pixmaps are read from the shipped
        file only when the picture changes (some 30 KB, held while it is shown)."""
        if self._shown is None or self._shown[0].icon != look.icon:
            pixmaps = read_pixmaps(look.icon) if self._serve_pixmaps else []
        else:
            pixmaps = self._shown[1]
        self._shown = (look, pixmaps)

    def _register(self, service: BusService) -> None:
        """Register with the watcher. A panel starting along with the coach may own the
        watcher's name a moment before it serves the object (gtk-sni-tray does): ask again."""
        for attempt in range(REGISTER_TRIES):
            try:
                service.call(self._register_message())
                return
            except BusError as exc:
                if exc.name not in NOT_READY or attempt == REGISTER_TRIES - 1:
                    raise
            time.sleep(REGISTER_PAUSE)

    def _register_message(self) -> Any:
        from jeepney import DBusAddress, new_method_call

        watcher = DBusAddress(WATCHER_PATH, bus_name=WATCHER, interface=WATCHER)
        return new_method_call(watcher, "RegisterStatusNotifierItem", "s", (self.bus_name,))

    def _watcher_changed(self, msg: Any) -> None:
        """NameOwnerChanged of the watcher: a new one knows nothing of us, so register again."""
        _name, _old, new = msg.body
        self.registered.clear()
        if not new:
            log.info("tray: the StatusNotifier watcher went away; waiting for it to come back")
            return
        self._register_again(1)

    def _register_again(self, attempt: int) -> None:
        """Register with a new watcher without waiting (this runs on the service's thread); a
        watcher not serving its object yet is asked again a moment later, from a timer."""
        from jeepney import HeaderFields, MessageType

        service = self._service
        if service is None:
            return

        def answered(reply: Any) -> None:
            if reply.header.message_type is not MessageType.error:
                log.info("tray: registered again with the new StatusNotifier watcher")
                self.registered.set()
                return
            error = reply.header.fields.get(HeaderFields.error_name, "")
            if error in NOT_READY and attempt < REGISTER_TRIES:
                timer = threading.Timer(REGISTER_PAUSE, self._register_again, (attempt + 1,))
                timer.daemon = True
                timer.start()
                return
            detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else error
            log.warning("tray: the new StatusNotifier watcher refused the icon: %s", detail)

        try:
            service.call_nowait(self._register_message(), answered)
        except OSError as exc:  # the bus is gone: on_lost has said so
            log.debug("tray: cannot register again (%s)", exc)

    def _item_methods(self) -> dict[str, Callable[[tuple[Any, ...]], Reply]]:
        def nothing(body: tuple[Any, ...]) -> Reply:
            return None, ()

        return {"Activate": nothing, "SecondaryActivate": nothing, "ContextMenu": nothing,
                "Scroll": nothing}

    def _item_properties(self) -> dict[str, tuple[str, Any]]:
        assert self._shown is not None  # shown before the service starts
        look, pixmaps = self._shown
        return {
            "Category": ("s", "ApplicationStatus"),
            "Id": ("s", "glutecoach"),
            "Title": ("s", TITLE),
            "Status": ("s", look.status),
            "WindowId": ("i", 0),
            "IconThemePath": ("s", str(ICON_DIR)),
            "IconName": ("s", look.icon),
            "IconPixmap": ("a(iiay)", pixmaps),
            "OverlayIconName": ("s", ""),
            "OverlayIconPixmap": ("a(iiay)", []),
            "AttentionIconName": ("s", look.icon),
            "AttentionIconPixmap": ("a(iiay)", pixmaps),
            "AttentionMovieName": ("s", ""),
            "ToolTip": ("(sa(iiay)ss)", ("", [], TITLE, look.tooltip)),
            "ItemIsMenu": ("b", True),
            "Menu": ("o", MENU_PATH),
        }

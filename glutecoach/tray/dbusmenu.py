"""The tray menu as a `com.canonical.dbusmenu` object: the host asks for the layout and draws
the menu itself; a click comes back as an Event.

The menu is the plain data of `menu.build_menu`, flat under the root item (id 0). Each command
keeps one id whatever the state (the status line and separators are numbered by position from
100), so a click on a menu that was open while the state changed still runs what the person
saw, as a click on today's pystray menu does. Every new menu gets a new revision, announced
with LayoutUpdated; hosts then ask for it again (libdbusmenu, Qt's importer, GNOME's extension).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from glutecoach.tray.dbus_service import INVALID_ARGS, BusError, Method, Reply
from glutecoach.tray.menu import COMMANDS, MenuEntry

log = logging.getLogger(__name__)

INTERFACE = "com.canonical.dbusmenu"
PATH = "/MenuBar"
ROOT = 0
FIRST_PLAIN_ID = 100  # the status line and separators: 100 + their place in the menu

COMMAND_IDS = {name: number for number, name in enumerate(sorted(COMMANDS), start=1)}
COMMAND_OF = {number: name for name, number in COMMAND_IDS.items()}

XML = """  <interface name="com.canonical.dbusmenu">
    <property name="Version" type="u" access="read"/>
    <property name="TextDirection" type="s" access="read"/>
    <property name="Status" type="s" access="read"/>
    <property name="IconThemePath" type="as" access="read"/>
    <method name="GetLayout"><arg type="i" name="parentId" direction="in"/>
      <arg type="i" name="recursionDepth" direction="in"/>
      <arg type="as" name="propertyNames" direction="in"/>
      <arg type="u" name="revision" direction="out"/>
      <arg type="(ia{sv}av)" name="layout" direction="out"/></method>
    <method name="GetGroupProperties"><arg type="ai" name="ids" direction="in"/>
      <arg type="as" name="propertyNames" direction="in"/>
      <arg type="a(ia{sv})" name="properties" direction="out"/></method>
    <method name="GetProperty"><arg type="i" name="id" direction="in"/>
      <arg type="s" name="name" direction="in"/><arg type="v" name="value" direction="out"/>
    </method>
    <method name="Event"><arg type="i" name="id" direction="in"/>
      <arg type="s" name="eventId" direction="in"/><arg type="v" name="data" direction="in"/>
      <arg type="u" name="timestamp" direction="in"/></method>
    <method name="EventGroup"><arg type="a(isvu)" name="events" direction="in"/>
      <arg type="ai" name="idErrors" direction="out"/></method>
    <method name="AboutToShow"><arg type="i" name="id" direction="in"/>
      <arg type="b" name="needUpdate" direction="out"/></method>
    <method name="AboutToShowGroup"><arg type="ai" name="ids" direction="in"/>
      <arg type="ai" name="updatesNeeded" direction="out"/>
      <arg type="ai" name="idErrors" direction="out"/></method>
    <signal name="ItemsPropertiesUpdated"><arg type="a(ia{sv})" name="updatedProps"/>
      <arg type="a(ias)" name="removedProps"/></signal>
    <signal name="LayoutUpdated"><arg type="u" name="revision"/>
      <arg type="i" name="parent"/></signal>
    <signal name="ItemActivationRequested"><arg type="i" name="id"/>
      <arg type="u" name="timestamp"/></signal>
  </interface>
"""

Props = dict[str, tuple[str, Any]]


def item_id(entry: MenuEntry, place: int) -> int:
    """The entry's id: its command's, or 100 + its place for the status line and separators."""
    if entry.command is not None:
        return COMMAND_IDS[entry.command]
    return FIRST_PLAIN_ID + place


def item_properties(entry: MenuEntry) -> Props:
    """The dbusmenu properties of one entry; defaults (enabled, visible, type "standard") are
    left out, as the spec allows."""
    if entry.separator:
        return {"type": ("s", "separator")}
    # An underscore marks a mnemonic in dbusmenu labels: a literal one is doubled.
    props: Props = {"label": ("s", entry.label.replace("_", "__"))}
    if not entry.enabled:
        props["enabled"] = ("b", False)
    return props


@dataclass(frozen=True)
class Layout:
    """One revision of the menu: its items in order, by id."""

    revision: int
    items: tuple[tuple[int, MenuEntry], ...]

    @classmethod
    def of(cls, entries: tuple[MenuEntry, ...], revision: int) -> Layout:
        return cls(revision, tuple((item_id(e, place), e) for place, e in enumerate(entries)))

    def entry(self, number: int) -> MenuEntry | None:
        return next((e for i, e in self.items if i == number), None)

    def properties(self, number: int, names: tuple[str, ...] = ()) -> Props:
        """An item's properties (only `names` when given); the root's for id 0."""
        if number == ROOT:
            props: Props = {"children-display": ("s", "submenu")}
        else:
            entry = self.entry(number)
            if entry is None:
                raise BusError(INVALID_ARGS, f"no menu item {number}")
            props = item_properties(entry)
        return {k: v for k, v in props.items() if not names or k in names}

    def node(self, number: int, depth: int, names: tuple[str, ...]) -> tuple[Any, ...]:
        """The (ia{sv}av) layout of an item and, to `depth` levels (-1: all), its children."""
        children: list[tuple[str, Any]] = []
        if number == ROOT and depth != 0:
            children = [("(ia{sv}av)", (i, self.properties(i, names), []))
                        for i, _e in self.items]  # fmt: skip
        return number, self.properties(number, names), children


class DbusMenu:
    """The menu object. `show()` is called from the coach's thread; the methods are called from
    the bus service's thread, and read one Layout each, so a change in between is never seen
    half done. `on_click` gets the command name of a clicked item, through `defer` (the bus
    service's after_reply: the host hears back before the command runs)."""

    def __init__(self, on_click: Callable[[str], None],
                 defer: Callable[[Callable[[], None]], None] = lambda work: work()) -> None:
        self._on_click = on_click
        self._defer = defer
        self._lock = threading.Lock()
        self.layout = Layout(0, ())

    def show(self, entries: tuple[MenuEntry, ...]) -> bool:
        """Make `entries` the menu; True when it changed (then announce the new revision)."""
        with self._lock:
            if tuple(e for _i, e in self.layout.items) == entries:
                return False
            self.layout = Layout.of(entries, self.layout.revision + 1)
            return True

    def methods(self) -> Mapping[str, Method]:
        return {
            "GetLayout": self._get_layout,
            "GetGroupProperties": self._get_group_properties,
            "GetProperty": self._get_property,
            "Event": self._event,
            "EventGroup": self._event_group,
            "AboutToShow": lambda _body: ("b", (False,)),
            "AboutToShowGroup": self._about_to_show_group,
        }

    def properties(self) -> Props:
        return {"Version": ("u", 3), "TextDirection": ("s", "ltr"), "Status": ("s", "normal"),
                "IconThemePath": ("as", [])}

    # -- methods --------------------------------------------------------------------------------

    def _get_layout(self, body: tuple[Any, ...]) -> Reply:
        parent, depth, names = body
        layout = self.layout
        return "u(ia{sv}av)", (layout.revision, layout.node(parent, depth, tuple(names)))

    def _get_group_properties(self, body: tuple[Any, ...]) -> Reply:
        ids, names = body
        layout = self.layout
        wanted = list(ids) or [ROOT, *(i for i, _e in layout.items)]
        found = [(i, layout.properties(i, tuple(names))) for i in wanted
                 if i == ROOT or layout.entry(i) is not None]  # unknown ids are left out
        return "a(ia{sv})", (found,)

    def _get_property(self, body: tuple[Any, ...]) -> Reply:
        number, name = body
        props = self.layout.properties(number)
        if name not in props:
            raise BusError(INVALID_ARGS, f"menu item {number} has no property {name}")
        return "v", (props[name],)

    def _event(self, body: tuple[Any, ...]) -> Reply:
        number, event = body[0], body[1]
        if not self._known(number):
            raise BusError(INVALID_ARGS, f"no menu item {number}")
        self._handle(number, event)
        return None, ()

    def _event_group(self, body: tuple[Any, ...]) -> Reply:
        errors = [number for number, *_rest in body[0] if not self._known(number)]
        if body[0] and len(errors) == len(body[0]):
            raise BusError(INVALID_ARGS, f"no menu items {errors}")
        for number, event, *_rest in body[0]:
            if self._known(number):
                self._handle(number, event)
        return "ai", (errors,)

    def _about_to_show_group(self, body: tuple[Any, ...]) -> Reply:
        errors = [number for number in body[0] if not self._known(number)]
        return "aiai", ([], errors)

    def _known(self, number: int) -> bool:
        return number == ROOT or number in COMMAND_OF or self.layout.entry(number) is not None

    def _handle(self, number: int, event: str) -> None:
        """A click runs the item's command; "opened", "closed" and "hovered" need nothing."""
        command = COMMAND_OF.get(number)
        if event == "clicked" and command is not None:
            self._defer(lambda: self._click(command))

    def _click(self, command: str) -> None:
        try:
            self._on_click(command)
        except Exception:
            # An error in the daemon's handler must not take the menu down with it.
            log.exception("tray: the %s command failed", command)

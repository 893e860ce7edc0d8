"""The tray menu over com.canonical.dbusmenu, on a real private bus: a jeepney client asks for
the layout as a host does (GetLayout, GetGroupProperties, GetProperty, AboutToShow) and clicks
(Event, EventGroup); what it gets must be the menu data of glutecoach.tray.menu."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from glutecoach.tray.dbus_service import BusService
from glutecoach.tray.dbusmenu import COMMAND_IDS, INTERFACE, PATH, XML, DbusMenu
from glutecoach.tray.menu import COMMANDS, MenuEntry, TrayState, build_menu

NOW = datetime(2025, 3, 12, 12, 40, tzinfo=UTC)
SITTING = TrayState(state="active", sitting_minutes=23, sit_limit_minutes=45,
                    next_prompt_at=NOW + timedelta(minutes=22), prompt_waiting=False,
                    snooze_offered=False, paused_until=None)  # fmt: skip
PROMPT = replace(SITTING, sitting_minutes=46, prompt_waiting=True, snooze_offered=True,
                 next_prompt_at=None)


class Served:
    """A DbusMenu exported by a BusService on the bus, a client connection, and the clicks."""

    def __init__(self, address: str) -> None:
        from jeepney.io.blocking import open_dbus_connection

        self.clicks: list[str] = []
        self.clicked = threading.Event()
        self.service = BusService(address, name="test-menu")
        self.menu = DbusMenu(self._click, defer=self.service.after_reply)
        self.service.export(PATH, INTERFACE, self.menu.methods(), self.menu.properties, XML)
        self.service.start()
        self.client = open_dbus_connection(address)

    def _click(self, command: str) -> None:
        self.clicks.append(command)
        self.clicked.set()

    def call(self, member: str, signature: str | None = None, body: tuple[Any, ...] = (),
             interface: str = INTERFACE) -> tuple[Any, ...]:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        address = DBusAddress(PATH, bus_name=self.service.unique_name, interface=interface)
        reply = self.client.send_and_get_reply(new_method_call(address, member, signature, body),
                                               timeout=5)  # fmt: skip
        return tuple(unwrap_msg(reply))

    def close(self) -> None:
        self.client.close()
        self.service.close()


@pytest.fixture(scope="module")
def bus_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from desktop.harness import start_bus

    bus = start_bus(tmp_path_factory.mktemp("bus"))
    try:
        yield bus.address
    finally:
        bus.stop()


@pytest.fixture
def served(bus_address: str) -> Iterator[Served]:
    s = Served(bus_address)
    try:
        yield s
    finally:
        s.close()


def menu_of(layout: tuple[Any, ...]) -> list[dict[str, Any]]:
    """The root's children as {property: value}, with their ids under "id"."""
    _root_id, _root_props, children = layout
    items = []
    for _signature, (number, props, grandchildren) in children:
        assert grandchildren == []
        items.append({"id": number, **{k: v[1] for k, v in props.items()}})
    return items


def expected(state: TrayState) -> list[dict[str, Any]]:
    """What a host must see for this state, straight from the menu data."""
    out = []
    for entry in build_menu(state, NOW):
        if entry.separator:
            out.append({"type": "separator"})
        elif entry.command is None:
            out.append({"label": entry.label, "enabled": False})
        else:
            out.append({"label": entry.label})
    return out


def without_ids(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in item.items() if k != "id"} for item in items]


@pytest.mark.parametrize("state", [SITTING, PROMPT, replace(SITTING, state="paused",
                                                             paused_until=NOW), replace(
    SITTING, state="away", can_rate=True)], ids=["sitting", "prompt", "paused", "rate"])
def test_the_layout_is_the_menu_data(served: Served, state: TrayState) -> None:
    served.menu.show(build_menu(state, NOW))
    revision, layout = served.call("GetLayout", "iias", (0, -1, []))
    assert revision == served.menu.layout.revision >= 1
    root_id, root_props, _children = layout
    assert root_id == 0 and root_props == {"children-display": ("s", "submenu")}
    items = menu_of(layout)
    assert without_ids(items) == expected(state)
    # The status line first, disabled; ids unique (Qt's importer and libdbusmenu key on them).
    assert items[0]["enabled"] is False and items[0]["label"].startswith(("Sitting", "Paused",
                                                                         "Away"))
    assert len({item["id"] for item in items}) == len(items)


def test_each_command_keeps_its_id_from_one_menu_to_the_next(served: Served) -> None:
    served.menu.show(build_menu(SITTING, NOW))
    _rev, before = served.call("GetLayout", "iias", (0, -1, []))
    served.menu.show(build_menu(PROMPT, NOW))
    _rev, after = served.call("GetLayout", "iias", (0, -1, []))
    ids_before = {i["label"]: i["id"] for i in menu_of(before) if "label" in i}
    ids_after = {i["label"]: i["id"] for i in menu_of(after) if "label" in i}
    for label in ("Pause 30 min", "Weekly report", "Quit"):
        assert ids_before[label] == ids_after[label] == COMMAND_IDS[
            next(e.command for e in build_menu(SITTING, NOW) if e.label == label)]
    assert set(COMMAND_IDS) == COMMANDS


def test_a_new_menu_gets_a_new_revision_and_the_same_one_does_not(served: Served) -> None:
    assert served.menu.show(build_menu(SITTING, NOW)) is True
    first = served.call("GetLayout", "iias", (0, -1, []))[0]
    assert served.menu.show(build_menu(SITTING, NOW)) is False
    assert served.call("GetLayout", "iias", (0, -1, []))[0] == first
    assert served.menu.show(build_menu(PROMPT, NOW)) is True
    assert served.call("GetLayout", "iias", (0, -1, []))[0] == first + 1


def test_depth_and_property_names_are_honoured(served: Served) -> None:
    served.menu.show(build_menu(SITTING, NOW))
    _rev, shallow = served.call("GetLayout", "iias", (0, 0, []))
    assert shallow[2] == []  # depth 0: the root alone
    _rev, labels = served.call("GetLayout", "iias", (0, -1, ["label"]))
    assert [set(item) - {"id"} for item in menu_of(labels)] == [
        {"label"} if not e.separator else set() for e in build_menu(SITTING, NOW)]
    quit_id = COMMAND_IDS["quit"]
    _rev, item = served.call("GetLayout", "iias", (quit_id, -1, []))
    assert item == (quit_id, {"label": ("s", "Quit")}, [])


def test_group_and_single_properties(served: Served) -> None:
    served.menu.show(build_menu(PROMPT, NOW))
    done, snooze = COMMAND_IDS["done"], COMMAND_IDS["snooze"]
    (found,) = served.call("GetGroupProperties", "aias", ([done, snooze, 9999], ["label"]))
    assert found == [(done, {"label": ("s", "Done")}), (snooze, {"label": ("s", "Snooze")})]
    (everything,) = served.call("GetGroupProperties", "aias", ([], []))
    assert everything[0][0] == 0
    assert len(everything) == 1 + len(build_menu(PROMPT, NOW))
    assert served.call("GetProperty", "is", (done, "label")) == (("s", "Done"),)
    from jeepney.wrappers import DBusErrorResponse

    with pytest.raises(DBusErrorResponse):
        served.call("GetProperty", "is", (done, "icon-name"))
    with pytest.raises(DBusErrorResponse):
        served.call("GetLayout", "iias", (9999, -1, []))


def test_a_click_runs_the_command_after_the_host_has_its_answer(served: Served) -> None:
    """The command may take the service down (Quit stops the tray): the host hears back
    first. Here the command waits until the test has the reply; run before the reply, the call
    would time out."""
    gate = threading.Event()
    served.menu = DbusMenu(lambda c: (gate.wait(10), served._click(c)),
                           defer=served.service.after_reply)
    served.service.export(PATH, INTERFACE, served.menu.methods(), served.menu.properties, XML)
    served.menu.show(build_menu(PROMPT, NOW))
    assert served.call("AboutToShow", "i", (0,)) == (False,)
    assert served.call("Event", "isvu", (COMMAND_IDS["snooze"], "clicked", ("s", ""), 0)) == ()
    assert served.clicks == []
    gate.set()
    assert served.clicked.wait(5)
    assert served.clicks == ["snooze"]


def test_hovering_opening_and_the_status_line_run_nothing(served: Served) -> None:
    served.menu.show(build_menu(SITTING, NOW))
    status_id = menu_of(served.call("GetLayout", "iias", (0, -1, []))[1])[0]["id"]
    for number, event in ((0, "opened"), (COMMAND_IDS["break-now"], "hovered"),
                          (status_id, "clicked"), (0, "closed")):
        served.call("Event", "isvu", (number, event, ("i", 0), 0))
    served.call("AboutToShow", "i", (0,))  # a round trip: anything deferred has run by now
    assert served.clicks == []
    from jeepney.wrappers import DBusErrorResponse

    with pytest.raises(DBusErrorResponse):
        served.call("Event", "isvu", (4242, "clicked", ("i", 0), 0))


def test_a_group_of_events_reports_the_unknown_ids(served: Served) -> None:
    served.menu.show(build_menu(SITTING, NOW))
    events = [(COMMAND_IDS["pause:30m"], "clicked", ("i", 0), 0), (4242, "clicked", ("i", 0), 0)]
    assert served.call("EventGroup", "a(isvu)", (events,)) == ([4242],)
    assert served.clicked.wait(5)
    assert served.clicks == ["pause:30m"]
    assert served.call("AboutToShowGroup", "ai", ([0, 4242],)) == ([], [4242])


def test_the_menu_object_says_what_it_is(served: Served) -> None:
    (props,) = served.call("GetAll", "s", (INTERFACE,),
                           interface="org.freedesktop.DBus.Properties")  # fmt: skip
    assert props["Version"] == ("u", 3) and props["Status"] == ("s", "normal")
    (xml,) = served.call("Introspect", interface="org.freedesktop.DBus.Introspectable")
    assert 'interface name="com.canonical.dbusmenu"' in xml and 'name="GetLayout"' in xml


def test_an_underscore_in_a_label_is_not_a_mnemonic(served: Served) -> None:
    served.menu.show((MenuEntry("Sitting in room_4"), MenuEntry("Quit", "quit")))
    items = menu_of(served.call("GetLayout", "iias", (0, -1, []))[1])
    assert items[0]["label"] == "Sitting in room__4"


def test_a_failing_command_leaves_the_menu_working(bus_address: str, tmp_path: Path) -> None:
    s = Served(bus_address)
    try:
        def boom(command: str) -> None:
            raise RuntimeError("the daemon's handler broke")

        s.menu = DbusMenu(boom, defer=s.service.after_reply)
        s.service.export(PATH, INTERFACE, s.menu.methods(), s.menu.properties, XML)
        s.menu.show(build_menu(SITTING, NOW))
        s.call("Event", "isvu", (COMMAND_IDS["quit"], "clicked", ("i", 0), 0))
        assert s.call("GetLayout", "iias", (0, 0, []))[0] >= 1
    finally:
        s.close()

"""The StatusNotifierItem on a real private bus with a real StatusNotifierWatcher (Debian's
`status-notifier-watcher`, the one taffybar and gtk-sni-tray use): registration, what a host
reads from the item, the signals it hears when the coach's state changes, a watcher that
restarts, and the coach picking this tray without a display. The icon drawn by a real host and
real clicks on its menu are in tests/desktop/test_sni_tray.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from desktop.harness import bus_names, start_bus, wait_for
from desktop.sni_host import Watcher, call, get_property

from glutecoach.tray.app import TrayUnavailable, choose_backend
from glutecoach.tray.dbusmenu import COMMAND_IDS
from glutecoach.tray.icon_files import ICON_DIR, icon_name, read_pixmaps
from glutecoach.tray.menu import TrayState, build_menu, status_line
from glutecoach.tray.sni import WATCHER, StatusNotifierTray

SITTING = TrayState(state="active", sitting_minutes=23, sit_limit_minutes=45,
                    next_prompt_at=datetime.now(UTC) + timedelta(minutes=22),
                    prompt_waiting=False, snooze_offered=False, paused_until=None)  # fmt: skip
PROMPT = replace(SITTING, sitting_minutes=46, prompt_waiting=True, snooze_offered=True,
                 next_prompt_at=None)
ITEM = "org.kde.StatusNotifierItem"


@pytest.fixture(scope="module")
def bus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = start_bus(tmp_path_factory.mktemp("sni-bus"))
    try:
        yield server.address
    finally:
        server.stop()


@pytest.fixture
def watcher(bus: str, tmp_path: Path) -> Iterator[Watcher]:
    w = Watcher(bus, tmp_path / "watcher.log")
    try:
        yield w
    finally:
        w.stop()
        wait_for(lambda: WATCHER not in bus_names(bus), "the watcher's name to go")


def item_properties(address: str, tray: StatusNotifierTray) -> dict[str, Any]:
    (props,) = call(address, tray.bus_name, "/StatusNotifierItem",
                    "org.freedesktop.DBus.Properties", "GetAll", "s", (ITEM,))  # fmt: skip
    return {k: v[1] for k, v in props.items()}


class Coach:
    """Stands in for the daemon's side: a state to show and the commands the tray sends."""

    def __init__(self, state: TrayState = SITTING) -> None:
        self.state = state
        self.commands: list[str] = []
        self.commanded = threading.Event()

    def command(self, name: str) -> None:
        self.commands.append(name)
        self.commanded.set()


@pytest.fixture
def coach() -> Coach:
    return Coach()


@pytest.fixture
def tray(bus: str, watcher: Watcher, coach: Coach) -> Iterator[StatusNotifierTray]:
    t = StatusNotifierTray(lambda: coach.state, coach.command, address=bus)
    t.start()
    try:
        yield t
    finally:
        t.stop()


class Signals:
    """Signals from the tray's connection, as a host hears them."""

    def __init__(self, address: str, tray: StatusNotifierTray) -> None:
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(address)
        (owner,) = self.conn.send_and_get_reply(message_bus.GetNameOwner(tray.bus_name),
                                                timeout=5).body  # fmt: skip
        rule = MatchRule(type="signal", sender=owner)
        self.conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=5)
        self.filter = self.conn.filter(rule, bufsize=100)
        self.queue = self.filter.__enter__()

    def collect(self, quiet: float = 0.5) -> list[tuple[str, tuple[Any, ...]]]:
        """Every signal until none has come for `quiet` seconds: (member, body)."""
        from jeepney import HeaderFields

        got = []
        while True:
            try:
                msg = self.conn.recv_until_filtered(self.queue, timeout=quiet)
            except TimeoutError:
                return got
            got.append((msg.header.fields[HeaderFields.member], tuple(msg.body)))

    def close(self) -> None:
        self.filter.__exit__(None, None, None)
        self.conn.close()


# --- registration and what a host reads ----------------------------------------------------------


def test_the_item_registers_with_the_watcher(tray: StatusNotifierTray, watcher: Watcher) -> None:
    assert tray.bus_name.startswith(f"org.kde.StatusNotifierItem-{os.getpid()}-")
    assert watcher.items() == [tray.bus_name]
    assert tray.registered.is_set()


def test_a_host_reads_the_look_of_the_coachs_state(bus: str, tray: StatusNotifierTray) -> None:
    props = item_properties(bus, tray)
    name = icon_name(SITTING)
    assert props["IconName"] == props["AttentionIconName"] == name == "glutecoach-sitting-050"
    # A host that loads IconName looks in IconThemePath: the picture is there, by that name.
    assert Path(props["IconThemePath"]) == ICON_DIR
    assert (Path(props["IconThemePath"]) / f"{name}.png").is_file()
    assert props["IconPixmap"] == props["AttentionIconPixmap"] == read_pixmaps(name)
    assert props["ToolTip"] == ("", [], "GluteCoach", status_line(SITTING))
    assert props["Status"] == "Active"
    assert props["ItemIsMenu"] is True and props["Menu"] == "/MenuBar"
    assert props["Id"] == "glutecoach" and props["Category"] == "ApplicationStatus"
    assert props["Title"] == "GluteCoach" and props["WindowId"] == 0
    # Get, one at a time, as gtk-sni-tray asks; and an unknown property is an error.
    assert get_property(bus, tray.bus_name, "/StatusNotifierItem", ITEM, "IconName") == name
    from jeepney.wrappers import DBusErrorResponse

    with pytest.raises(DBusErrorResponse):
        get_property(bus, tray.bus_name, "/StatusNotifierItem", ITEM, "XAyatanaLabel")


def test_the_menu_is_served_at_the_path_the_item_names(bus: str,
                                                       tray: StatusNotifierTray) -> None:
    revision, layout = call(bus, tray.bus_name, "/MenuBar", "com.canonical.dbusmenu",
                            "GetLayout", "iias", (0, -1, []))  # fmt: skip
    assert revision >= 1
    labels = [child[1][1].get("label", ("s", "-"))[1] for child in layout[2]]
    assert labels == [e.label if not e.separator else "-" for e in build_menu(SITTING)]


def test_introspection_lists_both_objects(bus: str, tray: StatusNotifierTray) -> None:
    (root,) = call(bus, tray.bus_name, "/", "org.freedesktop.DBus.Introspectable",
                   "Introspect")  # fmt: skip
    assert '<node name="StatusNotifierItem"/>' in root and '<node name="MenuBar"/>' in root
    (item,) = call(bus, tray.bus_name, "/StatusNotifierItem",
                   "org.freedesktop.DBus.Introspectable", "Introspect")  # fmt: skip
    assert 'interface name="org.kde.StatusNotifierItem"' in item


# --- the state changes ---------------------------------------------------------------------------


def test_a_waiting_prompt_is_announced_and_then_read(bus: str, tray: StatusNotifierTray,
                                                     coach: Coach) -> None:
    heard = Signals(bus, tray)
    try:
        coach.state = PROMPT
        tray.refresh()
        got = heard.collect()
    finally:
        heard.close()
    members = [member for member, _ in got]
    assert sorted(members) == sorted(["NewIcon", "NewAttentionIcon", "NewStatus", "NewToolTip",
                                      "LayoutUpdated"])  # fmt: skip
    assert ("NewStatus", ("NeedsAttention",)) in got
    revision = next(body for member, body in got if member == "LayoutUpdated")
    props = item_properties(bus, tray)
    assert props["IconName"] == "glutecoach-prompt"
    assert props["IconPixmap"] == read_pixmaps("glutecoach-prompt")
    assert props["Status"] == "NeedsAttention"
    assert props["ToolTip"][3] == "Sitting 46 min · time for a break"
    now_revision, layout = call(bus, tray.bus_name, "/MenuBar", "com.canonical.dbusmenu",
                                "GetLayout", "iias", (0, -1, []))  # fmt: skip
    assert revision == (now_revision, 0)
    assert [child[1][0] for child in layout[2]][2:5] == [
        COMMAND_IDS["done"], COMMAND_IDS["snooze"], COMMAND_IDS["skip"]]


def test_nothing_is_announced_when_nothing_changed(bus: str, tray: StatusNotifierTray,
                                                   coach: Coach) -> None:
    heard = Signals(bus, tray)
    try:
        tray.refresh()
        assert heard.collect() == []
        # A minute more sitting: a new status line (tooltip, menu), the same ring step.
        coach.state = replace(SITTING, sitting_minutes=24)
        tray.refresh()
        assert sorted(m for m, _ in heard.collect()) == ["LayoutUpdated", "NewToolTip"]
    finally:
        heard.close()


def test_clicks_on_the_icon_itself_run_nothing(bus: str, tray: StatusNotifierTray,
                                               coach: Coach) -> None:
    for member, signature, body in (("Activate", "ii", (5, 5)), ("SecondaryActivate", "ii",
                                    (5, 5)), ("ContextMenu", "ii", (5, 5)),
                                    ("Scroll", "is", (1, "vertical"))):  # fmt: skip
        assert call(bus, tray.bus_name, "/StatusNotifierItem", ITEM, member, signature,
                    body) == ()  # fmt: skip
    assert coach.commands == []


def test_a_menu_click_over_the_bus_reaches_the_coach(bus: str, tray: StatusNotifierTray,
                                                     coach: Coach) -> None:
    call(bus, tray.bus_name, "/MenuBar", "com.canonical.dbusmenu", "Event", "isvu",
         (COMMAND_IDS["break-now"], "clicked", ("i", 0), 0))
    assert coach.commanded.wait(5)
    assert coach.commands == ["break-now"]


# --- the watcher comes and goes ------------------------------------------------------------------


def test_a_restarted_watcher_gets_the_item_again(bus: str, tray: StatusNotifierTray,
                                                 watcher: Watcher, tmp_path: Path) -> None:
    """A panel that crashes or is replaced starts a new watcher, which knows no items: the
    item registers again when the watcher's name gets its new owner."""
    watcher.stop()
    wait_for(lambda: WATCHER not in bus_names(bus), "the watcher's name to go")
    assert not tray.registered.is_set()
    again = Watcher(bus, tmp_path / "watcher-2.log")
    try:
        wait_for(lambda: again.items() == [tray.bus_name], "the item on the new watcher",
                 timeout=10)  # fmt: skip
        assert tray.registered.wait(5)
    finally:
        again.stop()


def test_stopping_takes_the_item_off_the_bus(bus: str, watcher: Watcher, coach: Coach) -> None:
    tray = StatusNotifierTray(lambda: coach.state, coach.command, address=bus)
    tray.start()
    assert watcher.items() == [tray.bus_name]
    tray.stop()
    tray.refresh()  # a refresh after stop() is harmless
    tray.stop()
    assert tray.bus_name not in bus_names(bus)
    wait_for(lambda: watcher.items() == [], "the watcher to drop the item")


def test_a_quit_from_the_menu_may_stop_the_tray_from_its_own_thread(bus: str, watcher: Watcher,
                                                                    coach: Coach) -> None:
    holder: list[StatusNotifierTray] = []

    def command(name: str) -> None:
        holder[0].stop()  # as the daemon does on Quit: from inside the menu's callback
        coach.command(name)

    tray = StatusNotifierTray(lambda: coach.state, command, address=bus)
    holder.append(tray)
    tray.start()
    try:
        assert call(bus, tray.bus_name, "/MenuBar", "com.canonical.dbusmenu", "Event", "isvu",
                    (COMMAND_IDS["quit"], "clicked", ("i", 0), 0)) == ()  # fmt: skip
        assert coach.commanded.wait(5)
        wait_for(lambda: tray.bus_name not in bus_names(bus), "the item to leave the bus")
    finally:
        tray.stop()


def test_without_a_watcher_the_item_says_so(bus: str, coach: Coach) -> None:
    assert WATCHER not in bus_names(bus)
    tray = StatusNotifierTray(lambda: coach.state, coach.command, address=bus)
    with pytest.raises(TrayUnavailable, match=r"^no StatusNotifier watcher is on the session bus$"):
        tray.start()
    assert tray.bus_name not in bus_names(bus)


def test_a_frozen_watcher_costs_seconds_not_the_coach(bus: str, watcher: Watcher,
                                                      coach: Coach) -> None:
    os.kill(watcher.proc.pid, signal.SIGSTOP)
    try:
        tray = StatusNotifierTray(lambda: coach.state, coach.command, address=bus, timeout=1.0)
        started = time.monotonic()
        with pytest.raises(TrayUnavailable, match="the StatusNotifier watcher did not answer"):
            tray.start()
        assert time.monotonic() - started < 3
    finally:
        os.kill(watcher.proc.pid, signal.SIGCONT)


def test_no_bus_is_one_plain_reason(tmp_path: Path, coach: Coach) -> None:
    tray = StatusNotifierTray(lambda: coach.state, coach.command,
                              address=f"unix:path={tmp_path / 'no-bus'}")  # fmt: skip
    with pytest.raises(TrayUnavailable, match=r"^cannot connect to the session bus"):
        tray.start()


# --- choosing this tray --------------------------------------------------------------------------


def test_a_watcher_on_the_bus_means_the_statusnotifier_tray_even_without_a_display(
        bus: str, watcher: Watcher) -> None:
    """A coach started by a systemd user unit may have the bus and no DISPLAY: the panel draws
    the item, so that is enough."""
    assert choose_backend({"DBUS_SESSION_BUS_ADDRESS": bus}, platform="linux") == "sni"
    assert choose_backend({"DBUS_SESSION_BUS_ADDRESS": bus, "WAYLAND_DISPLAY": "wayland-1"},
                          platform="linux") == "sni"  # fmt: skip


def test_without_a_watcher_or_a_display_there_is_no_tray(bus: str) -> None:
    assert WATCHER not in bus_names(bus)
    with pytest.raises(TrayUnavailable, match="no graphical display"):
        choose_backend({"DBUS_SESSION_BUS_ADDRESS": bus}, platform="linux")


def test_a_wayland_desktop_without_a_watcher_has_no_tray(bus: str) -> None:
    """Wayland has no XEmbed: without a StatusNotifier host there is nothing to show in."""
    with pytest.raises(TrayUnavailable, match="no system tray is running"):
        choose_backend({"DBUS_SESSION_BUS_ADDRESS": bus, "WAYLAND_DISPLAY": "wayland-1"},
                       platform="linux")  # fmt: skip


def test_the_statusnotifier_tray_loads_no_toolkit_and_no_image_library(
        bus: str, watcher: Watcher, tmp_path: Path) -> None:
    code = """
import sys
from glutecoach.tray.app import Tray
from glutecoach.tray.menu import TrayState
state = TrayState(state="active", sitting_minutes=3, sit_limit_minutes=45, next_prompt_at=None,
                  prompt_waiting=False, snooze_offered=False, paused_until=None)
tray = Tray(lambda: state, print)
tray.start()
tray.refresh()
print(tray.backend)
print(sorted(m for m in sys.modules if m.split(".")[0] in ("gi", "PIL", "pystray", "Xlib")))
tray.stop()
"""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(DBUS_SESSION_BUS_ADDRESS=bus, DISPLAY=":4711")  # an X display that is not there
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=30)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["sni", "[]"]


def test_a_bus_that_goes_away_is_said_once_and_refresh_goes_on(
        tmp_path: Path, coach: Coach, caplog: pytest.LogCaptureFixture) -> None:
    """The session ends under a running coach (or its bus crashes): one line, no traceback,
    and the coach's refreshes keep working without an icon."""
    own = start_bus(tmp_path / "bus")
    watcher = Watcher(own.address, tmp_path / "watcher.log")
    tray = StatusNotifierTray(lambda: coach.state, coach.command, address=own.address)
    try:
        tray.start()
        with caplog.at_level("DEBUG", logger="glutecoach.tray"):
            own.stop()
            wait_for(lambda: "the session bus went away" in caplog.text, "the tray to notice")
            coach.state = PROMPT
            tray.refresh()
        warnings = [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
        assert [r.getMessage() for r in warnings] == [
            "tray: the session bus went away; no tray icon"]
        assert not any(r.exc_info for r in caplog.records)
    finally:
        tray.stop()
        watcher.stop()
        own.stop()

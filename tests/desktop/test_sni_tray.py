"""The StatusNotifier tray on a real host: Debian's gtk-sni-tray-standalone draws the coach's
icon and its dbusmenu menu (libdbusmenu-gtk3, as waybar and XFCE's panel do) on a virtual X
screen; xdotool clicks them; screenshots are searched for the icon's colours.

Each test has a desktop of its own (Xvfb, a bus, status-notifier-watcher, the host), so the
shared desktop's XEmbed tray (trayer) is not there. The tray runs in the driver process of
test_tray.py (one line per event: STARTED <backend>, COMMAND <name>, REFRESHED, ...), or as the
real `glutecoach run`. Screenshots stay in each test's tmp folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from glutecoach.tray.icon import ATTENTION, GREEN
from glutecoach.tray.menu import build_menu
from tests.config_helpers import ALL_WEEK_HOURS

from .harness import BusMonitor, start_bus, start_monitor, start_xvfb, stop, wait_for
from .sni_host import Watcher, start_host
from .test_coach_process import RECORDER
from .test_tray import (
    PROMPT,
    REPO,
    SITTING,
    Driver,
    X,
    click_item,
    find_colour,
    open_menu,
    screenshot,
    xdotool,
)

WIDTH, BAR = 1024, 32


@dataclass
class SniDesktop:
    """A screen with a StatusNotifier panel along its top."""

    display: str
    address: str
    env: dict[str, str]
    tmp: Path
    watcher: Watcher
    host: subprocess.Popen[bytes]
    x: X

    def drawn(self, colour: tuple[int, ...], shot: str) -> tuple[int, int, int, int] | None:
        """Where the panel shows `colour` (the box around those pixels), if it does."""
        return find_colour(screenshot(self.display, self.tmp / shot), (0, 0, WIDTH, BAR), colour)

    def wait_drawn(self, colour: tuple[int, ...], shot: str,
                   what: str) -> tuple[int, int, int, int]:
        return wait_for(lambda: self.drawn(colour, shot), what, timeout=15, interval=0.2)

    def restart_panel(self) -> None:
        """The panel and its watcher go away and come back (a crash, a new session's panel)."""
        stop(self.host)
        self.watcher.stop()
        self.watcher = Watcher(self.address, self.tmp / "watcher.log")
        self.host = start_host(self.env, self.watcher, self.tmp / "sni-host.log", size=BAR)


@pytest.fixture
def sni_desktop(desktop_env: dict[str, str], tmp_path: Path) -> Iterator[SniDesktop]:
    server = start_xvfb(tmp_path, f"{WIDTH}x600x24")
    bus = start_bus(tmp_path / "bus")
    env = {k: v for k, v in desktop_env.items() if k != "PYSTRAY_BACKEND"}
    env.update(DISPLAY=server.display, DBUS_SESSION_BUS_ADDRESS=bus.address)
    desktop: SniDesktop | None = None
    watcher = None
    try:
        watcher = Watcher(bus.address, tmp_path / "watcher.log")
        host = start_host(env, watcher, tmp_path / "sni-host.log", size=BAR)
        desktop = SniDesktop(server.display, bus.address, env, tmp_path, watcher, host,
                             X(server.display))  # fmt: skip
        yield desktop
    finally:
        if desktop is not None:
            try:
                xdotool(server.display, "key", "Escape")  # never leave a menu holding the grab
            finally:
                desktop.x.close()
                stop(desktop.host)
                desktop.watcher.stop()
        elif watcher is not None:
            watcher.stop()
        bus.stop()
        server.stop()


def tooltip_window(x: X, pid: int) -> tuple[int, int, int, int] | None:
    """The GTK tooltip window of process `pid`, if one is shown."""
    from Xlib import X as XC
    from Xlib.error import XError

    tooltip = x.d.intern_atom("_NET_WM_WINDOW_TYPE_TOOLTIP")
    try:
        for window in x.root.query_tree().children:
            if x._pid(window) != pid or not x._viewable(window):
                continue
            kind = window.get_full_property(x.type_atom, XC.AnyPropertyType)
            if kind and tooltip in kind.value:
                return x.geometry(window)
    except XError:
        return None
    return None


def test_the_host_shows_the_icon_follows_the_coach_and_its_menu_runs_commands(
        sni_desktop: SniDesktop) -> None:
    """The coach picks the StatusNotifier tray; the host draws the green ring; a left and a
    right click open the menu the host builds from our dbusmenu; a click on one of its items
    runs the command; a waiting prompt turns the icon orange with a new tooltip and menu; Quit
    from the menu takes the icon off the panel."""
    d = sni_desktop
    monitor: BusMonitor = start_monitor(d.address, d.tmp / "dbus-monitor.log")
    driver = Driver(d.tmp, d.env, SITTING)
    try:
        assert driver.expect("STARTED") == "sni"
        pid = d.host.pid
        icon = d.wait_drawn(GREEN, "1-green.png", "the host to draw the green ring")
        assert d.drawn(ATTENTION, "1-green.png") is None

        # A left click opens the menu too (ItemIsMenu), as on today's tray.
        open_menu(d.x, d.display, pid, icon, "1")
        xdotool(d.display, "key", "Escape")
        wait_for(lambda: not d.x.popup_menu(pid), "the menu to close")

        menu = open_menu(d.x, d.display, pid, icon, "3")
        click_item(d.x, d.display, pid, menu, SITTING, "Take a break now", d.tmp / "2-menu.png")
        assert driver.expect("COMMAND") == "break-now"
        wait_for(lambda: not d.x.popup_menu(pid), "the menu to close")

        driver.set_state(PROMPT)
        driver.send("refresh")
        driver.expect("REFRESHED")
        icon = d.wait_drawn(ATTENTION, "3-orange.png", "the host to draw the orange prompt icon")
        assert d.drawn(GREEN, "3-orange.png") is None
        # The host read the new tooltip (status line) after NewToolTip...
        monitor.wait_for_text("Sitting 46 min · time for a break")
        # ...and shows it on hover (GTK's tooltip window, with "GluteCoach: <status line>").
        xdotool(d.display, "mousemove", str(icon[0] + icon[2] // 2), str(icon[1] + icon[3] // 2))
        tip = wait_for(lambda: tooltip_window(d.x, pid), "the icon's tooltip", timeout=10)
        screenshot(d.display, d.tmp / "4-tooltip.png")
        assert tip[2] > 100  # a line of text, not an empty bubble
        xdotool(d.display, "mousemove", "10", "300")

        menu = open_menu(d.x, d.display, pid, icon, "3")
        click_item(d.x, d.display, pid, menu, PROMPT, "Skip", d.tmp / "5-prompt-menu.png")
        assert driver.expect("COMMAND") == "skip"
        wait_for(lambda: not d.x.popup_menu(pid), "the menu to close")

        menu = open_menu(d.x, d.display, pid, icon, "3")
        click_item(d.x, d.display, pid, menu, PROMPT, "Quit", d.tmp / "6-quit.png")
        assert driver.expect("COMMAND") == "quit"
        driver.expect("QUIT-DONE")  # stop() from the icon's own thread returned
        wait_for(lambda: d.drawn(ATTENTION, "7-gone.png") is None, "the icon to leave the panel")
        driver.send("stop")
        driver.expect("STOPPED")
        assert driver.proc.wait(10) == 0
    finally:
        driver.close()
        monitor.stop()


NAME_ONLY_DRIVER = r'''
import sys
from glutecoach.tray.menu import TrayState
from glutecoach.tray.sni import StatusNotifierTray

state = TrayState(state="in-meeting", sitting_minutes=30, sit_limit_minutes=45,
                  next_prompt_at=None, prompt_waiting=False, snooze_offered=False,
                  paused_until=None)
tray = StatusNotifierTray(lambda: state, print, address=sys.argv[1], pixmaps=False)
tray.start()
print("STARTED", flush=True)
sys.stdin.readline()
tray.stop()
'''


def test_a_host_that_goes_by_icon_name_finds_the_shipped_picture(
        sni_desktop: SniDesktop) -> None:
    """KDE, GNOME's extension and waybar load IconName from IconThemePath before any pixmap.
    gtk-sni-tray takes pixmaps first, so here the item sends none: the green of the meeting
    ring (two thirds of the limit) can only come from the PNG the host found by name."""
    d = sni_desktop
    proc = subprocess.Popen([sys.executable, "-c", NAME_ONLY_DRIVER, d.address],
                            env={**d.env, "PYTHONPATH": str(REPO)}, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "STARTED"
        d.wait_drawn(GREEN, "name-only.png", "the host to draw the icon it found by name")
    finally:
        proc.kill()
        proc.wait(5)


def test_the_icon_comes_back_when_the_panel_restarts(sni_desktop: SniDesktop) -> None:
    d = sni_desktop
    driver = Driver(d.tmp, d.env, SITTING)
    try:
        assert driver.expect("STARTED") == "sni"
        d.wait_drawn(GREEN, "1-before.png", "the host to draw the icon")
        d.restart_panel()
        d.wait_drawn(GREEN, "2-after.png", "the new panel to draw the icon again")
        # ...and it is the live item: a state change still shows.
        driver.set_state(PROMPT)
        driver.send("refresh")
        d.wait_drawn(ATTENTION, "3-after-prompt.png", "the new panel to show the prompt")
    finally:
        driver.close()


# --- the real coach ------------------------------------------------------------------------------

COACH_CONFIG = """
[schedule]
timezone = "UTC"
sit_minutes = 30
""" + ALL_WEEK_HOURS + """[desktop]
tray = true
break_window = false
[meetings]
signals = []
"""

# Libraries the StatusNotifier tray must not bring into the coach's memory.
NOT_WITH_THE_SNI_TRAY = ("gi", "PIL", "pystray", "cairo")


def test_the_real_coach_uses_the_statusnotifier_tray_without_gtk_or_pillow(
        sni_desktop: SniDesktop, tmp_path: Path) -> None:
    """`glutecoach run` on a StatusNotifier desktop: the icon is on the panel, a click on its
    menu reaches the coach (Pause 30 min: `status` then says paused), and neither GTK nor
    Pillow nor pystray was ever imported by the coach's process."""
    d = sni_desktop
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(RECORDER)
    record = tmp_path / "modules.json"
    config = tmp_path / "config.toml"
    config.write_text(COACH_CONFIG)
    home = tmp_path / "home"
    env = dict(d.env, PYTHONPATH=f"{probe}{os.pathsep}{REPO}",
               GLUTECOACH_TEST_MODULES=str(record), PYTHONUNBUFFERED="1")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "glutecoach", "--home", str(home),
                               "--config", str(config), *args], env=env, capture_output=True,
                              text=True, timeout=20)  # fmt: skip

    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "glutecoach", "--home", str(home),
                                 "--config", str(config), "run"], env=env, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_for(lambda: cli("status").returncode == 0 or proc.poll() is not None,
                 "the coach to answer", timeout=30)  # fmt: skip
        assert proc.poll() is None, log.read_text()
        # Nobody types on this screen: the coach sees an empty ring (away), not a green one.
        wait_for(lambda: "GluteCoach is running" in log.read_text(), "the start line")
        assert "tray icon via StatusNotifier" in log.read_text(), log.read_text()
        assert "XEmbed" not in log.read_text()
        state: dict[str, Any] = json.loads(cli("status", "--json").stdout)
        icon = wait_for(lambda: _coach_icon(d), "the coach's icon on the panel",
                        timeout=15, interval=0.2)  # fmt: skip
        menu = open_menu(d.x, d.display, d.host.pid, icon, "3")
        time.sleep(0.4)
        from glutecoach.tray.menu import TrayState

        shown = TrayState(state=state["state"], sitting_minutes=0, sit_limit_minutes=30,
                          next_prompt_at=None, prompt_waiting=False, snooze_offered=False,
                          paused_until=None)  # fmt: skip
        assert [e.label for e in build_menu(shown) if e.command][:2] == ["Take a break now",
                                                                          "Pause 30 min"]
        click_item(d.x, d.display, d.host.pid, menu, shown, "Pause 30 min",
                   tmp_path / "coach-menu.png")  # fmt: skip
        wait_for(lambda: json.loads(cli("status", "--json").stdout)["state"] == "paused",
                 "the pause from the tray to reach the coach")  # fmt: skip
        # The icon follows: two bars on the panel (white), the ring's track grey.
        assert cli("stop").returncode == 0
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    seen = json.loads(record.read_text())
    loaded = sorted(m for m in seen["modules"] if m.split(".")[0] in NOT_WITH_THE_SNI_TRAY)
    assert loaded == []
    assert "glutecoach.tray.sni" in seen["modules"]  # the record is of a coach with its tray


def _coach_icon(d: SniDesktop) -> tuple[int, int, int, int] | None:
    """The coach's icon: the grey track of its ring on the panel's right end."""
    track = (120, 120, 128)
    return find_colour(screenshot(d.display, d.tmp / "coach-icon.png"),
                       (WIDTH - 200, 0, 200, BAR), track)  # fmt: skip

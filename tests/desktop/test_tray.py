"""The tray icon on a desktop whose tray takes only XEmbed icons: Xvfb, trayer as the tray host,
the coach's Tray with pystray's GTK backend (the fallback: a StatusNotifier host gets the D-Bus
tray, see test_sni_tray.py), and real clicks from xdotool on the icon and on its menu items.

The Tray runs in a driver process (as in the daemon, its loop on a background thread), which
prints one line for each thing that happens: STARTED <backend>, NOTE <what the user is told>,
UNAVAILABLE <reason>, COMMAND <name>, REFRESHED, STOPPED. Screenshots are taken with
ImageMagick's `import` and kept in the test's tmp folder.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from glutecoach.tray.app import XEMBED_NOTE, TrayUnavailable, pick_linux_backend
from glutecoach.tray.icon import ATTENTION, GREEN
from glutecoach.tray.menu import TrayState, build_menu

from .harness import (
    missing,
    need,
    need_module,
    start_bus,
    start_xvfb,
    wait_for,
)

REPO = Path(__file__).resolve().parents[2]

DRIVER = r'''
import json, logging, sys
from datetime import datetime
from glutecoach.tray.app import Tray, TrayUnavailable
from glutecoach.tray.menu import TrayState

logging.basicConfig(level=logging.INFO, stream=sys.stderr)
state_path = sys.argv[1]

def get_state():
    with open(state_path) as f:
        raw = json.load(f)
    for key in ("next_prompt_at", "paused_until"):
        if raw.get(key):
            raw[key] = datetime.fromisoformat(raw[key])
    return TrayState(**raw)

def command(name):
    print(f"COMMAND {name}", flush=True)
    if name == "quit":  # as the daemon does: stop the tray from inside the menu's callback
        tray.stop()
        print("QUIT-DONE", flush=True)

tray = Tray(get_state, command)
try:
    tray.start()
except TrayUnavailable as exc:
    print(f"UNAVAILABLE {exc.reason}", flush=True)
    print(f"IMPORTED pystray={'pystray' in sys.modules}", flush=True)
    sys.exit(3)
print(f"STARTED {tray.backend}", flush=True)
print(f"NOTE {tray.note}", flush=True)
for line in sys.stdin:
    if line.strip() == "refresh":
        tray.refresh()
        print("REFRESHED", flush=True)
    elif line.strip() == "stop":
        break
tray.stop()
print("STOPPED", flush=True)
'''

# Owns the notification server's name on a bus, then is frozen with SIGSTOP by the test.
FROZEN_SERVER = r'''
import sys, time
from gi.repository import Gio, GLib
flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
         | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
bus = Gio.DBusConnection.new_for_address_sync(sys.argv[1], flags, None, None)
bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
              "RequestName", GLib.Variant("(su)", ("org.freedesktop.Notifications", 4)),
              None, Gio.DBusCallFlags.NONE, 5000, None)
print("owned", flush=True)
time.sleep(600)
'''

SITTING = TrayState(state="active", sitting_minutes=23, sit_limit_minutes=45,
                    next_prompt_at=datetime.now(UTC) + timedelta(minutes=22),
                    prompt_waiting=False, snooze_offered=False, paused_until=None)  # fmt: skip
PROMPT = TrayState(state="active", sitting_minutes=46, sit_limit_minutes=45, next_prompt_at=None,
                   prompt_waiting=True, snooze_offered=True, paused_until=None)  # fmt: skip


# --- the driver process ------------------------------------------------------------------------


class Driver:
    """The Tray in its own process, with a line protocol on stdin/stdout."""

    def __init__(self, tmp: Path, env: dict[str, str], state: TrayState,
                 first_on_path: Path | None = None) -> None:
        self.tmp = tmp
        self.state_path = tmp / "state.json"
        self.set_state(state)
        script = tmp / "tray_driver.py"
        script.write_text(DRIVER)
        path = [str(first_on_path)] if first_on_path else []
        env = {**env, "PYTHONPATH": os.pathsep.join([*path, str(REPO)])}
        self.stderr = open(tmp / "driver.err", "wb")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(self.state_path)], env=env, cwd=tmp,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def set_state(self, state: TrayState) -> None:
        raw = {k: (v.isoformat() if isinstance(v, datetime) else v)
               for k, v in state.__dict__.items()}  # fmt: skip
        self.state_path.write_text(json.dumps(raw))

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def expect(self, prefix: str, timeout: float = 15.0) -> str:
        """The next line starting with `prefix` (others are skipped); fails after `timeout`."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            try:
                line = self.lines.get(timeout=max(0.0, left))
            except queue.Empty:
                err = (self.tmp / "driver.err").read_text()[-3000:]
                pytest.fail(f"no {prefix!r} from the tray driver in {timeout:g} s; "
                            f"it said {seen}; stderr: {err}")  # fmt: skip
            seen.append(line)
            if line.startswith(prefix):
                return line[len(prefix):].strip()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        self.stderr.close()


@pytest.fixture
def driver_env(desktop_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in desktop_env.items() if k != "PYSTRAY_BACKEND"}
    return env


def run_driver(tmp: Path, env: dict[str, str], state: TrayState = SITTING) -> Driver:
    return Driver(tmp, env, state)


@pytest.fixture
def tools() -> dict[str, str]:
    need_module("gi")
    # Not imported here: `import pystray` without a display raises an Xlib error.
    if importlib.util.find_spec("pystray") is None:
        missing("pystray is not installed in this environment")
    return need("xdotool", "import")


# --- X helpers ---------------------------------------------------------------------------------


class X:
    """Windows of one process on the display, found through _NET_WM_PID."""

    def __init__(self, display: str) -> None:
        from Xlib import display as xdisplay

        self.d = xdisplay.Display(display)
        self.root = self.d.screen().root
        self.pid_atom = self.d.intern_atom("_NET_WM_PID")
        self.type_atom = self.d.intern_atom("_NET_WM_WINDOW_TYPE")
        self.popup_atom = self.d.intern_atom("_NET_WM_WINDOW_TYPE_POPUP_MENU")

    def close(self) -> None:
        self.d.close()

    def _walk(self, window: Any) -> Iterator[tuple[Any, Any]]:
        for child in window.query_tree().children:
            yield child, window
            yield from self._walk(child)

    def _pid(self, window: Any) -> int | None:
        from Xlib import X as XC

        prop = window.get_full_property(self.pid_atom, XC.AnyPropertyType)
        return int(prop.value[0]) if prop else None

    def geometry(self, window: Any) -> tuple[int, int, int, int]:
        g = window.get_geometry()
        at = self.root.translate_coords(window, 0, 0)
        return at.x, at.y, g.width, g.height

    def _viewable(self, window: Any) -> bool:
        from Xlib import X as XC

        return window.get_attributes().map_state == XC.IsViewable

    def tray_icon(self, pid: int) -> tuple[int, int, int, int] | None:
        """The process's window embedded in the tray (not a child of the root), if shown."""
        from Xlib.error import XError

        try:
            for window, parent in self._walk(self.root):
                if parent.id != self.root.id and self._pid(window) == pid \
                        and self._viewable(window):
                    x, y, w, h = self.geometry(window)
                    if w > 8 and h > 8:
                        return x, y, w, h
        except XError:  # a window went away while we walked: look again
            return None
        return None

    def popup_menu(self, pid: int) -> tuple[int, int, int, int] | None:
        from Xlib import X as XC
        from Xlib.error import XError

        try:
            for window in self.root.query_tree().children:
                if self._pid(window) != pid or not self._viewable(window):
                    continue
                kind = window.get_full_property(self.type_atom, XC.AnyPropertyType)
                if kind and self.popup_atom in kind.value:
                    return self.geometry(window)
        except XError:
            return None
        return None


def screenshot(display: str, path: Path) -> Any:
    from PIL import Image

    png = subprocess.run(["import", "-display", display, "-window", "root", "png:-"],
                         check=True, capture_output=True, timeout=30).stdout  # fmt: skip
    path.write_bytes(png)
    return Image.open(io.BytesIO(png)).convert("RGB")


def _pixels(image: Any, box: tuple[int, int, int, int]) -> tuple[bytes, int, int]:
    x, y, w, h = box
    crop = image.crop((x, y, x + w, y + h))
    return crop.tobytes(), crop.width, crop.height


def count_near(image: Any, box: tuple[int, int, int, int], colour: tuple[int, ...],
               tolerance: int = 40) -> int:
    data, _, _ = _pixels(image, box)
    r, g, b = colour[:3]
    return sum(1 for i in range(0, len(data), 3)
               if abs(data[i] - r) <= tolerance and abs(data[i + 1] - g) <= tolerance
               and abs(data[i + 2] - b) <= tolerance)  # fmt: skip


def text_bands(image: Any, box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """The rows of text in a menu, top to bottom, as (top, bottom) in screen coordinates.

    Rows with ink that does not span the whole width are text; full-width lines are separators.
    Reading the menu this way, rather than assuming a theme's item height, keeps the clicks on
    the right item whatever GTK's theme makes of the sizes.
    """
    x, y, w, h = box
    data, width, height = _pixels(image, (x + 4, y, w - 8, h))  # inside the menu's border
    counts: dict[bytes, int] = {}
    for i in range(0, len(data), 3):
        counts[data[i:i + 3]] = counts.get(data[i:i + 3], 0) + 1
    bg = max(counts, key=lambda colour: counts[colour])
    bands: list[tuple[int, int]] = []
    for row in range(height):
        line = data[row * width * 3:(row + 1) * width * 3]
        ink = sum(1 for i in range(0, len(line), 3)
                  if max(abs(line[i + c] - bg[c]) for c in range(3)) > 60)  # fmt: skip
        if not 0 < ink < 0.8 * width:
            continue
        if bands and row - bands[-1][1] <= 3:
            bands[-1] = (bands[-1][0], row)
        else:
            bands.append((row, row))
    return [(y + top, y + bottom) for top, bottom in bands]


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10,
                   env={**os.environ, "DISPLAY": display})  # fmt: skip


def open_menu(x: X, display: str, pid: int, icon: tuple[int, int, int, int],
              button: str) -> tuple[int, int, int, int]:
    ix, iy, iw, ih = icon
    xdotool(display, "mousemove", str(ix + iw // 2), str(iy + ih // 2))
    time.sleep(0.2)
    xdotool(display, "click", button)
    return wait_for(lambda: x.popup_menu(pid), "the tray menu to open", timeout=10)


def click_item(x: X, display: str, pid: int, menu: tuple[int, int, int, int],
               state: TrayState, label: str, shot: Path) -> None:
    """Click the menu item labelled `label`, found by its place among the menu's text rows."""
    labels = [e.label for e in build_menu(state) if not e.separator]
    click_row(display, menu, labels.index(label), len(labels), shot)


def click_row(display: str, menu: tuple[int, int, int, int], row: int, rows: int,
              shot: Path) -> None:
    """Click the `row`-th line of text of an open menu (0 = the first), checking first that
    the menu shows `rows` lines."""
    # GTK draws the menu a moment after it maps it, later on a loaded machine.
    bands = wait_for(lambda: len(b := text_bands(screenshot(display, shot), menu)) == rows and b,
                     f"the menu to show {rows} rows; see {shot}", timeout=5)  # fmt: skip
    top, bottom = bands[row]
    xdotool(display, "mousemove", str(menu[0] + menu[2] // 3), str((top + bottom) // 2))
    time.sleep(0.3)
    xdotool(display, "click", "1")


# --- the real tray -----------------------------------------------------------------------------


@pytest.mark.parametrize(("forced", "button"), [(None, "1"), ("gtk", "3")])
def test_clicking_tray_menu_items_sends_the_commands(
    tools: dict[str, str], tray_host: str, driver_env: dict[str, str], tmp_path: Path,
    forced: str | None, button: str,
) -> None:
    """The icon docks in the tray and shows the sitting ring; a real click on the icon (left
    or right) opens the menu and a real click on an item runs the daemon's command. After a
    refresh to a waiting prompt the icon turns orange and the menu offers Done / Snooze / Skip.
    On an XEmbed tray (trayer) with no StatusNotifier watcher the coach picks pystray's gtk
    backend, and says why once (unless the user asked for it)."""
    display = tray_host
    backend = "gtk"
    env = dict(driver_env)
    if forced:
        env["PYSTRAY_BACKEND"] = forced  # the user's override
    driver = run_driver(tmp_path, env)
    x = X(display)
    try:
        assert driver.expect("STARTED") == backend
        assert driver.expect("NOTE") == ("None" if forced else XEMBED_NOTE)
        pid = driver.proc.pid
        wait_for(lambda: x.tray_icon(pid), "the icon to dock in trayer", timeout=15)

        def ring_drawn() -> tuple[int, int, int, int] | None:
            # trayer may place the icon first and move it into the panel a moment later (a
            # loaded CI machine once saw it half off the screen): look where it is now.
            box = x.tray_icon(pid)
            shot = screenshot(display, tmp_path / "1-docked.png")
            return box if box and count_near(shot, box, GREEN) >= 4 else None

        icon = wait_for(ring_drawn, "the green ring in the docked icon; see 1-docked.png")
        assert count_near(screenshot(display, tmp_path / "1-docked.png"), icon, ATTENTION) == 0

        menu = open_menu(x, display, pid, icon, button)
        click_item(x, display, pid, menu, SITTING, "Take a break now", tmp_path / "2-menu.png")
        assert driver.expect("COMMAND") == "break-now"
        wait_for(lambda: not x.popup_menu(pid), "the menu to close")

        driver.set_state(PROMPT)
        driver.send("refresh")
        driver.expect("REFRESHED")
        wait_for(lambda: count_near(screenshot(display, tmp_path / "3-prompt.png"),
                                    x.tray_icon(pid) or icon, ATTENTION) >= 4,
                 "the icon to turn orange for the waiting prompt", interval=0.2)  # fmt: skip

        icon = x.tray_icon(pid) or icon
        menu = open_menu(x, display, pid, icon, button)
        click_item(x, display, pid, menu, PROMPT, "Snooze", tmp_path / "4-prompt-menu.png")
        assert driver.expect("COMMAND") == "snooze"

        icon = x.tray_icon(pid) or icon
        menu = open_menu(x, display, pid, icon, button)
        click_item(x, display, pid, menu, PROMPT, "Quit", tmp_path / "5-quit.png")
        assert driver.expect("COMMAND") == "quit"
        driver.expect("QUIT-DONE")  # stop() from the icon's own thread returned
        wait_for(lambda: x.tray_icon(pid) is None, "the icon to leave the tray")
        driver.send("stop")
        driver.expect("STOPPED")
        assert driver.proc.wait(10) == 0
    finally:
        try:
            xdotool(display, "key", "Escape")  # never leave a menu holding the grab
        finally:
            x.close()
            driver.close()


def find_colour(image: Any, box: tuple[int, int, int, int],
                colour: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """The bounding box of the pixels near `colour` inside `box`, if at least a few are."""
    data, width, _ = _pixels(image, box)
    r, g, b = colour[:3]
    hits = [(i // 3 % width, i // 3 // width) for i in range(0, len(data), 3)
            if abs(data[i] - r) <= 40 and abs(data[i + 1] - g) <= 40
            and abs(data[i + 2] - b) <= 40]  # fmt: skip
    if len(hits) < 4:
        return None
    xs, ys = [h[0] for h in hits], [h[1] for h in hits]
    return (box[0] + min(xs), box[1] + min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def test_a_frozen_notification_server_does_not_hold_up_the_tray(
    tools: dict[str, str], tray_host: str, driver_env: dict[str, str], tmp_path: Path,
) -> None:
    """pystray's GTK icons ask the notification server for its properties on start; a frozen
    server would make that wait 25 s. The coach's tray does without it."""
    bus = start_bus(tmp_path / "bus")
    script = tmp_path / "frozen.py"
    script.write_text(FROZEN_SERVER)
    server = subprocess.Popen([sys.executable, str(script), bus.address], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    driver = None
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "owned"
        os.kill(server.pid, signal.SIGSTOP)
        started = time.monotonic()
        driver = run_driver(tmp_path, {**driver_env, "DBUS_SESSION_BUS_ADDRESS": bus.address})
        assert driver.expect("STARTED", timeout=20) == "gtk"  # trayer: an XEmbed tray
        assert time.monotonic() - started < 8
        driver.send("stop")
        driver.expect("STOPPED")
    finally:
        if driver is not None:
            driver.close()
        server.kill()
        server.wait(5)
        bus.stop()


# --- when there is no tray -----------------------------------------------------------------------


def unavailable(tmp: Path, env: dict[str, str], first_on_path: Path | None = None) -> str:
    driver = Driver(tmp, env, SITTING, first_on_path)
    try:
        reason = driver.expect("UNAVAILABLE")
        assert driver.expect("IMPORTED") == "pystray=False"  # no Xlib error from its import
        assert driver.proc.wait(10) == 3
        return reason
    finally:
        driver.close()


def test_no_display_is_reported_plainly(tmp_path: Path, desktop_env: dict[str, str]) -> None:
    env = {k: v for k, v in desktop_env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    assert unavailable(tmp_path, env) == (
        "no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)")


def test_a_display_that_does_not_answer_is_reported(tmp_path: Path,
                                                    desktop_env: dict[str, str]) -> None:
    reason = unavailable(tmp_path, {**desktop_env, "DISPLAY": ":4711"})
    assert reason.startswith("cannot connect to the X display :4711")


def test_a_desktop_without_a_tray_host_is_reported(tmp_path: Path,
                                                   desktop_env: dict[str, str]) -> None:
    need_module("gi")
    server = start_xvfb(tmp_path)  # a second screen where no tray runs
    try:
        reason = unavailable(tmp_path, {**desktop_env, "DISPLAY": server.display})
    finally:
        server.stop()
    assert reason.startswith("no system tray is running on this desktop")


def test_missing_pygobject_is_reported_with_what_to_install(
    tmp_path: Path, tray_host: str, desktop_env: dict[str, str]
) -> None:
    """Only a desktop with nothing but an XEmbed tray needs the `tray` extra."""
    fake = tmp_path / "no-gi" / "gi"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named gi')\n")
    reason = unavailable(tmp_path, {**desktop_env, "DISPLAY": tray_host},
                         first_on_path=fake.parent)  # fmt: skip
    assert reason.startswith("this desktop's tray only takes XEmbed icons, which needs PyGObject")
    assert "'tray' extra" in reason


def test_a_statusnotifier_watcher_wins_over_an_xembed_tray(
    tmp_path: Path, tray_host: str, driver_env: dict[str, str]
) -> None:
    """XFCE, MATE and LXQt panels take both kinds: the D-Bus tray, with no GTK, is the one."""
    from .sni_host import Watcher

    bus = start_bus(tmp_path / "bus")
    watcher = Watcher(bus.address, tmp_path / "watcher.log")
    driver = run_driver(tmp_path, {**driver_env, "DBUS_SESSION_BUS_ADDRESS": bus.address})
    try:
        assert driver.expect("STARTED") == "sni"
        assert driver.expect("NOTE") == "None"
        driver.send("stop")
        driver.expect("STOPPED")
    finally:
        driver.close()
        watcher.stop()
        bus.stop()


# --- choosing the backend (no desktop needed) ------------------------------------------------


@pytest.mark.parametrize(
    ("sni", "xembed", "expected"),
    [
        (True, False, "sni"),  # KDE, GNOME with the AppIndicator extension, waybar
        # An XEmbed tray only: a GtkStatusIcon of our own, not libayatana's fallback, whose
        # rename of the icon made GDK print a Gdk-CRITICAL on most starts (issue 11, 4.11).
        (False, True, "gtk"),
        (True, True, "sni"),  # XFCE, MATE, LXQt panels take both
    ],
)
def test_backend_is_one_that_receives_clicks(sni: bool, xembed: bool, expected: str) -> None:
    chosen = pick_linux_backend(sni_host=sni, xembed_host=xembed)
    assert chosen == expected and chosen != "xorg"


def test_no_host_at_all_is_unavailable() -> None:
    with pytest.raises(TrayUnavailable, match="no system tray"):
        pick_linux_backend(sni_host=False, xembed_host=False)


def test_the_coach_says_once_why_it_uses_the_gtk_tray(
    tools: dict[str, str], tray_host: str, desktop_env: dict[str, str], tmp_path: Path
) -> None:
    """A real `glutecoach run` on an XEmbed-only tray: the GTK icon docks, and the terminal
    and the log say why, once."""
    from .test_new_user_desktop import TRAY_CONFIG, start_coach, stop_coach

    x = X(tray_host)
    coach = start_coach(desktop_env, tmp_path, TRAY_CONFIG)
    try:
        assert coach.proc is not None
        wait_for(lambda: x.tray_icon(coach.proc.pid), "the coach's icon in trayer", timeout=15)
    finally:
        x.close()
        stop_coach(coach)
    out = coach.log.read_text()
    assert out.count(f"GluteCoach: {XEMBED_NOTE}.") == 1, out
    assert "GluteCoach is running (tray icon via XEmbed (GTK);" in out
    assert (coach.home / "glutecoach.log").read_text().count(XEMBED_NOTE) == 1

"""The break screen on two monitors of a real X server (Xvfb with RandR 1.5 monitors, which it
also answers as Xinerama: see xmonitors.py for why not Xvfb's own +xinerama): both monitors
covered, the plan on the one with the pointer, HiDPI scaling from the monitor's size, Enter and
Esc, and strict mode refusing a real window manager's close (openbox) until its time, with the
held-Esc exit answering "skip" through the coach's channel.

Screenshots are ImageMagick's `import -window root`, checked pixel by pixel per monitor and kept in
the test's tmp folder to be looked at.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from glutecoach.window import BreakWindow
from glutecoach.window.model import ScreenOptions
from glutecoach.window.monitors import Monitor
from glutecoach.window.process import WindowProcess
from glutecoach.window.screens import DIM_BG
from glutecoach.window.tk_view import ACCENT, BG, SCREEN_BG
from tests.config_helpers import ALL_WEEK_HOURS

from .harness import need, need_module, running, start_xvfb, wait_for
from .test_break_window import (
    Recorder,
    click,
    find_windows,
    hex_rgb,
    two_items,
    window_geometry,
    x_env,
)
from .test_meetings_fullscreen import need_binaries, wm_ready
from .xmonitors import Head, set_monitors, xinerama_screens

# A 96-DPI laptop panel on the left and a 192-DPI 27" 2560×1440 (338 mm wide) on its right.
HEADS = [Head("LEFT", 0, 0, 1280, 800, 339, 212), Head("RIGHT", 1280, 0, 2560, 1440, 338, 190)]
LEFT = Monitor(0, 0, 1280, 800, 339, True)
RIGHT = Monitor(1280, 0, 2560, 1440, 338, False)
SCREEN = "3840x1440x24"  # the root holds both monitors side by side


def two_heads(tmp: Path) -> Iterator[str]:
    need("xdotool", "import")
    need_module("PIL")
    server = start_xvfb(tmp, size=SCREEN)
    try:
        set_monitors(server.display, HEADS)
        assert xinerama_screens(server.display) == [(0, 0, 1280, 800), (1280, 0, 2560, 1440)]
        yield server.display
    finally:
        server.stop()


@pytest.fixture(scope="module")
def heads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A display of this module's own with two monitors and no window manager."""
    yield from two_heads(tmp_path_factory.mktemp("two-heads"))


@dataclass
class Managed:
    display: str
    wmctrl: str


@pytest.fixture(scope="module")
def heads_with_wm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Managed]:
    """Two monitors managed by openbox: a real window manager's close (wmctrl -c, Alt+F4) and its
    own fullscreen."""
    paths = need_binaries(openbox="openbox", wmctrl="wmctrl")
    tmp = tmp_path_factory.mktemp("two-heads-wm")
    for display in two_heads(tmp):
        env = {"DISPLAY": display, "HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp / "config"),
               "XDG_CACHE_HOME": str(tmp / "cache"), "PATH": "/usr/bin:/bin"}  # fmt: skip
        with open(tmp / "openbox.log", "wb") as log:
            wm = subprocess.Popen([paths["openbox"], "--sm-disable"], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)  # fmt: skip
        with running(wm):
            wait_for(partial(wm_ready, display), "openbox to manage the display")
            yield Managed(display, paths["wmctrl"])


def point_at(display: str, x: int, y: int) -> None:
    """Move the pointer and wait until the server has it there (`--sync` would wait forever for
    a motion when the pointer is already on that spot)."""
    xdotool(display, "mousemove", str(x), str(y))

    def there() -> bool:
        out = subprocess.run(["xdotool", "getmouselocation", "--shell"], env=x_env(display),
                             capture_output=True, text=True, check=True, timeout=10).stdout
        values = dict(line.split("=", 1) for line in out.split())
        return (int(values["X"]), int(values["Y"])) == (x, y)

    wait_for(there, f"the pointer at {x},{y}")


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], env=x_env(display), check=True, timeout=20)


def shot(display: str, path: Path) -> Path:
    subprocess.run(["import", "-window", "root", str(path)], env=x_env(display), check=True,
                   timeout=30)  # fmt: skip
    return path


def share(image: object, colour: str) -> float:
    """The share of an image's pixels that are exactly `colour`."""
    colours = image.getcolors(maxcolors=1 << 20) or []  # type: ignore[attr-defined]
    total = sum(n for n, _ in colours)
    return sum(n for n, rgb in colours if rgb == hex_rgb(colour)) / total


def crop(image: object, m: Monitor) -> object:
    return image.crop((m.x, m.y, m.x + m.width, m.y + m.height))  # type: ignore[attr-defined]


@pytest.fixture
def show(heads: str) -> Iterator[Callable[..., tuple[BreakWindow, Recorder]]]:
    shown: list[BreakWindow] = []

    def open_it(options: ScreenOptions, snooze_offered: bool = True) -> tuple[BreakWindow,
                                                                             Recorder]:
        recorder = Recorder()
        window = BreakWindow(two_items(), recorder.answers.append, recorder.ratings.append,
                             snooze_offered, display=heads, options=options)  # fmt: skip
        window.show()
        shown.append(window)
        wait_for(lambda: find_windows(heads), "the break screen to be mapped")
        return window, recorder

    yield open_it
    for window in shown:
        window.close()
    wait_for(lambda: not find_windows(heads), "every screen to go")


# --- both monitors covered, the plan where the pointer is ---------------------------------------


@pytest.mark.parametrize(("pointer", "main", "other"), [((600, 400), LEFT, RIGHT),
                                                        ((2500, 700), RIGHT, LEFT)])
def test_fullscreen_covers_every_monitor_with_the_plan_where_the_pointer_is(
        show: Callable[..., tuple[BreakWindow, Recorder]], heads: str, tmp_path: Path,
        pointer: tuple[int, int], main: Monitor, other: Monitor) -> None:
    from PIL import Image

    point_at(heads, *pointer)
    window, _ = show(ScreenOptions("fullscreen", break_seconds=170))
    layout = wait_for(window.layout, "the layout")
    assert layout["main"] == main and layout["dims"] == [other]
    assert layout["window"] == (main.x, main.y, main.width, main.height)
    time.sleep(0.3)  # a few polls: the dimmed screen's time is drawn
    image = Image.open(shot(heads, tmp_path / f"fullscreen-{main.x}.png")).convert("RGB")
    plan_side, dim_side = crop(image, main), crop(image, other)
    # The plan's monitor: its frame and the plan's paper, the Done button in its colour ...
    assert share(plan_side, SCREEN_BG) + share(plan_side, BG) > 0.8
    assert share(plan_side, ACCENT) > 0.002
    # ... the other monitor dimmed all over, with the time left in a few light letters.
    assert share(dim_side, DIM_BG) > 0.95
    assert len(dim_side.getcolors(maxcolors=1 << 20) or []) > 10  # type: ignore[attr-defined]
    # Nothing outside the monitors is painted (the root's corner under the shorter one).
    if main == LEFT:
        corner = image.crop((0, 800, 1280, 1440)).getcolors(maxcolors=4)
        assert corner is not None and len(corner) == 1
    window.close()
    wait_for(lambda: not find_windows(heads), "every screen to close with the break")


def test_the_window_opens_on_the_pointers_monitor_scaled_for_its_dpi(
        show: Callable[..., tuple[BreakWindow, Recorder]], heads: str, tmp_path: Path) -> None:
    point_at(heads, 2500, 700)
    window, _ = show(ScreenOptions("window"))
    layout = wait_for(window.layout, "the layout")
    # 192 DPI: twice the size, fonts at 192/72 pixels a point, centred on the right monitor.
    assert layout["scale"] == 2.0 and layout["tk_scaling"] == pytest.approx(192 / 72)
    assert layout["dims"] == []
    x, y, width, height = layout["window"]
    assert (width, height) == (1720, 1320)
    assert (x, y) == (1280 + (2560 - 1720) // 2, (1440 - 1320) // 2)
    big = window.button_geometry("done")
    shot(heads, tmp_path / "hidpi-window.png")
    window.close()
    point_at(heads, 600, 400)
    window, _ = show(ScreenOptions("window"))
    layout = wait_for(window.layout, "the layout")
    assert layout["scale"] == 1.0
    assert layout["window"] == ((1280 - 860) // 2, (800 - 660) // 2, 860, 660)
    small = window.button_geometry("done")
    # The buttons too are twice as large on the 192-DPI monitor: text and padding.
    assert big is not None and small is not None
    assert big[2] / small[2] == pytest.approx(2, rel=0.15)
    assert big[3] / small[3] == pytest.approx(2, rel=0.15)


# --- the keys ----------------------------------------------------------------------------------


def test_enter_starts_and_finishes_the_exercise_and_esc_snoozes(
        show: Callable[..., tuple[BreakWindow, Recorder]], heads: str) -> None:
    point_at(heads, 600, 400)
    window, recorder = show(ScreenOptions("fullscreen", break_seconds=170))
    time.sleep(1.1)  # keys in the first second are the user's typing elsewhere: ignored
    xdotool(heads, "key", "Return")
    wait_for(lambda: window.state().running, "Enter to start the countdown")
    xdotool(heads, "key", "Return")
    state = wait_for(lambda: (s := window.state()).index == 1 and s, "Enter to finish it")
    assert not state.running  # the next exercise waits for its own Enter
    xdotool(heads, "key", "Escape")
    wait_for(lambda: recorder.answers == ["snooze"], "Esc to snooze")
    assert window.wait_closed(5)


def test_keys_in_the_first_second_are_not_taken_as_answers(
        show: Callable[..., tuple[BreakWindow, Recorder]], heads: str) -> None:
    point_at(heads, 600, 400)
    for _ in range(3):  # on a loaded machine the keys may come later than the first second
        started = time.monotonic()
        window, recorder = show(ScreenOptions("fullscreen", break_seconds=170))
        xdotool(heads, "key", "Escape", "key", "Return")
        if time.monotonic() - started < 0.9:
            break
        window.close()
    else:
        pytest.fail("could not send the keys within the screen's first second")
    time.sleep(0.5)
    assert recorder.answers == [] and not window.state().running
    assert window.is_open


def test_esc_does_nothing_where_no_snooze_is_left(
        show: Callable[..., tuple[BreakWindow, Recorder]], heads: str) -> None:
    point_at(heads, 600, 400)
    window, recorder = show(ScreenOptions("fullscreen", break_seconds=170),
                            snooze_offered=False)
    time.sleep(1.1)
    xdotool(heads, "key", "Escape")
    time.sleep(0.5)
    assert recorder.answers == [] and window.is_open


def test_under_strict_mode_done_counts_but_the_screen_stays_for_the_break(
        show: Callable[..., tuple[BreakWindow, Recorder]], heads: str) -> None:
    point_at(heads, 600, 400)
    window, recorder = show(ScreenOptions("window", strict=True, break_seconds=4))
    assert window.button_geometry("skip") is None and window.button_geometry("snooze") is None
    click(heads, window, "done")
    wait_for(lambda: recorder.answers == ["done"], "Done to count at once")
    click(heads, window, "easy")
    wait_for(lambda: recorder.ratings == ["easy"], "the rating")
    time.sleep(0.8)
    assert window.is_open  # answered and rated, but the break's time is not over
    assert window.wait_closed(6)


def test_under_strict_mode_the_close_button_after_done_waits_for_the_break_too(
        show: Callable[..., tuple[BreakWindow, Recorder]], heads: str) -> None:
    point_at(heads, 600, 400)
    window, recorder = show(ScreenOptions("window", strict=True, break_seconds=6))
    shown_at = time.monotonic()
    click(heads, window, "done")
    wait_for(lambda: recorder.answers == ["done"], "Done to count at once")
    # Done, not yet rated: Close is shown, but like the window manager's close it is refused
    # while strict mode holds the screen, and says why.
    click(heads, window, "close")
    time.sleep(0.8)
    assert time.monotonic() - shown_at < 5, "too slow to click within the break's time"
    assert window.is_open
    layout = window.layout()
    assert layout is not None and layout["hint"].startswith("This screen stays for the break")
    assert "skipped" not in layout["hint"]  # it was done: a held Esc only closes the screen
    time.sleep(max(0.0, shown_at + 6.3 - time.monotonic()))  # the break's time is over
    click(heads, window, "close")
    assert window.wait_closed(5)
    assert recorder.answers == ["done"] and recorder.ratings == []


# --- strict mode, under a real window manager, through the coach's channel ---------------------


def strict_window(display: str, seconds: float, recorder: Recorder) -> WindowProcess:
    window = WindowProcess(two_items(), recorder.answers.append, recorder.ratings.append,
                           True, options=ScreenOptions("fullscreen", True, seconds))
    window.show()
    wait_for(lambda: len(find_windows(display)) == 2, "the plan and the dimmed screen")
    time.sleep(1.1)  # past the keys' first second
    return window


def test_strict_mode_refuses_to_close_until_esc_is_held_three_seconds(
        heads_with_wm: Managed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    display = heads_with_wm.display
    monkeypatch.setenv("DISPLAY", display)  # the window's process inherits it
    point_at(display, 600, 400)
    recorder = Recorder()
    window = strict_window(display, 120, recorder)
    try:
        plan_window = find_windows(display)
        # A tap of Esc, the window manager's close (as its close button) and Alt+F4: refused.
        xdotool(display, "key", "Escape")
        subprocess.run([heads_with_wm.wmctrl, "-c", "GluteCoach — Afternoon"],
                       env=x_env(display), check=True, timeout=10)  # fmt: skip
        xdotool(display, "key", "alt+F4")
        time.sleep(1.0)
        assert recorder.answers == [] and window.is_open
        assert find_windows(display) == plan_window
        shot(display, tmp_path / "strict-refused.png")
        # Held for 1.5 s and let go: not yet.
        xdotool(display, "keydown", "Escape", "sleep", "1.5", "keyup", "Escape")
        time.sleep(0.5)
        assert recorder.answers == [] and window.is_open
        # Held for 3 s: the emergency exit, a skip through the Skip button's channel.
        started = time.monotonic()
        xdotool(display, "keydown", "Escape")
        try:
            wait_for(lambda: recorder.answers == ["skip"], "the held Esc to skip", timeout=6)
        finally:
            xdotool(display, "keyup", "Escape")
        assert 2.9 <= time.monotonic() - started < 4.5
        wait_for(lambda: not find_windows(display), "every screen to close", timeout=5)
        assert recorder.ratings == []  # nothing was done to rate
    finally:
        window.close()


def test_strict_mode_lets_the_screen_go_once_the_break_is_over(
        heads_with_wm: Managed, monkeypatch: pytest.MonkeyPatch) -> None:
    display = heads_with_wm.display
    monkeypatch.setenv("DISPLAY", display)
    point_at(display, 600, 400)
    recorder = Recorder()
    window = strict_window(display, 2.5, recorder)
    try:
        time.sleep(1.6)  # 2.7 s since the prompt: break_minutes have passed
        subprocess.run([heads_with_wm.wmctrl, "-c", "GluteCoach — Afternoon"],
                       env=x_env(display), check=True, timeout=10)  # fmt: skip
        wait_for(lambda: not find_windows(display), "the screens to close", timeout=5)
        assert recorder.answers == []  # closed, not answered: the coach counts the break itself
    finally:
        window.close()


# --- through a real coach ----------------------------------------------------------------------

STRICT_COACH = """
[schedule]
timezone = "UTC"
""" + ALL_WEEK_HOURS + """[desktop]
tray = false
break_window = true
notifier = "terminal"
break_screen = "fullscreen"
strict = true
[meetings]
signals = []
"""


def test_the_coachs_strict_break_screen_records_the_emergency_exit_as_skipped(
        heads: str, desktop_env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(STRICT_COACH)
    env = dict(desktop_env, DISPLAY=heads, PYTHONUNBUFFERED="1")
    home = tmp_path / "home"
    base = [sys.executable, "-m", "glutecoach", "--home", str(home), "--config", str(config)]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *args], env=env, capture_output=True, text=True,
                              timeout=30)  # fmt: skip

    point_at(heads, 2500, 700)  # the plan goes to the right-hand monitor
    with open(tmp_path / "run.log", "wb") as log:
        coach = subprocess.Popen([*base, "run"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: cli("status").returncode == 0 or coach.poll() is not None,
                 "the coach to answer", timeout=30)
        assert cli("break-now").returncode == 0
        wait_for(lambda: len(find_windows(heads)) == 2, "the plan and the dimmed screen", 30)
        plan_id = subprocess.run(["xdotool", "search", "--onlyvisible", "--name",
                                  "^GluteCoach.*Glute break"], env=x_env(heads),
                                 capture_output=True, text=True, timeout=10).stdout.split()
        assert [window_geometry(heads, w) for w in plan_id] == [(1280, 0, 2560, 1440)]
        time.sleep(1.2)
        xdotool(heads, "key", "Escape")  # a tap: strict mode keeps the screen
        time.sleep(1.0)
        assert len(find_windows(heads)) == 2
        assert json.loads(cli("status", "--json").stdout)["pending_prompt"] is not None
        xdotool(heads, "keydown", "Escape")
        try:
            wait_for(lambda: not find_windows(heads), "the held Esc to close the screens", 8)
        finally:
            xdotool(heads, "keyup", "Escape")
        wait_for(lambda: json.loads(cli("status", "--json").stdout)["pending_prompt"] is None,
                 "the skip to reach the coach")
        assert cli("stop").returncode == 0
        assert coach.wait(20) == 0
    finally:
        if coach.poll() is None:
            coach.kill()
            coach.wait(5)
    with sqlite3.connect(home / "glutecoach.db") as db:
        assert db.execute("SELECT outcome FROM prompts").fetchall() == [("skipped",)]
    assert "answer from the break window: skip" in (home / "glutecoach.log").read_text()

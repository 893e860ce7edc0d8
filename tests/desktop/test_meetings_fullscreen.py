"""The fullscreen signal against real windows on Xvfb under a real window manager (openbox),
made fullscreen and active with wmctrl as a user's F11 or a slide show would.

Each window belongs to a child process that names itself like the app (its comm, as in `ps`) and
sets WM_CLASS and _NET_WM_PID as toolkits do, so the app is found the same way as on a desktop.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import MeetingSignal, SignalUnavailable
from glutecoach.meetings.config import DEFAULT_MEETING_APPS, DEFAULT_PRESENTING_APPS
from glutecoach.meetings.fullscreen import X11Fullscreen

from .harness import XServer, missing, need_module, running, start_xvfb, stop, wait_for

NOW = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)

# An X client that looks like an app to the window manager: WM_CLASS, a title, _NET_WM_PID.
APP_WINDOW = """
import sys
from Xlib import X, Xatom, display
app, klass = sys.argv[1], sys.argv[2]
with open("/proc/self/comm", "w") as comm:
    comm.write(app)
d = display.Display()
w = d.screen().root.create_window(0, 0, 400, 300, 0, d.screen().root_depth, X.InputOutput,
                                  X.CopyFromParent, background_pixel=d.screen().white_pixel)
w.set_wm_class(app, klass)
w.set_wm_name(f"{klass} window")
w.change_property(d.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [__import__("os").getpid()])
w.map()
d.sync()
print(w.id, flush=True)
while True:
    d.next_event()
"""


def need_binaries(**packages: str) -> dict[str, str]:
    """Paths of binaries, skipping (failing in CI) with the Debian packages when one is missing."""
    paths = {name: shutil.which(name) for name in packages}
    absent = sorted({packages[name] for name, path in paths.items() if path is None})
    if absent:
        missing(f"missing {', '.join(n for n, p in paths.items() if p is None)}:"
                f" apt-get install {' '.join(absent)}")  # fmt: skip
    return {name: path for name, path in paths.items() if path is not None}


def wm_ready(display: str) -> bool:
    from Xlib import X
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        root = d.screen().root
        check = root.get_full_property(d.intern_atom("_NET_SUPPORTING_WM_CHECK"), X.AnyPropertyType)
        return check is not None and len(check.value) > 0
    finally:
        d.close()


@dataclass
class Desktop:
    display: str
    wmctrl: str
    tmp: Path

    def wmctrl_run(self, *args: str) -> None:
        subprocess.run([self.wmctrl, *args], env={"DISPLAY": self.display}, check=True,
                       timeout=10)  # fmt: skip


@pytest.fixture(scope="module")
def openbox_desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desktop]:
    """An Xvfb of this module's own with openbox managing it (the shared one has no window
    manager, and other tests expect none)."""
    paths = need_binaries(openbox="openbox", wmctrl="wmctrl")
    need_module("Xlib")
    tmp = tmp_path_factory.mktemp("openbox")
    server = start_xvfb(tmp)
    env = {"DISPLAY": server.display, "HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp / "config"),
           "XDG_CACHE_HOME": str(tmp / "cache"), "PATH": "/usr/bin:/bin"}  # fmt: skip
    with open(tmp / "openbox.log", "wb") as log:
        wm = subprocess.Popen([paths["openbox"], "--sm-disable"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)  # fmt: skip
    try:
        with running(wm):
            wait_for(lambda: wm_ready(server.display), "openbox to manage the display")
            yield Desktop(server.display, paths["wmctrl"], tmp)
    finally:
        server.stop()


@dataclass
class AppWindow:
    id: int
    proc: subprocess.Popen[str]


OpenWindow = Callable[[str, str], AppWindow]


@pytest.fixture
def open_window(openbox_desktop: Desktop) -> Iterator[OpenWindow]:
    procs: list[subprocess.Popen[str]] = []

    def start(app: str, klass: str) -> AppWindow:
        proc = subprocess.Popen([sys.executable, "-c", APP_WINDOW, app, klass],
                                env={"DISPLAY": openbox_desktop.display}, stdout=subprocess.PIPE,
                                text=True)  # fmt: skip
        procs.append(proc)
        assert proc.stdout is not None
        window = AppWindow(int(proc.stdout.readline()), proc)
        openbox_desktop.wmctrl_run("-i", "-a", hex(window.id))  # activate it
        wait_for(lambda: active_window(openbox_desktop.display) == window.id,
                 f"{app}'s window to become active")  # fmt: skip
        return window

    yield start
    for proc in procs:
        stop(proc)


def active_window(display: str) -> int:
    from Xlib import X
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        prop = d.screen().root.get_full_property(d.intern_atom("_NET_ACTIVE_WINDOW"),
                                                 X.AnyPropertyType)  # fmt: skip
        return int(prop.value[0]) if prop is not None and len(prop.value) else 0
    finally:
        d.close()


def is_fullscreen(display: str, window: int) -> bool:
    from Xlib import X
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        w = d.create_resource_object("window", window)
        state = w.get_full_property(d.intern_atom("_NET_WM_STATE"), X.AnyPropertyType)
        return state is not None and d.intern_atom("_NET_WM_STATE_FULLSCREEN") in state.value
    finally:
        d.close()


def fullscreen(desktop: Desktop, window: AppWindow, on: bool = True) -> None:
    desktop.wmctrl_run("-i", "-r", hex(window.id), "-b", f"{'add' if on else 'remove'},fullscreen")
    wait_for(lambda: is_fullscreen(desktop.display, window.id) == on or None,
             "openbox to change the fullscreen state")  # fmt: skip


def source(
    desktop: Desktop, ignore: list[str] | None = None, presenting: list[str] | None = None
) -> X11Fullscreen:
    return X11Fullscreen(
        AppNames(DEFAULT_MEETING_APPS),
        AppNames(DEFAULT_PRESENTING_APPS if presenting is None else presenting),
        AppNames(ignore or []),
        display=desktop.display,
    )


def test_a_fullscreen_meeting_window_is_a_meeting(
    openbox_desktop: Desktop, open_window: OpenWindow
) -> None:
    signal = source(openbox_desktop)
    zoom = open_window("zoom", "zoom")
    assert signal.read(NOW) == MeetingSignal(False, "fullscreen")
    fullscreen(openbox_desktop, zoom)
    assert signal.read(NOW) == MeetingSignal(True, "fullscreen", "zoom is fullscreen")
    fullscreen(openbox_desktop, zoom, on=False)
    assert signal.read(NOW) == MeetingSignal(False, "fullscreen")
    signal.close()


def test_a_fullscreen_slide_viewer_is_presenting(
    openbox_desktop: Desktop, open_window: OpenWindow
) -> None:
    evince = open_window("evince", "Evince")
    fullscreen(openbox_desktop, evince)
    assert source(openbox_desktop).read(NOW) == MeetingSignal(
        True, "fullscreen", "evince is fullscreen (presenting)"
    )


def test_a_fullscreen_film_is_no_meeting_unless_every_app_counts(
    openbox_desktop: Desktop, open_window: OpenWindow
) -> None:
    mpv = open_window("mpv", "mpv")
    fullscreen(openbox_desktop, mpv)
    assert not source(openbox_desktop).read(NOW).on
    assert source(openbox_desktop, presenting=["*"]).read(NOW).on


def test_an_ignored_app_wins_over_the_meeting_list(
    openbox_desktop: Desktop, open_window: OpenWindow
) -> None:
    teams = open_window("teams", "Microsoft Teams")
    fullscreen(openbox_desktop, teams)
    assert source(openbox_desktop).read(NOW).on
    assert not source(openbox_desktop, ignore=["teams"]).read(NOW).on


def test_only_the_active_window_counts(openbox_desktop: Desktop, open_window: OpenWindow) -> None:
    signal = source(openbox_desktop)
    zoom = open_window("zoom", "zoom")
    fullscreen(openbox_desktop, zoom)
    assert signal.read(NOW).on
    open_window("gedit", "Gedit")  # the user switches to another window; the call goes on behind
    assert not signal.read(NOW).on
    zoom.proc.kill()
    zoom.proc.wait()
    assert not signal.read(NOW).on


def test_unavailable_without_a_window_manager(tmp_path: Path) -> None:
    need_module("Xlib")
    server = start_xvfb(tmp_path)
    try:
        with pytest.raises(SignalUnavailable, match=r"no window manager on .* publishes"):
            source(Desktop(server.display, "", tmp_path))
    finally:
        server.stop()


def test_unavailable_without_a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(SignalUnavailable, match=r"\$DISPLAY is not set"):
        X11Fullscreen(AppNames([]), AppNames([]), AppNames([]))
    with pytest.raises(SignalUnavailable, match="cannot connect to the X server on :987"):
        X11Fullscreen(AppNames([]), AppNames([]), AppNames([]), display=":987")


def test_a_lost_x_server_reads_off_with_the_reason(tmp_path: Path) -> None:
    paths = need_binaries(openbox="openbox")
    server: XServer = start_xvfb(tmp_path)
    wm = subprocess.Popen([paths["openbox"], "--sm-disable"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL,
                          env={"DISPLAY": server.display, "HOME": str(tmp_path)})  # fmt: skip
    with running(wm):
        wait_for(lambda: wm_ready(server.display), "openbox to manage the display")
        signal = source(Desktop(server.display, "", tmp_path))
        assert not signal.read(NOW).on
        server.stop()
        started = time.monotonic()
        first = signal.read(NOW)
        assert not first.on
        assert first.detail.startswith(f"could not read: the X server on {server.display} failed")
        assert signal.read(NOW).detail.startswith("could not read: cannot connect")
        assert time.monotonic() - started < 5
        signal.close()

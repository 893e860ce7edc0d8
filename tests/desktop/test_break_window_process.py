"""The coach's break window runs in a process of its own (window/process.py), on a real X server:
it comes up, a real click on its buttons reaches the coach, closing it ends the process, a coach
that dies takes its window with it, and the coach itself never loads Tk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from glutecoach.window import BreakWindow, WindowUnavailable
from glutecoach.window.process import WindowProcess

from .harness import need, wait_for
from .test_break_window import Recorder, find_windows, two_items, x_env


@pytest.fixture
def on_xvfb(xvfb: str, monkeypatch: pytest.MonkeyPatch) -> str:
    need("xdotool")
    monkeypatch.setenv("DISPLAY", xvfb)  # the window's process inherits it
    return xvfb


def done_button(display: str) -> tuple[int, int]:
    """The middle of the Done button of the test plan's window: the same plan shown in this
    process lays out the same way on the same screen (both are centred)."""
    window = BreakWindow(two_items(), lambda _a: None, lambda _r: None, True, display=display)
    window.show()
    try:
        x, y, width, height = wait_for(lambda: window.button_geometry("done"), "the Done button")
    finally:
        window.close()
    wait_for(lambda: not find_windows(display), "the measuring window to go")
    return x + width // 2, y + height // 2


def test_a_click_on_done_in_the_windows_process_reaches_the_coach(on_xvfb: str) -> None:
    x, y = done_button(on_xvfb)
    recorder = Recorder()
    window = WindowProcess(two_items(), recorder.answers.append, recorder.ratings.append, True)
    window.show()
    try:
        assert window.is_open
        wait_for(lambda: find_windows(on_xvfb), "the window to be mapped")
        # `mousemove --sync` waits for a motion: from a corner, as the pointer may already be
        # on that very spot (the session's Xvfb is shared), and back there after the click.
        subprocess.run(["xdotool", "mousemove", "0", "0", "mousemove", "--sync", str(x), str(y),
                        "click", "1", "mousemove", "0", "0"],
                       env=x_env(on_xvfb), check=True, timeout=10)
        wait_for(lambda: recorder.answers == ["done"], "the answer to reach the coach")
    finally:
        window.close()
    wait_for(lambda: not find_windows(on_xvfb), "the window to go")
    assert not window.is_open


def test_closing_ends_the_windows_process_without_an_answer(on_xvfb: str) -> None:
    recorder = Recorder()
    window = WindowProcess(two_items(), recorder.answers.append, recorder.ratings.append, True)
    window.show()
    wait_for(lambda: find_windows(on_xvfb), "the window to be mapped")
    proc = window._proc
    assert proc is not None
    window.close()
    assert proc.returncode == 0
    assert not find_windows(on_xvfb)
    assert recorder.answers == recorder.ratings == []
    window.close()  # twice is fine


def test_without_a_display_the_window_is_unavailable_with_the_reason(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    window = WindowProcess(two_items(), lambda _a: None, lambda _r: None, True)
    with pytest.raises(WindowUnavailable, match="no X display"):
        window.show()


# A stand-in coach: opens the window in a child process, says so, then dies with SIGKILL.
DYING_COACH = """
import os, sys, time
sys.path.insert(0, {tests!r})
from desktop.test_break_window import two_items
from glutecoach.window.process import WindowProcess
window = WindowProcess(two_items(), lambda a: None, lambda r: None, True)
window.show()
print(window._proc.pid, "tkinter" in sys.modules, flush=True)
time.sleep(60)
"""


def test_a_window_never_outlives_its_coach(on_xvfb: str) -> None:
    tests = str(Path(__file__).resolve().parent.parent)
    coach = subprocess.Popen([sys.executable, "-c", DYING_COACH.format(tests=tests)],
                             stdout=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert coach.stdout is not None
        child_pid, tk_in_coach = coach.stdout.readline().split()
        assert tk_in_coach == "False"  # Tk is the window process's, not the coach's
        wait_for(lambda: find_windows(on_xvfb), "the window to be mapped")
        coach.send_signal(signal.SIGKILL)
        coach.wait(10)
        wait_for(lambda: not find_windows(on_xvfb), "the window to go with its coach")
        wait_for(lambda: not Path(f"/proc/{child_pid}").exists()
                 or "Z" in Path(f"/proc/{child_pid}/stat").read_text().split()[2],
                 "the window's process to end")
    finally:
        if coach.poll() is None:
            coach.kill()


RECORDER = """
import atexit, json, os, sys

def _record():
    with open(os.environ["GLUTECOACH_TEST_MODULES"], "w") as f:
        json.dump(sorted(sys.modules), f)

atexit.register(_record)
"""

CONFIG = """
[schedule]
timezone = "UTC"
[desktop]
tray = false
break_window = true
notifier = "terminal"
[meetings]
signals = []
"""


def test_the_real_coach_shows_its_window_without_loading_tk(
        desktop_env: dict[str, str], tmp_path: Path) -> None:
    need("xdotool")
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(RECORDER)
    record = tmp_path / "modules.json"
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = dict(desktop_env, PYTHONPATH=str(probe), GLUTECOACH_TEST_MODULES=str(record))
    home = tmp_path / "home"
    base = [sys.executable, "-m", "glutecoach", "--home", str(home), "--config", str(config)]

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *args], env=env, capture_output=True, text=True,
                              timeout=30)

    with open(tmp_path / "run.log", "wb") as log:
        coach = subprocess.Popen([*base, "run"], env=env, stdout=log,
                                 stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: cli("status").returncode == 0 or coach.poll() is not None,
                 "the coach to answer", timeout=30)
        assert cli("break-now").returncode == 0
        display = desktop_env["DISPLAY"]
        wait_for(lambda: find_windows(display), "the break window", timeout=30)
        assert cli("skip").returncode == 0  # answered elsewhere: the window goes
        wait_for(lambda: not find_windows(display), "the window to close", timeout=15)
        assert cli("stop").returncode == 0
        assert coach.wait(20) == 0
    finally:
        if coach.poll() is None:
            coach.kill()
            coach.wait(5)
    modules = json.loads(record.read_text())
    assert "glutecoach.engine" in modules  # the coach's own record
    assert "glutecoach.window.process" in modules  # it did show a window
    assert not [m for m in modules if m == "tkinter" or m.startswith("tkinter.")]


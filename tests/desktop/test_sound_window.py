"""The break window asks for its chimes when a countdown runs out, on a real X server: the Tk window
(in this process) at the end of each exercise and of the whole plan, never for Next; the window's
own process (a real click on Start) passes the request to the coach's side, which hands it to
`Coach.chime` (whose rules of silence are tested in tests/desktop/test_sound.py)."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest

from glutecoach.window import BreakWindow, WindowPlan
from glutecoach.window.process import WindowProcess

from .harness import need, wait_for
from .test_break_window import find_windows, two_items, x_env


def short_plan() -> WindowPlan:
    plan = two_items()
    return replace(plan, minutes=2 / 60, items=[replace(i, seconds=1) for i in plan.items])


@pytest.fixture
def on_xvfb(xvfb: str, monkeypatch: pytest.MonkeyPatch) -> str:
    need("xdotool")
    monkeypatch.setenv("DISPLAY", xvfb)  # the window's process inherits it
    return xvfb


def test_each_countdowns_end_and_the_plans_end_ask_for_a_chime(on_xvfb: str) -> None:
    sounds: list[str] = []
    window = BreakWindow(short_plan(), lambda _a: None, lambda _r: None, True,
                         display=on_xvfb, on_sound=sounds.append)
    window.show()
    try:
        window._call(lambda view: view._on_start())
        wait_for(lambda: sounds == ["exercise-end"], "the first exercise's chime", timeout=5)
        assert window.state().index == 1
        window._call(lambda view: view._on_start())
        wait_for(lambda: sounds == ["exercise-end", "break-end"], "the plan's end chime",
                 timeout=5)
        assert window.state().finished
    finally:
        window.close()


def test_next_moves_on_without_a_chime(on_xvfb: str) -> None:
    sounds: list[str] = []
    window = BreakWindow(two_items(), lambda _a: None, lambda _r: None, True,
                         display=on_xvfb, on_sound=sounds.append)
    window.show()
    try:
        window._call(lambda view: view._on_start())
        window._call(lambda view: view._on_next())
        window._call(lambda view: view._on_next())
        assert window.state().finished
        assert sounds == []
    finally:
        window.close()


def start_button(display: str) -> tuple[int, int]:
    """The middle of the Start button of the short plan's window: the same plan shown in this
    process lays out the same way on the same screen."""
    window = BreakWindow(short_plan(), lambda _a: None, lambda _r: None, True, display=display)
    window.show()
    try:
        x, y, width, height = wait_for(lambda: window.button_geometry("start"),
                                       "the Start button")
    finally:
        window.close()
    wait_for(lambda: not find_windows(display), "the measuring window to go")
    return x + width // 2, y + height // 2


def test_the_windows_process_passes_its_chime_to_the_coach(on_xvfb: str) -> None:
    x, y = start_button(on_xvfb)
    sounds: list[str] = []
    window = WindowProcess(short_plan(), lambda _a: None, lambda _r: None, True,
                           on_sound=sounds.append)
    window.show()
    try:
        wait_for(lambda: find_windows(on_xvfb), "the window to be mapped")
        subprocess.run(["xdotool", "mousemove", "0", "0", "mousemove", "--sync", str(x), str(y),
                        "click", "1", "mousemove", "0", "0"],
                       env=x_env(on_xvfb), check=True, timeout=10)
        wait_for(lambda: sounds == ["exercise-end"], "the chime's request to reach the coach",
                 timeout=5)
    finally:
        window.close()
    wait_for(lambda: not find_windows(on_xvfb), "the window to go")

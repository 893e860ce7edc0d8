"""The break window on a real X server (Xvfb, no window manager): it appears where it says, shows
the plan with its cautions, and real pointer clicks from xdotool on its buttons reach the
callbacks. Screenshots are taken with ImageMagick's `import` and kept in the test's tmp folder.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from glutecoach.window import BreakWindow, WindowItem, WindowPlan, WindowUnavailable
from glutecoach.window.tk_window import ACCENT, BG, CAUTION_BG

from .harness import need, need_module, wait_for

TITLE = "GluteCoach"


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def two_items(first_seconds: int = 120) -> WindowPlan:
    items = [
        WindowItem(
            exercise_id="brisk-walk", name="Brisk walk", seconds=first_seconds, reps=None,
            steps=["Get up and walk away from the desk.", "Turn back when half the time is up."],
            cues=["Push the floor away behind you."],
            cautions=["If walking hurts your hips, keep it slow and short."],
            why="Short walks break up sitting.", dose="2 min",
        ),
        WindowItem(
            exercise_id="half-squat", name="Half squat", seconds=45, reps=10,
            steps=["Stand tall, feet hip-width.", "Sit back halfway and stand up."],
            cues=["Knees over the toes."],
            cautions=["Skip it if your knees hurt."],
            why="Squats load the gluteus maximus.",
        ),
    ]  # fmt: skip
    return WindowPlan("Afternoon break", 2.75, items)


class Recorder:
    """Collects what the window passes on (called on the window's thread; list.append is
    atomic)."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.ratings: list[str] = []


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def open_window(xvfb: str, recorder: Recorder) -> Iterator[Callable[..., BreakWindow]]:
    """Shows a window on the session's Xvfb; whatever a test leaves open is closed after it."""
    need("xdotool", "import")
    need_module("PIL")
    shown: list[BreakWindow] = []

    def show(plan: WindowPlan | None = None, snooze_offered: bool = True,
             rateable: bool = True) -> BreakWindow:
        window = BreakWindow(plan or two_items(), recorder.answers.append,
                             recorder.ratings.append, snooze_offered, rateable=rateable,
                             display=xvfb)  # fmt: skip
        window.show()
        shown.append(window)
        wait_for(lambda: find_windows(xvfb), "the break window to be mapped")
        return window

    yield show
    for window in shown:
        window.close()


def x_env(display: str) -> dict[str, str]:
    return {**os.environ, "DISPLAY": display}


def find_windows(display: str) -> list[str]:
    """Visible X windows whose name starts with GluteCoach (xdotool exits 1 when none)."""
    command = ["xdotool", "search", "--onlyvisible", "--name", f"^{TITLE}"]
    done = subprocess.run(command, env=x_env(display), capture_output=True, text=True, timeout=10)
    return done.stdout.split()


def window_geometry(display: str, window_id: str) -> tuple[int, int, int, int]:
    out = subprocess.run(["xdotool", "getwindowgeometry", "--shell", window_id],
                         env=x_env(display), capture_output=True, text=True, check=True,
                         timeout=10).stdout  # fmt: skip
    values = dict(line.split("=", 1) for line in out.split())
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def click(display: str, window: BreakWindow, button: str) -> None:
    """A real pointer click in the middle of the button, where Tk says it is on the screen."""
    rect = wait_for(lambda: window.button_geometry(button), f"the {button} button to be shown")
    x, y, width, height = rect
    # From a corner first: `--sync` waits for a motion, and the pointer may be there already.
    subprocess.run(["xdotool", "mousemove", "0", "0", "mousemove", "--sync", str(x + width // 2),
                    str(y + height // 2), "click", "1"], env=x_env(display), check=True,
                   timeout=10)  # fmt: skip


def screenshot(display: str, path: Path) -> Path:
    subprocess.run(["import", "-window", "root", str(path)], env=x_env(display), check=True,
                   timeout=30)  # fmt: skip
    return path


def test_window_appears_centred_with_plan_and_cautions(
    open_window: Callable[..., BreakWindow], xvfb: str, tmp_path: Path
) -> None:
    from PIL import Image

    window = open_window()
    [window_id] = find_windows(xvfb)
    x, y, width, height = window_geometry(xvfb, window_id)
    # Explicit geometry works without a window manager: centred on the 1280×800 screen.
    assert (width, height) == (860, 660)
    assert (x, y) == ((1280 - width) // 2, (800 - height) // 2)

    shot = Image.open(screenshot(xvfb, tmp_path / "break-window.png")).convert("RGB")
    inside = shot.crop((x, y, x + width, y + height))
    colours = inside.getcolors(maxcolors=1 << 16) or []
    # Text, buttons, the plan panel: far from uniform where the window is ...
    assert len(colours) > 50
    counts = {rgb: n for n, rgb in colours}
    # ... on a calm background, with the caution box and the Done button in their colours.
    assert counts.get(hex_rgb(BG), 0) > width * height // 4
    assert counts.get(hex_rgb(CAUTION_BG), 0) > 2000, "the cautions are not shown"
    done_x, done_y, done_w, done_h = window.button_geometry("done") or (0, 0, 0, 0)
    assert x < done_x and done_x + done_w <= x + width
    assert y < done_y and done_y + done_h <= y + height
    assert shot.getpixel((done_x + 4, done_y + 4)) == hex_rgb(ACCENT)
    # Left of the window the root is untouched: one colour.
    outside = shot.crop((0, y, x, y + height)).getcolors(maxcolors=16)
    assert outside is not None and len(outside) == 1


def test_click_done_then_easy_passes_both_on_and_closes(
    open_window: Callable[..., BreakWindow], xvfb: str, recorder: Recorder
) -> None:
    window = open_window()
    assert window.button_geometry("easy") is None  # feedback waits for Done
    click(xvfb, window, "done")
    wait_for(lambda: recorder.answers == ["done"], "on_answer('done')")
    assert window.button_geometry("done") is None  # answered: the answer buttons go
    click(xvfb, window, "easy")
    wait_for(lambda: recorder.ratings == ["easy"], "on_feedback('easy')")
    # Nothing is left to ask: the window goes by itself after a moment.
    assert window.wait_closed(5)
    wait_for(lambda: not find_windows(xvfb), "the window to be gone")
    assert recorder.answers == ["done"]


def test_a_walk_only_break_closes_on_done_without_asking_how_it_felt(
    open_window: Callable[..., BreakWindow], xvfb: str, recorder: Recorder
) -> None:
    """A walk has no level to move, so the window does not ask what nothing could take
    (issue 11, 4.5)."""
    window = open_window(rateable=False)
    click(xvfb, window, "done")
    wait_for(lambda: recorder.answers == ["done"], "on_answer('done')")
    assert window.wait_closed(5)
    wait_for(lambda: not find_windows(xvfb), "the window to be gone")
    assert recorder.ratings == []


def test_click_skip_closes_without_feedback(
    open_window: Callable[..., BreakWindow], xvfb: str, recorder: Recorder
) -> None:
    window = open_window()
    click(xvfb, window, "skip")
    wait_for(lambda: recorder.answers == ["skip"], "on_answer('skip')")
    assert window.wait_closed(5)
    wait_for(lambda: not find_windows(xvfb), "the window to be gone")
    assert recorder.ratings == []


def test_snooze_button_only_when_offered(
    open_window: Callable[..., BreakWindow], xvfb: str, recorder: Recorder
) -> None:
    without = open_window(snooze_offered=False)
    assert without.button_geometry("snooze") is None
    assert without.button_geometry("skip") is not None
    without.close()
    offered = open_window(snooze_offered=True)
    click(xvfb, offered, "snooze")
    wait_for(lambda: recorder.answers == ["snooze"], "on_answer('snooze')")
    assert offered.wait_closed(5)


def test_start_counts_down_and_moves_to_the_next_item(
    open_window: Callable[..., BreakWindow], xvfb: str
) -> None:
    window = open_window(two_items(first_seconds=2))
    click(xvfb, window, "start")
    wait_for(lambda: window.state().running, "the countdown to run")
    # Two seconds on the real clock, then the second item waits for its own Start.
    state = wait_for(lambda: (s := window.state()).index == 1 and s, "the second item", 6)
    assert state.seconds_left == (0, 45) and not state.running
    click(xvfb, window, "next")  # "Finish" on the last item: the plan is over
    wait_for(lambda: window.state().finished, "the end of the plan")
    assert window.button_geometry("easy") is not None


def test_close_removes_the_window_without_an_answer(
    open_window: Callable[..., BreakWindow], xvfb: str, recorder: Recorder
) -> None:
    window = open_window()
    assert window.is_open
    window.close()
    assert not window.is_open
    wait_for(lambda: not find_windows(xvfb), "the window to be gone")
    assert window.button_geometry("done") is None
    window.close()  # twice is fine
    assert recorder.answers == [] and recorder.ratings == []


def test_close_from_inside_the_answer_callback(xvfb: str) -> None:
    need("xdotool")
    holder: list[BreakWindow] = []
    window = BreakWindow(two_items(), lambda answer: holder[0].close(), lambda rating: None,
                         True, display=xvfb)  # fmt: skip
    holder.append(window)
    window.show()
    try:
        click(xvfb, window, "done")
        assert window.wait_closed(5), "close() from the window's own thread must not deadlock"
    finally:
        window.close()


def test_no_display_is_window_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    window = BreakWindow(two_items(), print, print, True)
    with pytest.raises(WindowUnavailable, match="DISPLAY"):
        window.show()
    assert not window.is_open


def test_display_that_does_not_answer_is_window_unavailable(tmp_path: Path) -> None:
    # A display number with no server behind it (no /tmp/.X11-unix socket for it).
    number = next(n for n in range(4242, 4342) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    window = BreakWindow(two_items(), print, print, True, display=f":{number}")
    with pytest.raises(WindowUnavailable, match="cannot open"):
        window.show()
    assert window.wait_closed(1)


def test_no_exercise_name_is_cut_off_in_the_plan_list(
        open_window: Callable[..., BreakWindow]) -> None:
    """Every name of the library, three to a plan as a break has them, with the widest time:
    a name either fits beside its time or wraps under itself ("Seated glute squeeze" was cut
    to "Seated glute squeez" once, one word just short of wrapping)."""
    from glutecoach.library import load_library
    from glutecoach.window import window_item

    exercises = load_library().all()
    clipped: list[str] = []
    for at in range(0, len(exercises), 3):
        items = [window_item(ex, 600) for ex in exercises[at:at + 3]]
        window = open_window(WindowPlan("Glute break", 10, items))
        layout = wait_for(window.layout, "the window's layout")
        clipped += layout["clipped"]
        window.close()
    assert clipped == []

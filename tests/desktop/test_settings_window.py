"""`glutecoach settings` on a real X server (Xvfb, no window manager), driven from the keyboard
with xdotool as a user without a mouse would: type a sitting limit, add a range on Tuesday, copy
Monday to Friday, save, and find exactly those keys changed in the file, comments and all; an
invalid value shown in red beside its field (on its tab) with the file byte-identical; Escape
leaving the file untouched. Screenshots are kept in the test's tmp folder."""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from glutecoach.settings.widgets import ACCENT, ERROR

from .harness import need, need_module, stop, wait_for
from .test_break_window import hex_rgb, screenshot, window_geometry, x_env

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"
TITLE = "GluteCoach settings"


def example_with_two_monday_ranges(path: Path) -> str:
    """config.example.toml with a Monday unlike Friday, so that a copy shows in the file."""
    text = EXAMPLE.read_text().replace('mon = ["09:00-17:30"]',
                                       'mon = ["08:00-12:00", "13:00-16:00"]')
    assert "08:00-12:00" in text
    path.write_text(text)
    return text


class Settings:
    """One `glutecoach settings` process on the test display, and the keys sent to it."""

    def __init__(self, display: str, config: Path, tmp: Path) -> None:
        self.display = display
        self.out = tmp / "settings.out"
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "glutecoach", "--config", str(config), "settings"],
                env=x_env(display), stdout=out, stderr=subprocess.STDOUT)
        self.window = wait_for(self._find, "the settings window", timeout=30)
        # The window takes the keyboard itself once mapped (no window manager gives it): wait
        # for that, or the first keys would go nowhere.
        wait_for(lambda: self._focused() == self.window, "the window to take the focus")
        time.sleep(0.3)

    def _find(self) -> str | None:
        done = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{TITLE}"],
                              env=x_env(self.display), capture_output=True, text=True,
                              timeout=10)
        found = done.stdout.split()
        return found[0] if found else None

    def _focused(self) -> str:
        return subprocess.run(["xdotool", "getwindowfocus"], env=x_env(self.display),
                              capture_output=True, text=True, timeout=10).stdout.strip()

    def keys(self, *keys: str) -> None:
        subprocess.run(["xdotool", "key", "--delay", "60", *keys], env=x_env(self.display),
                       check=True, timeout=20)
        time.sleep(0.3)  # let Tk redraw (a new entry, a dialog) before the next keys

    def type(self, text: str) -> None:
        subprocess.run(["xdotool", "type", "--delay", "60", text], env=x_env(self.display),
                       check=True, timeout=20)
        time.sleep(0.2)

    def shot(self, path: Path) -> tuple[Path, tuple[int, int, int, int]]:
        return screenshot(self.display, path), window_geometry(self.display, self.window)

    def ended(self, timeout: float = 15) -> tuple[int, str]:
        code = self.proc.wait(timeout)
        return code, self.out.read_text()

    def close(self) -> None:
        stop(self.proc)


@pytest.fixture
def settings(xvfb: str, tmp_path: Path) -> Iterator[Callable[[Path], Settings]]:
    need("xdotool", "import")
    need_module("PIL")
    started: list[Settings] = []

    def start(config: Path) -> Settings:
        window = Settings(xvfb, config, tmp_path)
        started.append(window)
        return window

    yield start
    for window in started:
        window.close()
    wait_for(lambda: not started or started[0]._find() is None, "the windows to go")


def red_rows(shot: Path, geometry: tuple[int, int, int, int]) -> list[int]:
    """The rows of the window (relative to its top) with pixels of the error colour."""
    from PIL import Image

    x, y, width, height = geometry
    image = Image.open(shot).convert("RGB").crop((x, y, x + width, y + height))
    red = hex_rgb(ERROR)
    pixels = image.load()
    return [row for row in range(height)
            if sum(pixels[col, row] == red for col in range(width)) >= 2]


def test_keyboard_only_limit_range_and_copy_are_saved_as_just_those_keys(
        settings: Callable[[Path], Settings], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    before = example_with_two_monday_ranges(config)
    window = settings(config)
    # The window opens on the Schedule tab with the sitting limit's text selected.
    window.type("45")
    # Alt+W: the Work hours tab, the cursor in Monday's first range. Monday's Tab order: its
    # two ranges, "+ Range", "Copy to…".
    window.keys("alt+w", "Tab", "Tab", "Tab", "space")
    # The Copy dialog is a toplevel of its own: keys sent before it has the focus go nowhere.
    wait_for(lambda: window._focused() not in ("", window.window), "the Copy dialog's focus")
    window.shot(tmp_path / "1-copy-dialog.png")
    window.keys("alt+f", "Return")  # Friday, then Copy: the focus is back on Monday's button
    wait_for(lambda: window._focused() == window.window, "the settings window's focus back")
    # On to Tuesday: its range, then its "+ Range", which opens an empty range to type in.
    window.keys("Tab", "Tab", "space")
    window.type("18:00-19:00")
    window.shot(tmp_path / "2-hours.png")
    window.keys("ctrl+s")
    code, out = window.ended()
    assert code == 0, out
    assert out.strip() == (f"Saved {config}: schedule.sit_minutes, schedule.hours.tue, "
                           "schedule.hours.fri")
    after = config.read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    assert changed == [
        ("sit_minutes = 30", "sit_minutes = 45"),
        ('tue = ["09:00-17:30"]', 'tue = ["09:00-17:30", "18:00-19:00"]'),
        ('fri = ["09:00-17:30"]', 'fri = ["08:00-12:00", "13:00-16:00"]'),
    ]
    hours = tomllib.loads(after)["schedule"]["hours"]
    assert hours["mon"] == hours["fri"] == ["08:00-12:00", "13:00-16:00"]
    assert config.stat().st_mode & 0o777 == 0o600


def test_an_invalid_value_is_shown_in_red_beside_its_field_and_nothing_is_written(
        settings: Callable[[Path], Settings], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    example_with_two_monday_ranges(config)
    before = config.read_bytes()
    window = settings(config)
    shot, geometry = window.shot(tmp_path / "0-opened.png")
    assert red_rows(shot, geometry) == []  # nothing is wrong yet
    window.type("abc")
    # Saved from another tab: the window must turn back to the Schedule tab to show why.
    window.keys("alt+w", "ctrl+s")
    shot, geometry = window.shot(tmp_path / "1-invalid.png")
    rows = red_rows(shot, geometry)
    assert rows, f"no error line in red; see {shot}"
    # One line of text (one field's error), in the upper part of the tab: under the sitting
    # limit, the tab's first field, above the break length.
    assert rows[-1] - rows[0] < 20, rows
    assert 0.15 * geometry[3] < rows[0] < 0.45 * geometry[3], (rows, geometry)
    assert window.proc.poll() is None  # still open: the user can correct it
    assert config.read_bytes() == before
    window.keys("Escape")
    code, out = window.ended()
    assert code == 0
    assert out.strip() == f"Nothing saved; {config} is as it was."
    assert config.read_bytes() == before


def test_escape_leaves_the_file_untouched(settings: Callable[[Path], Settings],
                                          tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    example_with_two_monday_ranges(config)
    before = config.read_bytes()
    stat = config.stat()
    window = settings(config)
    window.type("45")
    window.keys("alt+w", "Tab", "Tab", "Tab", "Tab", "Tab", "space")
    window.type("18:00-19:00")
    window.keys("Escape")
    code, out = window.ended()
    assert code == 0, out
    assert config.read_bytes() == before
    assert config.stat().st_mtime_ns == stat.st_mtime_ns


def test_a_file_changed_while_the_window_was_open_is_not_overwritten(
        settings: Callable[[Path], Settings], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    theirs = example_with_two_monday_ranges(config).replace("break_minutes = 3",
                                                            "break_minutes = 4")
    window = settings(config)
    config.write_text(theirs)  # an editor saves meanwhile
    window.type("45")
    window.keys("ctrl+s")
    window.shot(tmp_path / "1-changed-on-disk.png")
    assert window.proc.poll() is None  # the window stays, saying why
    assert config.read_text() == theirs
    # The window offers to reload the file (the focus is on that button): then the change is
    # made again over what the file holds now, and saved.
    window.keys("space")
    window.shot(tmp_path / "2-reloaded.png")
    window.type("45")
    window.keys("ctrl+s")
    code, out = window.ended()
    assert code == 0, out
    schedule = tomllib.loads(config.read_text())["schedule"]
    assert (schedule["sit_minutes"], schedule["break_minutes"]) == (45, 4)


def test_escape_after_a_refused_save_leaves_their_file(
        settings: Callable[[Path], Settings], tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    theirs = example_with_two_monday_ranges(config).replace("break_minutes = 3",
                                                            "break_minutes = 4")
    window = settings(config)
    config.write_text(theirs)
    window.type("45")
    window.keys("ctrl+s", "Escape")
    assert window.ended()[0] == 0
    assert config.read_text() == theirs


def test_a_long_config_path_leaves_the_window_its_width_and_its_buttons(
        settings: Callable[[Path], Settings], tmp_path: Path) -> None:
    """The footer shows the path shortened in the middle: a config deep in a synced folder
    neither widens the window past the screen nor pushes Save and Cancel out of it."""
    short = tmp_path / "config.toml"
    example_with_two_monday_ranges(short)
    deep = tmp_path.joinpath(*["a-folder-synced-from-another-machine"] * 6, "config.toml")
    deep.parent.mkdir(parents=True)
    example_with_two_monday_ranges(deep)
    from PIL import Image

    widths, save_pixels = [], []
    for config in (short, deep):
        window = settings(config)
        shot, (x, y, width, height) = window.shot(tmp_path / f"{len(str(config))}.png")
        footer = Image.open(shot).convert("RGB").crop((x, y + height - 60, x + width, y + height))
        widths.append(width)
        save_pixels.append(sum(n for n, rgb in footer.getcolors(1 << 16) or []
                               if rgb == hex_rgb(ACCENT)))  # fmt: skip
        window.keys("Escape")
        assert window.ended()[0] == 0
    assert widths[1] == widths[0] <= 1280, f"window widths {widths}; see {tmp_path}"
    # The Save button (the one in the accent colour) is as whole as with a short path.
    assert save_pixels[0] > 500 and save_pixels[1] == save_pixels[0], \
        f"Save button pixels {save_pixels}; see {tmp_path}"

"""Every tab of the settings window on a real Tk (Xvfb), driven through its widgets in this
process: a window saved untouched writes nothing, whatever the file holds; days off, location
profiles, exclusions, the time zone, meetings and the login entry each reach the file (or the
autostart folder) as the models read them; a problem of a compound key lands under its field."""

from __future__ import annotations

import contextlib
import tkinter as tk
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from glutecoach.config import load_config
from glutecoach.settings.tab_coach import CoachTab
from glutecoach.settings.tab_daysoff import DaysOffTab
from glutecoach.settings.tab_desktop import DesktopTab
from glutecoach.settings.tab_hours import HoursTab
from glutecoach.settings.tab_login import LoginTab
from glutecoach.settings.window import Login, SettingsWindow

EXAMPLE = Path(__file__).resolve().parents[2] / "config.example.toml"

# A file that sets a bit of everything, in an order of its own, with comments.
RICH = """# my settings
[schedule]
timezone = "Europe/Berlin"   # home
sit_minutes = 25.5
holidays = "DE-BY"

[[schedule.days_off]]
first = 2026-12-24
last = 2027-01-01
note = "winter"

[[schedule.days_off]]
first = 2026-05-01

[schedule.hours]
mon = ["13:30-17:30", "08:00-12:00"]
fri = ["09:00-15:00"]

[coach]
exclude_exercises = ["wall-sit", "glute-bridge"]
exclude_areas = ["neck", "knees"]
[coach.locations.home]
equipment = ["wall", "chair", "band"]
[coach.locations.cafe]
when = ["fri 13:00-17:30", "mon,wed 12:00-13:00"]
seated_only = true

[meetings]
signals = ["microphone", "camera", "calendar"]
calendar = "~/work.ics"
meeting_apps = ["zoom",   "teams"]

[report]
summary_day = "mon"
summary_time = "08:30"
"""


@pytest.fixture
def root(xvfb: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tk.Tk]:
    monkeypatch.setenv("DISPLAY", xvfb)
    # The login entry goes to this test's own folder, not the user's.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path))
    window = tk.Tk(className="GluteCoach")
    yield window
    with contextlib.suppress(tk.TclError):  # Save or Cancel destroyed it already
        window.destroy()


def open_window(root: tk.Tk, path: Path) -> SettingsWindow:
    window = SettingsWindow(root, path, Login())
    root.update()
    return window


def tab(window: SettingsWindow, name: str) -> object:
    return window.tabs[name]


@pytest.mark.parametrize("text", [EXAMPLE.read_text(), RICH, ""], ids=["example", "rich", "empty"])
def test_a_window_saved_untouched_writes_nothing(root: tk.Tk, tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    if text:
        path.write_text(text)
    before = path.read_bytes() if text else None
    window = open_window(root, path)
    for name in window.tabs:  # every tab shown once, as a user looking round would
        window.notebook.select(window.tabs[name])
        root.update()
    window.save()
    assert window.outcome.saved is False, window.form.changes()
    assert (path.read_bytes() if path.exists() else None) == before


def test_days_off_coach_desktop_and_login_reach_the_file(root: tk.Tk, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(RICH)
    window = open_window(root, path)

    days = tab(window, "days-off")
    assert isinstance(days, DaysOffTab)
    assert [r.first for r in days.rows] == [date(2026, 12, 24), date(2026, 5, 1)]
    days.first.insert(0, "2026-10-03")
    days.note.insert(0, "unity day")
    days.add()
    days.tree.selection_set("2")  # 2026-05-01: the new day went before 2026-12-24
    days.remove()
    days.holidays.delete(0, "end")
    days.holidays.insert(0, "DE-BE")

    hours = tab(window, "hours")
    assert isinstance(hours, HoursTab)
    hours.zone.query.set("new york")
    root.update()
    assert hours.zone.shown == ["America/New_York"]
    hours.zone.box.selection_set(0)
    hours.zone._pick()

    coach = tab(window, "coach")
    assert isinstance(coach, CoachTab)
    editor = coach.locations
    assert list(editor.profiles) == ["office", "home", "cafe"]
    editor.names.selection_clear(0, "end")
    editor.names.selection_set(2)
    editor._choose()
    assert editor.when.get() == "fri 13:00-17:30; mon,wed 12:00-13:00"
    editor.flags["floor"].set(True)
    editor.new_name.insert(0, "train")
    editor.add()
    editor.flags["seated_only"].set(True)
    editor.equipment["band"].set(True)
    coach.default.set("home")
    coach.areas["knees"].set(False)
    bridge = coach.exercise_ids.index("glute-bridge")
    coach.exercise_box.selection_clear(bridge)

    desk = tab(window, "desktop")
    assert isinstance(desk, DesktopTab)
    desk.signals["calendar"].set(False)
    desk.calendar.delete(0, "end")
    desk.apps["meetings.ignore_apps"].delete(0, "end")

    login = tab(window, "login")
    assert isinstance(login, LoginTab)
    login.autostart.set(True)
    login.day.set("Thursday")

    window.save()
    assert window.outcome.saved, window.message.cget("text")
    cfg = load_config(path)
    s = cfg.schedule
    assert [(d.first, d.last, d.note) for d in s.days_off] == [
        (date(2026, 10, 3), None, "unity day"), (date(2026, 12, 24), date(2027, 1, 1), "winter")]
    assert s.holidays == "DE-BE"
    assert s.timezone == "America/New_York"
    assert s.hours.mon == ["08:00-12:00", "13:30-17:30"]  # untouched
    assert cfg.coach.locations["cafe"].floor is True
    assert cfg.coach.locations["train"].seated_only is True
    assert cfg.coach.locations["train"].equipment == ["band"]
    assert cfg.coach.default_location == "home"
    assert cfg.coach.exclude_areas == ["neck"]
    assert cfg.coach.exclude_exercises == ["wall-sit"]
    assert cfg.meetings.signals == ["microphone", "camera"]
    assert cfg.meetings.calendar is None
    assert cfg.meetings.ignore_apps == []
    assert cfg.meetings.meeting_apps == ["zoom", "teams"]
    assert cfg.report.summary_day == "thu"
    text = path.read_text()
    assert text.startswith("# my settings\n") and 'timezone = "America/New_York"   # home' in text
    assert 'meeting_apps = ["zoom",   "teams"]' in text  # unchanged: as the user spaced it
    entry = tmp_path / "xdg" / "autostart" / "glutecoach.desktop"
    assert window.outcome.autostart is True and window.outcome.autostart_path == [entry]
    assert "Exec=" in entry.read_text()


def test_adding_a_day_off_keeps_the_comments_of_a_list_out_of_date_order(
        root: tk.Tk, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("""[[schedule.days_off]]
# the long one
first = 2026-12-24
last = 2027-01-01  # back on the 2nd

[[schedule.days_off]]
# may day
first = 2026-05-01
""")
    window = open_window(root, path)
    days = tab(window, "days-off")
    assert isinstance(days, DaysOffTab)
    days.first.insert(0, "2026-10-03")
    days.add()
    # Before the first later day; the others keep the file's order.
    assert [r.first for r in days.rows] == [date(2026, 10, 3), date(2026, 12, 24),
                                            date(2026, 5, 1)]
    assert days.tree.selection() == ("0",)
    window.save()
    assert window.outcome.saved, window.message.cget("text")
    text = path.read_text()
    for comment in ("# the long one", "# back on the 2nd", "# may day"):
        assert comment in text, text
    assert [d.first for d in load_config(path).schedule.days_off] == [
        date(2026, 10, 3), date(2026, 12, 24), date(2026, 5, 1)]


def test_a_problem_of_a_location_shows_under_the_profiles(root: tk.Tk, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(RICH)
    before = path.read_bytes()
    window = open_window(root, path)
    coach = tab(window, "coach")
    assert isinstance(coach, CoachTab)
    editor = coach.locations
    editor.names.selection_clear(0, "end")
    editor.names.selection_set(1)  # home, now on Friday afternoons too, when the café is
    editor._choose()
    editor.when.insert("end", "; fri 14:00-15:00")
    window.notebook.select(0)
    window.save()
    root.update()
    assert window.notebook.index(window.notebook.select()) == 3  # turned to the Coach tab
    slot = window.registry.slots["coach.locations"]
    assert "overlaps" in slot.error.cget("text") and slot.error.winfo_ismapped()
    assert path.read_bytes() == before


def test_an_unreadable_day_off_is_said_beside_the_fields(root: tk.Tk, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    window = open_window(root, path)
    days = tab(window, "days-off")
    assert isinstance(days, DaysOffTab)
    days.first.insert(0, "24.12.")
    days.add()
    root.update()
    assert days.rows == []
    assert "not a date like 2026-12-24" in days.add_error.cget("text")
    assert not path.exists()


def test_the_example_file_round_trips_through_the_window(root: tk.Tk, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.read_text())
    window = open_window(root, path)
    login = tab(window, "login")
    assert isinstance(login, LoginTab)
    login.time.delete(0, "end")
    login.time.insert(0, "17:15")
    window.save()
    assert tomllib.loads(path.read_text())["report"]["summary_time"] == "17:15"
    assert [a for a, b in zip(EXAMPLE.read_text().splitlines(), path.read_text().splitlines(),
                              strict=True) if a != b] == ['summary_time = "16:00"']


def test_the_break_keys_reach_the_file_and_a_bad_volume_is_said_beside_it(
        root: tk.Tk, tmp_path: Path) -> None:
    """Heads-up, sound, volume, break screen and strict mode on the Desktop tab (issue 14)."""
    path = tmp_path / "config.toml"
    window = open_window(root, path)
    desk = tab(window, "desktop")
    assert isinstance(desk, DesktopTab)
    assert desk.numbers["desktop.heads_up_seconds"].get() == "60"  # the defaults are shown
    assert desk.combos["desktop.break_screen"].cget("values") == ("window", "fullscreen")
    desk.numbers["desktop.volume"].delete(0, "end")
    desk.numbers["desktop.volume"].insert(0, "2")
    window.save()
    root.update()
    slot = window.registry.slots["desktop.volume"]
    assert slot.error.cget("text") == "must be at most 1, not 2" and slot.error.winfo_ismapped()
    assert not path.exists()
    desk.numbers["desktop.volume"].delete(0, "end")
    desk.numbers["desktop.volume"].insert(0, "0,4")  # a decimal comma, as keyboards type it
    desk.numbers["desktop.heads_up_seconds"].delete(0, "end")
    desk.numbers["desktop.heads_up_seconds"].insert(0, "0")
    desk.combos["desktop.sound"].set("off")
    desk.combos["desktop.break_screen"].set("fullscreen")
    desk.flags["desktop.strict"].set(True)
    window.save()
    assert window.outcome.saved, window.message.cget("text")
    d = load_config(path).desktop
    assert (d.heads_up_seconds, d.sound, d.volume, d.break_screen, d.strict) == (
        0, "off", 0.4, "fullscreen", True)

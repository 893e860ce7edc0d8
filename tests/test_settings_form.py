"""The settings window's logic without a display (glutecoach/settings/form.py and fields.py):
what typed text becomes, which keys a save writes (only the changed ones, into the user's own
file, comments kept), where each problem is shown, a refused concurrent edit, and the tray's
"Settings…" starting `glutecoach settings` as a process of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import tomllib
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from glutecoach.config import load_config
from glutecoach.config_edit import ConfigChanged, ConfigDocument
from glutecoach.errors import InputError
from glutecoach.settings.fields import SCHEDULE_FIELDS, TABS
from glutecoach.settings.form import (
    DayOffRow,
    FieldError,
    SettingsForm,
    copy_day,
    day_off_row,
    parse_names,
    parse_number,
    parse_ranges,
    problem_field,
    problem_text,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


def form_of(path: Path) -> SettingsForm:
    return SettingsForm(ConfigDocument.open(path))


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old, new) for each line that differs; the files must have the same number of lines."""
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new), "lines were added or removed"
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


# --- what typed text becomes ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [
    ("30", 30), (" 45 ", 45), ("2.5", 2.5), ("2,5", 2.5), ("", None), ("  ", None),
    ("abc", "abc"), ("1e3", 1000.0),
])
def test_a_number_as_typed(text: str, value: object) -> None:
    assert parse_number(text) == value
    assert type(parse_number(text)) is type(value)


def test_ranges_and_names_drop_what_was_emptied() -> None:
    assert parse_ranges(["09:00-12:30", "  ", " 13:30-17:30 "]) == ["09:00-12:30", "13:30-17:30"]
    assert parse_names("zoom, teams,,  skype ") == ["zoom", "teams", "skype"]


def test_a_day_off_from_its_fields() -> None:
    assert day_off_row("2026-12-24", "2027-01-01", " winter ") == DayOffRow(
        date(2026, 12, 24), date(2027, 1, 1), "winter")
    one = day_off_row("2026-05-01", "", "")
    assert one.to_value() == {"first": date(2026, 5, 1)}
    assert one.span_text() == "2026-05-01"
    with pytest.raises(FieldError, match="is before the first"):
        day_off_row("2026-12-24", "2026-12-20", "")
    with pytest.raises(FieldError, match=r'"24\.12\.2026" is not a date like 2026-12-24'):
        day_off_row("24.12.2026", "", "")


def test_copying_a_day_copies_its_ranges_not_the_list() -> None:
    hours = {"mon": ["08:00-12:00", "13:00-16:00"], "tue": [], "fri": ["09:00-17:30"]}
    copy_day(hours, "mon", ["fri", "tue", "mon"])
    assert hours["fri"] == hours["tue"] == ["08:00-12:00", "13:00-16:00"]
    hours["fri"].append("17:00-18:00")
    assert hours["mon"] == ["08:00-12:00", "13:00-16:00"]


# --- what the Schedule tab says --------------------------------------------------------------


def test_each_schedule_field_has_its_unit_range_and_a_cited_or_honest_why() -> None:
    assert [f.key.split(".")[1] for f in SCHEDULE_FIELDS] == [
        "sit_minutes", "break_minutes", "away_after_minutes", "snooze_minutes", "max_snoozes",
        "response_minutes"]
    defaults = load_config(None).schedule
    evidence = Path("/work/shared/reference/evidence.md")
    cited = evidence.read_text() if evidence.exists() else EXAMPLE.read_text()
    for spec in SCHEDULE_FIELDS:
        assert spec.unit and spec.range_text
        default = getattr(defaults, spec.key.split(".")[1])
        assert spec.why.startswith(f"Default {default:g}:"), spec.why
        studies = re.findall(r"([A-Z][a-z]+) (\d{4})", spec.why)
        # Either it names studies that the evidence file names, or it says no study sets it.
        assert studies or "not a study" in spec.why or "No study" in spec.why, spec.why
        for author, year in studies:
            assert f"{author} {year}" in cited or f"{author}/" in cited, (author, year)


def test_every_tab_has_its_own_alt_letter() -> None:
    letters = [label[u].lower() for _n, label, u in TABS]
    assert len(set(letters)) == len(letters)


# --- which keys a save writes -------------------------------------------------------------------


def test_an_untouched_form_changes_nothing(example: Path) -> None:
    form = form_of(example)
    assert form.changes() == {}
    assert form.problems() == {}


def test_only_the_changed_keys_are_written_and_every_comment_stays(example: Path) -> None:
    before = example.read_text()
    form = form_of(example)
    form.values["schedule.sit_minutes"] = 45
    form.values["schedule.hours.tue"] = ["09:00-17:30", "18:00-19:00"]
    copy_hours = form.hours()
    copy_day(copy_hours, "mon", ["sat"])
    form.values["schedule.hours.sat"] = copy_hours["sat"]
    assert set(form.changes()) == {"schedule.sit_minutes", "schedule.hours.tue",
                                   "schedule.hours.sat"}
    form.save()
    after = example.read_text()
    assert changed_lines(before, after) == [
        ("sit_minutes = 30", "sit_minutes = 45"),
        ('tue = ["09:00-17:30"]', 'tue = ["09:00-17:30", "18:00-19:00"]'),
        ("sat = []", 'sat = ["09:00-17:30"]'),
    ]
    assert os.stat(example).st_mode & 0o777 == 0o600


def test_a_failed_attempt_leaves_no_trace_in_the_next(example: Path) -> None:
    form = form_of(example)
    form.values["schedule.sit_minutes"] = 0
    assert "schedule.sit_minutes" in form.problems()
    form.values["schedule.sit_minutes"] = 30  # back as it was: nothing to write
    assert form.changes() == {}
    assert form.problems() == {}
    assert form.edited().get("schedule.sit_minutes") == 30


def test_an_emptied_number_goes_back_to_its_default(example: Path) -> None:
    form = form_of(example)
    form.values["schedule.snooze_minutes"] = None
    form.save()
    text = example.read_text()
    assert "\nsnooze_minutes" not in text
    assert '"Snooze" asks again after this long' in text  # its comment stays
    assert ConfigDocument.open(example).get("schedule.snooze_minutes") == 10


def test_without_an_hours_table_one_changed_day_keeps_the_week(tmp_path: Path) -> None:
    """With no [schedule.hours], Monday to Friday 09:00-17:30 is in force; writing Tuesday
    alone would leave the other days without work hours."""
    path = tmp_path / "config.toml"
    path.write_text("# mine\n[schedule]\nsit_minutes = 25\n")
    form = form_of(path)
    assert form.hours()["mon"] == ["09:00-17:30"]
    form.values["schedule.hours.tue"] = ["09:00-17:30", "18:00-19:00"]
    form.save()
    hours = load_config(path).schedule.hours
    assert hours.mon == hours.wed == hours.fri == ["09:00-17:30"]
    assert hours.tue == ["09:00-17:30", "18:00-19:00"]
    assert hours.sat == hours.sun == []
    assert path.read_text().startswith("# mine\n[schedule]\nsit_minutes = 25\n")


def test_a_missing_file_is_created_on_save(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    path.parent.mkdir()
    form = form_of(path)
    assert form.changes() == {}
    form.values["schedule.sit_minutes"] = 40
    form.save()
    assert tomllib.loads(path.read_text())["schedule"]["sit_minutes"] == 40


def test_location_profiles_change_key_by_key(example: Path) -> None:
    before = example.read_text()
    form = form_of(example)
    locations = form.values["coach.locations"]
    assert set(locations) == {"office", "home"}
    locations["home"]["floor"] = False
    locations["cafe"] = {"when": ["fri 13:00-17:30"], "equipment": ["chair"], "discreet": True,
                         "floor": False, "seated_only": True}
    assert form.changes() == {
        "coach.locations.home.floor": False,
        "coach.locations.cafe": locations["cafe"],
    }
    form.save()
    cfg = load_config(example)
    assert cfg.coach.locations["home"].floor is False
    assert cfg.coach.locations["cafe"].seated_only is True
    assert cfg.coach.locations["office"].discreet is True
    assert before.splitlines()[0] in example.read_text()

    form = form_of(example)
    del form.values["coach.locations"]["cafe"]
    assert form.changes() == {"coach.locations.cafe": None}
    form.save()
    assert "cafe" not in load_config(example).coach.locations


def test_days_off_are_written_as_dates(example: Path) -> None:
    form = form_of(example)
    assert form.days_off() == []
    form.values["schedule.days_off"] = [
        day_off_row("2026-12-24", "2027-01-01", "winter holiday").to_value(),
        day_off_row("2026-05-01", "", "").to_value()]
    form.values["schedule.holidays"] = "DE-BY"
    form.save()
    schedule = load_config(example).schedule
    assert [d.first for d in schedule.days_off] == [date(2026, 12, 24), date(2026, 5, 1)]
    assert schedule.days_off[0].last == date(2027, 1, 1)
    assert schedule.days_off[0].note == "winter holiday"
    assert schedule.holidays == "DE-BY"
    assert form_of(example).days_off()[0] == DayOffRow(date(2026, 12, 24), date(2027, 1, 1),
                                                       "winter holiday")


# --- problems beside their fields ----------------------------------------------------------------


def test_an_invalid_value_is_named_and_the_file_stays_byte_identical(example: Path) -> None:
    before = example.read_bytes()
    form = form_of(example)
    form.values["schedule.sit_minutes"] = "abc"
    form.values["schedule.hours.tue"] = ["25:00-26:00"]
    problems = form.problems()
    assert set(problems) == {"schedule.sit_minutes", "schedule.hours.tue"}
    assert "not \"abc\"" in problem_text("schedule.sit_minutes",
                                         problems["schedule.sit_minutes"],
                                         "schedule.sit_minutes")
    with pytest.raises(InputError):
        form.save()
    assert example.read_bytes() == before


def test_a_problem_goes_to_the_field_that_shows_its_key() -> None:
    fields = ["schedule.sit_minutes", "schedule.days_off", "coach.locations",
              "coach.exclude_areas", "schedule.hours.mon"]
    assert problem_field("schedule.sit_minutes", fields) == "schedule.sit_minutes"
    assert problem_field("schedule.days_off.last", fields) == "schedule.days_off"
    assert problem_field("coach.locations.home.when", fields) == "coach.locations"
    assert problem_field("schedule.hours", fields) == "schedule.hours.mon"
    assert problem_field("desktop.presence", fields) is None


def test_a_problem_beside_its_own_field_says_no_file_and_no_key() -> None:
    line = 'my.toml:14: schedule.sit_minutes: must be at least 1 second (0.0167 minutes), not 0'
    assert problem_text("schedule.sit_minutes", line, "schedule.sit_minutes") == \
        "must be at least 1 second (0.0167 minutes), not 0"
    assert problem_text("coach.locations.home.when", "overlaps", "coach.locations") == \
        "coach.locations.home.when: overlaps"


def test_a_file_changed_on_disk_since_the_window_opened_is_not_overwritten(
        example: Path) -> None:
    form = form_of(example)
    form.values["schedule.sit_minutes"] = 45
    theirs = example.read_text().replace("break_minutes = 3", "break_minutes = 4")
    example.write_text(theirs)
    with pytest.raises(ConfigChanged):
        form.save()
    assert example.read_text() == theirs


# --- the tray's Settings… ------------------------------------------------------------------------


def test_the_tray_starts_glutecoach_settings_and_tells_why_it_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real child process: with no display it exits 1 with one line, which the coach passes
    on as a notification (the user clicked and would see nothing else), and it is reaped."""
    from glutecoach.coach.tray_bridge import TrayCommands, settings_command

    monkeypatch.delenv("DISPLAY", raising=False)
    config = tmp_path / "config.toml"
    config.write_text("[schedule]\nsit_minutes = 30\n")
    told: list[tuple[str, str]] = []
    done = threading.Event()

    def tell(title: str, body: str) -> None:
        told.append((title, body))
        done.set()

    coach = SimpleNamespace(config_path=config, tell=tell,
                            writer=SimpleNamespace(store=SimpleNamespace(
                                path=tmp_path / "home" / "glutecoach.db")))
    command = settings_command(config, tmp_path / "home")
    assert command[:1] == [sys.executable]
    assert command[-5:] == ["--home", str(tmp_path / "home"), "--config", str(config),
                            "settings"]
    commands = TrayCommands(coach)  # type: ignore[arg-type]
    commands.run("settings")
    assert done.wait(30), "the coach was not told"
    assert told[0][0] == "The settings window could not be opened"
    assert "DISPLAY is not set" in told[0][1]
    proc = commands._settings
    assert proc is not None and proc.returncode == 1  # waited for: no zombie


def test_glutecoach_settings_without_a_display_is_one_line_and_exit_1(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    done = subprocess.run([sys.executable, "-m", "glutecoach", "--config",
                           str(tmp_path / "c.toml"), "settings"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "glutecoach config set" in done.stderr

"""ConfigDocument: writes that keep the user's file (comments, blank lines, order), validated like
`config check`, refused over a file that changed meanwhile, atomic and 0600."""

from __future__ import annotations

import copy
import difflib
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from glutecoach.config import parse_config
from glutecoach.config_edit import ConfigChanged, ConfigDocument
from glutecoach.errors import GlutecoachError, InputError

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "config.example.toml"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    shutil.copyfile(EXAMPLE, path)
    return path


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines removed, lines added) between two texts."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return ([d[2:] for d in diff if d.startswith("- ")],
            [d[2:] for d in diff if d.startswith("+ ")])


def leftovers(folder: Path) -> list[str]:
    """Temporary files a save left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --- the file keeps everything but the change --------------------------------------------------


def test_changing_one_key_of_the_example_leaves_every_other_byte(example: Path) -> None:
    before = example.read_bytes()
    doc = ConfigDocument.open(example)
    doc.set("schedule.sit_minutes", 45)
    doc.save()
    assert example.read_bytes() == before.replace(b"\nsit_minutes = 30\n",
                                                  b"\nsit_minutes = 45\n", 1)
    assert before.count(b"\nsit_minutes = 30\n") == 1


def test_open_and_save_unchanged_writes_the_same_bytes(example: Path) -> None:
    before = example.read_bytes()
    ConfigDocument.open(example).save()
    assert example.read_bytes() == before


@pytest.mark.parametrize(("key", "value", "old", "new"), [
    ("schedule.break_minutes", 2.5, "break_minutes = 3", "break_minutes = 2.5"),
    ("schedule.max_snoozes", 0, "max_snoozes = 2", "max_snoozes = 0"),
    ("desktop.tray", False, "tray = true", "tray = false"),
    ("desktop.notifier", "terminal", 'notifier = "auto"', 'notifier = "terminal"'),
    ("schedule.hours.tue", ["08:00-12:00", "13:00-16:00"], 'tue = ["09:00-17:30"]',
     'tue = ["08:00-12:00", "13:00-16:00"]'),
    ("schedule.hours.fri", [], 'fri = ["09:00-17:30"]', "fri = []"),
    ("coach.locations.home.equipment", ["chair", "band"], 'equipment = ["chair", "wall"]',
     'equipment = ["chair", "band"]'),
    ("coach.start_level", 3, "start_level = 1", "start_level = 3"),
    ("report.summary_time", "17:45", 'summary_time = "16:00"', 'summary_time = "17:45"'),
    ("meetings.poll_seconds", 30, "poll_seconds = 20", "poll_seconds = 30"),
])
def test_each_kind_of_value_changes_its_own_line_only(example: Path, key: str, value: object,
                                                      old: str, new: str) -> None:
    before = example.read_text()
    doc = ConfigDocument.open(example)
    doc.set(key, value)
    doc.save()
    after = example.read_text()
    assert changed_lines(before, after) == ([old], [new])
    assert doc.get(key) == value
    parse_config(after)  # still valid


def test_a_new_key_goes_below_its_commented_out_line(example: Path) -> None:
    before = example.read_text()
    doc = ConfigDocument.open(example)
    doc.set("schedule.timezone", "Europe/Berlin")
    doc.set("meetings.calendar", "~/calendars/work.ics")
    after = doc.text()
    assert changed_lines(before, after) == (
        [], ['timezone = "Europe/Berlin"', 'calendar = "~/calendars/work.ics"'])
    assert '# timezone = "Europe/Berlin"\ntimezone = "Europe/Berlin"\n' in after
    assert '# calendar = "~/calendars/work.ics"\ncalendar = "~/calendars/work.ics"\n' in after


SECTIONS = """[schedule]
# Prompt a break after this much sitting.
sit_minutes = 30

# A prompt with no answer within this long is missed.
response_minutes = 10

# Work windows per weekday.
[schedule.hours]
mon = ["09:00-17:30"]

[coach.locations.home]
floor = true

[meetings]
poll_seconds = 20
"""


def test_a_new_key_goes_after_the_last_key_of_its_section(tmp_path: Path) -> None:
    """Not after the comments that belong to the next table (where tomlkit would put it)."""
    path = tmp_path / "c.toml"
    path.write_text(SECTIONS)
    doc = ConfigDocument.open(path)
    doc.set("schedule.holidays", "DE")
    assert doc.text() == SECTIONS.replace("response_minutes = 10\n",
                                          'response_minutes = 10\nholidays = "DE"\n')


def test_a_new_location_is_a_table_of_its_own_with_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(SECTIONS)
    doc = ConfigDocument.open(path)
    doc.set("coach.locations.gym.equipment", ["step", "band"])
    doc.set("coach.locations.gym.when", ["mon 18:00-19:30"])
    doc.save()
    # `when` above `equipment`: the keys of a table in the models' (and the template's) order.
    assert path.read_text() == SECTIONS.replace("floor = true\n", (
        'floor = true\n\n[coach.locations.gym]\nwhen = ["mon 18:00-19:30"]\n'
        'equipment = ["step", "band"]\n'))
    cfg = parse_config(path.read_text())
    assert cfg.coach.locations["gym"].equipment == ["step", "band"]
    assert cfg.coach.locations["home"].equipment == ["chair", "wall"]  # the shipped profile's


def test_a_comment_on_the_line_of_a_value_stays(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[schedule]\nsit_minutes = 30  # half an hour\nbreak_minutes = 3\n")
    doc = ConfigDocument.open(path)
    doc.set("schedule.sit_minutes", 40)
    doc.save()
    assert path.read_text() == "[schedule]\nsit_minutes = 40  # half an hour\nbreak_minutes = 3\n"


def test_one_weekday_in_a_file_without_hours_keeps_the_others(tmp_path: Path) -> None:
    """With no [schedule.hours], Monday to Friday 09:00-17:30 is in force: a table with only
    `mon` would leave the other days empty."""
    path = tmp_path / "c.toml"
    path.write_text("[schedule]\nsit_minutes = 20\n\n[desktop]\ntray = false\n")
    doc = ConfigDocument.open(path)
    doc.set("schedule.hours.mon", ["09:00-12:30", "13:30-17:30"])
    doc.save()
    hours = parse_config(path.read_text()).schedule.hours
    assert hours.mon == ["09:00-12:30", "13:30-17:30"]
    assert hours.tue == hours.fri == ["09:00-17:30"] and hours.sat == []
    assert path.read_text().startswith("[schedule]\nsit_minutes = 20\n\n[schedule.hours]\n")
    assert path.read_text().endswith('sun = []\n\n[desktop]\ntray = false\n')


def test_keys_in_an_empty_file_make_their_sections(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    doc = ConfigDocument.open(path)
    doc.set("schedule.sit_minutes", 45)
    doc.set("report.summary_time", "17:00")
    doc.save()
    assert path.read_text() == ('[schedule]\nsit_minutes = 45\n\n[report]\n'
                                'summary_time = "17:00"\n')


def test_a_missing_file_may_start_as_the_template(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    doc = ConfigDocument.open(path, template=True)
    assert not doc.changed()
    doc.set("schedule.sit_minutes", 45)
    doc.save()
    assert path.read_text() == EXAMPLE.read_text().replace(
        "\nsit_minutes = 30\n", "\nsit_minutes = 45\n", 1)


def test_dotted_keys_and_inline_tables_are_edited_where_they_are(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("schedule.sit_minutes = 30\n\n[desktop]\ntray = true\n")
    doc = ConfigDocument.open(path)
    doc.set("schedule.sit_minutes", 40)
    assert doc.text() == "schedule.sit_minutes = 40\n\n[desktop]\ntray = true\n"
    path.write_text("schedule = { sit_minutes = 30 }\n")
    doc = ConfigDocument.open(path)
    doc.set("schedule.snooze_minutes", 4)
    assert parse_config(doc.text()).schedule.snooze_minutes == 4


def test_crlf_and_byte_order_mark_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(b"\xef\xbb\xbf# mine\r\n[schedule]\r\nsit_minutes = 30\r\n")
    doc = ConfigDocument.open(path)
    doc.set("schedule.sit_minutes", 40)
    doc.set("schedule.break_minutes", 2)
    doc.save()
    assert path.read_bytes() == (b"\xef\xbb\xbf# mine\r\n[schedule]\r\nsit_minutes = 40\r\n"
                                 b"break_minutes = 2\r\n")


# --- days off: a list of tables changed entry by entry --------------------------------------

DAYS_OFF = """[schedule]
sit_minutes = 30

# the ones I know of
[[schedule.days_off]]
first = 2026-12-24  # christmas
last = 2026-12-26

[[schedule.days_off]]
first = 2027-03-01
note = "spring"

[desktop]
tray = true
"""


def test_adding_and_removing_a_day_off_keeps_the_others_and_their_comments(
        tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(DAYS_OFF)
    doc = ConfigDocument.open(path)
    entries = doc.get("schedule.days_off")
    assert [e["first"] for e in entries] == [date(2026, 12, 24), date(2027, 3, 1)]
    doc.set("schedule.days_off", [*entries, {"first": date(2027, 5, 1), "note": "may"}])
    doc.save()
    assert path.read_text() == DAYS_OFF.replace(
        "\n[desktop]", '\n[[schedule.days_off]]\nfirst = 2027-05-01\nnote = "may"\n\n[desktop]')
    doc.set("schedule.days_off", entries)
    doc.save()
    assert path.read_text() == DAYS_OFF  # back to every byte
    doc.set("schedule.days_off", entries[1:])
    doc.save()
    assert "# christmas" not in path.read_text() and "# the ones I know of" in path.read_text()
    doc.set("schedule.days_off", [])
    doc.save()
    assert "days_off" not in path.read_text()
    assert parse_config(path.read_text()).schedule.days_off == []


INLINE_DAYS_OFF = """[schedule]
days_off = [
    # agreed with the team
    { first = 2026-12-24, last = 2026-12-26, note = "christmas" },  # paid
    { first = 2027-03-01, note = "spring" },
]
holidays = "DE"
"""


def test_days_off_written_inline_stay_inline_and_keep_their_comments(tmp_path: Path) -> None:
    """The template has `days_off = []`: entries go into that list, one a line."""
    path = tmp_path / "c.toml"
    path.write_text(INLINE_DAYS_OFF)
    doc = ConfigDocument.open(path)
    entries = doc.get("schedule.days_off")
    doc.set("schedule.days_off", [*entries, {"first": date(2027, 5, 1)}])
    doc.save()
    assert path.read_text() == INLINE_DAYS_OFF.replace(
        '"spring" },\n', '"spring" },\n    {first = 2027-05-01},\n')
    doc.set("schedule.days_off", entries)
    doc.save()
    assert path.read_text() == INLINE_DAYS_OFF
    doc.set("schedule.days_off", entries[1:])
    assert "# agreed with the team" in doc.text() and "# paid" not in doc.text()
    doc.set("schedule.days_off", [])
    assert doc.text() == '[schedule]\ndays_off = []\nholidays = "DE"\n'


def test_the_templates_empty_days_off_becomes_one_entry_a_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[schedule]\ndays_off = []\n# holidays = "DE-BY"\n')
    doc = ConfigDocument.open(path)
    doc.set("schedule.days_off", [{"first": date(2027, 1, 4), "note": "x"}])
    doc.set("schedule.holidays", "DE-BY")
    assert doc.text() == ('[schedule]\ndays_off = [\n    {first = 2027-01-04, note = "x"},\n]\n'
                          '# holidays = "DE-BY"\nholidays = "DE-BY"\n')
    assert doc.problems() == {}


# --- values in force ----------------------------------------------------------------------


def test_get_gives_the_value_in_force(example: Path, tmp_path: Path) -> None:
    doc = ConfigDocument.open(example)
    assert doc.get("schedule.sit_minutes") == 30 and isinstance(
        doc.get("schedule.sit_minutes"), int)  # as written, not the model's 30.0
    assert doc.get("schedule.timezone") is None and not doc.is_set("schedule.timezone")
    assert doc.is_set("schedule.hours.mon")
    path = tmp_path / "mine.toml"
    path.write_text("[coach.locations.home]\nfloor = false\n")
    doc = ConfigDocument.open(path)
    # The shipped profile with the file's key over it, as the coach reads it.
    assert doc.get("coach.locations.home") == {
        "when": ["sat-sun 00:00-24:00"], "equipment": ["chair", "wall"], "discreet": False,
        "floor": False, "seated_only": False}
    assert doc.get("coach.locations.gym.equipment") == []
    assert doc.get("schedule.hours.mon") == ["09:00-17:30"] and not doc.is_set("schedule.hours")


def test_unset_brings_the_default_back(example: Path) -> None:
    doc = ConfigDocument.open(example)
    doc.set("schedule.sit_minutes", 45)
    doc.save()
    doc.unset("schedule.sit_minutes")
    assert doc.get("schedule.sit_minutes") == 30 and not doc.is_set("schedule.sit_minutes")
    doc.unset("schedule.hours")
    assert doc.get("schedule.hours.mon") == ["09:00-17:30"]
    assert "[schedule.hours]" not in doc.text()
    parse_config(doc.text())


def test_a_key_unset_set_and_unset_again(example: Path) -> None:
    """Found by the property below: a key put back in its place could not be removed again."""
    doc = ConfigDocument.open(example)
    doc.unset("schedule.sit_minutes")
    doc.set("schedule.sit_minutes", 45)
    assert "\nsit_minutes = 45\n\n# A gap in keyboard" in doc.text()
    doc.unset("schedule.sit_minutes")
    assert not doc.is_set("schedule.sit_minutes")


def test_unknown_keys_say_did_you_mean(example: Path) -> None:
    doc = ConfigDocument.open(example)
    with pytest.raises(InputError, match=re.escape(
            'unknown key schedule.sit_minute; did you mean "sit_minutes"?')):
        doc.set("schedule.sit_minute", 3)
    with pytest.raises(InputError, match=re.escape(
            'unknown key coach.locations.home.flor; did you mean "floor"?')):
        doc.get("coach.locations.home.flor")


# --- validation: the words of `config check`, and nothing invalid written ------------------


@pytest.mark.parametrize(("key", "value", "toml"), [
    ("schedule.sit_minutes", 0, "sit_minutes = 0"),
    ("schedule.sit_minutes", "45", 'sit_minutes = "45"'),
    ("desktop.presence", "telepathy", 'presence = "telepathy"'),
    ("schedule.hours.mon", ["9 to 5"], 'mon = ["9 to 5"]'),
    ("report.summary_time", "25:00", 'summary_time = "25:00"'),
    ("coach.start_level", 9, "start_level = 9"),
])
def test_problems_are_worded_as_config_check_words_them(example: Path, key: str, value: object,
                                                        toml: str) -> None:
    name = key.rsplit(".", 1)[1]
    text = example.read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith(f"{name} ="))
    with pytest.raises(InputError) as check:
        parse_config(text.replace(f"\n{line}\n", f"\n{toml}\n", 1), "cfg")
    doc = ConfigDocument.open(example)
    doc.set(key, value)
    (message,) = doc.problems().values()
    assert check.value.lines() == [f"cfg:{check.value.lines()[0].split(':')[1]}: {message}"]
    assert list(doc.problems()) == [key]


def test_a_problem_of_two_keys_is_given_for_both(example: Path) -> None:
    doc = ConfigDocument.open(example)
    doc.set("schedule.break_minutes", 10)
    assert doc.problems() == {
        "schedule.away_after_minutes":
            "schedule.away_after_minutes: must be at least break_minutes (10), not 5",
        "schedule.break_minutes":
            "schedule.break_minutes: must be at most away_after_minutes (5), not 10",
    }


def test_an_invalid_document_is_not_written(example: Path) -> None:
    before = example.read_bytes()
    doc = ConfigDocument.open(example)
    doc.set("schedule.sit_minutes", 0)
    with pytest.raises(InputError) as info:
        doc.save()
    assert info.value.lines() == [
        f"{example}: schedule.sit_minutes: must be at least 1 second (0.0167 minutes), not 0",
        f"{example}: not saved; the file is as it was"]
    assert example.read_bytes() == before
    assert leftovers(example.parent) == []
    with pytest.raises(InputError):
        doc.config()


def test_a_problem_already_in_the_file_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[schedule]\nsit_minutes = 30\n\n[desktop]\nnotifier = "bogus"\n')
    doc = ConfigDocument.open(path)
    doc.set("schedule.sit_minutes", 40)
    with pytest.raises(InputError) as info:
        doc.save()
    assert info.value.lines()[0].startswith(f'{path}:5: desktop.notifier: "bogus" is not one')


def test_a_file_that_is_not_toml_is_refused_at_open(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[schedule\n")
    with pytest.raises(InputError, match=rf"^{path}:1: not valid TOML"):
        ConfigDocument.open(path)


# --- the write: refused over someone else's change, 0600, atomic ---------------------------


def test_a_file_changed_since_it_was_opened_is_not_overwritten(example: Path) -> None:
    doc = ConfigDocument.open(example)
    doc.set("schedule.sit_minutes", 45)
    theirs = example.read_text() + "# added in an editor meanwhile\n"
    example.write_text(theirs)
    with pytest.raises(ConfigChanged) as info:
        doc.save()
    assert info.value.lines() == [
        f"{example} changed on disk since it was opened (by an editor or another window?); "
        "nothing was written: open it again and make the change there"]
    assert info.value.exit_code == 2
    assert example.read_text() == theirs
    again = ConfigDocument.open(example)  # opened again, the change goes in beside theirs
    again.set("schedule.sit_minutes", 45)
    again.save()
    assert example.read_text().endswith("# added in an editor meanwhile\n")


def test_a_file_created_since_a_missing_one_was_opened_is_not_overwritten(
        tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    doc = ConfigDocument.open(path)
    doc.set("schedule.sit_minutes", 45)
    path.write_text("[desktop]\ntray = false\n")
    with pytest.raises(ConfigChanged, match="was created on disk"):
        doc.save()
    assert path.read_text() == "[desktop]\ntray = false\n"


def test_saved_twice_from_one_document(example: Path) -> None:
    """The settings window may save, then save again: its own first save is no conflict."""
    doc = ConfigDocument.open(example)
    doc.set("schedule.sit_minutes", 45)
    doc.save()
    doc.set("schedule.sit_minutes", 50)
    doc.save()
    assert "\nsit_minutes = 50\n" in example.read_text()


def test_the_file_is_0600_whatever_the_umask(example: Path, tmp_path: Path) -> None:
    example.chmod(0o644)
    old = os.umask(0)
    try:
        doc = ConfigDocument.open(example)
        doc.set("schedule.sit_minutes", 45)
        doc.save()
        fresh = ConfigDocument.open(tmp_path / "new" / "config.toml")
        fresh.set("desktop.tray", False)
        fresh.save()
    finally:
        os.umask(old)
    assert stat.S_IMODE(example.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new" / "config.toml").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700


def test_a_link_to_the_file_stays_a_link(example: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(example)
    doc = ConfigDocument.open(link)
    doc.set("schedule.sit_minutes", 45)
    doc.save()
    assert link.is_symlink() and "\nsit_minutes = 45\n" in example.read_text()


def test_a_copy_is_changed_alone(example: Path) -> None:
    doc = ConfigDocument.open(example)
    twin = copy.deepcopy(doc)
    twin.set("coach.locations.gym.floor", True)
    twin.set("schedule.sit_minutes", 45)
    assert not doc.changed() and twin.changed()
    twin.save()
    assert doc.get("schedule.sit_minutes") == 30
    with pytest.raises(ConfigChanged):  # the original was opened before the copy saved
        doc.save()


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small file system of our own (root only: skipped elsewhere)."""
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs",
                           str(mnt)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_a_read_only_folder_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "config.toml"
    shutil.copyfile(EXAMPLE, path)
    before = path.read_bytes()
    doc = ConfigDocument.open(path)
    doc.set("schedule.sit_minutes", 45)
    if os.geteuid() == 0:  # root writes into any folder: make it a read-only file system
        if shutil.which("mount") is None or subprocess.run(
                ["mount", "--bind", "-o", "ro", str(folder), str(folder)],
                capture_output=True).returncode != 0:
            pytest.skip("cannot make a read-only mount here")
    else:
        folder.chmod(0o500)
    try:
        with pytest.raises(GlutecoachError) as info:
            doc.save()
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", str(folder)], check=False)
        folder.chmod(0o700)
    assert str(info.value).startswith(f"{path}: cannot save the config (")
    assert str(info.value).endswith("; the file is as it was")
    assert info.value.exit_code == 1
    assert path.read_bytes() == before
    assert leftovers(folder) == []


def test_a_full_disk_half_way_leaves_no_partial_file(tmpfs: Path) -> None:
    """The write fails after the temporary file was made: it is removed and the config is whole
    (a write in place would have left it cut short)."""
    path = tmpfs / "config.toml"
    shutil.copyfile(EXAMPLE, path)
    before = path.read_bytes()
    fd = os.open(tmpfs / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:  # fill the disk to the last block
        while os.write(fd, b"x" * 1024):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    doc = ConfigDocument.open(path)
    doc.set("meetings.ignore_apps", [f"app-{i}" for i in range(500)])  # some 5 kB more
    with pytest.raises(GlutecoachError, match="No space left on device"):
        doc.save()
    assert path.read_bytes() == before
    assert leftovers(tmpfs) == []


# --- any sequence of changes ----------------------------------------------------------------

# Valid values for keys of every kind, set and unset in any order below.
POOL: list[tuple[str, object]] = [
    ("schedule.sit_minutes", 45), ("schedule.sit_minutes", 12.5),
    ("schedule.timezone", "Europe/Berlin"), ("schedule.max_snoozes", 0),
    ("schedule.hours.mon", ["08:00-12:00", "13:00-17:00"]), ("schedule.hours.sat", []),
    ("schedule.hours.sun", ["10:00-11:00"]),
    ("desktop.tray", False), ("desktop.notifier", "terminal"),
    ("report.summary_time", "09:15"), ("report.weekly_summary", False),
    ("coach.start_level", 4), ("coach.exclude_areas", ["knees"]),
    ("coach.locations.home.equipment", ["chair", "band"]),
    ("coach.locations.gym.when", ["tue 18:00-19:00"]), ("coach.locations.gym.floor", True),
    ("meetings.calendar", "~/work.ics"), ("meetings.poll_seconds", 5),
    ("schedule.days_off", [{"first": date(2027, 1, 4), "last": date(2027, 1, 8)}]),
]


@pytest.mark.parametrize("start", ["example", "sections", "empty"])
def test_any_sequence_of_changes_gives_what_was_set_and_keeps_the_rest(tmp_path: Path,
                                                                       start: str) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    original = {"example": EXAMPLE.read_text(), "sections": SECTIONS, "empty": ""}[start]
    steps = st.lists(st.tuples(st.sampled_from(POOL), st.booleans()), max_size=12)

    @settings(max_examples=40, deadline=None)
    @given(steps)
    def check(changes: list[tuple[tuple[str, object], bool]]) -> None:
        path = tmp_path / "c.toml"
        path.write_text(original)
        doc = ConfigDocument.open(path)
        expected: dict[str, object] = {}
        for (key, value), keep in changes:
            if keep:
                doc.set(key, value)
                expected[key] = value
            else:
                doc.unset(key)
                expected.pop(key, None)
        assert doc.problems() == {}
        doc.save()
        again = ConfigDocument.open(path)
        for key, value in expected.items():
            got = again.get(key)
            if key == "schedule.days_off":
                got = [{k: v for k, v in e.items() if v not in (None, "")} for e in got]
            assert got == value, key
        # Every comment of the template is still there, in the same order.
        comments = [ln for ln in original.splitlines() if ln.startswith("#")]
        kept = iter(path.read_text().splitlines())
        assert all(c in kept for c in comments)

    check()

"""`glutecoach config get | set | unset`: every kind of key, the errors of `config check` with the
file untouched, and a running coach that takes the change at once."""

from __future__ import annotations

import difflib
import json
import stat
from pathlib import Path

import pytest
from cli_helpers import EXAMPLE, example_config_in_force, isolate, run_cli

from glutecoach.config import parse_config

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cfg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return example_config_in_force(monkeypatch, tmp_path)


def diff(before: str, after: str) -> tuple[list[str], list[str]]:
    lines = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return ([d[2:] for d in lines if d.startswith("- ")],
            [d[2:] for d in lines if d.startswith("+ ")])


# One case per kind of value: the words typed, the line(s) the file loses and gains, and what
# `config set` says changed.
CASES = [
    # int
    (["schedule.max_snoozes", "3"], ["max_snoozes = 2"], ["max_snoozes = 3"], "2 -> 3"),
    # float minutes: a whole number stays one, a fraction is a float
    (["schedule.sit_minutes", "45"], ["sit_minutes = 30"], ["sit_minutes = 45"], "30 -> 45"),
    (["schedule.break_minutes", "2.5"], ["break_minutes = 3"], ["break_minutes = 2.5"],
     "3 -> 2.5"),
    # bools, in every spelling
    (["desktop.tray", "off"], ["tray = true"], ["tray = false"], "true -> false"),
    (["desktop.break_window", "no"], ["break_window = true"], ["break_window = false"],
     "true -> false"),
    (["report.weekly_summary", "False"], ["weekly_summary = true"], ["weekly_summary = false"],
     "true -> false"),
    # string choices
    (["desktop.notifier", "terminal"], ['notifier = "auto"'], ['notifier = "terminal"'],
     "auto -> terminal"),
    (["report.summary_day", "mon"], ['summary_day = "fri"'], ['summary_day = "mon"'],
     "fri -> mon"),
    # a list of windows, and an empty one
    (["schedule.hours.mon", "09:00-12:30", "13:30-17:30"], ['mon = ["09:00-17:30"]'],
     ['mon = ["09:00-12:30", "13:30-17:30"]'], "09:00-17:30 -> 09:00-12:30 13:30-17:30"),
    (["schedule.hours.fri"], ['fri = ["09:00-17:30"]'], ["fri = []"], "09:00-17:30 -> (none)"),
    (["schedule.hours.thu", "--empty"], ['thu = ["09:00-17:30"]'], ["thu = []"],
     "09:00-17:30 -> (none)"),
    # a time zone and a holidays code: new keys
    (["schedule.timezone", "America/New_York"], [], ['timezone = "America/New_York"'],
     "(not set) -> America/New_York"),
    (["schedule.holidays", "DE-BY"], [], ['holidays = "DE-BY"'], "(not set) -> DE-BY"),
    # location profiles
    (["coach.locations.home.equipment", "chair", "wall", "band"],
     ['equipment = ["chair", "wall"]'], ['equipment = ["chair", "wall", "band"]'],
     "chair wall -> chair wall band"),
    (["coach.locations.office.discreet", "false"], ["discreet = true"], ["discreet = false"],
     "true -> false"),
    (["coach.locations.office.when", "mon-fri 09:00-17:30"], ["when = []"],
     ['when = ["mon-fri 09:00-17:30"]'], '(none) -> "mon-fri 09:00-17:30"'),
    (["coach.start_level", "2"], ["start_level = 1"], ["start_level = 2"], "1 -> 2"),
    (["coach.exclude_areas", "knees", "floor-work"], ["exclude_areas = []"],
     ['exclude_areas = ["knees", "floor-work"]'], "(none) -> knees floor-work"),
    (["coach.default_location", "home"], ['default_location = "office"'],
     ['default_location = "home"'], "office -> home"),
    # the weekly summary's time
    (["report.summary_time", "17:30"], ['summary_time = "16:00"'], ['summary_time = "17:30"'],
     "16:00 -> 17:30"),
    # meetings
    (["meetings.signals", "camera", "microphone"],
     ['signals = ["camera", "microphone", "fullscreen", "inhibitor", "do-not-disturb"]'],
     ['signals = ["camera", "microphone"]'],
     "camera microphone fullscreen inhibitor do-not-disturb -> camera microphone"),
    (["meetings.calendar", "~/calendars/work.ics"], [], ['calendar = "~/calendars/work.ics"'],
     "(not set) -> ~/calendars/work.ics"),
    (["meetings.poll_seconds", "7.5"], ["poll_seconds = 20"], ["poll_seconds = 7.5"],
     "20 -> 7.5"),
    (["meetings.ignore_apps", "pavucontrol"],
     ['ignore_apps = ["pavucontrol", "pwvucontrol", "easyeffects"]'],
     ['ignore_apps = ["pavucontrol"]'], "pavucontrol pwvucontrol easyeffects -> pavucontrol"),
]


@pytest.mark.parametrize(("words", "gone", "added", "said"), CASES,
                         ids=[" ".join(c[0]) for c in CASES])
def test_set_changes_that_key_only(capsys, cfg: Path, words: list[str], gone: list[str],
                                   added: list[str], said: str) -> None:
    before = cfg.read_text()
    r = run_cli(capsys, "config", "set", *words)
    assert (r.code, r.err) == (0, "")
    assert r.out == f"{words[0]}: {said}\n"
    assert diff(before, cfg.read_text()) == (gone, added)
    parse_config(cfg.read_text())  # still valid
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    got = run_cli(capsys, "config", "get", words[0], "--json")
    values = [w for w in words[1:] if w != "--empty"]
    expected = json.loads(added[0].split(" = ", 1)[1]) if added else None
    assert got.json() == expected
    if len(values) == 1 and not isinstance(expected, list):
        assert run_cli(capsys, "config", "get", words[0]).out.strip() == values[0].replace(
            "False", "false").replace("off", "false").replace("no", "false")


BAD = [
    (["schedule.sit_minutes", "0"],
     "schedule.sit_minutes: must be at least 1 second (0.0167 minutes), not 0"),
    (["schedule.sit_minutes", "half-an-hour"],
     'schedule.sit_minutes: expected a number of minutes, e.g. 30; not "half-an-hour"'),
    (["schedule.max_snoozes", "-1"], "schedule.max_snoozes: must be at least 0, not -1"),
    (["desktop.tray", "maybe"], 'desktop.tray: expected true or false, e.g. true; not "maybe"'),
    (["desktop.notifier", "pigeon"], 'desktop.notifier: "pigeon" is not one of "auto", '
     '"freedesktop", "desktop-notifier", "plyer", "terminal"'),
    (["schedule.hours.mon", "9-5"], 'schedule.hours.mon: "9-5" is not a window like '
     '"09:00-12:30"'),
    (["schedule.hours.mon", "09:00-13:00", "12:00-17:00"],
     "schedule.hours.mon: windows 09:00-13:00 and 12:00-17:00 overlap"),
    (["schedule.timezone", "Europe/Berln"], 'schedule.timezone: "Europe/Berln" is not an IANA '
     'time zone name (like "Europe/Berlin"); did you mean "Europe/Berlin"?'),
    (["report.summary_time", "25:00"], 'report.summary_time: "25:00" is not a time of day like '
     '"16:00"'),
    (["coach.locations.home.equipment", "chair", "rope"], 'coach.locations.home.equipment: '
     '"rope" is not one of "chair", "wall", "stairs", "step", "band"'),
    (["coach.start_level", "9"], "coach.start_level: must be at most 5, not 9"),
    (["meetings.signals", "camera", "camera"],
     "meetings.signals: camera listed more than once"),
    (["schedule.break_minutes", "10"],
     "schedule.break_minutes: must be at most away_after_minutes (5), not 10"),
]


@pytest.mark.parametrize(("words", "message"), BAD, ids=[" ".join(b[0]) for b in BAD])
def test_a_bad_value_is_refused_in_the_words_of_config_check(capsys, cfg: Path,
                                                             words: list[str],
                                                             message: str) -> None:
    before = cfg.read_bytes()
    r = run_cli(capsys, "config", "set", *words)
    assert r.code == 2 and r.out == ""
    errors = r.err.splitlines()
    assert f"glutecoach: error: {cfg}: {message}" in errors
    assert errors[-1] == f"glutecoach: error: {cfg}: not saved; the file is as it was"
    assert cfg.read_bytes() == before
    assert sorted(p.name for p in cfg.parent.iterdir()) == ["config.toml"]


def test_the_words_are_those_config_check_prints_for_the_same_file(capsys, cfg: Path,
                                                                   tmp_path: Path) -> None:
    r = run_cli(capsys, "config", "set", "desktop.presence", "telepathy")
    broken = tmp_path / "broken.toml"
    broken.write_text(cfg.read_text().replace('presence = "auto"', 'presence = "telepathy"'))
    check = run_cli(capsys, "config", "check", broken)
    assert check.code == r.code == 2
    ours = r.err.splitlines()[0].split(f"{cfg}: ", 1)[1]
    theirs = check.err.splitlines()[0].split(f"{broken}:", 1)[1].split(": ", 1)[1]
    assert ours == theirs


@pytest.mark.parametrize(("key", "message"), [
    ("schedule.sit_minute", 'unknown key schedule.sit_minute; did you mean "sit_minutes"?'),
    ("desktop.notifer", 'unknown key desktop.notifer; did you mean "notifier"?'),
    ("schedul.sit_minutes", 'unknown key schedul; did you mean "schedule"?'),
    ("coach.locations.home.flor", 'unknown key coach.locations.home.flor; did you mean '
                                  '"floor"?'),
])
def test_an_unknown_key_says_did_you_mean(capsys, cfg: Path, key: str, message: str) -> None:
    before = cfg.read_bytes()
    for command in (["set", key, "1"], ["get", key], ["unset", key]):
        r = run_cli(capsys, "config", *command)
        assert (r.code, r.err) == (2, f"glutecoach: error: {message}\n")
    assert cfg.read_bytes() == before


def test_keys_that_are_tables_or_need_a_value(capsys, cfg: Path) -> None:
    r = run_cli(capsys, "config", "set", "schedule.sit_minutes")
    assert r.code == 2 and "schedule.sit_minutes needs a value (back to the default: " \
        "glutecoach config unset schedule.sit_minutes)" in r.err
    r = run_cli(capsys, "config", "set", "schedule.hours", "x")
    assert r.code == 2 and "schedule.hours is a table: set its keys one at a time, e.g. " \
        "glutecoach config set schedule.hours.mon VALUE" in r.err
    r = run_cli(capsys, "config", "set", "schedule.days_off", "2026-12-24")
    assert r.code == 2 and "glutecoach off add" in r.err
    r = run_cli(capsys, "config", "set", "schedule.sit_minutes", "--empty")
    assert r.code == 2 and "schedule.sit_minutes is not a list" in r.err
    r = run_cli(capsys, "config", "set", "schedule.timezone", "Europe/Berlin", "UTC")
    assert r.code == 2 and "takes one value, not 2" in r.err


def test_set_key_equals_value(capsys, cfg: Path) -> None:
    r = run_cli(capsys, "config", "set", "schedule.sit_minutes=40")
    assert r.out == "schedule.sit_minutes: 30 -> 40\n"


def test_setting_the_value_in_force_writes_nothing(capsys, cfg: Path) -> None:
    cfg.chmod(0o644)
    r = run_cli(capsys, "config", "set", "schedule.sit_minutes", "30")
    assert r.out == f"schedule.sit_minutes is already 30; {cfg} is as it was.\n"
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o644  # not even rewritten


def test_set_creates_a_missing_config_from_the_template(capsys, monkeypatch, tmp_path) -> None:
    isolate(monkeypatch, tmp_path)
    path = tmp_path / "xdg-config" / "glutecoach" / "config.toml"
    r = run_cli(capsys, "config", "set", "schedule.sit_minutes", "45")
    assert r.code == 0
    assert r.out == (f"Created {path} from the commented template of `config init`.\n"
                     "schedule.sit_minutes: 30 -> 45\n")
    assert path.read_text() == EXAMPLE.read_text().replace("\nsit_minutes = 30\n",
                                                           "\nsit_minutes = 45\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_set_writes_the_file_named_by_config(capsys, cfg: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text("[schedule]\nsit_minutes = 20\n")
    r = run_cli(capsys, "--config", other, "config", "set", "schedule.sit_minutes", "25")
    assert r.out == "schedule.sit_minutes: 20 -> 25\n"
    assert other.read_text() == "[schedule]\nsit_minutes = 25\n"
    assert cfg.read_text() == EXAMPLE.read_text()


def test_a_file_broken_elsewhere_is_not_written(capsys, cfg: Path) -> None:
    cfg.write_text(cfg.read_text().replace('presence = "auto"', 'presence = "telepathy"'))
    before = cfg.read_bytes()
    r = run_cli(capsys, "config", "set", "schedule.sit_minutes", "45")
    line = next(i for i, t in enumerate(before.decode().splitlines(), 1) if "telepathy" in t)
    assert r.code == 2
    assert r.err.splitlines()[0].startswith(
        f'glutecoach: error: {cfg}:{line}: desktop.presence: "telepathy" is not one of')
    assert cfg.read_bytes() == before


def test_get_prints_values_lists_and_sections(capsys, cfg: Path) -> None:
    r = run_cli(capsys, "config", "get", "schedule.sit_minutes")
    assert (r.out, r.err) == ("30\n", f"schedule.sit_minutes: set in {cfg}\n")
    r = run_cli(capsys, "config", "get", "schedule.timezone")
    assert (r.out, r.err) == ("", f"schedule.timezone (not set): the default; {cfg} does not "
                                  "set it\n")
    run_cli(capsys, "config", "set", "schedule.hours.mon", "09:00-12:30", "13:30-17:30")
    assert run_cli(capsys, "config", "get", "schedule.hours.mon").out == \
        "09:00-12:30\n13:30-17:30\n"
    section = run_cli(capsys, "config", "get", "schedule").out
    assert section.startswith("[schedule]\nsit_minutes = 30\nbreak_minutes = 3\n")
    assert '[schedule.hours]\nmon = ["09:00-12:30", "13:30-17:30"]\n' in section
    assert run_cli(capsys, "config", "get", "coach.locations.home", "--json").json() == {
        "when": ["sat-sun 00:00-24:00"], "equipment": ["chair", "wall"], "discreet": False,
        "floor": True, "seated_only": False}


def test_get_without_a_config_file_gives_the_defaults(capsys, monkeypatch, tmp_path) -> None:
    isolate(monkeypatch, tmp_path)
    r = run_cli(capsys, "config", "get", "report.summary_day")
    assert r.code == 0 and r.out == "fri\n" and "the default" in r.err


def test_unset_goes_back_to_the_default(capsys, cfg: Path) -> None:
    run_cli(capsys, "config", "set", "schedule.sit_minutes", "45")
    r = run_cli(capsys, "config", "unset", "schedule.sit_minutes")
    assert r.out == "schedule.sit_minutes: 45 -> 30 (the default)\n"
    assert "sit_minutes =" not in cfg.read_text()
    r = run_cli(capsys, "config", "unset", "schedule.sit_minutes")
    assert r.out == f"{cfg} does not set schedule.sit_minutes: its default is in force (30).\n"
    run_cli(capsys, "config", "set", "coach.locations.gym.equipment", "step")
    r = run_cli(capsys, "config", "unset", "coach.locations.gym")
    assert r.code == 0 and "[coach.locations.gym]" not in cfg.read_text()
    assert diff(EXAMPLE.read_text(), cfg.read_text()) == (["sit_minutes = 30"], [])


def test_unset_that_would_break_the_config_is_refused(capsys, cfg: Path) -> None:
    run_cli(capsys, "config", "set", "schedule.away_after_minutes", "10")
    run_cli(capsys, "config", "set", "schedule.break_minutes", "8")
    before = cfg.read_bytes()
    r = run_cli(capsys, "config", "unset", "schedule.away_after_minutes")
    assert r.code == 2 and "schedule.away_after_minutes: must be at least break_minutes (8), " \
        "not 5" in r.err
    assert cfg.read_bytes() == before


def test_help_teaches_with_examples(capsys) -> None:
    for command in ("get", "set", "unset"):
        r = run_cli(capsys, "config", command, "--help")
        assert r.code == 0 and "Examples:" in r.out
    assert "glutecoach config set schedule.hours.mon 09:00-12:30 13:30-17:30" in \
        run_cli(capsys, "config", "set", "--help").out


# --- a running coach takes the change at once -------------------------------------------------


def test_a_running_coach_reloads_after_set(capsys, cfg: Path, tmp_path: Path) -> None:
    from test_coach_service import MONDAY_9, RecordingNotifier, ScriptedPresence, VirtualClock

    from glutecoach.coach.service import Coach
    from glutecoach.control import ControlServer, socket_path
    from glutecoach.store import Store
    from glutecoach.store.writer import StoreWriter

    home = tmp_path / "home"
    store = Store.open(home)
    clock = VirtualClock(MONDAY_9)
    coach = Coach(config=parse_config(cfg.read_text()), config_path=cfg,
                  writer=StoreWriter(store, "Europe/Berlin"),
                  presence=ScriptedPresence(clock, MONDAY_9),  # type: ignore[arg-type]
                  notifier=RecordingNotifier(), clock=clock)  # type: ignore[arg-type]
    server = ControlServer(socket_path(home), coach.handle)
    server.start()
    try:
        r = run_cli(capsys, "config", "set", "schedule.sit_minutes", "45")
        assert r.out == "schedule.sit_minutes: 30 -> 45 (the running coach has it now)\n"
        assert coach.config.schedule.sit_minutes == 45
        r = run_cli(capsys, "config", "set", "desktop.tray", "false")
        assert r.out == ("desktop.tray: true -> false (the running coach applies desktop.tray "
                         "at its next start)\n")
        r = run_cli(capsys, "config", "unset", "schedule.sit_minutes")
        assert r.out.endswith("(the default) (the running coach has it now)\n")
        assert coach.config.schedule.sit_minutes == 30
    finally:
        server.stop()
        store.close()


def test_no_coach_running_is_no_error(capsys, cfg: Path, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "control.sock").write_text("")  # left behind by a coach that died
    r = run_cli(capsys, "config", "set", "schedule.sit_minutes", "45")
    assert (r.code, r.out, r.err) == (0, "schedule.sit_minutes: 30 -> 45\n", "")

"""The config file: where it is read from, strict validation whose errors name key and line, and
`config check | init | path`. config.example.toml must match the models' defaults exactly."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import isolate, run_cli
from pydantic import BaseModel

from glutecoach.config import (
    WEEKDAYS,
    Config,
    Schedule,
    load_config,
    load_effective_config,
    parse_config,
    resolve_config_path,
)
from glutecoach.errors import InputError
from glutecoach.paths import package_file

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "config.example.toml"




@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No GLUTECOACH_* from the environment; the platform dirs point into tmp_path."""
    isolate(monkeypatch, tmp_path)
    yield tmp_path / "xdg-config" / "glutecoach" / "config.toml"


@pytest.fixture
def default_path(isolated: Path) -> Path:
    return isolated


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(text: str, name: str = "cfg.toml") -> str:
    with pytest.raises(InputError) as info:
        parse_config(text, name)
    message = str(info.value)
    assert "\n" not in message
    assert type(info.value).exit_code == 2
    return message


# --- defaults and where the file is read from ---------------------------------------------------


def test_no_file_means_the_spec_defaults(default_path: Path) -> None:
    cfg, path = load_effective_config(None)
    assert path is None
    assert not default_path.exists()
    s = cfg.schedule
    assert (s.sit_minutes, s.break_minutes, s.away_after_minutes, s.snooze_minutes,
            s.max_snoozes, s.response_minutes) == (30, 3, 5, 10, 2, 10)
    assert s.timezone is None
    for day in WEEKDAYS[:5]:
        assert [str(w) for w in s.hours.windows(WEEKDAYS.index(day))] == ["09:00-17:30"]
    assert s.hours.sat == [] and s.hours.sun == []
    assert cfg == load_config(None) == Config()


def test_precedence_option_then_environment_then_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, default_path: Path) -> None:
    option = write(tmp_path / "option.toml", "[schedule]\nsit_minutes = 11\n")
    env = write(tmp_path / "env.toml", "[schedule]\nsit_minutes = 12\n")
    write(default_path, "[schedule]\nsit_minutes = 13\n")
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(env))

    assert resolve_config_path(option) == (option, "--config")
    assert load_effective_config(option)[0].schedule.sit_minutes == 11
    assert resolve_config_path(None) == (env, "$GLUTECOACH_CONFIG")
    assert load_effective_config(None)[0].schedule.sit_minutes == 12
    monkeypatch.delenv("GLUTECOACH_CONFIG")
    assert resolve_config_path(None) == (default_path, "default")
    assert load_effective_config(None) == (Config.model_validate(
        {"schedule": {"sit_minutes": 13}}), default_path)


def test_precedence_through_the_cli(capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                    default_path: Path) -> None:
    option = write(tmp_path / "option.toml", "[schedule]\nsit_minutes = 11\n")
    env = write(tmp_path / "env.toml", "[schedule]\nsit_minutes = 12\n")
    write(default_path, "[schedule]\nsit_minutes = 13\n")
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(env))

    for args in (["--config", str(option), "config", "check"],
                 ["config", "check", "--config", str(option)]):
        r = run_cli(capsys, *args)
        assert r.code == 0 and "prompt after 11 min" in r.out, r
    r = run_cli(capsys, "config", "path", "--config", str(option))
    assert r.out == f"{option}\n" and "--config" in r.err

    r = run_cli(capsys, "config", "check")
    assert r.code == 0 and "prompt after 12 min" in r.out
    r = run_cli(capsys, "config", "path")
    assert r.out == f"{env}\n" and "$GLUTECOACH_CONFIG" in r.err

    monkeypatch.delenv("GLUTECOACH_CONFIG")
    r = run_cli(capsys, "config", "check")
    assert r.code == 0 and "prompt after 13 min" in r.out
    r = run_cli(capsys, "config", "path")
    assert r.out == f"{default_path}\n" and "default" in r.err

    default_path.unlink()
    r = run_cli(capsys, "config", "check")
    assert r.code == 0 and "defaults" in r.out
    r = run_cli(capsys, "config", "path")
    assert r.out == f"{default_path}\n" and "does not exist" in r.err


@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_named_config_that_does_not_exist_is_an_error(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        how: str) -> None:
    missing = tmp_path / "nope.toml"
    args = ["simulate", str(REPO / "tests" / "data" / "worked_example.csv")]
    if how == "option":
        args += ["--config", str(missing)]
    else:
        monkeypatch.setenv("GLUTECOACH_CONFIG", str(missing))
    r = run_cli(capsys, *args)
    assert r.code == 2
    assert r.err == f"glutecoach: error: {missing}: no such config file\n"
    assert r.out == ""


# --- validation -----------------------------------------------------------------------------------


def test_unknown_key_suggests_the_right_one_with_its_line() -> None:
    text = "# my settings\n[schedule]\nsit_minutes = 25\n\nsnooze_minuts = 5\n"
    assert error_of(text) == 'cfg.toml:5: unknown key schedule.snooze_minuts; did you mean ' \
                             '"snooze_minutes"?'


@pytest.mark.parametrize(("text", "line", "wrong", "right"), [
    ("[schedul]\nsit_minutes = 1\n", 1, "schedul", "schedule"),
    ("[schedule]\n[schedule.hours]\nmonday = []\n", 3, "schedule.hours.monday", "mon"),
    ('[schedule]\nhours = {mon = [], tues = []}\n', 2, "schedule.hours.tues", "tue"),
    ("schedule.break_minute = 2\n", 1, "schedule.break_minute", "break_minutes"),
    ("[schedule]\ntime_zone = 'UTC'\n", 2, "schedule.time_zone", "timezone"),
])
def test_unknown_keys_anywhere(text: str, line: int, wrong: str, right: str) -> None:
    message = error_of(text)
    assert message.startswith(f"cfg.toml:{line}: unknown key {wrong}")
    assert f'did you mean "{right}"' in message


def test_unknown_key_without_a_close_match_lists_the_known_ones() -> None:
    message = error_of("[schedule]\nxyzzy = 1\n")
    assert message.startswith("cfg.toml:2: unknown key schedule.xyzzy")
    for key in Schedule.model_fields:
        assert key in message


def _sections() -> list[tuple[str, type[BaseModel]]]:
    out = []
    for name, field in Config.model_fields.items():
        assert isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        out.append((name, field.annotation))
    return out


def _wrong_type(default: Any) -> str:
    """A TOML value of the wrong type for a key with this default."""
    if isinstance(default, bool):
        return '"yes"'
    if isinstance(default, int | float):
        return '"soon"'
    if isinstance(default, dict | list):  # a sub-table or a list of windows
        return '"always"'
    return "42"  # strings and optional strings


EVERY_KEY = [(section, key) for section, model in _sections() for key in model.model_fields]


@pytest.mark.parametrize(("section", "key"), EVERY_KEY, ids=[f"{s}.{k}" for s, k in EVERY_KEY])
def test_every_key_is_type_checked_and_named_with_its_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, section: str, key: str) -> None:
    model = dict(_sections())[section]
    default = model().model_dump()[key]
    text = f"# a comment\n[{section}]\n\n{key} = {_wrong_type(default)}\n"
    assert error_of(text).startswith(f"cfg.toml:4: {section}.{key}: ")

    path = write(tmp_path / "bad.toml", text)
    r = run_cli(capsys, "config", "check", str(path))
    assert r.code == 2
    assert r.out == ""
    assert r.err.startswith(f"glutecoach: error: {path}:4: {section}.{key}: ")
    what = r.err.split(f"{section}.{key}: ", 1)[1]
    assert what.startswith("expected ") or " is not one of " in what, what  # our words
    assert "Input should" not in r.err, "pydantic's words, not ours"
    assert len(r.err.splitlines()) == 1


@pytest.mark.parametrize("day", WEEKDAYS)
def test_every_weekday_is_checked(day: str) -> None:
    text = f"[schedule]\nsit_minutes = 30\n\n[schedule.hours]\n{day} = [\"09:00-12:00\", \"1pm\"]\n"
    message = error_of(text)
    assert message.startswith(f"cfg.toml:5: schedule.hours.{day}: ")
    assert "1pm" in message
    assert error_of(f'[schedule.hours]\n{day} = "09:00-12:00"\n').startswith(
        f"cfg.toml:2: schedule.hours.{day}: ")


@pytest.mark.parametrize(("line", "words"), [
    ("sit_minutes = 0", ("sit_minutes", "at least 1 second", "not 0")),
    ("sit_minutes = -5", ("sit_minutes",)),
    ("sit_minutes = true", ("sit_minutes", "number", "not true")),  # TOML booleans are not 1
    ('sit_minutes = "30"', ("sit_minutes", "number")),  # nor strings numbers
    ("break_minutes = 0.0", ("break_minutes",)),
    ("response_minutes = -0.5", ("response_minutes",)),
    ("snooze_minutes = 0", ("snooze_minutes",)),
    ("max_snoozes = -1", ("max_snoozes",)),
    ("max_snoozes = 1.5", ("max_snoozes", "expected a whole number")),
    ('timezone = "Mars/Olympus_Mons"', ("timezone", "Mars/Olympus_Mons", "IANA")),
    ('timezone = "Europe/Berln"', ("timezone", "Europe/Berln")),
    ("sit_minutes = [30]", ("sit_minutes", "expected a number of minutes, e.g. 30; not [30]")),
])
def test_bad_values_name_key_and_line(line: str, words: tuple[str, ...]) -> None:
    message = error_of(f"[schedule]\n# comment = 1\naway_after_minutes = 5\n{line}\n")
    assert message.startswith("cfg.toml:4: schedule."), message
    for word in words:
        assert word in message


@pytest.mark.parametrize(("window", "words"), [
    ("09:00-25:00", ("does not exist",)),
    ("09:60-10:00", ("does not exist",)),
    ("24:00-24:00", ("does not exist",)),
    ("17:00-09:00", ("cross midnight",)),
    ("09:00-09:00", ("ends before it starts",)),
    ("9 to 5", ("not a window",)),
])
def test_bad_windows(window: str, words: tuple[str, ...]) -> None:
    message = error_of(f'[schedule.hours]\nmon = ["{window}"]\n')
    assert message.startswith("cfg.toml:2: schedule.hours.mon: ")
    for word in words:
        assert word in message


def test_overlapping_windows_are_refused() -> None:
    message = error_of('[schedule.hours]\ntue = ["13:00-17:00", "09:00-13:30"]\n')
    assert message.startswith("cfg.toml:2: schedule.hours.tue: ")
    assert "overlap" in message


def test_windows_are_sorted_and_may_end_at_midnight() -> None:
    cfg = parse_config('[schedule.hours]\nwed = ["22:00-24:00", "00:00-01:00", "9:05-12:00"]\n')
    assert cfg.schedule.hours.wed == ["00:00-01:00", "09:05-12:00", "22:00-24:00"]
    assert cfg.schedule.hours.mon == []  # a table given replaces the default week
    ends = [w.end for w in cfg.schedule.hours.windows(2)]
    assert ends[-1] is None


def test_away_shorter_than_break_is_refused() -> None:
    message = error_of("[schedule]\nbreak_minutes = 6\naway_after_minutes = 5\n")
    assert "away_after_minutes" in message and "break_minutes" in message
    assert re.match(r"cfg\.toml:\d+: ", message)


@pytest.mark.parametrize(("text", "expected"), [
    # Both set: the line of away_after_minutes, not the [schedule] header's.
    ("[schedule]\nbreak_minutes = 6\n\nsit_minutes = 30\naway_after_minutes = 5\n",
     "cfg.toml:5: schedule.away_after_minutes: must be at least break_minutes (6), not 5"),
    # Only break_minutes set (away_after_minutes at its default 5): the line of break_minutes.
    ("[schedule]\nsit_minutes = 30\nbreak_minutes = 6\n",
     "cfg.toml:3: schedule.break_minutes: must be at most away_after_minutes (5), not 6"),
    ("schedule.break_minutes = 6\n",
     "cfg.toml:1: schedule.break_minutes: must be at most away_after_minutes (5), not 6"),
    # Two locations: the `when` of the one this file sets (home's is the shipped default).
    ('[coach.locations.gym]\nfloor = true\nwhen = ["sat 10:00-12:00"]\n',
     'cfg.toml:3: coach.locations.gym.when: home.when "sat-sun 00:00-24:00" overlaps gym.when '
     '"sat 10:00-12:00": you can be in one place at a time'),
])
def test_an_error_about_two_keys_points_at_a_key_the_file_sets(text: str, expected: str) -> None:
    assert error_of(text) == expected


def test_every_error_is_shown_each_at_its_own_line(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    text = ('[schedule]\nsit_minutes = "30"\nsnooze_minutes = 1e-9\ntimezone = "Mars/Base"\n'
            '[schedule.hours]\nmon = "09:00-17:30"\ntue = ["9 to 5"]\n'
            '[desktop]\npresence = "telepathy"\ntray = "yes"\n[report]\nsumary_day = "fri"\n')
    with pytest.raises(InputError) as info:
        parse_config(text, "cfg.toml")
    assert info.value.lines() == [
        'cfg.toml:2: schedule.sit_minutes: expected a number of minutes, e.g. 30; not "30"',
        "cfg.toml:3: schedule.snooze_minutes: must be at least 1 second (0.0167 minutes), "
        "not 1e-09",
        'cfg.toml:4: schedule.timezone: "Mars/Base" is not an IANA time zone name (like '
        '"Europe/Berlin")',
        'cfg.toml:6: schedule.hours.mon: expected a list of "HH:MM-HH:MM" strings, e.g. '
        '["09:00-12:30", "13:30-17:30"]; not "09:00-17:30"',
        'cfg.toml:7: schedule.hours.tue: "9 to 5" is not a window like "09:00-12:30"',
        'cfg.toml:9: desktop.presence: "telepathy" is not one of "auto", "x11", "wayland", '
        '"mutter", "freedesktop", "macos", "windows"',
        'cfg.toml:10: desktop.tray: expected true or false, e.g. true; not "yes"',
        'cfg.toml:12: unknown key report.sumary_day; did you mean "summary_day"?',
    ]
    # Where there is room for one line only (the coach's reply to `reload`): the first, counted.
    assert str(info.value) == info.value.lines()[0] + " (and 7 more)"

    path = write(tmp_path / "c.toml", text)
    for args in (["config", "check", str(path)], ["--config", str(path), "simulate",
                                                  str(REPO / "tests" / "data" /
                                                      "worked_example.csv")]):
        r = run_cli(capsys, *args)
        assert r.code == 2 and r.out == ""
        assert r.err.splitlines() == [f"glutecoach: error: {path}:{line.split(':', 1)[1]}"
                                      for line in info.value.lines()]


@pytest.mark.parametrize(("line", "expected"), [
    ('timezone = 1', 'schedule.timezone: expected a text in quotes, e.g. "Europe/Berlin"; not 1'),
    ("max_snoozes = true", "schedule.max_snoozes: expected a whole number, e.g. 2; not true"),
    ("hours = 5", 'schedule.hours: expected a table: a line "[schedule.hours]" with its keys '
                  "below it; not 5"),
])
def test_type_errors_say_the_right_form_with_an_example(line: str, expected: str) -> None:
    assert error_of(f"[schedule]\n{line}\n") == f"cfg.toml:2: {expected}"


def test_a_config_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbf[schedule]\nsit_minutes = 25\n')
    assert load_config(path).schedule.sit_minutes == 25
    assert parse_config("\ufeff[schedule]\nsit_minutes = 25\n").schedule.sit_minutes == 25
    path.write_bytes(b'\xef\xbb\xbf[schedule]\n\nsit_minute = 25\n')
    with pytest.raises(InputError, match=r"bom\.toml:3: unknown key schedule\.sit_minute"):
        load_config(path)


def test_toml_syntax_error_names_the_line() -> None:
    message = error_of("[schedule]\nsit_minutes = 25\nbreak_minutes = \nsnooze_minutes = 5\n")
    assert message.startswith("cfg.toml")
    assert "not valid TOML" in message
    assert re.search(r"\bline 3\b", message), message


def test_a_file_that_is_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[schedule]\ntimezone = "Europe/Z\xfcrich"\n')
    with pytest.raises(InputError, match="cannot read"):
        load_config(path)


def test_fractions_of_minutes_are_accepted() -> None:
    cfg = parse_config("[schedule]\nsit_minutes = 0.25\nbreak_minutes = 0.1\n"
                       "away_after_minutes = 0.2\nsnooze_minutes = 1.5\nresponse_minutes = 0.75\n")
    s = cfg.schedule
    assert (s.sit_minutes, s.break_minutes, s.away_after_minutes, s.snooze_minutes,
            s.response_minutes) == (0.25, 0.1, 0.2, 1.5, 0.75)


def test_fractions_reach_the_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """sit_minutes = 0.5: the prompt comes 30 seconds into the stretch."""
    cfg = write(tmp_path / "c.toml", '[schedule]\ntimezone = "UTC"\nsit_minutes = 0.5\n'
                                     '[schedule.hours]\nmon = ["00:00-24:00"]\n')
    trace = write(tmp_path / "t.csv", "at,until,event\n"
                                      "2026-11-23T09:00:00Z,2026-11-23T09:00:40Z,active\n")
    r = run_cli(capsys, "simulate", str(trace), "--config", str(cfg), "--json")
    assert r.code == 0, r.err
    assert [p["at"] for p in json.loads(r.out)["prompts"]] == ["2026-11-23T09:00:30+00:00"]


# --- config check | init | path ------------------------------------------------------------------


def test_config_check_ok_and_bad(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = write(tmp_path / "good.toml", '[schedule]\ntimezone = "Asia/Tokyo"\nsit_minutes = 45\n')
    r = run_cli(capsys, "config", "check", str(good))
    assert r.code == 0
    assert r.out.startswith(f"{good}: OK")
    assert "45 min" in r.out and "Asia/Tokyo" in r.out
    bad = write(tmp_path / "bad.toml", "[schedule]\nsit_minutes = 45\nsitminutes = 4\n")
    r = run_cli(capsys, "config", "check", str(bad))
    assert r.code == 2
    assert r.err == (f'glutecoach: error: {bad}:3: unknown key schedule.sitminutes; '
                     'did you mean "sit_minutes"?\n')
    r = run_cli(capsys, "config", "check", str(tmp_path / "missing.toml"))
    assert r.code == 2 and "no such config file" in r.err


def test_config_init_writes_the_example_and_refuses_to_overwrite(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        default_path: Path) -> None:
    r = run_cli(capsys, "config", "init")
    assert r.code == 0, r.err
    assert default_path.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")
    assert load_config(default_path) == Config()
    assert str(default_path) in r.out

    mine = "[schedule]\nsit_minutes = 20  # mine\n"
    default_path.write_text(mine, encoding="utf-8")
    r = run_cli(capsys, "config", "init")
    assert r.code == 1
    assert len(r.err.splitlines()) == 1
    assert str(default_path) in r.err and "already exists" in r.err
    assert default_path.read_text(encoding="utf-8") == mine

    elsewhere = tmp_path / "new" / "dir" / "glute.toml"
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(elsewhere))
    r = run_cli(capsys, "config", "init")
    assert r.code == 0 and elsewhere.exists()
    r = run_cli(capsys, "config", "init", "--config", str(tmp_path / "opt.toml"))
    assert r.code == 0 and (tmp_path / "opt.toml").exists()


# --- the example file ---------------------------------------------------------------------


def test_the_example_validates() -> None:
    assert load_config(EXAMPLE) == Config()
    assert package_file("config.example.toml").read_text(encoding="utf-8") == \
        EXAMPLE.read_text(encoding="utf-8")


def test_every_key_appears_in_the_example_at_its_model_default() -> None:
    """Change a default in the models or in the example alone, and this fails."""
    text = EXAMPLE.read_text(encoding="utf-8")
    parsed = tomllib.loads(text)
    assert set(parsed) <= set(Config.model_fields)
    for section, model in _sections():
        defaults = model().model_dump()
        given = parsed.get(section, {})
        assert f"[{section}]" in text, section
        assert set(given) <= set(defaults), f"[{section}] has keys the model does not know"
        for key, default in defaults.items():
            if default is None:
                # "None" is not TOML: the key is shown commented out, and left unset.
                assert key not in given, f"{section}.{key}"
                assert re.search(rf"^#\s*{key}\s*=", text, re.MULTILINE), f"{section}.{key}"
            else:
                assert key in given, f"{section}.{key} is missing from the example"
                assert given[key] == default, f"{section}.{key}: {given[key]!r} != {default!r}"
                assert type(given[key]) is type(default) or isinstance(default, float), \
                    f"{section}.{key}"

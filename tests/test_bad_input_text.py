"""What files hold reaches the terminal escaped (issue 11, item 3): a NUL, ANSI escapes that
clear the screen, a right-to-left override, a line break are shown as \\x00, \\x1b, \\u202e, \\x0a
in error and warning lines, whoever prints them; and a config saved with a byte order mark is
read like any other, as traces with one already were."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from cli_helpers import isolate, run_cli

from glutecoach import errors

DATA = Path(__file__).parent / "data"
CLEAR = "\x1b[2J\x1b[H"  # clear the screen, cursor home


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def raw_controls(text: str) -> list[str]:
    """Control and format characters other than the line ends of the lines themselves."""
    return [c for line in text.splitlines() for c in line
            if unicodedata.category(c) in ("Cc", "Cf")]


def test_printable_escapes_what_a_terminal_would_obey() -> None:
    assert errors.printable(f"a{CLEAR}b\x00c\u202ed\ne\x7f\u2028é ✓") == \
        "a\\x1b[2J\\x1b[Hb\\x00c\\u202ed\\x0ae\\x7f\\u2028é ✓"


def test_error_lines_of_the_real_command_are_escaped(tmp_path: Path) -> None:
    """Through the installed entry point, as a user meets it: the trace's own file name and its
    content both carry escapes."""
    trace = tmp_path / f"day{CLEAR}.csv"
    trace.write_text(f"at,until,event\n2026-11-23T09:00:00,2026-11-23T09:31:00,{CLEAR}gone\n"
                     "2026-11-23T09:40:00\x00,,done\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "glutecoach", "--config",
                           str(DATA / "berlin.toml"), "--home", str(tmp_path / "home"),
                           "simulate", str(trace)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)})
    assert done.returncode == 2
    assert raw_controls(done.stderr) == []
    assert done.stderr == (f"glutecoach: error: {tmp_path}/day\\x1b[2J\\x1b[H.csv:2: unknown "
                           'event "\\x1b[2J\\x1b[Hgone" (known: active, locked, suspended, '
                           "paused, done, snooze, skip)\n")


def test_usage_errors_quote_what_was_typed_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    """click's own errors (an unknown command, a bad option value) quote the command line."""
    done = run_cli(capsys, f"{CLEAR}boom")
    assert done.code == 2
    assert raw_controls(done.err) == []
    assert "\\x1b[2J\\x1b[Hboom" in done.err
    done = run_cli(capsys, "pause", f"1h{CLEAR}")
    assert raw_controls(done.err) == [] and done.err.startswith("glutecoach: error: ")


def test_warning_lines_are_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A warning quotes the trace's name: an answer with no prompt pending."""
    trace = tmp_path / f"x{CLEAR}\u202e.csv"
    trace.write_text("at,until,event\n2026-11-23T09:00:00,2026-11-23T09:10:00,active\n"
                     "2026-11-23T09:05:00,,skip\n", encoding="utf-8")
    r = run_cli(capsys, "--config", DATA / "berlin.toml", "simulate", trace, "--json")
    assert r.code == 0
    assert r.err.startswith("glutecoach: warning: ")
    assert "x\\x1b[2J\\x1b[H\\u202e.csv:3:" in r.err
    assert raw_controls(r.err) == []


def test_every_line_of_an_error_with_several_is_escaped(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[schedule]\ntimezone = "\\u001b[2J"\n[desktop]\npresence = "\\u0000x"\n',
                      encoding="utf-8")
    r = run_cli(capsys, "config", "check", config)
    assert r.code == 2
    assert r.err.splitlines() == [
        f'glutecoach: error: {config}:2: schedule.timezone: "\\x1b[2J" is not an IANA time zone '
        'name (like "Europe/Berlin")',
        # A value quoted as TOML writes it: the escape is TOML's own.
        f'glutecoach: error: {config}:4: desktop.presence: "\\u0000x" is not one of "auto", '
        '"x11", "wayland", "mutter", "freedesktop", "macos", "windows"',
    ]


def test_exercise_file_problems_in_config_check_are_escaped(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[schedule]\nsit_minutes = 0\n", encoding="utf-8")
    mine = tmp_path / "exercises.d"
    mine.mkdir()
    shutil.copy(DATA / "bad" / "exercises" / "typo-key.toml", mine / f"a{CLEAR}.toml")
    r = run_cli(capsys, "config", "check", config)
    assert r.code == 2
    lines = r.err.splitlines()
    assert len(lines) == 2, r.err
    assert lines[0].startswith(f"glutecoach: error: {config}:2: schedule.sit_minutes: ")
    assert lines[1].startswith("glutecoach: error: exercises.d/a\\x1b[2J\\x1b[H.toml: id: ")
    assert raw_controls(r.err) == []


def test_a_config_with_a_byte_order_mark_is_accepted(capsys: pytest.CaptureFixture[str],
                                                     tmp_path: Path) -> None:
    config = tmp_path / "bom.toml"
    config.write_bytes(b'\xef\xbb\xbf[schedule]\r\ntimezone = "Europe/Berlin"\r\n'
                       b"sit_minutes = 45\r\n")
    r = run_cli(capsys, "config", "check", config)
    assert r.code == 0, r.err
    assert "prompt after 45 min" in r.out
    sim = run_cli(capsys, "--config", config, "simulate", DATA / "worked_example.csv", "--json")
    assert sim.code == 0, sim.err
    assert len(sim.json()["prompts"]) == 1  # 45 minutes: one prompt in the worked example


def test_the_error_object_keeps_every_line_and_one_line_for_small_spaces() -> None:
    err = errors.InputError("first", "second", "third")
    assert err.lines() == ["first", "second", "third"]
    assert str(err) == "first (and 2 more)"
    only = errors.InputError("only")
    assert str(only) == "only" and only.lines() == ["only"]

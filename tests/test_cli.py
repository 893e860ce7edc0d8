"""The command line (spec/cli.md): --version, --help everywhere, simulate on the worked example,
--record and its refusal, history, and errors as one line with exit 2 or 1 and no traceback.

Most checks call main() in-process (fast); a handful run `python -m glutecoach` end to end."""

from __future__ import annotations

import copy
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

import click
import pytest
from cli_helpers import Run, isolate, run_cli
from freezegun import freeze_time

import glutecoach
from glutecoach.cli.main import cli
from glutecoach.store import DB_NAME

DATA = Path(__file__).parent / "data"
WORKED = DATA / "worked_example.csv"
BERLIN_CFG = DATA / "berlin.toml"


def worked_example_json(offset: str) -> dict[str, Any]:
    """spec/sitting-rules.md, "Worked example", as spec/cli.md's JSON (exercises aside: see
    `assert_worked_example`)."""
    return {
        "prompts": [
            {"at": f"2026-11-23T09:30:00{offset}", "outcome": "done", "auto": True},
            {"at": f"2026-11-23T10:04:30{offset}", "outcome": "missed", "auto": False},
        ],
        "days": [{
            "date": "2026-11-23", "sitting_minutes": 76.5, "longest_sitting_minutes": 45.5,
            "prompts": 2, "done": 1, "snoozed": 0, "skipped": 0, "missed": 1,
            "natural_breaks": 0, "compliance": 0.5,
        }],
    }


def assert_worked_example(doc: dict[str, Any], offset: str) -> None:
    """The worked example, each prompt offering a planned library exercise, never the same
    exercise twice in a row."""
    from glutecoach.library import load_library

    library = load_library()
    exercises = [p.pop("exercise") for p in doc["prompts"]]
    assert all(library.get(e) is not None for e in exercises), exercises
    assert exercises[0] != exercises[1]
    assert doc == worked_example_json(offset)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No GLUTECOACH_* from outside; the platform dirs point into tmp_path."""
    isolate(monkeypatch, tmp_path)
    yield


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """GLUTECOACH_HOME and GLUTECOACH_CONFIG (Europe/Berlin, defaults) set for the test."""
    h = tmp_path / "home"
    monkeypatch.setenv("GLUTECOACH_HOME", str(h))
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(BERLIN_CFG))
    return h


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def shifted_example(tmp_path: Path, name: str, day: int, hour: int = 9) -> Path:
    """The worked example moved to another day and/or to start at another hour."""
    by = timedelta(days=day - 23, hours=hour - 9)

    def move(m: re.Match[str]) -> str:
        return (datetime.fromisoformat(m.group(0)) + by).isoformat()

    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", move, WORKED.read_text(encoding="utf-8"))
    return write(tmp_path / name, text)


def table_counts(home: Path) -> dict[str, int]:
    conn = sqlite3.connect(home / DB_NAME)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("stretches", "breaks", "prompts", "exercise_log")}
    finally:
        conn.close()


def assert_one_line_error(r: Run, code: int, *words: str) -> None:
    assert r.code == code, r
    assert r.out == ""
    assert len(r.err.splitlines()) == 1, r.err
    assert r.err.startswith("glutecoach: error: ")
    for word in words:
        assert word in r.err, r.err


# --- version and help ---------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "--version")
    assert r.code == 0
    assert r.out == f"glutecoach {dist_version('glutecoach')}\n"
    assert dist_version("glutecoach") == glutecoach.__version__


def _commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    ctx = click.Context(group)
    # Through click's API, not group.commands: the top level imports commands when asked for.
    for name in group.list_commands(ctx):
        sub = group.get_command(ctx, name)
        if isinstance(sub, click.Group):
            out += _commands(sub, (*path, name))
        else:
            out.append((*path, name))
    return out


def _command(path: tuple[str, ...]) -> click.Command:
    cmd: click.Command = cli
    for name in path:
        assert isinstance(cmd, click.Group)
        found = cmd.get_command(click.Context(cmd), name)
        assert found is not None, name
        cmd = found
    return cmd


COMMANDS = _commands()


def test_the_spec_commands_exist() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {"simulate", "history", "config", "config check", "config init", "config path"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "glutecoach" for p in COMMANDS])
def test_help_for_every_command(capsys: pytest.CaptureFixture[str], path: tuple[str, ...]) -> None:
    cmd = _command(path)
    for flag in ("--help", "-h"):
        r = run_cli(capsys, *path, flag)
        assert r.code == 0, r.err
        assert r.err == ""
        assert r.out.startswith(f"Usage: {' '.join(('glutecoach', *path))}")
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden:
                for opt in param.opts:
                    if opt.startswith("--"):
                        assert opt in r.out, f"{opt} missing from {' '.join(path)} --help"
            elif isinstance(param, click.Argument):
                assert param.make_metavar(click.Context(cmd)) in r.out
        if isinstance(cmd, click.Group):
            for name in cmd.commands:
                assert name in r.out
        assert (cmd.help or "").split("\n")[0].strip()[:30] in r.out


def test_help_explains_simulate_and_history(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "simulate", "--help")
    for word in ("at,until,event", "active", "locked", "suspended", "paused", "done", "snooze",
                 "skip", "--record", "--json"):
        assert word in r.out
    r = run_cli(capsys, "history", "--help")
    for word in ("--since", "YYYY-MM", "oldest first", "missed", "pending"):
        assert word in r.out


# --- simulate -----------------------------------------------------------------------------------


def test_simulate_json_is_the_worked_example(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "simulate", WORKED, "--config", BERLIN_CFG, "--json")
    assert r.code == 0, r.err
    assert r.err == ""
    assert_worked_example(r.json(), "+01:00")


@pytest.mark.parametrize(("zone", "offset"), [
    ("America/New_York", "-05:00"), ("Asia/Kolkata", "+05:30"), ("UTC", "+00:00"),
    ("Pacific/Chatham", "+13:45"),
])
def test_simulate_times_carry_the_config_zone(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              zone: str, offset: str) -> None:
    cfg = write(tmp_path / "c.toml", f'[schedule]\ntimezone = "{zone}"\n')
    r = run_cli(capsys, "simulate", WORKED, "--config", cfg, "--json")
    assert r.code == 0, r.err
    assert_worked_example(r.json(), offset)


def test_simulate_does_not_read_the_wall_clock(capsys: pytest.CaptureFixture[str]) -> None:
    for frozen in ("2026-11-23 09:45:00", "1999-01-01 00:00:00", "2040-06-30 23:59:59"):
        with freeze_time(frozen):
            r = run_cli(capsys, "simulate", WORKED, "--config", BERLIN_CFG, "--json")
        assert_worked_example(r.json(), "+01:00")


def test_simulate_table(capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "simulate", WORKED, "--config", BERLIN_CFG, "--prompts")
    assert r.code == 0, r.err
    assert "Mon 2026-11-23" in r.out
    assert "1:16" in r.out  # 76.5 min sitting, as hours:minutes
    assert "50%" in r.out
    assert "done (auto)" in r.out and "missed" in r.out
    assert "09:30:00" in r.out and "10:04:30" in r.out


def test_simulate_without_record_creates_no_home(capsys: pytest.CaptureFixture[str],
                                                 home: Path) -> None:
    r = run_cli(capsys, "simulate", WORKED, "--json")
    assert r.code == 0, r.err
    assert not home.exists()


def test_simulate_record_writes_the_history(capsys: pytest.CaptureFixture[str],
                                            home: Path) -> None:
    r = run_cli(capsys, "simulate", WORKED, "--record")
    assert r.code == 0, r.err
    assert "Recorded" in r.out
    conn = sqlite3.connect(home / DB_NAME)
    try:
        # The one prompt done (auto) logs every item of the plan it showed.
        (plan_json,) = conn.execute(
            "SELECT plan_json FROM prompts WHERE outcome = 'done'").fetchone()
        items = len(json.loads(plan_json)["items"])
        assert items >= 1
        assert table_counts(home) == {"stretches": 2, "breaks": 1, "prompts": 2,
                                      "exercise_log": items}
        prompts = conn.execute("SELECT shown_utc, outcome, auto, answered_utc, tz, source "
                               "FROM prompts ORDER BY shown_utc").fetchall()
        stretches = conn.execute("SELECT start_utc, end_utc FROM stretches ORDER BY start_utc")\
            .fetchall()
        breaks = conn.execute("SELECT kind, reason FROM breaks").fetchall()
    finally:
        conn.close()
    assert prompts == [
        ("2026-11-23 08:30:00.000000", "done", 1, "2026-11-23 08:34:00.000000", "Europe/Berlin",
         "simulate"),
        ("2026-11-23 09:04:30.000000", "missed", 0, "2026-11-23 09:14:30.000000",
         "Europe/Berlin", "simulate"),
    ]
    assert stretches == [("2026-11-23 08:00:00.000000", "2026-11-23 08:31:00.000000"),
                         ("2026-11-23 08:34:30.000000", "2026-11-23 09:20:00.000000")]
    assert breaks == [("prompted", "idle")]


def test_record_twice_is_refused_and_adds_nothing(capsys: pytest.CaptureFixture[str],
                                                  home: Path, tmp_path: Path) -> None:
    assert run_cli(capsys, "simulate", WORKED, "--record").code == 0
    before = table_counts(home)

    r = run_cli(capsys, "simulate", WORKED, "--record", "--json")
    assert_one_line_error(r, 1, "already has history", "nothing was written",
                          "2026-11-23T09:00:00+01:00", "2026-11-23T10:20:00+01:00")
    assert table_counts(home) == before

    # Overlapping by part of an hour is refused too; the next day is fine.
    r = run_cli(capsys, "simulate", shifted_example(tmp_path, "later.csv", 23, hour=10),
                "--record")
    assert_one_line_error(r, 1, "already has history")
    assert table_counts(home) == before
    r = run_cli(capsys, "simulate", shifted_example(tmp_path, "next.csv", 24), "--record")
    assert r.code == 0, r.err
    assert table_counts(home)["prompts"] == 4


# --- history ------------------------------------------------------------------------------------


def test_history_json_lists_prompts_oldest_first(capsys: pytest.CaptureFixture[str],
                                                 home: Path, tmp_path: Path) -> None:
    r = run_cli(capsys, "history", "--json")
    assert r.code == 0 and r.json() == []
    # Record the later day first: the order must come from the times, not from the inserts.
    assert run_cli(capsys, "simulate", shifted_example(tmp_path, "tue.csv", 24, hour=13),
                   "--record").code == 0
    assert run_cli(capsys, "simulate", WORKED, "--record").code == 0

    r = run_cli(capsys, "history", "--json")
    assert r.code == 0, r.err
    got = r.json()
    assert all(set(p) == {"at", "outcome", "auto", "exercise"} for p in got)
    assert [(p["at"], p["outcome"], p["auto"]) for p in got] == [
        ("2026-11-23T09:30:00+01:00", "done", True),
        ("2026-11-23T10:04:30+01:00", "missed", False),
        ("2026-11-24T13:30:00+01:00", "done", True),
        ("2026-11-24T14:04:30+01:00", "missed", False),
    ]
    simulated = run_cli(capsys, "simulate", WORKED, "--json").json()["prompts"]
    assert got[:2] == simulated  # the same as simulate said, exercises included

    r = run_cli(capsys, "history", "--since", "2026-11-24", "--json")
    assert [p["at"] for p in r.json()] == ["2026-11-24T13:30:00+01:00",
                                           "2026-11-24T14:04:30+01:00"]
    r = run_cli(capsys, "history", "--since", "2026-11-25", "--json")
    assert r.code == 0 and r.json() == []


def test_history_since_is_a_local_date(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Auckland is UTC+13 in November: Tuesday 09:30 there is Monday 20:30 UTC."""
    cfg = write(tmp_path / "nz.toml", '[schedule]\ntimezone = "Pacific/Auckland"\n')
    monkeypatch.setenv("GLUTECOACH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(cfg))
    for name, day in (("mon.csv", 23), ("tue.csv", 24)):
        assert run_cli(capsys, "simulate", shifted_example(tmp_path, name, day),
                       "--record").code == 0
    r = run_cli(capsys, "history", "--since", "2026-11-24", "--json")
    assert [p["at"] for p in r.json()] == ["2026-11-24T09:30:00+13:00",
                                           "2026-11-24T10:04:30+13:00"]


def test_history_table(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    r = run_cli(capsys, "history")
    assert r.code == 0 and "No prompts recorded" in r.out
    assert run_cli(capsys, "simulate", WORKED, "--record").code == 0
    r = run_cli(capsys, "history")
    assert r.code == 0, r.err
    assert "Mon 2026-11-23 09:30" in r.out and "done (auto)" in r.out
    assert "Mon 2026-11-23 10:04" in r.out and "missed" in r.out
    r = run_cli(capsys, "history", "--since", "2026-12-01")
    assert "No prompts recorded since 2026-12-01" in r.out


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "23.11.2026", ""])
def test_bad_since_is_a_usage_error(capsys: pytest.CaptureFixture[str], home: Path,
                                    since: str) -> None:
    r = run_cli(capsys, "history", "--since", since)
    assert_one_line_error(r, 2, "--since")
    assert not home.exists()


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("args", "words"), [
    (["simulate"], ("TRACE",)),
    (["simulate", str(WORKED), "--bogus"], ("--bogus", "simulate --help")),
    (["simulat"], ("simulat", "simulate")),
    (["history", "--sinse", "2026-11-01"], ("--sinse",)),
    (["simulate", str(DATA)], ("TRACE", "directory")),
    (["simulate", "no-such-trace.csv"], ("no-such-trace.csv",)),
    (["config", "check", "no-such.toml"], ("no-such.toml",)),
    (["history", "--since"], ("--since",)),
])
def test_usage_errors_are_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                              args: list[str], words: tuple[str, ...]) -> None:
    assert_one_line_error(run_cli(capsys, *args), 2, *words)


def test_a_damaged_database_is_a_runtime_error(capsys: pytest.CaptureFixture[str],
                                               home: Path) -> None:
    home.mkdir()
    db = home / DB_NAME
    junk = b"GluteCoach? no. " * 512
    db.write_bytes(junk)
    for args in (["history"], ["simulate", str(WORKED), "--record"]):
        r = run_cli(capsys, *args)
        assert_one_line_error(r, 1, str(db), "cannot be read")
    assert db.read_bytes() == junk


def test_a_foreign_database_is_refused(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    home.mkdir()
    conn = sqlite3.connect(home / DB_NAME)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    r = run_cli(capsys, "history", "--json")
    assert_one_line_error(r, 1, "not a GluteCoach")


def test_bad_config_through_simulate(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", "[schedule]\nsit_minutes = 30\nbreak_minuts = 2\n")
    r = run_cli(capsys, "simulate", WORKED, "--config", cfg, "--json")
    assert_one_line_error(r, 2, f"{cfg}:3:", "break_minuts", 'did you mean "break_minutes"')


def test_answer_with_nothing_pending_is_a_warning_not_an_error(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    trace = write(tmp_path / "t.csv", WORKED.read_text(encoding="utf-8")
                  + "2026-11-23T09:10:00,,done\n")
    r = run_cli(capsys, "simulate", trace, "--config", BERLIN_CFG, "--json")
    assert r.code == 0
    assert_worked_example(r.json(), "+01:00")
    assert f"{trace}:4:" in r.err and "warning" in r.err


# --- end to end: `python -m glutecoach` in a separate process ------------------------------------


def run_module(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GLUTECOACH_HOME": str(tmp_path / "home"),
           "GLUTECOACH_CONFIG": str(BERLIN_CFG), "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
           "XDG_DATA_HOME": str(tmp_path / "xdg")}
    done = subprocess.run([sys.executable, "-m", "glutecoach", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr
    return done


def test_end_to_end_version(tmp_path: Path) -> None:
    done = run_module(tmp_path, "--version")
    assert (done.returncode, done.stdout) == (0, f"glutecoach {glutecoach.__version__}\n")


def test_end_to_end_simulate_record_and_history(tmp_path: Path) -> None:
    trace = tmp_path / "day.csv"
    trace.write_bytes(WORKED.read_bytes())
    done = run_module(tmp_path, "simulate", "day.csv", "--json", "--record")
    assert done.returncode == 0, done.stderr
    simulated = json.loads(done.stdout)
    prompts = copy.deepcopy(simulated["prompts"])
    assert_worked_example(simulated, "+01:00")

    done = run_module(tmp_path, "history", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == prompts

    done = run_module(tmp_path, "simulate", "day.csv", "--record")
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "already has history" in done.stderr

    if os.name == "posix":
        home = tmp_path / "home"
        assert (home.stat().st_mode & 0o777, (home / DB_NAME).stat().st_mode & 0o777) == \
            (0o700, 0o600)


def test_end_to_end_usage_error(tmp_path: Path) -> None:
    done = run_module(tmp_path, "history", "--since", "soon")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == 'glutecoach: error: --since: "soon" is not a date like 2026-11-23\n'

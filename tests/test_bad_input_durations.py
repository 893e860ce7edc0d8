"""Durations too short for the rules (issue 11, item 3): `sit_minutes = 1e-9` rounded to no time at
all and `simulate` never ended. Every duration key takes at least one second; the smallest values
accepted simulate a whole day in bounded time, in-process and through the real command line."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import isolate, run_cli

from glutecoach.config import Config, parse_config
from glutecoach.engine import Rules
from glutecoach.errors import InputError
from glutecoach.simulate import simulate
from glutecoach.trace import parse_trace
from glutecoach.workhours import WorkHours

SCHEDULE_MINUTES = ["sit_minutes", "break_minutes", "away_after_minutes", "snooze_minutes",
                    "response_minutes"]
# Every duration key of the config with its section and unit.
DURATIONS = [*(("schedule", k, 60) for k in SCHEDULE_MINUTES),
             ("report", "movement_goal_minutes", 60),
             ("desktop", "notification_timeout_seconds", 1)]
ONE_SECOND = 1 / 60  # in minutes
ALL_DAY = "\n".join(f'{d} = ["00:00-24:00"]' for d in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                         "sun"))
SMALLEST = ("[schedule]\ntimezone = \"UTC\"\n"
            + "".join(f"{k} = {ONE_SECOND!r}\n" for k in SCHEDULE_MINUTES)
            + f"[schedule.hours]\n{ALL_DAY}\n")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


@pytest.mark.parametrize(("section", "key", "per_unit"), DURATIONS,
                         ids=[f"{s}.{k}" for s, k, _ in DURATIONS])
@pytest.mark.parametrize("value", ["1e-9", "0.0", "-1", "0.0166"])
def test_a_duration_under_a_second_is_refused_naming_the_key(
        section: str, key: str, per_unit: int, value: str) -> None:
    if key == "away_after_minutes":
        text = f"[schedule]\nbreak_minutes = {ONE_SECOND!r}\n{key} = {value}\n"
    else:
        text = f"[{section}]\n\n{key} = {value}\n"
    line = 3
    with pytest.raises(InputError) as info:
        parse_config(text, "c.toml")
    message = str(info.value)
    assert message.startswith(f"c.toml:{line}: {section}.{key}: "), message
    assert "at least 1 second" in message
    if per_unit == 60:
        assert "0.0167 minutes" in message


@pytest.mark.parametrize(("section", "key", "per_unit"), DURATIONS,
                         ids=[f"{s}.{k}" for s, k, _ in DURATIONS])
def test_one_second_is_accepted(section: str, key: str, per_unit: int) -> None:
    smallest = 1 / per_unit
    brk = f"break_minutes = {ONE_SECOND!r}\n" if key == "away_after_minutes" else ""
    cfg = parse_config(f"[{section}]\n{key} = {smallest!r}\n{brk}")
    assert getattr(getattr(cfg, section), key) == smallest


def test_the_rules_get_a_second_not_nothing() -> None:
    rules = Rules.from_schedule(parse_config(SMALLEST).schedule)
    assert min(rules.sit, rules.brk, rules.away, rules.snooze, rules.response) \
        == timedelta(seconds=1)
    assert Rules.from_schedule(Config().schedule) == Rules()


def test_a_day_at_the_smallest_values_simulates_in_bounded_time() -> None:
    """A whole day of input with a prompt due every second: about 86,400 prompts, each missed a
    second later. Before the fix, 1e-9 rounded to no time and this never ended."""
    cfg = parse_config(SMALLEST)
    rows = parse_trace("at,until,event\n2026-11-23T00:00:00Z,2026-11-24T00:00:00Z,active\n"
                       "2026-11-23T12:00:00Z,,snooze\n", cfg.schedule.zone())
    started = time.monotonic()
    sim = simulate(rows, Rules.from_schedule(cfg.schedule),
                   WorkHours(cfg.schedule.hours, cfg.schedule.zone()))
    assert time.monotonic() - started < 60
    assert 40_000 < len(sim.history.prompts) <= 86_400
    assert sim.end == datetime(2026, 11, 24, tzinfo=UTC)


def test_the_smallest_values_through_the_command_line(tmp_path: Path) -> None:
    """check passes, then simulate --record of an hour ends well within its time budget."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(SMALLEST, encoding="utf-8")
    day = tmp_path / "hour.csv"
    day.write_text("at,until,event\n2026-11-23T09:00:00Z,2026-11-23T10:00:00Z,active\n",
                   encoding="utf-8")
    base = [sys.executable, "-m", "glutecoach", "--config", str(cfg), "--home",
            str(tmp_path / "home")]
    assert subprocess.run([*base, "config", "check"], capture_output=True,
                          timeout=60).returncode == 0
    done = subprocess.run([*base, "simulate", str(day), "--json", "--record"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_issue_config_is_refused_by_check(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[schedule]\nsit_minutes = 1e-9\nresponse_minutes = 1e-9\n", encoding="utf-8")
    r = run_cli(capsys, "config", "check", cfg)
    assert r.code == 2
    assert r.err.splitlines() == [
        f"glutecoach: error: {cfg}:2: schedule.sit_minutes: must be at least 1 second "
        "(0.0167 minutes), not 1e-09",
        f"glutecoach: error: {cfg}:3: schedule.response_minutes: must be at least 1 second "
        "(0.0167 minutes), not 1e-09",
    ]

"""The next break's plan is still made when rows of the history are damaged (issue 11, 3): the
damaged row is named in a warning and left out, the rest of the history still counts. The coach's
planner reads the history the same way (plans.records.read_history)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cli_helpers import isolate, run_cli

DATA = Path(__file__).parent / "data"
BERLIN = DATA / "berlin.toml"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


@pytest.fixture
def home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Two hours of sitting with four prompts, recorded by `simulate --record`, one of them done
    (so the exercise log has rows)."""
    trace = tmp_path / "day.csv"
    trace.write_text("at,until,event\n2026-11-23T09:00:00,2026-11-23T11:00:00,active\n"
                     "2026-11-23T09:31:00,,done\n")
    home = tmp_path / "home"
    done = run_cli(capsys, "--home", home, "--config", BERLIN, "simulate", trace, "--record")
    assert done.code == 0, done.err
    return home


def damage(home: Path, sql: str) -> None:
    with sqlite3.connect(home / "glutecoach.db") as db:
        db.execute(sql)


def plan(capsys: pytest.CaptureFixture[str], home: Path) -> tuple[str, str]:
    done = run_cli(capsys, "--home", home, "--config", BERLIN, "plan")
    assert done.code == 0, done.err
    assert "Next break" in done.out
    return done.out, done.err


@pytest.mark.parametrize(("sql", "words"), [
    ("UPDATE prompts SET plan_json = x'ff00fe' WHERE id = (SELECT max(id) FROM prompts)",
     "plan_json is not UTF-8 text"),
    ("UPDATE prompts SET plan_json = '{broken' WHERE id = (SELECT max(id) FROM prompts)",
     "its stored plan (plan_json) is damaged"),
    ("UPDATE prompts SET plan_json = NULL, exercise = x'ff' "
     "WHERE id = (SELECT max(id) FROM prompts)", "exercise is not UTF-8 text"),
    ("UPDATE exercise_log SET exercise = x'fffe' WHERE id = (SELECT min(id) FROM exercise_log)",
     "exercise_log row"),
    ("UPDATE exercise_log SET at_utc = '2026-11-23 25:99:00' "
     "WHERE id = (SELECT min(id) FROM exercise_log)", "not a time"),
])
def test_plan_names_the_damaged_row_and_still_plans(
        capsys: pytest.CaptureFixture[str], home: Path, sql: str, words: str) -> None:
    damage(home, sql)
    _out, err = plan(capsys, home)
    warnings = err.splitlines()
    assert warnings and all(w.startswith("glutecoach: warning: ") for w in warnings), err
    assert any(words in w and " row " in w for w in warnings), err


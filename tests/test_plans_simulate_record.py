"""`simulate --record` through the real command line: every recorded prompt whose plan names a
main exercise stores it, and `simulate --json` prints the very exercise that was recorded.

One `active` row that goes on for hours shows several prompts in one step of the engine; that
is where prompts used to lose their exercise (issue 11, 4.3)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from glutecoach.plans.model import Plan, PlanItem

# Monday 2026-11-30 (office, default work hours). Row 1: four prompts, none answered, all in one
# row. Row 2: a prompt answered done, then two more in the same long row.
TRACE = """at,until,event
2026-11-30T09:00:00,2026-11-30T11:10:00,active
2026-11-30T11:20:00,2026-11-30T13:40:00,active
2026-11-30T11:51:00,,done
"""


def glutecoach(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLUTECOACH_")}
    return subprocess.run([sys.executable, "-m", "glutecoach", *map(str, args)],
                          capture_output=True, text=True, timeout=120, env=env)


def main_of(plan_json: str) -> str | None:
    """The main exercise a stored plan names (Plan.main_exercise, read back from its JSON)."""
    items = tuple(PlanItem(**i) for i in json.loads(plan_json)["items"])
    return Plan(items, "", (), ()).main_exercise


def test_every_recorded_prompt_stores_its_plans_main_exercise(tmp_path: Path) -> None:
    trace, config, home = tmp_path / "day.csv", tmp_path / "c.toml", tmp_path / "home"
    trace.write_text(TRACE, encoding="utf-8")
    config.write_text('[schedule]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")

    done = glutecoach("--home", home, "--config", config, "simulate", trace, "--record", "--json")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)["prompts"]

    with sqlite3.connect(home / "glutecoach.db") as db:
        rows = db.execute("SELECT shown_utc, outcome, exercise, plan_json FROM prompts "
                          "ORDER BY shown_utc, id").fetchall()
    assert len(rows) == len(printed) >= 8
    assert {r[1] for r in rows} >= {"missed", "done"}
    for (shown, outcome, exercise, plan_json), p in zip(rows, printed, strict=True):
        assert plan_json, shown
        assert main_of(plan_json) is not None, shown
        assert exercise == main_of(plan_json), (shown, outcome)
        assert p["exercise"] == exercise, shown

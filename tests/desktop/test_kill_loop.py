"""SIGKILL the real coach at random moments while it records, restarting it each time: a short
loop of benchmarks/kill_loop.py (which runs 50 kills). Every start succeeds, the database passes
`PRAGMA integrity_check`, and every answer the command line took is in it."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

from .harness import Dunst, need

KILLS = 8
SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "kill_loop.py"


def load_kill_loop() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kill_loop", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_killed_coach_restarts_cleanly_and_loses_no_answer(
        desktop_env: dict[str, str], dunst: Dunst, tmp_path: Path) -> None:
    need("xdotool")
    seed = random.randrange(1 << 30)
    result = load_kill_loop().kill_loop(desktop_env, tmp_path, KILLS, seed)
    assert result.problems == [], f"seed {seed}: {result.problems}"
    assert result.kills == KILLS
    assert result.answers, f"seed {seed}: no prompt was answered between kills"

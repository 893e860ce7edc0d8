"""The coach shows the break window with the prompt's own plan (the window itself is tested on a
real display in tests/desktop/test_break_window.py; here it is replaced to see what it gets)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

import glutecoach.window as window
from glutecoach.coach.window_bridge import WindowBridge
from glutecoach.config import Config
from glutecoach.engine import PromptShown
from glutecoach.library import load_library
from glutecoach.plans.planner import plan_for
from glutecoach.plans.records import PlanHistory


def test_the_window_shows_the_plans_items_with_the_plans_doses(
        monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[Any] = []

    class FakeWindow:
        def __init__(self, plan: Any, **_kw: Any) -> None:
            shown.append(plan)

        def show(self) -> None:
            pass

        def close(self) -> None:
            pass

    monkeypatch.setattr(window, "BreakWindow", FakeWindow)
    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    library = load_library()
    plan = plan_for(Config(), library, at, PlanHistory())
    coach = SimpleNamespace(planner=SimpleNamespace(plans={1: plan}))
    WindowBridge(coach, library, store=None).show(  # type: ignore[arg-type]
        PromptShown(1, at, at, 0, snooze_offered=True))
    (got,) = shown
    assert [(i.exercise_id, i.seconds, i.dose) for i in got.items] == [
        (i.exercise, i.seconds, i.dose) for i in plan.items]

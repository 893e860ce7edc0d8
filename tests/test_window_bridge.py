"""The coach shows the break window with the prompt's own plan (the window itself is tested on a
real display in tests/desktop/test_break_window.py; here it is replaced to see what it gets)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

import glutecoach.window.process as process
from glutecoach.coach.window_bridge import WindowBridge
from glutecoach.config import Config
from glutecoach.engine import PromptShown
from glutecoach.library import load_library
from glutecoach.plans.planner import plan_for
from glutecoach.plans.records import PlanHistory
from glutecoach.window.model import ScreenOptions

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """The (plan, options) of every break window the bridge opens."""
    opened: list[tuple[Any, dict[str, Any]]] = []

    class FakeWindow:
        def __init__(self, plan: Any, **kw: Any) -> None:
            opened.append((plan, kw))

        def show(self) -> None:
            pass

        def close(self) -> None:
            pass

    monkeypatch.setattr(process, "WindowProcess", FakeWindow)
    return opened


def show(plan: Any, sitting_seconds: float, config: Config | None = None,
         now: datetime | None = None) -> None:
    coach = SimpleNamespace(planner=SimpleNamespace(plans={1: plan}),
                            prompt_sitting=lambda number: sitting_seconds, strict=False,
                            config=config or Config(),
                            clock=SimpleNamespace(now=lambda: now or AT),
                            chime=lambda name: None)
    WindowBridge(coach, load_library(), store=None).show(  # type: ignore[arg-type]
        PromptShown(1, AT, AT, 0, snooze_offered=True))


def test_the_window_shows_the_plans_items_with_the_plans_doses(
        windows: list[tuple[Any, dict[str, Any]]]) -> None:
    plan = plan_for(Config(), load_library(), AT, PlanHistory())
    show(plan, 32 * 60 + 50)
    ((got, options),) = windows
    assert [(i.exercise_id, i.seconds, i.dose) for i in got.items] == [
        (i.exercise, i.seconds, i.dose) for i in plan.items]
    # The sitting time in the bubble's words (issue 11, 4.6); a plan with glute work is rated.
    assert got.title == f"Glute break after 32 min sitting · {plan.location}"
    assert options["rateable"] is True


def test_a_walk_only_plan_opens_a_window_that_does_not_ask_how_it_felt(
        windows: list[tuple[Any, dict[str, Any]]]) -> None:
    config = Config.model_validate({"schedule": {"break_minutes": 0.5,
                                                 "away_after_minutes": 0.5}})
    plan = plan_for(config, load_library(), AT, PlanHistory())
    assert plan.items and all(i.part != "glute" for i in plan.items)
    show(plan, 20.0)  # break-now, 20 s in
    ((got, options),) = windows
    assert options["rateable"] is False
    assert got.title == f"Glute break · {plan.location}"  # no "0 min"


def test_the_window_is_told_the_break_screen_and_the_time_to_the_end_of_the_break(
        windows: list[tuple[Any, dict[str, Any]]]) -> None:
    """break_minutes counts from the prompt: a window opened 40 s after it holds 3 min - 40 s."""
    config = Config.model_validate({"desktop": {"break_screen": "fullscreen"}})
    plan = plan_for(config, load_library(), AT, PlanHistory())
    show(plan, 31 * 60, config, now=AT + timedelta(seconds=40))
    ((_plan, kw),) = windows
    assert kw["options"] == ScreenOptions("fullscreen", False,
                                          config.schedule.break_minutes * 60 - 40)

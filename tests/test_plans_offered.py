"""When nobody answers, the plans still vary and stay balanced: balance and variety count what
was offered, not only what was done (issue 11, 4.4). The coach, reading its database, and
`simulate`, keeping its own tallies, count offers alike."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from plans_helpers import config, library

from glutecoach.config import Config
from glutecoach.engine import PromptResolved, PromptShown, Rules
from glutecoach.history import Prompt
from glutecoach.library import MUSCLES
from glutecoach.plans.model import Done, Plan
from glutecoach.plans.planner import make_planner, make_simulation_chooser, plan_for
from glutecoach.plans.records import PlanHistory
from glutecoach.simulate import simulate
from glutecoach.store import Store
from glutecoach.store.writer import StoreWriter
from glutecoach.trace import parse_trace
from glutecoach.workhours import WorkHours

LOCATIONS = {"office": "", "home": 'default_location = "home"\n'}


def silent_week() -> str:
    """Mon 2026-11-30 to Fri: sitting 09:00-12:30 and 13:15-17:30, no answer ever."""
    rows = ["at,until,event"]
    for day in range(5):
        d = f"{datetime(2026, 11, 30) + timedelta(days=day):%Y-%m-%d}"
        rows += [f"{d}T09:00:00,{d}T12:30:00,active", f"{d}T13:15:00,{d}T17:30:00,active"]
    return "\n".join(rows) + "\n"


def simulate_week(cfg: Config) -> tuple[list[Prompt], list[Plan]]:
    zone = cfg.schedule.zone()
    chooser = make_simulation_chooser(cfg, library())
    sim = simulate(parse_trace(silent_week(), zone), Rules.from_schedule(cfg.schedule),
                   WorkHours(cfg.schedule.hours, zone), choose_exercise=chooser)
    return sim.history.prompts, [chooser.plans[p.number] for p in sim.history.prompts]


@pytest.mark.parametrize(("where", "plans_at_least"), [("office", 12), ("home", 25)])
def test_a_week_nobody_answers_offers_many_plans_in_balance(where: str,
                                                            plans_at_least: int) -> None:
    prompts, plans = simulate_week(config(LOCATIONS[where]))
    outcomes = Counter(p.outcome for p in prompts)
    assert len(prompts) >= 70 and outcomes["missed"] >= 0.9 * len(prompts), outcomes

    # Never the same plan, nor any exercise of it, twice in a row.
    for before, after in pairwise(plans):
        assert not set(before.ids) & set(after.ids), (before.ids, after.ids)
    # Many different plans, and no back-and-forth between two of them (A, B, A, B, ...).
    assert len({p.ids for p in plans}) >= plans_at_least
    back = sum(a.ids == c.ids for a, c in zip(plans, plans[2:], strict=False))
    assert back <= len(plans) // 4, back
    # Each muscle gets a third of what was offered (within 20%).
    counts: Counter[str] = Counter()
    for plan in plans:
        for item in plan.items:
            if item.part == "glute":
                counts.update(library().get(item.exercise).primary_muscles)
    total = sum(counts.values())
    for m in MUSCLES:
        assert abs(counts[m] / total - 1 / 3) <= 0.2 / 3, counts


def test_the_coach_counts_what_it_offered_as_simulate_does(tmp_path: Path) -> None:
    """The coach's planner reads the offers from the prompts the store writer recorded."""
    cfg = config()
    prompts, sim_plans = simulate_week(cfg)
    store = Store.open(tmp_path / "home")
    writer = StoreWriter(store, "Europe/Berlin")
    planner = make_planner(lambda: cfg, library(), store)
    coach_plans: list[Plan] = []
    try:
        for p in prompts:
            shown = PromptShown(p.number, p.at, p.due, p.snoozes, True)
            exercise, _text = planner(shown)
            coach_plans.append(planner.plans[p.number])
            assert exercise == p.exercise
            writer.apply([shown], exercises={p.number: exercise},
                         plans={p.number: planner.plan_json(p.number) or ""})
            assert p.answered_at is not None
            writer.apply([PromptResolved(p.number, p.answered_at, p.outcome, p.auto)])
    finally:
        store.close()
    assert coach_plans == sim_plans


def test_offers_count_for_a_week_only() -> None:
    """A week of the same plan offered and missed steers the next plan away from its muscle;
    eight days later it no longer does."""
    cfg = config()
    zone = cfg.schedule.zone()
    start = datetime(2026, 11, 30, 9, 30, tzinfo=zone)
    offered = tuple(Done(start + timedelta(hours=k), "standing-glute-squeeze") for k in range(8))
    fresh = plan_for(cfg, library(), start + timedelta(hours=9), PlanHistory())
    soon = plan_for(cfg, library(), start + timedelta(hours=9), PlanHistory(offered=offered))
    late = plan_for(cfg, library(), start + timedelta(days=8), PlanHistory(offered=offered))
    first = next(library().get(i.exercise) for i in soon.items if i.part == "glute")
    assert "maximus" not in first.primary_muscles
    assert late.ids == plan_for(cfg, library(), start + timedelta(days=8), PlanHistory()).ids
    assert fresh.ids != soon.ids

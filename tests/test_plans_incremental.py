"""`simulate` keeps levels and tallies up to date one completion at a time; the coach reads the
whole history. Both must choose the same plans."""

from __future__ import annotations

from datetime import timedelta

from glutecoach.config import Config
from glutecoach.engine import Rules
from glutecoach.library import load_library
from glutecoach.plans.model import Done
from glutecoach.plans.planner import make_simulation_chooser, plan_for
from glutecoach.plans.records import PlanHistory
from glutecoach.simulate import simulate
from glutecoach.trace import parse_trace
from glutecoach.workhours import WorkHours


def two_weeks() -> str:
    rows = ["at,until,event"]
    for day in range(1, 13):
        d = f"2026-06-{day:02d}"
        rows += [f"{d}T09:00:00,{d}T10:05:00,active", f"{d}T10:09:00,{d}T11:30:00,active",
                 f"{d}T11:40:00,{d}T13:00:00,active", f"{d}T13:30:00,{d}T15:10:00,active",
                 f"{d}T15:14:00,{d}T17:00:00,active"]
    return "\n".join(rows) + "\n"


def test_incremental_plans_equal_plans_from_the_whole_history() -> None:
    cfg = Config.model_validate({"schedule": {"timezone": "Europe/Berlin"}})
    library = load_library()
    chooser = make_simulation_chooser(cfg, library)
    zone = cfg.schedule.zone()

    sim = simulate(parse_trace(two_weeks(), zone), Rules.from_schedule(cfg.schedule),
                   WorkHours(cfg.schedule.hours, zone), choose_exercise=chooser)
    prompts = sim.history.prompts
    assert len(prompts) > 40
    done: list[Done] = []
    previous: tuple[str, ...] = ()
    for p in prompts:
        whole = plan_for(cfg, library, p.at, PlanHistory(tuple(done), previous))
        assert whole.ids == chooser.plans[p.number].ids, p.at
        previous = whole.ids
        if p.outcome == "done":
            at = p.answered_at or p.at
            done += [Done(at, i) for i in whole.ids]
    assert any(p.outcome == "done" for p in prompts)
    assert prompts[-1].at - prompts[0].at > timedelta(days=10)

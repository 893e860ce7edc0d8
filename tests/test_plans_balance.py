"""Balance over the day and the week: a simulated month of workdays, every plan taken as done,
gives each glute muscle a third of the work (within 20%), both slings every week and every muscle
every day. The coach (reading the database) and `simulate` (its own history) plan alike."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from plans_helpers import BERLIN, MONDAY, config, library, run_plans, workday_breaks

from glutecoach.config import Config
from glutecoach.engine import PromptResolved, PromptShown, Rules
from glutecoach.library import MUSCLES, SLINGS
from glutecoach.plans.model import Plan
from glutecoach.plans.planner import make_planner, make_simulation_chooser
from glutecoach.plans.progress import StoredLevel
from glutecoach.simulate import simulate
from glutecoach.store import Store
from glutecoach.store.writer import StoreWriter
from glutecoach.trace import parse_trace
from glutecoach.workhours import WorkHours

CONFIGS = {
    "office": "",
    "home": 'default_location = "home"\n',
    "office-with-home-fridays": '[coach.locations.home]\nwhen = ["fri 00:00-24:00"]\n',
    "office-with-kit": (
        '[coach.locations.office]\nequipment = ["chair", "wall", "stairs", "band"]\n'
    ),
    "no-knees-no-floor": 'default_location = "home"\nexclude_areas = ["knees", "floor-work"]\n',
}


def muscle_counts(plans: list[tuple[datetime, Plan]]) -> Counter[str]:
    """Primary muscles of the glute exercises done, as the weekly report counts them."""
    counts: Counter[str] = Counter()
    for _, plan in plans:
        for item in plan.items:
            if item.part == "glute":
                counts.update(library().get(item.exercise).primary_muscles)
    return counts


@pytest.mark.parametrize("level", [1, 3])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_a_month_of_workdays_gives_each_muscle_a_third(name: str, level: int) -> None:
    levels = {m: StoredLevel(level, MONDAY - timedelta(days=1)) for m in MUSCLES}
    run = run_plans(config(CONFIGS[name]), list(workday_breaks(28)), levels)
    assert len(run.plans) == 20 * 8
    counts = muscle_counts(run.plans)
    total = sum(counts.values())
    for m in MUSCLES:
        assert abs(counts[m] / total - 1 / 3) <= 0.2 / 3, (m, counts)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_both_slings_every_week_and_every_muscle_every_day(name: str) -> None:
    run = run_plans(config(CONFIGS[name]), list(workday_breaks(28)))
    weeks: dict[int, set[str]] = {}
    days: dict[str, list[tuple[datetime, Plan]]] = {}
    for t, plan in run.plans:
        weeks.setdefault(t.isocalendar().week, set()).update(plan.slings)
        days.setdefault(t.date().isoformat(), []).append((t, plan))
    assert len(weeks) == 4
    for week, slings in weeks.items():
        assert slings == set(SLINGS), week
    for day, plans in days.items():
        counts = muscle_counts(plans)
        assert all(counts[m] >= 2 for m in MUSCLES), (day, counts)


def test_the_muscle_furthest_behind_comes_first() -> None:
    """A week of only maximus work: the next plans go to medius and minimus."""
    from glutecoach.plans.model import Done
    from glutecoach.plans.planner import plan_for
    from glutecoach.plans.records import PlanHistory

    done = tuple(Done(MONDAY + timedelta(hours=9 + k), "standing-glute-squeeze") for k in range(6))
    plan = plan_for(config(), library(), MONDAY + timedelta(hours=16), PlanHistory(done))
    glute = [library().get(i.exercise) for i in plan.items if i.part == "glute"]
    assert "maximus" not in glute[0].primary_muscles
    assert "least worked lately" in plan.items[1].reason


# --- simulate and the coach -----------------------------------------------------------------------


def _week_trace(days: int = 5) -> str:
    """A workday of 8 sittings of 31 min, each prompt answered done, then a 4-min walk."""
    rows = ["at,until,event"]
    for day in range(days):
        t = datetime(2026, 11, 30, 9, 0) + timedelta(days=day)
        for _ in range(8):
            end = t + timedelta(minutes=31)
            rows.append(f"{t:%Y-%m-%dT%H:%M},{end:%Y-%m-%dT%H:%M},active")
            rows.append(f"{end:%Y-%m-%dT%H:%M},,done")
            t = end + timedelta(minutes=4)
    return "\n".join(rows) + "\n"


def _simulate(cfg: Config) -> tuple[dict[int, Plan], list]:  # type: ignore[type-arg]
    zone = cfg.schedule.zone()
    chooser = make_simulation_chooser(cfg, library())
    sim = simulate(
        parse_trace(_week_trace(), zone),
        Rules.from_schedule(cfg.schedule),
        WorkHours(cfg.schedule.hours, zone),
        choose_exercise=chooser,
    )
    return chooser.plans, sim.history.prompts


def test_simulate_records_each_prompts_main_exercise_and_stays_balanced() -> None:
    plans, prompts = _simulate(config())
    assert len(prompts) == 40 and {p.outcome for p in prompts} == {"done"}
    assert [p.exercise for p in prompts] == [plans[p.number].main_exercise for p in prompts]
    counts = muscle_counts([(p.at, plans[p.number]) for p in prompts])
    total = sum(counts.values())
    assert all(abs(counts[m] / total - 1 / 3) <= 0.2 / 3 for m in MUSCLES), counts


def test_the_coach_and_simulate_choose_the_same_plans(tmp_path: Path) -> None:
    """The coach's planner reads what the store writer recorded; simulate's chooser uses its own
    history. Fed the same prompts, they make the same plans."""
    cfg = config()
    sim_plans, prompts = _simulate(cfg)

    store = Store.open(tmp_path / "home")
    writer = StoreWriter(store, "Europe/Berlin")
    planner = make_planner(lambda: cfg, library(), store)
    coach_plans: dict[int, Plan] = {}
    try:
        for p in prompts:
            shown = PromptShown(p.number, p.at, p.due, p.snoozes, True)
            exercise, text = planner(shown)
            coach_plans[p.number] = planner.plans[p.number]
            assert exercise == p.exercise and text == coach_plans[p.number].text()
            writer.apply(
                [shown],
                exercises={p.number: exercise},
                plans={p.number: planner.plan_json(p.number) or ""},
            )
            assert p.answered_at is not None
            writer.apply([PromptResolved(p.number, p.answered_at, p.outcome, p.auto)])
    finally:
        store.close()
    assert coach_plans == sim_plans
    assert MONDAY.tzinfo is BERLIN


def test_a_recorded_simulation_keeps_every_plan(tmp_path: Path) -> None:
    """`simulate --record` writes the plans too: the log then holds every item done, as a real
    run's would, and the next plan avoids the last one simulated."""
    from glutecoach.plans.records import read_history

    cfg = config()
    zone = cfg.schedule.zone()
    chooser = make_simulation_chooser(cfg, library())
    sim = simulate(
        parse_trace(_week_trace(1), zone),
        Rules.from_schedule(cfg.schedule),
        WorkHours(cfg.schedule.hours, zone),
        choose_exercise=chooser,
    )
    store = Store.open(tmp_path / "home")
    try:
        store.record(
            sim.history,
            zone.key,
            source="simulate",
            plans={n: p.to_json_text() for n, p in chooser.plans.items()},
        )
        history = read_history(store, sim.end + timedelta(hours=1))
    finally:
        store.close()
    expected = [i for p in sim.history.prompts for i in chooser.plans[p.number].ids]
    assert [d.exercise for d in history.done] == expected
    assert history.previous == chooser.plans[sim.history.prompts[-1].number].ids

"""`simulate` keeps levels and tallies up to date one completion (or offer) at a time; the coach
reads the whole history. Both must choose the same plans."""

from __future__ import annotations

from datetime import timedelta

import pytest

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


def with_answers(trace: str) -> str:
    """The trace, with a snooze, a skip and a done on each day's first three prompts."""
    rows = trace.splitlines()
    for day in range(1, 13):
        d = f"2026-06-{day:02d}"
        rows += [f"{d}T09:31:00,,snooze", f"{d}T09:42:00,,skip", f"{d}T10:12:00,,done"]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("answered", [False, True], ids=["nobody-answers", "some-answers"])
def test_incremental_plans_equal_plans_from_the_whole_history(answered: bool) -> None:
    cfg = Config.model_validate({"schedule": {"timezone": "Europe/Berlin"}})
    library = load_library()
    chooser = make_simulation_chooser(cfg, library)
    zone = cfg.schedule.zone()
    trace = with_answers(two_weeks()) if answered else two_weeks()

    sim = simulate(parse_trace(trace, zone), Rules.from_schedule(cfg.schedule),
                   WorkHours(cfg.schedule.hours, zone), choose_exercise=chooser)
    prompts = sim.history.prompts
    assert len(prompts) > 40
    done: list[Done] = []
    offered: list[Done] = []
    previous: tuple[str, ...] = ()
    for p in prompts:
        whole = plan_for(cfg, library, p.at, PlanHistory(tuple(done), previous, {},
                                                         tuple(offered)))
        assert whole.ids == chooser.plans[p.number].ids, p.at
        previous = whole.ids
        if p.outcome == "done":
            at = p.answered_at or p.at
            done += [Done(at, i) for i in whole.ids]
        else:
            offered += [Done(p.at, i) for i in whole.ids]
    outcomes = {p.outcome for p in prompts}
    assert {"done", "missed"} <= outcomes
    assert not answered or {"snoozed", "skipped"} <= outcomes
    assert prompts[-1].at - prompts[0].at > timedelta(days=10)


@pytest.mark.parametrize("seed", range(5))
def test_the_sliding_tally_equals_the_tally_of_the_whole_history(seed: int) -> None:
    """Random completions and offers over three weeks, asked at random later moments: the
    Tallier's week (items in, items out), day and "last" times equal a count from scratch."""
    import random
    from datetime import datetime

    from glutecoach.plans.context import context_for
    from glutecoach.plans.select import Tallier, _tally

    cfg = Config.model_validate({"schedule": {"timezone": "Europe/Berlin"}})
    library = load_library()
    ids = library.ids()
    rng = random.Random(seed)
    t = datetime(2026, 3, 20, 8, tzinfo=cfg.schedule.zone())  # across the spring DST change
    tallier = Tallier(library)
    done: list[Done] = []
    offered: list[Done] = []
    for _ in range(300):
        t += timedelta(minutes=rng.choice([1, 20, 45, 90, 600, 1500]))
        item = Done(t, rng.choice(ids))
        if rng.random() < 0.4:
            done.append(item)
            tallier.add(item)
        else:
            offered.append(item)
            tallier.offer(item)
        if rng.random() < 0.3:
            ask = t + timedelta(minutes=rng.choice([0, 5, 60]))
            ctx = context_for(cfg, ask)
            assert tallier.at(ctx, ask) == _tally(library, ctx, ask, done, offered), ask
            t = ask


def test_planning_a_day_of_prompts_seconds_apart_is_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the smallest durations a config may set (1 s), a day of continuous input shows a
    prompt every few seconds. The day's counts grow with each prompt instead of being counted
    again from the day's start, so planning twice the prompts costs twice the counting, not four
    times (which made a day of them take minutes)."""
    from glutecoach.plans import select

    calls = 0
    count_day = select._Tally.count_day

    def counted(self: select._Tally, ex: object, weight: float) -> None:
        nonlocal calls
        calls += 1
        count_day(self, ex, weight)  # type: ignore[arg-type]

    monkeypatch.setattr(select._Tally, "count_day", counted)
    second = 1 / 60
    cfg = Config.model_validate({"schedule": {
        "timezone": "UTC", "sit_minutes": second, "break_minutes": second,
        "away_after_minutes": second, "snooze_minutes": second, "response_minutes": second,
        "hours": {"mon": ["00:00-24:00"]}}})
    library = load_library()

    def counting(minutes: int) -> tuple[int, int]:
        nonlocal calls
        calls = 0
        rows = parse_trace(f"at,until,event\n2026-11-23T09:00:00Z,"
                           f"2026-11-23T09:{minutes:02d}:00Z,active\n", cfg.schedule.zone())
        sim = simulate(rows, Rules.from_schedule(cfg.schedule),
                       WorkHours(cfg.schedule.hours, cfg.schedule.zone()),
                       choose_exercise=make_simulation_chooser(cfg, library))
        return len(sim.history.prompts), calls

    prompts_10, calls_10 = counting(10)
    prompts_20, calls_20 = counting(20)
    assert prompts_20 > 1.9 * prompts_10 > 500
    assert calls_20 < 2.5 * calls_10

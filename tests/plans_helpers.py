"""Helpers for the plan tests: the shipped library, configs with a [coach] section, and a run of
consecutive plans on a virtual clock with every plan taken as done."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from glutecoach.config import Config, parse_config
from glutecoach.library import Library, load_library
from glutecoach.plans.model import Done, Plan
from glutecoach.plans.planner import plan_for
from glutecoach.plans.progress import StoredLevel
from glutecoach.plans.records import PlanHistory

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = datetime(2026, 11, 30, tzinfo=BERLIN)  # a Monday, local midnight


@cache
def library() -> Library:
    lib = load_library()
    assert lib.warnings == []
    return lib


def config(coach: str = "", **schedule: float) -> Config:
    """A config in Europe/Berlin with these [schedule] numbers and this text after `[coach]`
    (which may open sub-tables such as [coach.locations.office])."""
    lines = ["[schedule]", 'timezone = "Europe/Berlin"']
    lines += [f"{k} = {v!r}" for k, v in schedule.items()]
    return parse_config("\n".join(lines) + "\n[coach]\n" + coach + "\n", "cfg.toml")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """`day` days after Monday 2026-11-30, at this local time."""
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def workday_breaks(days: int, per_day: int = 8, start_hour: int = 9) -> Iterator[datetime]:
    """Break times on the workdays among the next `days` days: every 55 min from 09:30."""
    for day in range(days):
        if (MONDAY + timedelta(days=day)).weekday() >= 5:
            continue
        for k in range(per_day):
            yield at(day, start_hour, 30) + timedelta(minutes=55 * k)


@dataclass
class Run:
    plans: list[tuple[datetime, Plan]]
    done: list[Done]


def run_plans(
    cfg: Config,
    times: Iterator[datetime] | list[datetime],
    levels: Mapping[str, StoredLevel] | None = None,
    location: str | None = None,
) -> Run:
    """Plan a break at each time, each one done three minutes later, as the coach would."""
    done: list[Done] = []
    previous: tuple[str, ...] = ()
    plans = []
    for t in times:
        plan = plan_for(
            cfg, library(), t, PlanHistory(tuple(done), previous, levels or {}), location
        )
        plans.append((t, plan))
        previous = plan.ids
        done += [Done(t + timedelta(minutes=3), i) for i in plan.ids]
    return Run(plans, done)

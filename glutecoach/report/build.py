"""One `WeekReport` from the database: what the terminal, the exports, the HTML page and the weekly
summary all read, so they cannot disagree with each other or with `simulate`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from glutecoach.config import Config
from glutecoach.days import Day, summarize_days, totals_json
from glutecoach.history import History, Prompt
from glutecoach.report.figures import (
    DayFigures,
    Part,
    day_figures,
    day_length_hours,
    goal_streak,
    muscle_counts,
    stretch_parts,
)
from glutecoach.report.week import IsoWeek, load_week
from glutecoach.workhours import WorkHours

if TYPE_CHECKING:
    from glutecoach.library import Library
    from glutecoach.store import Store

@dataclass(frozen=True)
class Figures:
    """A DAY of spec/cli.md (or its totals), typed for the renderers: the very numbers of
    `Day.as_json` / `totals_json`, so the terminal, the page and the JSON agree to the digit."""

    sitting_minutes: float
    longest_sitting_minutes: float
    prompts: int
    done: int
    snoozed: int
    skipped: int
    missed: int
    natural_breaks: int
    compliance: float | None

    @classmethod
    def of(cls, j: Mapping[str, object]) -> Figures:
        return cls(**{k: v for k, v in j.items() if k != "date"})  # type: ignore[arg-type]


# How far back a streak of met goals is followed before the week shown (one query per week).
STREAK_WEEKS_MAX = 52


@dataclass
class WeekReport:
    week: IsoWeek
    zone: ZoneInfo
    now: datetime
    sit_limit_minutes: float
    goal_minutes: float
    days: list[Day]  # Monday first, seven, from summarize_days
    previous_days: list[Day]
    figures: list[DayFigures]  # the same dates as `days`
    previous_figures: list[DayFigures]
    streak: int  # days in a row that met the movement goal, up to the last day so far
    exercises: dict[str, int]  # exercise id -> times done in the week (exercise_log)
    muscles: dict[str, int]  # maximus, medius, minimus: exercises done by primary muscle
    unknown_exercises: dict[str, int]  # done, but no longer in the library
    prompts: list[Prompt]  # shown in the week, oldest first
    parts: list[Part]  # sitting stretches split at local midnight, on the week's dates
    hours: WorkHours  # the work windows in force

    def totals(self) -> dict[str, object]:
        return totals_json(self.days)

    @property
    def deferred(self) -> dict[str, int]:
        """Prompts of the week that waited for a meeting to end, by the signal that held them."""
        out: dict[str, int] = {}
        for p in self.prompts:
            if p.deferred:
                out[p.deferred] = out.get(p.deferred, 0) + 1
        return out

    def previous_totals(self) -> dict[str, object]:
        return totals_json(self.previous_days)

    @property
    def this_week(self) -> Figures:
        return Figures.of(self.totals())

    @property
    def week_before(self) -> Figures:
        return Figures.of(self.previous_totals())

    def day(self, i: int) -> Figures:
        return Figures.of(self.days[i].as_json())

    @property
    def movement_minutes(self) -> float:
        return sum(f.movement_seconds for f in self.figures) / 60

    @property
    def previous_movement_minutes(self) -> float:
        return sum(f.movement_seconds for f in self.previous_figures) / 60

    @property
    def over_limit(self) -> int:
        return sum(f.over_limit for f in self.figures)

    @property
    def previous_over_limit(self) -> int:
        return sum(f.over_limit for f in self.previous_figures)

    @property
    def goal_days(self) -> tuple[int, int]:
        """(days that met the goal, days that counted for it) in this week."""
        counted = [f for f in self.figures if f.goal_met is not None]
        return sum(1 for f in counted if f.goal_met), len(counted)

    @property
    def recorded(self) -> bool:
        return any(f.recorded for f in self.figures)

    def notes(self) -> list[str]:
        """What makes the week's figures look odd at first sight, said once."""
        out = []
        for d in self.week.dates():
            hours = day_length_hours(d, self.zone)
            if hours != 24:
                out.append(f"Clocks changed on {d:%a %d %b}: that day had {hours:g} hours "
                           "(sitting is counted in real time).")
        off = [d for d in self.days if d.day_off is not None]
        if off:
            named = ", ".join(f"{d.date:%a %d %b}" + (f" ({d.day_off})" if d.day_off else "")
                              for d in off)
            out.append(f"Day{'s' if len(off) > 1 else ''} off: {named}. No work windows, so no "
                       "prompts; sitting is still counted, and the movement goal's streak "
                       "neither counts nor breaks on a day off.")
        if any(f.status == "future" and not f.recorded for f in self.figures):
            out.append("The week is not over: days to come are left empty.")
        return out


def build_report(
    store: Store,
    config: Config,
    week: IsoWeek | None = None,
    *,
    now: datetime | None = None,
    config_path: Path | None = None,
    library: Library | Callable[[], Library] | None = None,
) -> WeekReport:
    """The report of `week` (default: the wall clock's week in the config's zone).

    `library` maps exercise ids to muscles; by default the shipped library plus the user's
    `exercises.d/` beside `config_path` is read, and only when the week has exercises done.
    """
    zone = config.schedule.zone()
    now = now or datetime.now(UTC)
    week = week or IsoWeek.current(zone, now)
    hours = WorkHours.of(config.schedule, zone)
    wh = load_week(store, week, zone, now, days_off=hours.day_off)
    sit_limit = config.schedule.sit_minutes * 60
    goal = config.report.movement_goal_minutes * 60

    def figures_of(history: History, days: list[Day]) -> list[DayFigures]:
        return day_figures(history, days, zone, hours, sit_limit_seconds=sit_limit,
                           goal_seconds=goal, now=now)

    figures = figures_of(wh.history, wh.days)
    previous = figures_of(wh.history, wh.previous_days)
    today = now.astimezone(zone).date()
    streak, open_ended = goal_streak(previous + figures, today)
    earlier = week.previous()
    for _ in range(STREAK_WEEKS_MAX):
        if not open_ended:
            break
        earlier = earlier.previous()
        h = store.load(since=earlier.start(zone), until=earlier.end(zone))
        if not h.stretches:
            dates = earlier.dates()
            if any(hours.day_off(d) is not None for d in dates) and not any(
                    hours.windows_of(d) for d in dates):
                continue  # a week of days off away from the desk: the streak runs on past it
            break  # nothing recorded that week: the history (or the tracking) starts after it
        days = summarize_days(h, zone, first=earlier.monday, last=earlier.sunday, now=now,
                              days_off=hours.day_off)
        more, open_ended = goal_streak(figures_of(h, days), today)
        streak += more

    done = exercises_done(store, week.start(zone), week.end(zone))
    lib: Library | None = None
    if done:
        lib = library() if callable(library) else library
        if lib is None:
            from glutecoach.library import load_library, user_exercises_dir

            lib = load_library(user_exercises_dir(config_path))
    muscles, unknown = muscle_counts(done, lib)

    dates = set(week.dates())
    return WeekReport(
        week=week, zone=zone, now=now,
        sit_limit_minutes=config.schedule.sit_minutes,
        goal_minutes=config.report.movement_goal_minutes,
        days=wh.days, previous_days=wh.previous_days,
        figures=figures, previous_figures=previous, streak=streak,
        exercises=done, muscles=muscles, unknown_exercises=unknown,
        prompts=[p for p in wh.history.prompts if p.at.astimezone(zone).date() in dates],
        parts=[p for p in stretch_parts(wh.history, zone, now) if p.date in dates],
        hours=hours,
    )


def exercises_done(store: Store, since: datetime, until: datetime) -> dict[str, int]:
    """exercise id -> how often it was done in [since, until): counted in SQL (exercise_log).
    A name that is not UTF-8 text (a damaged row) is named and left out, not a failed report."""
    from glutecoach.store.rows import stored

    # Names as bytes: the first undecodable one would fail the whole query as text.
    query = ("SELECT CAST(exercise AS BLOB), count(*), min(id) FROM exercise_log "
             "WHERE at_utc >= ? AND at_utc < ? GROUP BY exercise")
    out: dict[str, int] = {}
    # The store's guarded session turns a locked or damaged database into one clear line.
    with store.reading() as s:
        rows = list(s.connection().exec_driver_sql(query, (stored(since), stored(until))))
    for name, n, first_id in rows:
        if name is None:
            continue
        try:
            exercise = name.decode("utf-8") if isinstance(name, bytes) else str(name)
        except UnicodeDecodeError:
            store.problem("exercise_log", first_id, "the exercise name is not UTF-8 text; it is "
                                                    "left out of the muscles trained")
            continue
        out[exercise] = out.get(exercise, 0) + int(n)
    return out

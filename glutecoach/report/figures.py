"""Figures of a week beyond the DAY keys of `glutecoach.days` (which stay the one source of the
day table): stretches over the sitting limit, minutes of movement, the hour-by-day heat map of
sitting, the muscles trained and the streak of days that met the daily movement goal.

Everything here splits stretches exactly as `summarize_days` does (at local midnight, real elapsed
time, open stretches up to `now`), so per-day sums of these figures agree with the day table.

Definitions (shown to users in `glutecoach report --help` and the HTML page):

- stretches over the limit: parts of sitting stretches on the day (a stretch across midnight is
  split there, as in "Day accounting") that lasted longer than `schedule.sit_minutes`;
- minutes of movement: the time of the day's breaks (last input before a break -> next input) that
  lies inside the day's work windows (`schedule.hours`) and between the day's first and last
  input. Breaks are when the coach saw you away from the keyboard: walking, standing, exercising.
  The night, days off, the morning before you sit down and the evening after you leave do not
  count, because there the coach cannot tell moving from being elsewhere. This is what the daily
  movement goal (`report.movement_goal_minutes`) is measured against;
- the goal is met on a day with work windows and some sitting when its minutes of movement reach
  the goal. Days without work windows (a weekend, a `[[schedule.days_off]]` range, a public
  holiday of `schedule.holidays`) or without any sitting neither meet nor break the streak: it
  runs on across them, and they add nothing to it. Nor does today until it meets the goal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from glutecoach.days import Day, local_midnight
from glutecoach.history import History
from glutecoach.library import MUSCLES
from glutecoach.workhours import WorkHours

if TYPE_CHECKING:
    from glutecoach.library import Library

# Every UTC offset in use is a multiple of 15 minutes and changes on a quarter hour, so the local
# hour is constant inside each UTC quarter hour: the heat map walks stretches in such slots.
_SLOT = timedelta(minutes=15)

# Buckley 2015 expert statement (evidence.md): build up to 2 h/day of standing and light activity
# in working hours, then 4 h/day. Shown beside the goal wherever it appears.
GOAL_SOURCE = "Buckley 2015, Br J Sports Med 49:1357"
GOAL_ADVICE = ("desk workers should build up to 2 h a day of standing and light activity in "
               "working hours, then 4 h")

Status = Literal["past", "today", "future"]


def duration_text(minutes: float) -> str:
    """120 -> "2 h", 90 -> "1 h 30 min", 45 -> "45 min": for sentences (tables use h:mm)."""
    h, m = divmod(round(minutes), 60)
    return " ".join(x for x in (f"{h} h" if h else "", f"{m} min" if m else "") if x) or "0 min"


def off_text(why: str) -> str:
    """How a day row marks a day off: "day off" or "day off: Epiphany"."""
    return f"day off: {why}" if why else "day off"


@dataclass(frozen=True)
class Part:
    """The part of one sitting stretch that falls on one local date."""

    date: date
    start: datetime  # UTC
    end: datetime  # UTC; `now` for a stretch still going on
    ongoing: bool

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass
class DayFigures:
    date: date
    status: Status  # against the wall clock's local date
    recorded: bool  # anything recorded on this date: sitting, a prompt or a natural break
    over_limit: int = 0
    movement_seconds: float = 0.0
    work_seconds: float = 0.0  # the length of the day's work windows (real time)
    first_input: datetime | None = None
    last_input: datetime | None = None
    heat: list[float] = field(default_factory=lambda: [0.0] * 24)  # sitting seconds per hour
    goal_met: bool | None = None  # None: the day does not count for the goal (see module doc)
    day_off: str | None = None  # a day off: its note or holiday name ("" for none)


def stretch_parts(history: History, zone: ZoneInfo, now: datetime | None) -> list[Part]:
    """Every stretch split at local midnight, exactly as `days.split_at_midnight` splits it."""
    parts = []
    for s in history.stretches:
        end = s.end or now or s.start  # the rule of summarize_days
        start, stop = s.start.astimezone(UTC), end.astimezone(UTC)
        day = start.astimezone(zone).date()
        while True:
            next_midnight = local_midnight(day + timedelta(days=1), zone).astimezone(UTC)
            part_end = min(stop, next_midnight)
            if part_end > start:
                parts.append(Part(day, start, part_end, s.end is None))
            if stop <= next_midnight:
                break
            start, day = next_midnight, day + timedelta(days=1)
    return parts


def hour_seconds(part: Part, zone: ZoneInfo) -> Iterable[tuple[int, float]]:
    """(local hour, seconds) pieces of a part. On the day clocks go back, 02:00-03:00 happens
    twice and its cell holds both; on the day they go forward, 02:00 does not exist."""
    t = part.start
    while t < part.end:
        slot_end = t - timedelta(minutes=t.minute % 15, seconds=t.second,
                                 microseconds=t.microsecond) + _SLOT
        piece_end = min(slot_end, part.end)
        yield t.astimezone(zone).hour, (piece_end - t).total_seconds()
        t = piece_end


def work_intervals(hours: WorkHours, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """The day's work windows as UTC instants, the very intervals the coach prompts in."""
    # WorkHours caches these per date; it has no public accessor for them (yet).
    return hours.windows_of(day)


def work_hours_of_day(hours: WorkHours, day: date) -> set[int]:
    """The local hours (0-23) of the day that overlap its work windows."""
    out: set[int] = set()
    for a, b in work_intervals(hours, day):
        t = a
        while t < b:
            out.add(t.astimezone(hours.zone).hour)
            t += _SLOT
    return out


def day_length_hours(day: date, zone: ZoneInfo) -> float:
    """23, 24 or 25: a local date's real length (DST)."""
    a = local_midnight(day, zone).astimezone(UTC)
    b = local_midnight(day + timedelta(days=1), zone).astimezone(UTC)
    return (b - a).total_seconds() / 3600


def _overlap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds())


def day_figures(
    history: History,
    days: list[Day],
    zone: ZoneInfo,
    hours: WorkHours,
    *,
    sit_limit_seconds: float,
    goal_seconds: float,
    now: datetime,
) -> list[DayFigures]:
    """The extra figures of each of `days` (consecutive dates, as summarize_days returns them)."""
    today = now.astimezone(zone).date()
    out: dict[date, DayFigures] = {}
    for d in days:
        recorded = d.sitting_seconds > 0 or d.prompts > 0 or d.natural_breaks > 0
        status: Status = ("future" if d.date > today
                          else "today" if d.date == today else "past")
        out[d.date] = DayFigures(d.date, status, recorded, day_off=d.day_off)

    for p in stretch_parts(history, zone, now):
        f = out.get(p.date)
        if f is None:
            continue
        if p.seconds > sit_limit_seconds:
            f.over_limit += 1
        f.first_input = p.start if f.first_input is None else min(f.first_input, p.start)
        f.last_input = p.end if f.last_input is None else max(f.last_input, p.end)
        for hour, seconds in hour_seconds(p, zone):
            f.heat[hour] += seconds

    # A break that overlaps a day's span of input starts on that day: bucket them by start date.
    breaks_by_date: dict[date, list[tuple[datetime, datetime]]] = defaultdict(list)
    for b in history.breaks:
        if b.end is not None:
            breaks_by_date[b.start.astimezone(zone).date()].append((b.start, b.end))
    for d in days:
        f = out[d.date]
        windows = work_intervals(hours, d.date)
        f.work_seconds = sum((b - a).total_seconds() for a, b in windows)
        if f.first_input is not None and f.last_input is not None:
            for b0, b1 in breaks_by_date.get(d.date, ()):
                for w0, w1 in windows:
                    f.movement_seconds += _overlap(max(b0, f.first_input), min(b1, f.last_input),
                                                   w0, w1)
        f.goal_met = goal_met(f, d, goal_seconds)
    return [out[d.date] for d in days]


def goal_met(f: DayFigures, day: Day, goal_seconds: float) -> bool | None:
    if (f.status == "future" or f.day_off is not None or f.work_seconds == 0
            or day.sitting_seconds == 0):
        return None  # not a working day at the desk: it neither meets nor breaks the streak
    if f.movement_seconds >= goal_seconds:
        return True
    return None if f.status == "today" else False  # today may still get there


def goal_streak(figures: list[DayFigures], today: date) -> tuple[int, bool]:
    """Days in a row that met the goal, counted back from the last day up to `today`; and
    whether the run reached the first day given (so earlier days might extend it)."""
    streak = 0
    for f in reversed(figures):
        if f.date > today or f.goal_met is None:  # (recorded "future" days: simulated ones)
            continue
        if not f.goal_met:
            return streak, False
        streak += 1
    return streak, True


def muscle_counts(done: Mapping[str, int], library: Library | None
                  ) -> tuple[dict[str, int], dict[str, int]]:
    """Exercises done (id -> times) counted by primary muscle, and the ids the library does not
    know (a removed user exercise), which are left out of the muscle counts. Walks are left out
    too, as the planner's balance leaves them out: level walking barely uses maximus and would
    swell medius."""
    from glutecoach.plans.model import part_of

    muscles = dict.fromkeys(MUSCLES, 0)
    unknown: dict[str, int] = {}
    for exercise_id, n in sorted(done.items()):
        ex = library.get(exercise_id) if library is not None else None
        if ex is None:
            unknown[exercise_id] = n
            continue
        if part_of(ex) == "walk":
            continue
        for m in ex.primary_muscles:
            muscles[m] += n
    return muscles, unknown

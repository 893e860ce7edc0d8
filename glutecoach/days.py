"""Day accounting (spec: "Day accounting"): sitting split at local midnight, prompts by the date
they were shown, natural breaks by the date they began. `simulate` and the weekly report both call
`summarize_days`, so their numbers cannot differ for the same history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from glutecoach.history import History

OUTCOMES = ("done", "snoozed", "skipped", "missed")

# The instants GluteCoach handles: [FIRST_INSTANT, LAST_INSTANT). Beyond them Python's calendar
# ends (year 1, year 9999) before the rules do: work windows are looked up from the local date
# before an instant to about ten days after it (a deadline a day on, the next window up to eight
# days later), a day's sitting runs to the next local midnight, and local zones lie up to 14 hours
# from UTC (16 with the local mean times of the 19th century). Whole years at each end are far
# more room than that, and the same years as `report --week` takes.
FIRST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(9999, 1, 1, tzinfo=UTC)
HANDLED_RANGE = "1900-01-01 to 9998-12-31, UTC"


def handled(t: datetime) -> bool:
    """Is `t` an instant the rules, work windows and day accounting can work with?"""
    return FIRST_INSTANT <= t < LAST_INSTANT


@dataclass
class Day:
    date: date
    sitting_seconds: float = 0.0
    longest_sitting_seconds: float = 0.0
    prompts: int = 0
    done: int = 0
    snoozed: int = 0
    skipped: int = 0
    missed: int = 0
    natural_breaks: int = 0
    # A day off (no work windows, no prompts; sitting still counted): its note or holiday name,
    # "" for one without; None on other days. Not a DAY key of cli.md: reports show it beside.
    day_off: str | None = None

    @property
    def compliance(self) -> float | None:
        return compliance(self.done, self.skipped, self.missed)

    def as_json(self) -> dict[str, object]:
        return {"date": self.date.isoformat(), **totals_json([self])}


def compliance(done: int, skipped: int, missed: int) -> float | None:
    """done / (done + skipped + missed); None when nothing was final."""
    final = done + skipped + missed
    return done / final if final else None


def local_midnight(d: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(d, time(0), zone)


def split_at_midnight(
    start: datetime, end: datetime, zone: ZoneInfo
) -> Iterable[tuple[date, float]]:
    """The seconds of [start, end) that fall on each local date (real elapsed time)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)  # UTC: elapsed, not wall, time
    day = start.astimezone(zone).date()
    while True:
        next_midnight = local_midnight(day + timedelta(days=1), zone).astimezone(UTC)
        part_end = min(end, next_midnight)
        if part_end > start:
            yield day, (part_end - start).total_seconds()
        if end <= next_midnight:
            return
        start, day = next_midnight, day + timedelta(days=1)


def summarize_days(
    history: History,
    zone: ZoneInfo,
    first: date | None = None,
    last: date | None = None,
    now: datetime | None = None,
    days_off: Callable[[date], str | None] | None = None,
) -> list[Day]:
    """One Day per local date from `first` to `last` (default: the history's span). `days_off`
    (e.g. WorkHours.day_off) marks the days off."""
    days: dict[date, Day] = {}

    def day(d: date) -> Day:
        if d not in days:
            days[d] = Day(d, day_off=days_off(d) if days_off else None)
        return days[d]

    for s in history.stretches:
        end = s.end or now or s.start
        for d, seconds in split_at_midnight(s.start, end, zone):
            dd = day(d)
            dd.sitting_seconds += seconds
            dd.longest_sitting_seconds = max(dd.longest_sitting_seconds, seconds)
    for p in history.prompts:
        dd = day(p.at.astimezone(zone).date())
        dd.prompts += 1
        if p.outcome in OUTCOMES:
            setattr(dd, p.outcome, getattr(dd, p.outcome) + 1)
    for b in history.breaks:
        if b.kind == "natural":
            day(b.start.astimezone(zone).date()).natural_breaks += 1

    if first is None or last is None:
        span = history.span()
        if span is None and (first is None or last is None):
            return [days[d] for d in sorted(days)]
        if span is not None:
            first = first or span[0].astimezone(zone).date()
            last = last or span[1].astimezone(zone).date()
    assert first is not None and last is not None
    out = []
    d = first
    while d <= last:
        out.append(days.get(d) or day(d))
        d += timedelta(days=1)
    return out


def totals_json(days: list[Day]) -> dict[str, object]:
    """The DAY keys of cli.md (without date), summed over `days`."""
    done = sum(d.done for d in days)
    skipped = sum(d.skipped for d in days)
    missed = sum(d.missed for d in days)
    return {
        "sitting_minutes": _minutes(sum(d.sitting_seconds for d in days)),
        "longest_sitting_minutes": _minutes(max((d.longest_sitting_seconds for d in days),
                                                default=0.0)),
        "prompts": sum(d.prompts for d in days),
        "done": done,
        "snoozed": sum(d.snoozed for d in days),
        "skipped": skipped,
        "missed": missed,
        "natural_breaks": sum(d.natural_breaks for d in days),
        "compliance": _ratio(compliance(done, skipped, missed)),
    }


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 2)


def _ratio(x: float | None) -> float | None:
    return None if x is None else round(x, 4)

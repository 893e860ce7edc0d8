"""ISO weeks: parsing `YYYY-Www`, their local dates (Monday to Sunday) and their instants.

A week is seven local dates in the config's zone; its instants run from Monday's local midnight to
the next Monday's, so a week across a DST change is 167 or 169 hours long, as it really was.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from glutecoach.days import Day, local_midnight, summarize_days
from glutecoach.errors import InputError
from glutecoach.history import History

if TYPE_CHECKING:
    from glutecoach.store import Store

_WEEK = re.compile(r"^(\d{4})-[Ww](\d{2})$")
# Years whose weeks have local midnights that datetime can still shift by any UTC offset.
_YEARS = (1900, 9998)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __post_init__(self) -> None:
        try:
            date.fromisocalendar(self.year, self.week, 1)
        except ValueError:
            raise ValueError(f"{self.year} has no ISO week {self.week}") from None

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """`2026-W48` (the `w` may be lower case); InputError (exit 2) with the reason if not."""
        m = _WEEK.match(text.strip())
        if not m:
            raise InputError(f'--week: "{text}" is not an ISO week like 2026-W48')
        year, week = int(m.group(1)), int(m.group(2))
        if not _YEARS[0] <= year <= _YEARS[1]:
            raise InputError(f'--week: "{text}": the year must be {_YEARS[0]}-{_YEARS[1]}')
        last = date(year, 12, 28).isocalendar().week  # Dec 28 is always in the last ISO week
        if not 1 <= week <= last:
            raise InputError(f'--week: "{text}": {year} has ISO weeks 01 to {last:02d}')
        return cls(year, week)

    @classmethod
    def containing(cls, d: date) -> IsoWeek:
        iso = d.isocalendar()
        return cls(iso.year, iso.week)

    @classmethod
    def current(cls, zone: ZoneInfo, now: datetime | None = None) -> IsoWeek:
        """The week of the wall clock's local date (datetime.now, so tests can freeze it)."""
        now = now or datetime.now(UTC)
        return cls.containing(now.astimezone(zone).date())

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def dates(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def previous(self) -> IsoWeek:
        return IsoWeek.containing(self.monday - timedelta(days=7))

    def next(self) -> IsoWeek:
        return IsoWeek.containing(self.monday + timedelta(days=7))

    def start(self, zone: ZoneInfo) -> datetime:
        """Monday's local midnight, as a UTC instant."""
        return local_midnight(self.monday, zone).astimezone(UTC)

    def end(self, zone: ZoneInfo) -> datetime:
        """The next Monday's local midnight, as a UTC instant (exclusive)."""
        return local_midnight(self.monday + timedelta(days=7), zone).astimezone(UTC)


@dataclass
class WeekHistory:
    """The history touching a week and the week before, and both weeks' days (summarize_days)."""

    week: IsoWeek
    zone: ZoneInfo
    now: datetime
    history: History
    days: list[Day]  # Monday first, always seven
    previous_days: list[Day]


def load_week(store: Store, week: IsoWeek, zone: ZoneInfo, now: datetime,
              days_off: Callable[[date], str | None] | None = None) -> WeekHistory:
    """One query per table for both weeks; open stretches (no end yet) count up to `now`.
    `days_off` (WorkHours.day_off) marks the days off on the days."""
    before = week.previous()
    history = store.load(since=before.start(zone), until=week.end(zone))
    return WeekHistory(
        week=week, zone=zone, now=now, history=history,
        days=summarize_days(history, zone, first=week.monday, last=week.sunday, now=now,
                            days_off=days_off),
        previous_days=summarize_days(history, zone, first=before.monday, last=before.sunday,
                                     now=now, days_off=days_off),
    )

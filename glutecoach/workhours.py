"""Work windows as instants: when prompts may be shown, computed in the configured zone.

Windows are wall-clock times of a weekday; each local date's windows are turned into UTC intervals
once (and cached), so DST days have their real lengths. A day off (a `[[schedule.days_off]]` range
or a public holiday, see days_off.py) is a local date with no windows: the engine, the daemon,
`simulate` and the report all build their WorkHours here, so they agree on it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from glutecoach.config import Hours, Schedule
from glutecoach.days_off import DaysOff

# How far ahead to look for the next open window before saying there is none (a config with no
# windows at all never opens). Days off do not use it up: after a three-week vacation the next
# prompt is still known, but never more than a year of days off is skipped.
_HORIZON_DAYS = 8
_MAX_DAYS_OFF_SKIPPED = 366


class WorkHours:
    def __init__(self, hours: Hours, zone: ZoneInfo, days_off: DaysOff | None = None) -> None:
        self.zone = zone
        self.days_off = days_off or DaysOff()
        self._by_weekday = [hours.windows(d) for d in range(7)]
        self._day = lru_cache(maxsize=64)(self._intervals_of)

    @classmethod
    def of(cls, schedule: Schedule, zone: ZoneInfo) -> WorkHours:
        """The schedule's windows and days off: what every caller that has a config builds."""
        return cls(schedule.hours, zone, DaysOff.of(schedule))

    def day_off(self, day: date) -> str | None:
        """None on a working day; on a day off its note or holiday name ("" when it has none)."""
        return self.days_off.why(day) if self.days_off else None

    def _intervals_of(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if self.days_off and self.days_off.is_day_off(day):
            return ()
        out = []
        for w in self._by_weekday[day.weekday()]:
            start = datetime.combine(day, w.start, self.zone)
            if w.end is None:
                end = datetime.combine(day + timedelta(days=1), datetime.min.time(), self.zone)
            else:
                end = datetime.combine(day, w.end, self.zone)
            out.append((start.astimezone(UTC), end.astimezone(UTC)))
        return tuple(out)

    def windows_of(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The work windows of a local date as UTC intervals, in order."""
        return self._day(day)

    def local_date(self, t: datetime) -> date:
        return t.astimezone(self.zone).date()

    def is_open(self, t: datetime) -> bool:
        return any(a <= t < b for a, b in self._day(self.local_date(t)))

    def next_open(self, t: datetime) -> datetime | None:
        """The first moment at or after t inside a window, or None if none opens soon."""
        day = self.local_date(t) - timedelta(days=1)  # a window may end after midnight in UTC
        looked = skipped = 0
        while looked <= _HORIZON_DAYS:
            if self.days_off and self.days_off.is_day_off(day):
                skipped += 1
                if skipped > _MAX_DAYS_OFF_SKIPPED:
                    return None
            else:
                looked += 1
                for a, b in self._day(day):
                    if b > t:
                        return max(a, t)
            if day >= date.max - timedelta(days=1):
                return None
            day += timedelta(days=1)
        return None

    def current_window_end(self, t: datetime) -> datetime | None:
        for a, b in self._day(self.local_date(t)):
            if a <= t < b:
                return b
        return None

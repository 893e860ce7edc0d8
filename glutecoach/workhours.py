"""Work windows as instants: when prompts may be shown, computed in the configured zone.

Windows are wall-clock times of a weekday; each local date's windows are turned into UTC intervals
once (and cached), so DST days have their real lengths.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from glutecoach.config import Hours

# How far ahead to look for the next open window before saying there is none (a config with no
# windows at all never opens).
_HORIZON_DAYS = 8


class WorkHours:
    def __init__(self, hours: Hours, zone: ZoneInfo) -> None:
        self.zone = zone
        self._by_weekday = [hours.windows(d) for d in range(7)]
        self._day = lru_cache(maxsize=64)(self._intervals_of)

    def _intervals_of(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
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
        for i in range(_HORIZON_DAYS + 1):
            for a, b in self._day(day + timedelta(days=i)):
                if b > t:
                    return max(a, t)
        return None

    def current_window_end(self, t: datetime) -> datetime | None:
        for a, b in self._day(self.local_date(t)):
            if a <= t < b:
                return b
        return None

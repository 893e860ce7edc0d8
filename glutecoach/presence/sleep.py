"""Suspend seen as a wall-clock jump that the monotonic clock did not make (gnome-break-timer).

Between two polls both clocks advance alike while the machine runs; the monotonic clock stands
still during suspend (CLOCK_MONOTONIC on Linux, mach time on macOS), the wall clock does not. The
difference is how long the machine slept. Pure: the caller passes both clocks at each poll.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_THRESHOLD = 5.0  # seconds; NTP slews and a busy machine stay far below this


class SleepDetector:
    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._last: tuple[datetime, float] | None = None

    def observe(self, wall: datetime, mono: float) -> tuple[datetime, datetime] | None:
        """Feed one poll; returns (asleep_from, awake_at) when the machine slept since the last.

        When in the interval the sleep fell is unknown. After resume an overdue poll fires at
        once, so the sleep is placed at the end: awake_at is now and asleep_from is the previous
        poll plus the time the machine was awake in between.
        """
        if wall.tzinfo is None or wall.utcoffset() is None:
            raise ValueError("SleepDetector needs aware datetimes")
        # In UTC: Python subtracts two datetimes of one zone as naive times, so a DST change
        # would look like an hour of sleep.
        now = wall.astimezone(UTC)
        last, self._last = self._last, (now, mono)
        if last is None:
            return None
        last_wall, last_mono = last
        awake = mono - last_mono
        slept = (now - last_wall).total_seconds() - awake
        if slept < self.threshold or awake < 0:
            return None  # a backwards wall-clock step or a monotonic reset is not a sleep
        return (last_wall + timedelta(seconds=awake)).astimezone(wall.tzinfo), wall

    def reset(self) -> None:
        """Forget the last poll, e.g. after polling was paused on purpose."""
        self._last = None

"""Suspend seen as a wall-clock jump that the monotonic clock did not make (gnome-break-timer).

Between two polls both clocks advance alike while the machine runs; the monotonic clock stands
still during suspend (CLOCK_MONOTONIC on Linux, mach time on macOS), the wall clock does not. The
difference is how long the machine slept. Pure: the caller passes both clocks at each poll.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_THRESHOLD = 5.0  # seconds; NTP slews and a busy machine stay far below this


class ClockDrift:
    """Between two polls: how far the wall clock moved beyond the monotonic clock. Forward is
    sleep (SleepDetector); backward is the clock being set back (coach.clockguard)."""

    def __init__(self) -> None:
        self._last: tuple[datetime, float] | None = None

    def observe(self, wall: datetime, mono: float) -> tuple[datetime, float, float] | None:
        """Feed one poll; (the last poll's wall time in UTC, seconds awake since it, drift in
        seconds), or None on the first poll."""
        # In UTC: Python subtracts two datetimes of one zone as naive times, so a DST change
        # would look like an hour of drift.
        now = wall.astimezone(UTC)
        last, self._last = self._last, (now, mono)
        if last is None:
            return None
        awake = mono - last[1]
        return last[0], awake, (now - last[0]).total_seconds() - awake

    def reset(self) -> None:
        self._last = None


class SleepDetector:
    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self._drift = ClockDrift()

    def observe(self, wall: datetime, mono: float) -> tuple[datetime, datetime] | None:
        """Feed one poll; returns (asleep_from, awake_at) when the machine slept since the last.

        When in the interval the sleep fell is unknown. After resume an overdue poll fires at
        once, so the sleep is placed at the end: awake_at is now and asleep_from is the previous
        poll plus the time the machine was awake in between.
        """
        if wall.tzinfo is None or wall.utcoffset() is None:
            raise ValueError("SleepDetector needs aware datetimes")
        seen = self._drift.observe(wall, mono)
        if seen is None:
            return None
        last_wall, awake, slept = seen
        if slept < self.threshold or awake < 0:
            return None  # a backwards wall-clock step or a monotonic reset is not a sleep
        return (last_wall + timedelta(seconds=awake)).astimezone(wall.tzinfo), wall

    def reset(self) -> None:
        """Forget the last poll, e.g. after polling was paused on purpose."""
        self._drift.reset()

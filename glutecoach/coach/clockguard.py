"""Wall-clock trouble the rules must not see: the clock stepped back, the system zone changed.

The engine never goes back in time (a late observation counts as now), which is right for the
odd late reading but wrong after the wall clock is stepped back (NTP fixing a clock that ran
ahead, a user setting the time): the rules would stand still until the wall clock caught up.
So on a backward step the coach moves the engine, and the records still open, into the new time
frame by the size of the step: sitting so far, the next prompt, a pending prompt and a pause keep
their real durations, and nothing is written twice. Closed records keep the times they had.

When `[schedule] timezone` is unset the work windows follow the system zone, which may change
while the coach runs (travel, a user changing it); tzlocal caches it, so it is re-read, cheaply,
only when the files that name it change.

A forward step needs nothing here: SleepDetector takes it for a suspend (spec: "a wall-clock jump
that the monotonic clock did not see counts as a suspend").
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from glutecoach.errors import GlutecoachError
from glutecoach.presence.sleep import ClockDrift

if TYPE_CHECKING:
    from glutecoach.coach.service import Coach

log = logging.getLogger("glutecoach.coach")

# A step back smaller than this is NTP slewing or a late reading, not worth a rebase.
BACKWARD_TOLERANCE_SECONDS = 2.0
# The files tzlocal reads on Linux and macOS to name the system zone.
ZONE_FILES = ("/etc/localtime", "/etc/timezone")


class BackwardStep:
    """Sees the wall clock step back between two polls, by the monotonic clock."""

    def __init__(self, tolerance: float = BACKWARD_TOLERANCE_SECONDS) -> None:
        self.tolerance = tolerance
        self._drift = ClockDrift()

    def observe(self, wall: datetime, mono: float) -> timedelta | None:
        """Feed one poll; the (negative) step when the wall clock went back since the last."""
        seen = self._drift.observe(wall, mono)
        if seen is None:
            return None
        drift = seen[2]
        return timedelta(seconds=drift) if drift < -self.tolerance else None


def shifted(value: Any, delta: timedelta) -> Any:
    """`value` moved by `delta`: a datetime, or a frozen dataclass (e.g. the pending prompt) with
    datetime fields; anything else as it is."""
    if isinstance(value, datetime):
        return value + delta
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: getattr(value, f.name) + delta for f in dataclasses.fields(value)
                   if isinstance(getattr(value, f.name), datetime)}
        return dataclasses.replace(value, **changes) if changes else value
    return value


def rebase(coach: Coach, delta: timedelta) -> None:
    """Move the coach's rules and its open records by `delta` (the clock stepped back).

    Every instant the engine holds moves (generically, so a field added to the engine later moves
    too); `started` moves so that input is not taken for input from before the coach started."""
    engine = coach.engine
    for name, value in list(vars(engine).items()):
        moved = shifted(value, delta)
        if moved is not value:
            setattr(engine, name, moved)
    coach.started += delta
    try:
        coach.writer.shift_open(delta)
    except GlutecoachError as exc:
        # The rules are right either way; only the open records keep their old frame.
        log.warning("cannot move the open records after the clock step: %s", exc)


# --- the system time zone ---------------------------------------------------------------------


def zone_files_fingerprint() -> Hashable:
    """What changes when the system zone is changed: where /etc/localtime points and when the
    zone files were written. A few stat calls: cheap enough for every poll."""
    parts: list[object] = [os.environ.get("TZ")]
    for path in ZONE_FILES:
        try:
            st = os.stat(path)
            parts.append((st.st_ino, st.st_mtime_ns))
            parts.append(os.readlink(path) if os.path.islink(path) else None)
        except OSError:
            parts.append(None)
    if os.name != "posix":
        parts.append(int(time.monotonic() // 600))  # no files to watch: look every 10 minutes
    return tuple(parts)


def read_system_zone() -> ZoneInfo:
    """The system zone now (tzlocal caches it for the life of the process: reload it)."""
    import tzlocal

    from glutecoach.config import system_zone

    try:
        tzlocal.reload_localzone()
    except Exception as exc:  # tzlocal raises its own errors on odd systems; keep the old zone
        log.warning("cannot read the system time zone: %s", exc)
    return system_zone()


class ZoneWatch:
    def __init__(self, fingerprint: Callable[[], Hashable] = zone_files_fingerprint,
                 read: Callable[[], ZoneInfo] = read_system_zone) -> None:
        self.fingerprint = fingerprint
        self.read = read
        self._last: Hashable | None = None

    def changed(self, current: ZoneInfo) -> ZoneInfo | None:
        """The new system zone if it is no longer `current` (None on the first call: it only
        notes the files)."""
        mark = self.fingerprint()
        first, moved = self._last is None, mark != self._last
        self._last = mark
        if first or not moved:
            return None
        zone = self.read()
        return zone if zone.key != current.key else None


def follow_zone(coach: Coach, zone: ZoneInfo) -> None:
    """Work windows, times shown and the zone written beside records follow the new zone."""
    from glutecoach.workhours import WorkHours

    log.info("the system time zone changed from %s to %s", coach.zone.key, zone.key)
    coach.zone = zone
    coach.engine.hours = WorkHours.of(coach.config.schedule, zone)
    coach.writer.zone = zone.key


# --- what the coach calls -----------------------------------------------------------------------


class ClockGuard:
    """Called at the start of every observation, before the engine hears about the time."""

    def __init__(self) -> None:
        self.steps = BackwardStep()
        self.zones = ZoneWatch()

    def observe(self, coach: Coach, wall: datetime, mono: float) -> None:
        step = self.steps.observe(wall, mono)
        if step is not None:
            log.warning("the wall clock stepped back by %s; the rules follow the new time",
                        -step)
            rebase(coach, step)
        if coach.config.schedule.timezone is None:
            zone = self.zones.changed(coach.zone)
            if zone is not None:
                follow_zone(coach, zone)


# --- the daemon's wake-ups ----------------------------------------------------------------------


class PollDeadline:
    """When the next poll is due by the monotonic clock.

    APScheduler runs a date job by the wall clock, so after a step back of an hour the poll
    would wait an hour and the guard above would never get to run. The runner asks `overdue()`
    every second and polls at once when the monotonic clock says the poll is late."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = lambda: datetime.now(UTC),
                 slack: float = 2.0) -> None:
        self.monotonic, self.wall, self.slack = monotonic, wall, slack
        self._due: float | None = None

    def scheduled(self, at: datetime) -> None:
        wait = max(0.0, (at - self.wall()).total_seconds())
        self._due = self.monotonic() + wait

    def overdue(self) -> bool:
        return self._due is not None and self.monotonic() > self._due + self.slack

"""Busy times from a local iCalendar (.ics) file named in the config.

The file is parsed with `icalendar` and recurring events (RRULE, RDATE, EXDATE, moved instances)
are expanded with `recurring-ical-events`, both only when the file changes (mtime, size or inode:
calendar sync tools replace the file). Occurrences for the next day are expanded once and kept,
so a poll is a stat and a scan of a short list. What counts as busy: timed events that are not
TRANSPARENT (free), not cancelled, and not marked free or out-of-office by Outlook; all-day events
(holidays, birthdays, "working from home") never count. Times without a zone ("floating") are in
the user's zone.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from glutecoach.meetings.base import FailureLog, MeetingSignal, ReadFailed, SignalUnavailable

log = logging.getLogger(__name__)

HORIZON = timedelta(days=1)  # how far ahead occurrences are expanded at once
# Outlook's own free/busy marks (X-MICROSOFT-CDO-BUSYSTATUS); BUSY and TENTATIVE count.
NOT_BUSY = {"FREE", "OOF", "WORKINGELSEWHERE"}


@dataclass(frozen=True)
class Busy:
    start: datetime  # aware
    end: datetime
    summary: str


def counts_as_busy(event: Any) -> bool:
    """Whether a VEVENT (one occurrence) is time the user is taken."""
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    if str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "BUSY")).upper() in NOT_BUSY:
        return False
    start = event.get("DTSTART")
    # An all-day event has a DATE, not a DATE-TIME: a day off or a reminder, not a meeting.
    return start is not None and isinstance(start.dt, datetime)


def _aware(moment: datetime | date, zone: tzinfo) -> datetime:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def busy_between(calendar: Any, start: datetime, end: datetime, zone: tzinfo) -> list[Busy]:
    """Busy occurrences overlapping [start, end), sorted by start."""
    import recurring_ical_events

    # Query in the user's zone: the library reads floating times in the zone of the query.
    found: list[Busy] = []
    for event in recurring_ical_events.of(calendar).between(start.astimezone(zone),
                                                            end.astimezone(zone)):  # fmt: skip
        if not counts_as_busy(event):
            continue
        begin, finish = _aware(event.start, zone), _aware(event.end, zone)
        if finish > begin:  # an event without an end takes no time (RFC 5545 3.6.1)
            found.append(Busy(begin, finish, str(event.get("SUMMARY", "")).strip() or "busy"))
    return sorted(found, key=lambda b: b.start)


def _file_key(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size, st.st_ino


def _until(end: datetime, now: datetime, zone: tzinfo) -> str:
    local_end, local_now = end.astimezone(zone), now.astimezone(zone)
    if local_end.date() == local_now.date():
        return local_end.strftime("%H:%M")
    return local_end.strftime("%a %H:%M")


class IcsCalendar:
    name = "calendar"

    def __init__(self, path: Path, zone: tzinfo | None = None) -> None:
        try:
            import icalendar  # noqa: F401
            import recurring_ical_events  # noqa: F401
        except ImportError as e:
            raise SignalUnavailable(
                f"{e.name} is not installed (pip install icalendar recurring-ical-events)"
            ) from e
        self.path = path
        self._zone = zone if zone is not None else _system_zone()
        self._failures = FailureLog(self.name, log)
        self._key: tuple[int, int, int] | None = None
        self._calendar: Any = None
        self._window: tuple[datetime, datetime] | None = None
        self._busy: list[Busy] = []
        if not path.is_file():
            raise SignalUnavailable(f"the calendar file {path} does not exist")
        try:
            self._reload()
        except ReadFailed as e:
            raise SignalUnavailable(str(e)) from e

    def _reload(self) -> None:
        import icalendar

        try:
            key = _file_key(self.path)
            calendar = icalendar.Calendar.from_ical(self.path.read_bytes())
        except OSError as e:
            raise ReadFailed(f"cannot read {self.path}: {e}") from e
        except ValueError as e:
            raise ReadFailed(f"{self.path} is not an iCalendar file: {e}") from e
        self._calendar, self._key, self._window = calendar, key, None

    def busy_at(self, now: datetime) -> list[Busy]:
        """The busy times around `now` (re-reading the file if it changed)."""
        if now.tzinfo is None:
            now = now.replace(tzinfo=self._zone)
        try:
            changed = _file_key(self.path) != self._key
        except OSError as e:
            raise ReadFailed(f"cannot read {self.path}: {e}") from e
        if changed:
            self._reload()
        if self._window is None or not self._window[0] <= now < self._window[1]:
            start = now - timedelta(minutes=1)
            self._window = (start, start + HORIZON)
            try:
                self._busy = busy_between(self._calendar, *self._window, self._zone)
            except Exception as e:  # a rule the library cannot expand: say so, keep polling
                self._window = None
                raise ReadFailed(f"cannot expand the events of {self.path}: {e}") from e
        return [b for b in self._busy if b.start <= now < b.end]

    def read(self, now: datetime) -> MeetingSignal:
        try:
            busy = self.busy_at(now)
        except ReadFailed as e:
            return self._failures.failed(e)
        if not busy:
            return self._failures.ok(MeetingSignal(False, self.name))
        last = max(busy, key=lambda b: b.end)  # the one that holds prompts longest
        detail = f"busy: {last.summary} until {_until(last.end, now, self._zone)}"
        return self._failures.ok(MeetingSignal(True, self.name, detail))

    def close(self) -> None:
        pass


def _system_zone() -> tzinfo:
    from glutecoach.config import system_zone

    return system_zone()

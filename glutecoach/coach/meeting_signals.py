"""The running coach's meeting signals: opened at start, opened again when `[meetings]` changes,
and those that could not be opened tried again a few times.

Why again: a desktop starts its session services (xfce4-power-manager, PowerDevil, the
notification server) beside the coach's autostart entry, not before it, and a calendar file may
be synced a moment after login. A signal that is not there at the first look would otherwise
stay off all day, with one line in the log nobody reads.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from glutecoach.meetings.base import MeetingSource
from glutecoach.meetings.config import MeetingsConfig
from glutecoach.meetings.select import close_all, open_meeting_sources

log = logging.getLogger(__name__)

# Seconds after opening at which the signals that were not there are tried again: a login's
# services are up within the first, a slow one within the second; after the last, a signal
# that still cannot open is taken as not on this desktop (a reload tries again).
RETRY_AFTER_SECONDS: tuple[float, ...] = (30.0, 120.0, 600.0)


class MeetingSignals:
    """The open signals (`sources`, in `[meetings]`'s fixed order) and the ones still missing.

    `attach` gives it the coach (told of each new list through `replace_meetings`) and the
    coach's APScheduler scheduler, in which each retry is one date job with a fixed id (a
    reload's new plan replaces the old one).
    """

    JOB_ID = "meeting-signals"

    def __init__(self, config: MeetingsConfig, zone: tzinfo | None,
                 retry_after: tuple[float, ...] = RETRY_AFTER_SECONDS) -> None:
        self._lock = threading.Lock()
        self._retry_after = retry_after
        self._coach: Any = None
        self._scheduler: Any = None
        self.sources: list[MeetingSource] = []
        self.missing: list[str] = []
        self._open(config, zone)

    def _open(self, config: MeetingsConfig, zone: tzinfo | None) -> None:
        close_all(self.sources)
        self.sources, problems = open_meeting_sources(config, zone)
        for problem in problems:  # said once: prompts still come, just without that signal
            log.info("meeting signal off: %s", problem)
        self._opened_with = (config, zone)
        opened = {source.name for source in self.sources}
        self.missing = [name for name in config.enabled() if name not in opened]
        self._tries = 0

    def attach(self, coach: Any, scheduler: Any) -> None:
        self._coach, self._scheduler = coach, scheduler
        with self._lock:
            self._plan_retry()

    def _plan_retry(self) -> None:
        if self.missing and self._scheduler is not None and self._tries < len(self._retry_after):
            at = datetime.now(UTC) + timedelta(seconds=self._retry_after[self._tries])
            self._scheduler.add_job(self.retry, "date", run_date=at, id=self.JOB_ID,
                                    replace_existing=True, misfire_grace_time=None)

    def follow(self) -> None:
        """After a reload: open the signals again when `[meetings]` (or the time zone a
        calendar's times are read in) changed."""
        config, zone = self._coach.config.meetings, self._coach.zone
        with self._lock:
            if (config, zone) == self._opened_with:
                return
            self._open(config, zone)
            self._coach.replace_meetings(self.sources)
            log.info("meeting signals now: %s",
                     ", ".join(source.name for source in self.sources) or "none")
            self._plan_retry()

    def retry(self) -> None:
        """Try the missing signals once more; those that open now join the others."""
        with self._lock:
            if not self.missing:
                return
            self._tries += 1
            config, zone = self._opened_with
            found, problems = open_meeting_sources(config, zone, names=self.missing)
            if found:
                order = config.enabled()
                self.sources = sorted(self.sources + found, key=lambda s: order.index(s.name))
                if self._coach is not None:
                    self._coach.replace_meetings(self.sources)
                log.info("meeting signal now on: %s", ", ".join(s.name for s in found))
            opened = {source.name for source in found}
            self.missing = [name for name in self.missing if name not in opened]
            if self.missing and self._tries >= len(self._retry_after):
                for problem in problems:
                    log.info("meeting signal still off after %d tries: %s", self._tries, problem)
            self._plan_retry()

    def close(self) -> None:
        with self._lock:
            close_all(self.sources)
            self.sources = []

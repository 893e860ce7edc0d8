"""What every meeting signal answers, and how one says it cannot work here.

A signal is one outside sign that the user is in a call or presenting: the camera or microphone in
use, a fullscreen meeting or slide window, a call app keeping the screen awake (an idle
inhibitor), the desktop's do-not-disturb, a busy calendar entry.
Each source is opened once (SignalUnavailable with one plain line when it cannot work on this
machine) and then read at every poll; a read never raises: a failed read is an "off" signal whose
detail says why, so one broken source never holds prompts back nor crashes the coach.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class MeetingSignal:
    on: bool
    source: str  # "camera", "microphone", "fullscreen", "inhibitor", "do-not-disturb", "calendar"
    detail: str = ""  # e.g. "zoom holds /dev/video0", "busy: Standup until 10:15"


class SignalUnavailable(Exception):
    """This signal cannot work here; the message is one plain line saying why."""


class ReadFailed(Exception):
    """One read failed (a busy bus, a server restarting); the next may work. Internal: sources
    turn it into an "off" signal with `FailureLog`."""


@runtime_checkable
class MeetingSource(Protocol):
    name: str

    def read(self, now: datetime) -> MeetingSignal: ...

    def close(self) -> None: ...


class FailureLog:
    """Turns a failed read into an off signal and logs it once per run of failures.

    The coach polls every ~20 s all day: a source that stays broken must not write a warning
    each time, yet the first failure and the recovery are worth a line each.
    """

    def __init__(self, source: str, log: logging.Logger) -> None:
        self._source = source
        self._log = log
        self._failing: str | None = None

    def failed(self, error: Exception | str) -> MeetingSignal:
        reason = str(error)
        if reason != self._failing:
            self._log.warning("meeting signal %s could not be read: %s", self._source, reason)
            self._failing = reason
        return MeetingSignal(False, self._source, f"could not read: {reason}")

    def ok(self, signal: MeetingSignal) -> MeetingSignal:
        if self._failing is not None:
            self._log.info("meeting signal %s reads again", self._source)
            self._failing = None
        return signal

"""What every presence source answers, and the errors that say why one cannot.

The OS is asked "how long since the last input?" at each poll; the coach derives input moments
from that (DESIGN.md). A source never crashes the coach: it is either unavailable from the start
(PresenceUnavailable, with one plain line why) or fails one read (PresenceError, try again later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class PresenceReading:
    idle_seconds: float  # seconds since the last keyboard/mouse input
    locked: bool | None  # screen locked now, None if this source cannot tell


class PresenceUnavailable(Exception):
    """This source cannot run here; the message is one plain line saying why."""


class PresenceError(Exception):
    """One read failed at run time (a busy bus, a server restarting); the next may work."""


@runtime_checkable
class PresenceSource(Protocol):
    name: str

    def read(self) -> PresenceReading: ...

    def close(self) -> None: ...


class LockProbe(Protocol):
    """Something that can tell whether the screen is locked, apart from idle time."""

    name: str

    def locked(self) -> bool:
        """Raises PresenceError when the answer cannot be had right now."""
        ...

    def close(self) -> None: ...


class WithLock:
    """An idle source whose missing lock state comes from the first lock probe that answers.

    X11 knows idle time but not whether a locker is up; logind or the screensaver service on the
    bus know that. A probe that fails on one read gives `None` for that read rather than failing
    the whole reading: idle time is what the rules need most.
    """

    def __init__(self, idle: PresenceSource, probes: Sequence[LockProbe]) -> None:
        self.name = idle.name
        self._idle = idle
        self._probes = list(probes)
        self.lock_from = ", ".join(p.name for p in self._probes) or None

    def read(self) -> PresenceReading:
        reading = self._idle.read()
        if reading.locked is not None:
            return reading
        for probe in self._probes:
            try:
                return PresenceReading(reading.idle_seconds, probe.locked())
            except PresenceError:
                continue
        return reading

    def close(self) -> None:
        self._idle.close()
        for probe in self._probes:
            probe.close()

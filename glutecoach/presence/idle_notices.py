"""Idle time from idle notifications: "idle for t seconds" and "input again" made an idle time.

Wayland's ext-idle-notify-v1 (and the like) never says how long the user has been idle: it sends
`idled` once no input came for a timeout the client registered, and `resumed` at the next input.
That is enough to know the last input after the fact:

- `idled` at T for a timeout t: the last input was at T - t, and the idle time now is now - (T - t)
  until the next `resumed`. One notification pins it: larger timeouts only confirm it, with a
  larger error (KWin's timers may fire up to 5 % early or late), so the smallest one idle wins.
- `resumed` at R: input at R, and the user counts as present (idle 0) until the next `idled`. The
  idle time inside that window is somewhere below the smallest timeout; calling it 0 is what
  "present" means to the coach as long as that timeout is under the coach's "at the keyboard"
  threshold (see `WaylandIdle`'s timeouts).

Pure: the caller passes the moment of each event, read from one clock, and asks with that clock.
"""

from __future__ import annotations


class IdleNotices:
    def __init__(self, started: float) -> None:
        # The compositor starts each timer when the notification is made: nothing before that is
        # known, so no derived input may lie before it.
        self._known_input = started
        self._last_input: float | None = None  # derived; None while present (not idle)
        self._idle_by: set[float] = set()  # the timeouts whose `idled` came, not yet resumed

    def idled(self, timeout: float, at: float) -> None:
        """The notification with this timeout (seconds) became idle at `at`."""
        # A timer that fired a little early must not move the input before one we saw.
        estimate = max(at - timeout, self._known_input)
        if not self._idle_by or timeout < min(self._idle_by):
            self._last_input = estimate
        self._idle_by.add(timeout)

    def resumed(self, timeout: float, at: float) -> None:
        """The notification with this timeout saw input again at `at`."""
        self._idle_by.discard(timeout)
        self._known_input = max(self._known_input, at)
        self._last_input = None

    def idle_seconds(self, now: float) -> float:
        if self._last_input is None:
            return 0.0
        return max(0.0, now - self._last_input)

    @property
    def idle(self) -> bool:
        return self._last_input is not None

"""The break screen's keys, without Tk: Enter and Esc, and the held Esc of strict mode's exit.

`KeyPolicy` says what a key means now (start or finish the exercise, snooze, nothing, close, or
"keep holding"); `HoldTimer` tells a held key from a tapped one. Both take the time as a number,
so the tests drive them with numbers and the Tk view with `time.monotonic()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from glutecoach.window.model import BreakModel

# Strict mode's emergency exit: Esc held this long. Long enough that no tap, and no Esc held out
# of habit while closing something else, gets there; short enough for a real emergency.
HOLD_SECONDS = 3.0
# X repeats a held key as release+press pairs a few ms apart (Tk sees both); a press within this
# long of a release is the same hold. Typical repeat intervals are 25–50 ms.
REPEAT_GAP = 0.15
# Keys in the first second after the screen came up are ignored: they were typed for the window
# the user was in (an Enter ending a line), not for a screen they have not seen yet.
KEY_GRACE_SECONDS = 1.0

KeyAction = Literal["start", "finish", "snooze", "close", "hold", "none"]


class HoldTimer:
    """How long a key has been held down, across the key repeat's release/press pairs."""

    def __init__(self, hold_seconds: float = HOLD_SECONDS, repeat_gap: float = REPEAT_GAP) -> None:
        self.hold_seconds = hold_seconds
        self.repeat_gap = repeat_gap
        self._pressed_at: float | None = None
        self._released_at: float | None = None

    def press(self, now: float) -> None:
        if self._pressed_at is None or not self._held(now):
            self._pressed_at = now
        self._released_at = None

    def release(self, now: float) -> None:
        if self._pressed_at is not None:
            self._released_at = now

    def _held(self, now: float) -> bool:
        if self._pressed_at is None:
            return False
        return self._released_at is None or now - self._released_at <= self.repeat_gap

    def progress(self, now: float) -> float | None:
        """0..1 of the hold while the key is down, None when it is not held."""
        if not self._held(now):
            self._pressed_at = self._released_at = None
            return None
        assert self._pressed_at is not None
        return min(1.0, (now - self._pressed_at) / self.hold_seconds)

    def reset(self) -> None:
        self._pressed_at = self._released_at = None


@dataclass(frozen=True)
class KeyPolicy:
    """What Enter and Esc do for one break screen."""

    strict: bool
    # Seconds from the window's start until strict mode lets it go (the end of the break).
    strict_seconds: float

    def held_in(self, since_start: float) -> bool:
        """Strict mode still holds the screen: no closing, no postponing."""
        return self.strict and since_start < self.strict_seconds

    def enter(self, model: BreakModel) -> KeyAction:
        """Enter starts the current exercise's countdown, or finishes the exercise while it runs
        (the next one waits for its own Enter, as for the Start button)."""
        if model.finished or model.answer not in (None, "done"):
            return "none"
        if model.running:
            return "finish"
        return "start" if model.seconds_left[model.index] > 0 else "finish"

    def escape(self, model: BreakModel, since_start: float) -> KeyAction:
        """Esc postpones where a snooze is allowed; under strict mode it must be held (the
        emergency exit: a skip, or after Done just the way out); after strict mode's time it
        closes the screen."""
        if self.held_in(since_start):
            return "hold"
        if model.answer is not None:
            return "none"
        if self.strict:
            return "close"
        return "snooze" if model.snooze_offered and not model.finished else "none"

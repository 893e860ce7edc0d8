"""When the heads-up before a prompt is shown and withdrawn (issue 14): decisions only.

The heads-up is a quiet notice `[desktop] heads_up_seconds` before the coming prompt falls due.
It never changes what is counted: it reads the engine and adds one wake-up (the moment it is
due) to the coach's schedule. It is shown once for each coming prompt, and only to a user who is
at the keyboard, inside a work window, neither paused nor in a meeting; it is withdrawn as soon
as that prompt is no longer the one coming (it came, a break ended the stretch, a pause or a
meeting holds it, Postpone or a reload moved it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from glutecoach.engine import Engine

Step = Literal["show", "withdraw", "replace"]


@dataclass
class HeadsUp:
    seconds: int = 60  # [desktop] heads_up_seconds, live: 0 turns it off
    # The due moment of the prompt the heads-up on screen is for, while it is up.
    showing_for: datetime | None = None
    # The due moment it was last shown for: shown once per coming prompt, even if closed.
    shown_for: datetime | None = None

    def wakeup(self, engine: Engine) -> datetime | None:
        """The moment to look, if it is still ahead: one wake-up, no polling."""
        coming = self._coming(engine)
        if coming is None or coming == self.shown_for:
            return None
        at = coming - timedelta(seconds=self.seconds)
        return at if at > engine.now else None

    def step(self, engine: Engine, present: bool) -> Step | None:
        """What to do now: show it, withdraw it, replace it (withdraw, then show for the prompt
        now coming), or nothing. Records the new state as if the step were done."""
        coming = self._coming(engine)
        stale = self.showing_for is not None and self.showing_for != coming
        want = (coming is not None and coming != self.shown_for and present
                and engine.now < coming <= engine.now + timedelta(seconds=self.seconds)
                and engine.status(engine.now).state == "active")
        if stale:
            self.showing_for = None
        if want:
            self.showing_for = self.shown_for = coming
            return "replace" if stale else "show"
        return "withdraw" if stale else None

    def _coming(self, engine: Engine) -> datetime | None:
        if self.seconds <= 0:
            return None
        return engine.next_prompt_at()

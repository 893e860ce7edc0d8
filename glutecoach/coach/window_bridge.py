"""Shows the break window with each prompt and passes its buttons back to the coach.

The window runs in a process of its own (window/process.py): Tk would stay in the coach's memory
all day after the first break, for a window that is up a few minutes at a time."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from glutecoach.coach.service import Coach
from glutecoach.engine import PromptShown
from glutecoach.library import Library
from glutecoach.store import Store
from glutecoach.window.model import ScreenOptions

log = logging.getLogger("glutecoach.window")


class WindowBridge:
    def __init__(self, coach: Coach, library: Library, store: Store) -> None:
        self.coach, self.library, self.store = coach, library, store
        self._window: object | None = None
        self._lock = threading.Lock()
        self._unavailable = False

    def attach(self) -> None:
        self.coach.on_prompt = self.show
        self.coach.on_resolved = self.close

    def show(self, shown: PromptShown) -> None:
        from glutecoach.durations import sitting_text
        from glutecoach.window import WindowUnavailable, window_plan
        from glutecoach.window.process import WindowProcess

        plans = getattr(self.coach.planner, "plans", {})
        plan = plans.get(shown.number)
        if plan is None or self._unavailable:
            return
        sitting = self.coach.prompt_sitting(shown.number)
        # The bubble's words for the sitting time, and none when under a minute (break-now).
        title = (f"Glute break after {sitting_text(sitting)} sitting · {plan.location}"
                 if sitting >= 60 else f"Glute break · {plan.location}")
        window = WindowProcess(window_plan(title, plan, self.library), on_answer=self._answer,
                               on_feedback=self._feedback, snooze_offered=shown.snooze_offered,
                               rateable=any(i.part == "glute" for i in plan.items),
                               on_sound=self.coach.chime, options=self._screen(shown))
        self.close()
        try:
            window.show()
        except WindowUnavailable as exc:
            # Said once; prompts still come as notifications.
            log.warning("no break window: %s", exc)
            self._unavailable = True
            return
        with self._lock:
            self._window = window

    def _screen(self, shown: PromptShown) -> ScreenOptions:
        """How the window shows the break: [desktop] break_screen and strict (live: each window
        starts afresh; strict offers no Snooze or Skip, and its emergency exit answers skip) and
        the seconds from now to the end of the break, the prompt's time plus break_minutes,
        which strict mode holds the screen for."""
        config = self.coach.config
        end = shown.at + timedelta(minutes=config.schedule.break_minutes)
        return ScreenOptions(config.desktop.break_screen, self.coach.strict,
                             (end - self.coach.clock.now()).total_seconds())

    def close(self) -> None:
        with self._lock:
            window, self._window = self._window, None
        if window is not None:
            try:
                window.close()  # type: ignore[attr-defined]
            except Exception as exc:
                log.warning("cannot close the break window: %s", exc)

    def _answer(self, answer: str) -> None:
        log.info("answer from the break window: %s", answer)
        # The window closes itself after its own answer; the coach must not close it again
        # before the user has rated the break.
        with self._lock:
            self._window = None
        self.coach.window_asks_feedback = answer == "done"
        # The source lets strict mode take the window's emergency exit (a skip) and no other.
        self.coach.handle({"cmd": "answer", "answer": answer, "source": "break-window"})

    def _feedback(self, rating: str) -> None:
        # Through the coach, as from the tray: what it changed (or why not) is said in a
        # notification rather than only in the log.
        self.coach.rate_last_break(rating, "the break window")

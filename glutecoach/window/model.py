"""What the break window shows and what the user has said in it, without Tk.

A `BreakModel` walks through a `WindowPlan` one item at a time: each item has its own countdown,
which runs only while the user has pressed Start, and `tick(seconds)` is how time reaches it (the
Tk window feeds it monotonic time; tests feed it numbers). Every method returns the `Event`s it
caused, so the window passes answers and feedback on and the tests can pin them.

Answers follow the prompt's outcomes: one per break (done, snooze or skip), the first one counts.
Feedback (easy / right / hard) is asked for after Done or once the plan has run out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from glutecoach.library.loader import Library
    from glutecoach.library.model import Exercise
    from glutecoach.plans.model import Plan

Answer = Literal["done", "snooze", "skip"]
Rating = Literal["easy", "right", "hard"]
ANSWERS: tuple[Answer, ...] = ("done", "snooze", "skip")
RATINGS: tuple[Rating, ...] = ("easy", "right", "hard")


@dataclass(frozen=True)
class ScreenOptions:
    """How the break is shown ([desktop] break_screen and strict) and how long it lasts.

    `break_seconds` is the time from the window's start to the end of the break (the prompt's
    time plus break_minutes, as the coach counts it); None when the caller does not know, and
    then the plan's own length stands in. Strict mode (issue 14: no Skip, no Snooze) holds the
    window that long; its only way out before then is the emergency exit, which answers "skip".
    """

    break_screen: Literal["window", "fullscreen"] = "window"
    strict: bool = False
    break_seconds: float | None = None

    def break_length(self, plan: WindowPlan) -> float:
        return plan.minutes * 60 if self.break_seconds is None else max(0.0, self.break_seconds)


class WindowUnavailable(Exception):
    """No break window can be shown here; `reason` is one sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WindowItem:
    """One exercise of the plan as the window shows it."""

    exercise_id: str
    name: str
    # The time this plan gives the item: the length of its countdown.
    seconds: int
    reps: int | None
    steps: list[str]
    cues: list[str] = field(default_factory=list)
    # Who should skip it or take care: always shown with the exercise (issue 4, safety).
    cautions: list[str] = field(default_factory=list)
    why: str = ""
    # The dose in words ("5 reps, each side"); when empty the window says "{reps} reps".
    dose: str = ""

    def dose_text(self) -> str:
        if self.dose:
            return self.dose
        if self.reps is not None:
            return f"{self.reps} rep" + ("s" if self.reps != 1 else "")
        return ""


@dataclass(frozen=True)
class WindowPlan:
    """The plan of one break: a title, its length in minutes and its items in order."""

    title: str
    minutes: float
    items: list[WindowItem]

    def heading(self) -> str:
        """The title with the total minutes: "Afternoon break · 5 min" (whole minutes: the
        seconds are on each item)."""
        return f"{self.title} · {max(1, round(self.minutes))} min"


def window_item(exercise: Exercise, seconds: int | None = None) -> WindowItem:
    """A library exercise as a window item; `seconds` is the plan's time for it when the plan
    gives it more or less than a typical dose takes."""
    return WindowItem(
        exercise_id=exercise.id,
        name=exercise.name,
        seconds=exercise.seconds if seconds is None else seconds,
        reps=exercise.dose.reps,
        steps=list(exercise.steps),
        cues=list(exercise.cues),
        cautions=list(exercise.cautions),
        why=exercise.why,
        dose=exercise.dose.describe(),
    )


def window_plan(title: str, plan: Plan, library: Library) -> WindowPlan:
    """A planned break as the window shows it: each item with the plan's own time and dose (a
    walk cut to the time left), not the exercise's typical one; an exercise the library no
    longer has is left out."""
    items = [replace(window_item(ex, i.seconds), dose=i.dose) for i in plan.items
             if (ex := library.get(i.exercise)) is not None]
    return WindowPlan(title, plan.minutes, items)


def clock_text(seconds: float) -> str:
    """125 -> "2:05". Rounded up, so the display shows 0:00 only when the time is really over."""
    whole = max(0, math.ceil(seconds - 1e-9))
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class Event:
    """Something the window must pass on or show.

    kind "answer" (value done / snooze / skip) and "feedback" (easy / right / hard) go to the
    caller's callbacks; "item" (value: the new index) and "finished" only change the view;
    "sound" (value exercise-end / break-end: a countdown ran out) asks the coach for a chime.
    """

    kind: Literal["answer", "feedback", "item", "finished", "sound"]
    value: str = ""


@dataclass(frozen=True)
class WindowState:
    """A copy of the model's state, safe to hand to another thread."""

    index: int
    seconds_left: tuple[float, ...]
    running: bool
    finished: bool
    answer: Answer | None
    rating: Rating | None


class BreakModel:
    """The break window's state machine: current item, countdowns, answer and feedback."""

    def __init__(self, plan: WindowPlan, snooze_offered: bool = True,
                 rateable: bool = True) -> None:
        if not plan.items:
            raise ValueError("a break plan needs at least one item")
        self.plan = plan
        self.snooze_offered = snooze_offered
        # A plan without glute work (a walk) has no level to move: "how did it feel?" would
        # ask for an answer nothing can take (issue 11, 4.5).
        self.rateable = rateable
        self.index = 0
        self.seconds_left = [float(item.seconds) for item in plan.items]
        self.running = False
        self.finished = False
        self.answer: Answer | None = None
        self.rating: Rating | None = None

    @property
    def current(self) -> WindowItem:
        return self.plan.items[self.index]

    @property
    def is_last(self) -> bool:
        return self.index == len(self.plan.items) - 1

    @property
    def feedback_offered(self) -> bool:
        """Ask how it felt once the user says it is done or has been through the whole plan,
        never after a skip or a snooze (nothing was done to rate)."""
        if not self.rateable or self.rating is not None or self.answer in ("snooze", "skip"):
            return False
        return self.answer == "done" or self.finished

    @property
    def over(self) -> bool:
        """Nothing is left to ask: the window can go."""
        if self.answer == "done" and not self.rateable:
            return True
        return self.answer in ("snooze", "skip") or self.rating is not None

    def state(self) -> WindowState:
        return WindowState(self.index, tuple(self.seconds_left), self.running, self.finished,
                           self.answer, self.rating)  # fmt: skip

    # --- the countdown ---------------------------------------------------------------------

    def start(self) -> list[Event]:
        if not self.finished and self.seconds_left[self.index] > 0:
            self.running = True
        return []

    def pause(self) -> list[Event]:
        self.running = False
        return []

    def toggle(self) -> list[Event]:
        return self.pause() if self.running else self.start()

    def tick(self, seconds: float) -> list[Event]:
        """Time passed: count the current item down while it runs; at zero, move on."""
        if seconds < 0:
            raise ValueError("time does not run backwards")
        if not self.running:
            return []
        left = self.seconds_left[self.index] - seconds
        self.seconds_left[self.index] = max(0.0, left)
        if left > 0:
            return []
        # Time left over is dropped on purpose: the next item waits for Start (see _advance).
        events = self._advance()
        # The countdown ran out (Next does not chime: the user is looking): a sound tells the
        # user, who may be on the floor facing away, to look up (issue 14).
        return [*events, Event("sound", "break-end" if self.finished else "exercise-end")]

    def next_item(self) -> list[Event]:
        """Go on to the next item now, or end the plan from the last one."""
        if self.finished:
            return []
        return self._advance()

    def _advance(self) -> list[Event]:
        # Each item waits for Start: the next one may need another place (the floor, a wall,
        # the stairs) and its steps should be read before the clock runs.
        self.running = False
        if self.is_last:
            self.finished = True
            return [Event("finished")]
        self.index += 1
        return [Event("item", str(self.index))]

    # --- what the user says ----------------------------------------------------------------

    def done(self) -> list[Event]:
        return self._answer("done")

    def snooze(self) -> list[Event]:
        return self._answer("snooze")

    def skip(self) -> list[Event]:
        return self._answer("skip")

    def _answer(self, answer: Answer) -> list[Event]:
        # One outcome per break, as for the prompt: a second click changes nothing.
        if self.answer is not None or (answer == "snooze" and not self.snooze_offered):
            return []
        self.answer = answer
        self.running = False
        return [Event("answer", answer)]

    def feedback(self, rating: Rating) -> list[Event]:
        """Rate the break. At the end of the plan a rating without Done counts as done: the user
        went through it and is telling how it felt."""
        if rating not in RATINGS:
            raise ValueError(f"{rating!r} is not one of {', '.join(RATINGS)}")
        if not self.feedback_offered:
            return []
        events = self._answer("done") if self.answer is None else []
        self.rating = rating
        return [*events, Event("feedback", rating)]

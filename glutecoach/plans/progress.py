"""The user's level (1-5) per glute muscle: feedback moves it at once, steady completion slowly.

A level is stored only when feedback sets it (the `levels` table: level and when). Everything
after that moment is worked out from what was done, so the coach, `simulate` and `glutecoach plan`
agree without anyone having to write the steady progress back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from glutecoach.library import MUSCLES
from glutecoach.plans.model import Done, part_of

if TYPE_CHECKING:
    from glutecoach.library import Library

Feedback = Literal["easy", "right", "hard"]
FEEDBACK: tuple[Feedback, ...] = ("easy", "right", "hard")
LOWEST, HIGHEST = 1, 5
# Done this many times at (or above) the level since it was last set, over at least this span,
# a muscle's level rises by one. With ~8 breaks a day a muscle gets its 10 within two days, so the
# span is what keeps it slow: at most a step a week (level 1 to 5 in a month at the earliest),
# time enough to say "hard" if a step came too soon.
STEADY_DONE = 10
STEADY_SPAN = timedelta(days=7)


@dataclass(frozen=True)
class StoredLevel:
    level: int
    updated: datetime  # aware; steady completion counts from here


def clamp(level: int) -> int:
    return max(LOWEST, min(HIGHEST, level))


def after_feedback(level: int, feedback: Feedback) -> int:
    """easy: one up; hard: one down; right: stays (within 1-5)."""
    return clamp(level + {"easy": 1, "right": 0, "hard": -1}[feedback])


def current_levels(library: Library, done: Iterable[Done], stored: Mapping[str, StoredLevel],
                   start_level: int) -> dict[str, int]:
    """Each muscle's level now: the stored one (or start_level), raised by steady completion of
    glute exercises for that muscle done after it was stored. Only exercises at least as hard as
    the level count: doing easier work does not show that the level is too low."""
    tracker = LevelTracker(library, stored, start_level)
    for d in sorted(done, key=lambda d: d.at):
        tracker.add(d)
    return tracker.levels()


class LevelTracker:
    """`current_levels`, one completion at a time (oldest first): `simulate` plans every prompt
    of a year without walking the whole history again at each one."""

    def __init__(self, library: Library, stored: Mapping[str, StoredLevel],
                 start_level: int) -> None:
        self.library = library
        self.stored = stored
        self._level = {m: clamp(stored[m].level if m in stored else start_level)
                       for m in MUSCLES}
        self._streak: dict[str, list[datetime]] = {m: [] for m in MUSCLES}

    def add(self, d: Done) -> None:
        ex = self.library.get(d.exercise)
        if ex is None or part_of(ex) != "glute":
            return
        for muscle in MUSCLES:
            base = self.stored.get(muscle)
            if muscle not in ex.primary_muscles or (base is not None and d.at <= base.updated):
                continue
            if ex.difficulty >= self._level[muscle]:
                streak = self._streak[muscle]
                streak.append(d.at)
                if (len(streak) >= STEADY_DONE and streak[-1] - streak[0] >= STEADY_SPAN
                        and self._level[muscle] < HIGHEST):
                    self._level[muscle] += 1
                    self._streak[muscle] = []

    def levels(self) -> dict[str, int]:
        return dict(self._level)

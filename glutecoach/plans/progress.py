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
    ordered = sorted(done, key=lambda d: d.at)
    levels: dict[str, int] = {}
    for muscle in MUSCLES:
        base = stored.get(muscle)
        level = clamp(base.level if base is not None else start_level)
        streak: list[datetime] = []  # completions counted towards the next step
        for d in ordered:
            if base is not None and d.at <= base.updated:
                continue
            ex = library.get(d.exercise)
            if ex is None or part_of(ex) != "glute" or muscle not in ex.primary_muscles:
                continue
            if ex.difficulty >= level:
                streak.append(d.at)
                if (len(streak) >= STEADY_DONE and streak[-1] - streak[0] >= STEADY_SPAN
                        and level < HIGHEST):
                    level, streak = level + 1, []
        levels[muscle] = level
    return levels

"""Choosing one break's plan: pure, deterministic, and the same wherever it runs.

A plan fills the break: a glute block of up to half of it, then a walk for the rest (Dempsey 2016:
walking and simple resistance moves both worked; Bailey & Locke 2015: walking did where standing
did not). Each glute exercise goes to the muscle furthest behind an equal share over the last
seven days and today, at the difficulty nearest the user's level for that muscle; slings are
balanced the same way. Nothing from the previous plan comes back in the next one.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from glutecoach.library import MUSCLES, SLINGS
from glutecoach.plans.model import Done, Plan, PlanItem, part_of

if TYPE_CHECKING:
    from glutecoach.library import Exercise, Library
    from glutecoach.plans.context import Context

# At least this much walking in a break that has a walk: shorter is hardly a walk.
MIN_WALK_SECONDS = 60
# The glute block takes at most this share of the break; the walk takes the rest.
GLUTE_SHARE = 0.5
# Balance is kept over this window and over the current local day.
WEEK = timedelta(days=7)
# Each time an exercise was done today counts as this much distance from the user's level: after
# two or three uses in a day, one a step easier or harder is offered instead, for variety.
REPEAT_COST = 0.5

WALK_REASON = ("a walk to break up the sitting: walking breaks lowered blood sugar where "
               "standing alone did not (Bailey & Locke 2015)")
MOVE_REASON = ("moving for the rest of the break: any light activity instead of sitting helps "
               "(WHO 2020)")


@dataclass
class _Tally:
    """Counts the choice works from: primary muscles of glute exercises done this week and
    today, slings of everything done this week, and when each exercise and muscle was last done."""

    week: dict[str, float] = field(default_factory=lambda: dict.fromkeys(MUSCLES, 0.0))
    day: dict[str, float] = field(default_factory=lambda: dict.fromkeys(MUSCLES, 0.0))
    slings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SLINGS, 0.0))
    last_done: dict[str, float] = field(default_factory=dict)  # exercise id -> timestamp
    last_trained: dict[str, float] = field(default_factory=dict)  # muscle -> timestamp
    uses_today: dict[str, int] = field(default_factory=dict)  # exercise id -> times done today

    def add(self, ex: Exercise, ts: float, in_week: bool = True, today: bool = True) -> None:
        self.last_done[ex.id] = max(ts, self.last_done.get(ex.id, -math.inf))
        if today:
            self.uses_today[ex.id] = self.uses_today.get(ex.id, 0) + 1
        if in_week:
            for s in ex.slings:
                self.slings[s] += 1
        if part_of(ex) != "glute":
            return
        for m in ex.primary_muscles:
            self.last_trained[m] = max(ts, self.last_trained.get(m, -math.inf))
            if in_week:
                self.week[m] += 1
            if today:
                self.day[m] += 1

    def behind(self, muscle: str) -> float:
        """How far the muscle is behind an equal share, this week plus today."""
        return sum(sum(c.values()) / len(c) - c[muscle] for c in (self.week, self.day))

    def muscle_order(self) -> list[str]:
        """Muscles, furthest behind first; then the one trained longest ago; then MUSCLES order."""
        return sorted(MUSCLES, key=lambda m: (-self.behind(m),
                                              self.last_trained.get(m, -math.inf),
                                              MUSCLES.index(m)))

    def imbalance_after(self, ex: Exercise) -> float:
        """How far from equal shares the week and the day would be with this exercise added."""
        total = 0.0
        for counts in (self.week, self.day):
            after = {m: c + (m in ex.primary_muscles) for m, c in counts.items()}
            mean = sum(after.values()) / len(after)
            total += sum((c - mean) ** 2 for c in after.values())
        return total

    def sling_gain(self, ex: Exercise) -> float:
        """How far behind an equal share this week the exercise's slings are (negative: ahead)."""
        mean = sum(self.slings.values()) / len(self.slings)
        return sum(mean - self.slings[s] for s in ex.slings)


def _tally(library: Library, ctx: Context, at: datetime, done: Iterable[Done]) -> _Tally:
    tally = _Tally()
    day_start = datetime.combine(at.astimezone(ctx.zone).date(), time(), ctx.zone)
    for d in sorted(done, key=lambda d: d.at):
        ex = library.get(d.exercise)
        if ex is None or d.at > at:
            continue  # an exercise no longer in the library, or a record from the future
        tally.add(ex, d.at.timestamp(), in_week=d.at >= at - WEEK, today=d.at >= day_start)
    return tally


class Tallier:
    """`_tally`, one completion at a time (oldest first): when each exercise and muscle was last
    done is kept as it comes; the week's and the day's counts are made from the last week only.
    `simulate` plans every prompt of a year this way instead of re-walking the history."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._times: list[float] = []
        self._items: list[tuple[datetime, Exercise]] = []
        self._base = _Tally()

    def add(self, d: Done) -> None:
        ex = self.library.get(d.exercise)
        if ex is None:
            return
        ts = d.at.timestamp()
        if self._times and ts < self._times[-1]:
            raise ValueError("completions must come oldest first")
        self._times.append(ts)
        self._items.append((d.at, ex))
        self._base.add(ex, ts, in_week=False, today=False)  # only the "last done" times

    def at(self, ctx: Context, at: datetime) -> _Tally:
        tally = _Tally(last_done=dict(self._base.last_done),
                       last_trained=dict(self._base.last_trained))
        day_start = datetime.combine(at.astimezone(ctx.zone).date(), time(), ctx.zone)
        for when, ex in self._items[bisect.bisect_left(self._times, (at - WEEK).timestamp()):]:
            if when <= at:
                tally.add(ex, when.timestamp(), in_week=True, today=when >= day_start)
        return tally


def choose_plan(library: Library, ctx: Context, at: datetime, done: Iterable[Done],
                previous: Sequence[str], levels: Mapping[str, int],
                tally: _Tally | None = None) -> Plan:
    """The plan for a break at `at` (aware).

    done: exercises done before, any age (only the last week counts for balance).
    previous: the exercise ids of the previous plan, which this one avoids.
    levels: the user's level (1-5) per muscle (progress.current_levels).
    tally: what `_tally` makes of `done`, when the caller keeps it up to date (Tallier).
    """
    tally = tally if tally is not None else _tally(library, ctx, at, done)
    allowed = [e for e in library if ctx.allows(e)]
    walks = [e for e in allowed if part_of(e) == "walk"]
    glutes = [e for e in allowed if part_of(e) == "glute"]
    avoid = set(previous)
    total = ctx.break_seconds

    budget = float(total) if not walks else min(total * GLUTE_SHARE, total - MIN_WALK_SECONDS)
    block: list[PlanItem] = []
    used: set[str] = set()
    while True:
        remaining = budget - sum(i.seconds for i in block)
        fit = [e for e in glutes if e.id not in used and e.seconds <= remaining]
        fresh = [e for e in fit if e.id not in avoid]
        # An exercise of the previous plan only when nothing else is left: for the first one, or
        # to fill a break that has no walk to take up the rest (filling the break comes first).
        pick = _pick_glute(tally, fresh or (fit if not block or not walks else []), levels,
                           filler=bool(block) and bool(walks))
        if pick is None:
            break
        ex, reason = pick
        block.append(PlanItem(ex.id, ex.name, ex.seconds, ex.dose.reps, ex.why, "glute",
                              ex.dose.describe(), reason))
        used.add(ex.id)
        tally.add(ex, at.timestamp())

    items = list(block)
    walk_seconds = total - sum(i.seconds for i in block)
    if walks and walk_seconds > 0:
        fresh_walks = [e for e in walks if e.id not in avoid] or walks
        low = min(levels.get(m, ctx.start_level) for m in MUSCLES)
        # A real walk where one is possible: walking is what the studies measured.
        w = min(fresh_walks, key=lambda e: (e.position != "walking", abs(e.difficulty - low),
                                            -tally.sling_gain(e),
                                            tally.last_done.get(e.id, -math.inf), e.id))
        from glutecoach.library.model import seconds_text

        items.insert(0, PlanItem(w.id, w.name, walk_seconds, None, w.why, "walk",
                                 seconds_text(walk_seconds),
                                 WALK_REASON if w.position == "walking" else MOVE_REASON))
    chosen = [library.get(i.exercise) for i in items]
    muscles = {m for i, e in zip(items, chosen, strict=True) if e and i.part == "glute"
               for m in e.primary_muscles}
    slings = {s for e in chosen if e for s in e.slings}
    return Plan(items=tuple(items), location=ctx.location,
                muscles=tuple(m for m in MUSCLES if m in muscles),
                slings=tuple(s for s in SLINGS if s in slings))


def _pick_glute(tally: _Tally, candidates: list[Exercise], levels: Mapping[str, int],
                filler: bool = False) -> tuple[Exercise, str] | None:
    """The exercise for the muscle furthest behind that has a candidate, nearest its level.

    filler: a further exercise in a block that a walk could finish instead. It must be within a
    step of the level: the time left is short, and short exercises are mostly easy ones, which
    must not crowd out the work at the user's level."""
    order = tally.muscle_order()
    for muscle in order:
        options = [e for e in candidates if muscle in e.primary_muscles
                   and (not filler or abs(e.difficulty - levels[muscle]) <= 1)]
        if not options:
            continue
        # Leave out exercises that also work a muscle already ahead of its share, while others
        # remain: without this, medius, which most exercises share, would pull ahead.
        options = [e for e in options
                   if all(tally.behind(m) >= 0 for m in e.primary_muscles if m != muscle)
                   ] or options
        level = levels[muscle]
        best = min(options, key=lambda e: (
            abs(e.difficulty - level) + REPEAT_COST * tally.uses_today.get(e.id, 0),
            e.difficulty > level,  # between two equally good, the easier one
            tally.imbalance_after(e),
            -tally.sling_gain(e),
            tally.last_done.get(e.id, -math.inf),  # longest ago (or never) first: variety
            e.id,
        ))
        why = ("least worked lately, " if muscle == order[0] and tally.behind(muscle) > 0
               else "")
        return best, (f"gluteus {muscle} ({why}difficulty {best.difficulty} for your level "
                      f"{level})")
    return None

"""Choosing one break's plan: pure, deterministic, and the same wherever it runs.

A plan fills the break: a glute block of up to half of it, then a walk for the rest (Dempsey 2016:
walking and simple resistance moves both worked; Bailey & Locke 2015: walking did where standing
did not). Each glute exercise goes to the muscle furthest behind an equal share over the last
seven days and today, at the difficulty nearest the user's level for that muscle; slings are
balanced the same way. Nothing from the previous plan comes back in the next one.

Balance and variety count what was offered as well as what was done: a plan nobody took still
gives way to others, or an unanswered coach would offer the same two plans all week.
"""

from __future__ import annotations

import bisect
import functools
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
# An exercise offered in a plan that was not done (missed, skipped, snoozed, still waiting) counts,
# in the last week only, this much of one done in the balance of muscles and slings: enough to
# rotate the plans when nobody answers; less than one, because a muscle offered and not worked
# still lags behind one that was worked. For variety (uses today, when last seen) it counts in
# full: the same exercise offered three times today is as repetitive as done three times.
OFFERED_WEIGHT = 0.5

WALK_REASON = ("a walk to break up the sitting: walking breaks lowered blood sugar where "
               "standing alone did not (Bailey & Locke 2015)")
MOVE_REASON = ("moving for the rest of the break: any light activity instead of sitting helps "
               "(WHO 2020)")


@dataclass
class _Tally:
    """Counts the choice works from: primary muscles of glute exercises done (or offered) this
    week and today, slings of everything done (or offered) this week, and when each exercise and
    muscle was last done or offered. An offer not taken counts OFFERED_WEIGHT of one done."""

    week: dict[str, float] = field(default_factory=lambda: dict.fromkeys(MUSCLES, 0.0))
    day: dict[str, float] = field(default_factory=lambda: dict.fromkeys(MUSCLES, 0.0))
    slings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SLINGS, 0.0))
    last_seen: dict[str, float] = field(default_factory=dict)  # exercise id -> timestamp
    last_trained: dict[str, float] = field(default_factory=dict)  # muscle -> timestamp
    uses_today: dict[str, float] = field(default_factory=dict)  # exercise id -> uses today

    def add(self, ex: Exercise, ts: float, in_week: bool = True, today: bool = True,
            weight: float = 1.0) -> None:
        self.seen(ex, ts)
        if in_week:
            self.count_week(ex, weight)
        if today:
            self.count_day(ex, weight)

    def seen(self, ex: Exercise, ts: float) -> None:
        self.last_seen[ex.id] = max(ts, self.last_seen.get(ex.id, -math.inf))
        if part_of(ex) == "glute":
            for m in ex.primary_muscles:
                self.last_trained[m] = max(ts, self.last_trained.get(m, -math.inf))

    def count_week(self, ex: Exercise, weight: float) -> None:
        """Weights are multiples of 0.5, so taking one back out (Tallier) is exact."""
        for s in ex.slings:
            self.slings[s] += weight
        if part_of(ex) == "glute":
            for m in ex.primary_muscles:
                self.week[m] += weight

    def count_day(self, ex: Exercise, weight: float) -> None:
        self.uses_today[ex.id] = self.uses_today.get(ex.id, 0.0) + 1  # in full (OFFERED_WEIGHT)
        if part_of(ex) == "glute":
            for m in ex.primary_muscles:
                self.day[m] += weight

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


def _day_start(ctx: Context, at: datetime) -> datetime:
    return datetime.combine(at.astimezone(ctx.zone).date(), time(), ctx.zone)


def _tally(library: Library, ctx: Context, at: datetime, done: Iterable[Done],
           offered: Iterable[Done] = ()) -> _Tally:
    tally = _Tally()
    day_start = _day_start(ctx, at)
    for d in done:
        ex = library.get(d.exercise)
        if ex is None or d.at > at:
            continue  # an exercise no longer in the library, or a record from the future
        tally.add(ex, d.at.timestamp(), in_week=d.at >= at - WEEK, today=d.at >= day_start)
    for d in offered:
        ex = library.get(d.exercise)
        if ex is None or not at - WEEK <= d.at <= at:
            continue  # offers count in the last week only (Tallier keeps no older ones)
        tally.add(ex, d.at.timestamp(), today=d.at >= day_start, weight=OFFERED_WEIGHT)
    return tally


class Tallier:
    """`_tally`, fed one completion or offer at a time (oldest first) and asked at moments that
    never go back: `simulate` plans every prompt of a year this way instead of re-walking the
    history. The week's counts slide with the moments asked (items come in at the front and
    leave at the back); when each exercise was last done is kept for all time, when it was last
    offered for the week; the day's counts grow with the day's items and start again each day."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._times: list[float] = []
        self._items: list[tuple[Exercise, float, bool]] = []  # what, weight, offered
        self._base = _Tally()  # last done, all time
        self._window = _Tally()  # week counts of the items in [_back, _front)
        self._back = self._front = 0
        self._offered_seen: dict[str, float] = {}  # exercise -> last offered (items < _front)
        self._offered_trained: dict[str, float] = {}  # muscle -> the same
        self._asked = -math.inf
        # The day's counts of the items in [_day_lo, _day_hi), kept as the moments asked move on:
        # recounting the day at every prompt is quadratic when prompts come seconds apart.
        self._day = _Tally()
        self._day_lo = self._day_hi = 0

    def add(self, d: Done) -> None:
        """An exercise done."""
        ex = self._append(d, 1.0, offered=False)
        if ex is not None:
            self._base.seen(ex, d.at.timestamp())

    def offer(self, d: Done) -> None:
        """An exercise offered in a plan that was not done (`d.at`: when it was shown)."""
        self._append(d, OFFERED_WEIGHT, offered=True)

    def _append(self, d: Done, weight: float, *, offered: bool) -> Exercise | None:
        ex = self.library.get(d.exercise)
        if ex is None:
            return None
        ts = d.at.timestamp()
        if self._times and ts < self._times[-1]:
            raise ValueError("completions and offers must come oldest first")
        self._times.append(ts)
        self._items.append((ex, weight, offered))
        return ex

    def at(self, ctx: Context, at: datetime) -> _Tally:
        now, week_start = at.timestamp(), (at - WEEK).timestamp()
        if now < self._asked:
            raise ValueError("a Tallier is asked at moments that never go back")
        self._asked = now
        front = bisect.bisect_right(self._times, now)  # items up to `at` count
        for i in range(self._front, front):
            ex, weight, offered = self._items[i]
            self._window.count_week(ex, weight)
            if offered:
                _latest(self._offered_seen, (ex.id,), self._times[i])
                if part_of(ex) == "glute":
                    _latest(self._offered_trained, ex.primary_muscles, self._times[i])
        self._front = front
        while self._back < front and self._times[self._back] < week_start:
            ex, weight, _ = self._items[self._back]
            self._window.count_week(ex, -weight)
            self._back += 1

        tally = _Tally(week=dict(self._window.week), slings=dict(self._window.slings),
                       last_seen=dict(self._base.last_seen),
                       last_trained=dict(self._base.last_trained))
        # The last offer of each exercise (and muscle) counts while it is inside the week.
        for ts_of, last in ((self._offered_seen, tally.last_seen),
                            (self._offered_trained, tally.last_trained)):
            for key, ts in ts_of.items():
                if ts >= week_start:
                    last[key] = max(ts, last.get(key, -math.inf))
        today = max(bisect.bisect_left(self._times, _day_start(ctx, at).timestamp()), self._back)
        if today != self._day_lo:  # a new day: its first items
            self._day, self._day_lo, self._day_hi = _Tally(), today, today
        for ex, weight, _ in self._items[self._day_hi:front]:
            self._day.count_day(ex, weight)
        self._day_hi = front
        tally.day, tally.uses_today = dict(self._day.day), dict(self._day.uses_today)
        return tally


def _latest(last: dict[str, float], keys: Iterable[str], ts: float) -> None:
    for key in keys:
        last[key] = max(ts, last.get(key, -math.inf))


def choose_plan(library: Library, ctx: Context, at: datetime, done: Iterable[Done],
                previous: Sequence[str], levels: Mapping[str, int],
                tally: _Tally | None = None, offered: Iterable[Done] = ()) -> Plan:
    """The plan for a break at `at` (aware).

    done: exercises done before, any age (only the last week counts for balance).
    previous: the exercise ids of the previous plan, which this one avoids.
    levels: the user's level (1-5) per muscle (progress.current_levels).
    tally: what `_tally` makes of `done` and `offered`, when the caller keeps it up to date
    (Tallier).
    offered: exercises of plans shown and not done, with when they were shown (the last week
    counts, at OFFERED_WEIGHT).
    """
    tally = tally if tally is not None else _tally(library, ctx, at, done, offered)
    allowed = _allowed(library, ctx)
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
                                            tally.last_seen.get(e.id, -math.inf), e.id))
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


# Two: the office and home contexts of a simulated year. A library is read once and never changed,
# so it is a key by identity; a reloaded config or library simply misses once.
@functools.lru_cache(maxsize=2)
def _allowed(library: Library, ctx: Context) -> tuple[Exercise, ...]:
    """The exercises the context allows (a year of plans asks this 2,500 times)."""
    return tuple(e for e in library if ctx.allows(e))


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
            tally.last_seen.get(e.id, -math.inf),  # longest ago (or never) first: variety
            e.id,
        ))
        why = ("least worked lately, " if muscle == order[0] and tally.behind(muscle) > 0
               else "")
        return best, (f"gluteus {muscle} ({why}difficulty {best.difficulty} for your level "
                      f"{level})")
    return None

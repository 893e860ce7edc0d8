"""`plan_for`, and the hooks through which the coach and `simulate` get their plans from it.

Both hooks call the same `plan_for` with the same kind of history (what was done, what was
offered and not done, the previous plan, stored levels), so a simulated week and a real one are
planned alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from glutecoach.plans.context import context_for
from glutecoach.plans.model import Done, Plan
from glutecoach.plans.progress import LevelTracker, current_levels
from glutecoach.plans.records import PlanHistory, read_history
from glutecoach.plans.select import Tallier, choose_plan

if TYPE_CHECKING:
    from glutecoach.config import Config
    from glutecoach.engine import PromptShown
    from glutecoach.history import History
    from glutecoach.library import Library
    from glutecoach.store import Store

log = logging.getLogger("glutecoach.plans")



def plan_for(config: Config, library: Library, at: datetime, history: PlanHistory,
             location: str | None = None, *, kept: Kept | None = None) -> Plan:
    """The plan for a break at `at` (aware), at the location in force then (or `location`).
    `kept`: levels and tallies kept up to date by the caller instead of `history.done` and
    `history.offered`."""
    ctx = context_for(config, at, location)
    if kept is not None:
        return choose_plan(library, ctx, at, (), history.previous, kept.levels.levels(),
                           tally=kept.tally.at(ctx, at))
    levels = current_levels(library, history.done, history.levels, ctx.start_level)
    return choose_plan(library, ctx, at, history.done, history.previous, levels,
                       offered=history.offered)


@dataclass
class Kept:
    """The history's levels and tallies, fed one completion or offer at a time (oldest first)."""

    levels: LevelTracker
    tally: Tallier

    def add(self, d: Done) -> None:
        self.levels.add(d)
        self.tally.add(d)

    def offer(self, d: Done) -> None:
        """Offered and not done: balance and variety count it, levels do not."""
        self.tally.offer(d)


def _config(source: Config | Callable[[], Config]) -> Config:
    return source() if callable(source) else source


class CoachPlanner:
    """The coach's `planner` hook: PromptShown -> (main exercise id, one-line plan text).

    `config` may be a callable, so that a config reloaded by the coach is used from the next
    prompt on. The whole plan of each prompt is kept in `plans` (by prompt number) for the
    store writer's `plans=` and for the break window.
    """

    def __init__(self, config: Config | Callable[[], Config], library: Library,
                 store: Store) -> None:
        self.config = config
        self.library = library
        self.store = store
        self.plans: dict[int, Plan] = {}

    def __call__(self, shown: PromptShown) -> tuple[str | None, str | None]:
        try:
            plan = plan_for(_config(self.config), self.library, shown.at,
                            read_history(self.store, shown.at))
        except Exception:
            # A prompt without a plan is still a prompt: never let planning cost the break.
            log.exception("cannot plan the break of prompt %d", shown.number)
            return None, None
        if not plan.items:
            log.warning("no exercise fits the %s location and the exclusions", plan.location)
            return None, None
        self.plans[shown.number] = plan
        # Only the latest few are ever asked for (pending prompt, its writer batch).
        for old in [n for n in self.plans if n < shown.number - 8]:
            del self.plans[old]
        return plan.main_exercise, plan.text()

    def plan_json(self, number: int) -> str | None:
        plan = self.plans.get(number)
        return plan.to_json_text() if plan is not None else None


def make_planner(config: Config | Callable[[], Config], library: Library,
                 store: Store) -> CoachPlanner:
    return CoachPlanner(config, library, store)


class SimulationChooser:
    """`simulate`'s `choose_exercise` hook: plans each simulated prompt from the simulation's own
    history (prompts ended so far, with the plans this chooser gave them: done ones as done, the
    others as offered). Levels start at the config's start_level, or at `levels` (e.g. read from
    the database), and progress by steady completion within the simulation."""

    def __init__(self, config: Config, library: Library,
                 history: PlanHistory | None = None) -> None:
        self.config = config
        self.library = library
        self.base = history or PlanHistory()
        self.plans: dict[int, Plan] = {}
        self._last: Plan | None = None
        self._kept: Kept | None = None
        self._seen = 0  # history.prompts before this one have been fed to _kept

    def __call__(self, shown: PromptShown, history: History) -> str | None:
        if self._kept is None:
            ctx = context_for(self.config, shown.at)
            self._kept = Kept(LevelTracker(self.library, self.base.levels, ctx.start_level),
                              Tallier(self.library))
            base = [(d, True) for d in self.base.done] + [(d, False) for d in self.base.offered]
            for d, done in sorted(base, key=lambda x: x[0].at):
                self._kept.add(d) if done else self._kept.offer(d)
        # Prompts end in the order they were shown (one is pending at a time): feed those shown
        # before this one that ended since the last call, once each.
        prompts = history.prompts
        while (self._seen < len(prompts) and prompts[self._seen].number < shown.number
               and prompts[self._seen].outcome != "pending"):
            p = prompts[self._seen]
            self._seen += 1
            plan = self.plans.get(p.number)
            ids = plan.ids if plan is not None else (p.exercise,) if p.exercise else ()
            for exercise in ids:
                if p.outcome == "done":
                    self._kept.add(Done(p.answered_at or p.at, exercise))
                else:
                    self._kept.offer(Done(p.at, exercise))
        previous = self._last.ids if self._last is not None else self.base.previous
        plan = plan_for(self.config, self.library, shown.at,
                        PlanHistory((), previous, self.base.levels), kept=self._kept)
        self.plans[shown.number] = plan
        self._last = plan
        return plan.main_exercise


def make_simulation_chooser(config: Config, library: Library,
                            history: PlanHistory | None = None) -> SimulationChooser:
    return SimulationChooser(config, library, history)

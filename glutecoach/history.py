"""What happened, as records: sitting stretches, breaks and prompts.

The engine's actions are folded into these records by `Recorder`; the store keeps the same records
in SQLite and reads them back, so `simulate` and the weekly report count from one shape of data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from glutecoach.engine import (
    Action,
    BreakBegan,
    BreakEnded,
    BreakKind,
    BreakReason,
    Notice,
    Outcome,
    PromptResolved,
    PromptShown,
    StretchEnded,
    StretchStarted,
)


@dataclass
class Stretch:
    start: datetime
    end: datetime | None = None  # None while it goes on


@dataclass
class Break:
    start: datetime  # the last input before it
    became: datetime  # when the gap met the rules
    kind: BreakKind
    reason: BreakReason
    end: datetime | None = None  # the next input


@dataclass
class Prompt:
    number: int
    at: datetime  # shown
    due: datetime
    snoozes: int
    outcome: Outcome = "pending"
    auto: bool = False
    answered_at: datetime | None = None
    exercise: str | None = None
    deferred: str | None = None  # the meeting signal it waited for, if any


@dataclass
class History:
    stretches: list[Stretch] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    prompts: list[Prompt] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def span(self) -> tuple[datetime, datetime] | None:
        """The first and last instant any record touches."""
        moments = [s.start for s in self.stretches] + [s.end for s in self.stretches if s.end]
        moments += [b.start for b in self.breaks] + [b.end for b in self.breaks if b.end]
        moments += [p.at for p in self.prompts]
        return (min(moments), max(moments)) if moments else None


class Recorder:
    """Folds engine actions into a History (in memory)."""

    def __init__(self, history: History | None = None) -> None:
        self.history = history or History()
        self._prompts: dict[int, Prompt] = {}

    def apply(self, actions: list[Action]) -> None:
        h = self.history
        for a in actions:
            match a:
                case StretchStarted(at=at):
                    h.stretches.append(Stretch(at))
                case StretchEnded(start=start, end=end):
                    if h.stretches and h.stretches[-1].start == start:
                        h.stretches[-1].end = end
                    else:
                        h.stretches.append(Stretch(start, end))
                case BreakBegan(start=start, at=at, kind=kind, reason=reason):
                    h.breaks.append(Break(start, at, kind, reason))
                case BreakEnded(end=end):
                    if h.breaks:
                        h.breaks[-1].end = end
                case PromptShown(number=n, at=at, due=due, snoozes=snoozes, deferred=deferred):
                    p = Prompt(n, at, due, snoozes, deferred=deferred)
                    self._prompts[n] = p
                    h.prompts.append(p)
                case PromptResolved(number=n, at=at, outcome=outcome, auto=auto):
                    p = self._prompts[n]
                    p.outcome, p.auto, p.answered_at = outcome, auto, at
                case Notice():
                    h.notices.append(a)

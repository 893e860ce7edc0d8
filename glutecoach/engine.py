"""The sitting rules (spec/sitting-rules.md) as an event-driven state machine.

Pure: no I/O and no clock of its own. Observations come in with the moment they happened (input,
continuous input, lock, suspend, pause, answers); actions come out (a stretch started or ended, a
gap became a break, a prompt was shown or resolved). `next_wakeup()` says when the engine next
needs to hear about the time if nothing else happens, so no caller has to tick it every second.

The daemon feeds it from the OS, `simulate` from a trace on a virtual clock, and the tests directly.
All instants are timezone-aware; only work windows care about the local zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from glutecoach.config import Schedule
from glutecoach.durations import sitting_text
from glutecoach.workhours import WorkHours

Outcome = Literal["done", "snoozed", "skipped", "missed", "pending"]
Answer = Literal["done", "snooze", "skip"]
BreakKind = Literal["natural", "prompted"]
BreakReason = Literal["idle", "lock", "suspend"]
State = Literal["active", "paused", "in-meeting", "outside-hours", "away"]


@dataclass(frozen=True)
class Rules:
    """The numbers of the rules as durations (the `[schedule]` keys in minutes)."""

    sit: timedelta = timedelta(minutes=30)
    brk: timedelta = timedelta(minutes=3)
    away: timedelta = timedelta(minutes=5)
    snooze: timedelta = timedelta(minutes=10)
    max_snoozes: int = 2
    response: timedelta = timedelta(minutes=10)

    @classmethod
    def from_schedule(cls, s: Schedule) -> Rules:
        return cls(
            sit=timedelta(minutes=s.sit_minutes),
            brk=timedelta(minutes=s.break_minutes),
            away=timedelta(minutes=s.away_after_minutes),
            snooze=timedelta(minutes=s.snooze_minutes),
            max_snoozes=s.max_snoozes,
            response=timedelta(minutes=s.response_minutes),
        )


# --- actions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StretchStarted:
    at: datetime


@dataclass(frozen=True)
class StretchEnded:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class BreakBegan:
    """A gap that began at `start` became a break at `at` (when it met the rules)."""

    start: datetime
    at: datetime
    kind: BreakKind
    reason: BreakReason


@dataclass(frozen=True)
class BreakEnded:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class PromptShown:
    number: int
    at: datetime
    due: datetime
    snoozes: int  # snoozes in a row before this prompt; snooze is offered while < max_snoozes
    snooze_offered: bool
    deferred: str | None = None  # it fell due during a meeting (the signal) and waited for its end


@dataclass(frozen=True)
class PromptResolved:
    number: int
    at: datetime
    outcome: Outcome
    auto: bool


@dataclass(frozen=True)
class Notice:
    """Something the caller should tell the user, e.g. an answer with no prompt pending."""

    at: datetime
    message: str


Action = (
    StretchStarted | StretchEnded | BreakBegan | BreakEnded | PromptShown | PromptResolved | Notice
)


@dataclass(frozen=True)
class Pending:
    number: int
    at: datetime
    due: datetime
    snoozes: int


@dataclass(frozen=True)
class Status:
    state: State
    sitting: timedelta
    next_prompt_at: datetime | None
    pending: Pending | None
    paused_until: datetime | None
    paused_indefinitely: bool
    meeting: str | None = None  # the signal holding prompts, if any


class Engine:
    def __init__(self, rules: Rules, hours: WorkHours, start: datetime) -> None:
        self.rules = rules
        self.hours = hours
        self.now = _utc(start)
        self.last_input: datetime | None = None
        self.stretch_start: datetime | None = None
        self.next_due: datetime | None = None
        self.snoozes_in_row = 0
        self.pending: Pending | None = None
        self.prompt_count = 0
        self.locked = False
        self.suspended = False
        self.pause_from: datetime | None = None
        self.pause_until: datetime | None = None  # None with pause_from set: until resumed
        # A meeting (camera, microphone, presenting, do-not-disturb, calendar) holds prompts
        # like a pause whose end nobody knows; `_deferred` marks the prompt that waited for it.
        self.meeting: str | None = None
        self._deferred: str | None = None
        # The gap that began at last_input (meaningless while input is continuous).
        self.gap_prompted = False  # (c): it began while a prompt was pending
        self.gap_reason: BreakReason = "idle"  # lock or suspend seen inside it: (b)
        self.gap_is_break = False
        self._out: list[Action] = []

    def change_rules(self, rules: Rules) -> None:
        """New rules from a reloaded config (the running coach; `simulate` has one config). A new
        sitting limit (or snooze length) applies to the stretch in progress: its next prompt
        moves by the difference, as if the new number had been in force when it was set. A
        prompt on screen keeps its deadlines; its answer sets the next one with the new rules."""
        old, self.rules = self.rules, rules
        if self.next_due is None or self.pending is not None:
            return
        # After a snooze the next prompt is the snooze's end; otherwise the sitting limit's.
        moved = (rules.snooze - old.snooze) if self.snoozes_in_row else (rules.sit - old.sit)
        self.next_due += moved

    # --- observations -------------------------------------------------------------------------

    def advance(self, to: datetime) -> list[Action]:
        """Time passed with no input up to `to`."""
        self._tick(self._clamp(to), present=False)
        return self._flush()

    def input(self, at: datetime) -> list[Action]:
        """Keyboard or mouse input at one moment."""
        self._input(self._clamp(at))
        return self._flush()

    def active(self, start: datetime, end: datetime, *, open_end: bool = False) -> list[Action]:
        """Continuous input from `start` to `end`: no gap inside, the user present throughout.
        With `open_end` the input stops just short of `end` (nothing is shown at `end` itself): the
        caller has an observation of that instant (e.g. a pause) to apply before input goes on."""
        start = self._clamp(start)
        self._input(start)
        self._tick(max(start, _utc(end)), present=True, inclusive=not open_end)
        self._begin_gap()
        return self._flush()

    def lock(self, at: datetime) -> list[Action]:
        return self._interrupt(at, "lock", on=True)

    def unlock(self, at: datetime) -> list[Action]:
        return self._interrupt(at, "lock", on=False)

    def suspend(self, at: datetime) -> list[Action]:
        return self._interrupt(at, "suspend", on=True)

    def resume(self, at: datetime) -> list[Action]:
        return self._interrupt(at, "suspend", on=False)

    def pause(self, at: datetime, until: datetime | None) -> list[Action]:
        """Silence prompts from `at` until `until` (None: until resumed). Sitting still counts."""
        at = self._clamp(at)
        until = _utc(until) if until is not None else None
        self._tick(at, present=False)
        if self._paused(at) and self.pause_until is not None and until is not None:
            until = max(until, self.pause_until)  # overlapping pauses join
        elif self._paused(at) and self.pause_until is None:
            until = None
        self.pause_from, self.pause_until = at, until
        return self._flush()

    def unpause(self, at: datetime) -> list[Action]:
        at = self._clamp(at)
        self._tick(at, present=False)
        self.pause_from = self.pause_until = None
        return self._flush()

    def hold(self, at: datetime, signal: str) -> list[Action]:
        """A meeting began (or its signal changed): prompts wait until `release`."""
        at = self._clamp(at)
        self._tick(at, present=False)
        self.meeting = signal
        return self._flush()

    def release(self, at: datetime) -> list[Action]:
        """The meeting ended: a prompt that fell due meanwhile comes with the next input (the
        caller looks at once: the end of a meeting is the best moment to stand up)."""
        at = self._clamp(at)
        self._tick(at, present=False)
        if (self.meeting is not None and self.stretch_start is not None and self.pending is None
                and self.next_due is not None and self.next_due <= at):
            self._deferred = self.meeting
        self.meeting = None
        return self._flush()

    def answer(self, at: datetime, answer: Answer) -> list[Action]:
        """The user's answer to the pending prompt (ignored with a notice if none is pending)."""
        at = self._clamp(at)
        self._tick(at, present=False)
        p = self.pending
        if p is None:
            self._out.append(Notice(at, f'"{answer}" ignored: no prompt is pending'))
            return self._flush()
        if answer == "done":
            self._resolve(at, "done", auto=False)
            self._end_stretch()
            if self.last_input is not None and not self.gap_is_break:
                # The user left after saying done: the gap they are in is the prompted break.
                self.gap_prompted = True
        elif answer == "snooze" and self.snoozes_in_row < self.rules.max_snoozes:
            self._resolve(at, "snoozed", auto=False)
            self.snoozes_in_row += 1
            self.next_due = at + self.rules.snooze
        else:  # skip, or a snooze past the limit, which counts as skip
            self._resolve(at, "skipped", auto=False)
            self.snoozes_in_row = 0
            self.next_due = p.at + self.rules.sit
        self._tick(at, present=False)
        return self._flush()

    def break_now(self, at: datetime) -> list[Action]:
        """The user asked for a break prompt now: they are present, windows and pauses aside."""
        at = self._clamp(at)
        self._input(at)
        if self.pending is None:
            self._show(at, due=at)
            self.gap_prompted = True
        return self._flush()

    def postpone(self, at: datetime) -> list[Action]:
        """The heads-up's "Postpone" and `glutecoach postpone` (issue 14): the coming prompt is
        shown at `at` and snoozed at once, so it counts as a snooze in every way (max_snoozes,
        history) and the next one is due at `at` + snooze. The user pressed a button: they are
        present. Refused with a notice when a prompt is waiting already; when none is coming
        in this stretch (away, paused, in a meeting, outside work hours: a press must not
        record a prompt where none could be); when the coming one is further off than a
        snooze (a press would bring it forward); and when no snooze is left (a snooze past the
        limit would count as skip, never meant by Postpone). `simulate` never calls it: traces
        have no heads-up."""
        at = self._clamp(at)
        self._tick(at, present=False)
        # As things stood before the press: the stretch in progress and its coming prompt.
        sitting = self.status(at).state == "active"
        coming = self.next_prompt_at()
        self._input(at)
        refusal = None
        if self.pending is not None:
            refusal = "a break prompt is already waiting: answer it (done, snooze or skip)"
        elif not sitting or coming is None:
            refusal = ("no break is coming now (away, paused, in a meeting or outside work"
                       " hours)")
        elif coming - at > self.rules.snooze:
            refusal = (f"the next break is {sitting_text((coming - at).total_seconds())} away; only"
                       f" one due within a snooze"
                       f" ({sitting_text(self.rules.snooze.total_seconds())}) can be put off")
        elif self.snoozes_in_row >= self.rules.max_snoozes:
            refusal = "no snooze is left"
        if refusal is not None:
            self._out.append(Notice(at, f'"postpone" ignored: {refusal}'))
            return self._flush()
        self._show(at, due=at)
        self._resolve(at, "snoozed", auto=False)
        self.snoozes_in_row += 1
        self.next_due = at + self.rules.snooze
        # Shown and answered at the same instant: a gap from here did not begin while a prompt
        # was pending, so walking away now is a natural break, as after any snooze by a click.
        self._begin_gap()
        self._tick(at, present=False)
        return self._flush()

    def finish(self, at: datetime) -> list[Action]:
        """Tracking ends: close the stretch at its last input and any break at `at`. A deadline
        at `at` itself has passed by then: nothing can answer after the end."""
        at = self._clamp(at)
        self._tick(at, present=False, settle=True)
        self._end_stretch()
        if self.gap_is_break and self.last_input is not None:
            self._out.append(BreakEnded(self.last_input, at))
            self.gap_is_break = False
        return self._flush()

    # --- questions ----------------------------------------------------------------------------

    def next_wakeup(self) -> datetime | None:
        """The next moment at which time alone changes something, assuming no input comes."""
        times = [t for t in (self._break_at(), self._miss_at(), self._pause_end()) if t]
        show = self.next_prompt_at()
        if show is not None:
            times.append(show)
        future = [t for t in times if t >= self.now]
        return min(future) if future else None

    def next_prompt_at(self) -> datetime | None:
        """When the next prompt would be shown if the user stays at the keyboard."""
        if self.stretch_start is None or self.pending is not None or self.next_due is None:
            return None
        return self._allowed_from(max(self.now, self.next_due))

    def waiting_for_input(self) -> bool:
        """A prompt is due and allowed now but the user is away: look for their return often."""
        t = self.next_prompt_at()
        return t is not None and t <= self.now

    def status(self, at: datetime) -> Status:
        at = max(_utc(at), self.now)
        sitting = at - self.stretch_start if self.stretch_start else timedelta(0)
        if self.stretch_start is None or self.gap_is_break:
            state: State = "away"
        elif self.meeting is not None:
            state = "in-meeting"
        elif self._paused(at):
            state = "paused"
        elif not self.hours.is_open(at):
            state = "outside-hours"
        else:
            state = "active"
        paused = self._paused(at)
        return Status(
            state=state,
            sitting=sitting,
            next_prompt_at=self.next_prompt_at(),
            pending=self.pending,
            paused_until=self.pause_until if paused else None,
            paused_indefinitely=paused and self.pause_until is None,
            meeting=self.meeting,
        )

    # --- the machinery ------------------------------------------------------------------------

    def _clamp(self, at: datetime) -> datetime:
        # Observations never go back in time: a late one counts as now.
        return max(_utc(at), self.now)

    def _flush(self) -> list[Action]:
        out, self._out = self._out, []
        return out

    def _input(self, at: datetime) -> None:
        self._tick(at, present=False)
        if self.gap_is_break and self.last_input is not None:
            self._out.append(BreakEnded(self.last_input, at))
        self.gap_is_break = False
        if self.stretch_start is None:
            self.stretch_start = at
            self.next_due = at + self.rules.sit
            self.snoozes_in_row = 0
            self._out.append(StretchStarted(at))
        self.last_input = at
        self._begin_gap()
        self._tick(at, present=True)
        self._begin_gap()

    def _begin_gap(self) -> None:
        """A gap may begin at the last input: note what it began with."""
        self.gap_prompted = self.pending is not None
        self.gap_reason = "lock" if self.locked else "suspend" if self.suspended else "idle"
        self.gap_is_break = False

    def _interrupt(self, at: datetime, what: BreakReason, on: bool) -> list[Action]:
        at = self._clamp(at)
        self._tick(at, present=False)
        if what == "lock":
            self.locked = on
        else:
            self.suspended = on
        if on and self.gap_reason == "idle":
            self.gap_reason = what
        self._tick(at, present=False)
        return self._flush()

    def _tick(self, to: datetime, present: bool, inclusive: bool = True,
              settle: bool = False) -> None:  # `to`: UTC
        """Let time run to `to`, applying every timed rule in order (those at `to` itself only if
        `inclusive`).

        A response deadline at `to` itself is left for later unless `settle`: a prompt is pending
        up to and including its deadline, so an answer (or a gap beginning) at that very instant
        still meets it. It is missed as soon as time moves past the deadline, recorded at it."""
        while True:
            nxt = self._next_event(present)
            if nxt is None or nxt[0] > to or (nxt[0] == to and not inclusive):
                break
            t, kind = nxt
            if kind == "miss" and t == to and not settle:
                break
            self.now = t
            if present:
                self.last_input = t
            if kind == "break":
                self._gap_becomes_break(t)
            elif kind == "miss":
                self._miss(t)
            else:
                self._show(t, due=self.next_due or t)
        self.now = max(self.now, to)
        if present:
            self.last_input = self.now

    def _next_event(self, present: bool) -> tuple[datetime, str] | None:
        # At equal times a prompted break wins over a miss ("no prompted break within
        # response_minutes" means one that reaches break_minutes at the deadline still counts).
        candidates: list[tuple[datetime, int, str]] = []
        if not present and (b := self._break_at()) is not None:
            candidates.append((max(b, self.now), 0, "break"))
        if (m := self._miss_at()) is not None:
            candidates.append((max(m, self.now), 1, "miss"))
        if present and (s := self.next_prompt_at()) is not None:
            candidates.append((s, 2, "show"))
        if not candidates:
            return None
        t, _, kind = min(candidates)
        return t, kind

    def _break_at(self) -> datetime | None:
        if self.last_input is None or self.gap_is_break:
            return None
        if self.gap_prompted or self.gap_reason != "idle":
            return self.last_input + self.rules.brk
        return self.last_input + self.rules.away

    def _miss_at(self) -> datetime | None:
        return self.pending.at + self.rules.response if self.pending else None

    def _pause_end(self) -> datetime | None:
        return self.pause_until if self._paused(self.now) else None

    def _paused(self, t: datetime) -> bool:
        if self.pause_from is None or t < self.pause_from:
            return False
        return self.pause_until is None or t < self.pause_until

    def _allowed_from(self, t: datetime) -> datetime | None:
        """The first moment at or after t inside a work window, outside the pause and not in a
        meeting (whose end is unknown: None until it is released)."""
        if self.meeting is not None:
            return None
        for _ in range(64):  # each round moves past a pause or to a window; a few suffice
            if self._paused(t):
                if self.pause_until is None:
                    return None
                t = self.pause_until
            opened = self.hours.next_open(t)
            if opened is None:
                return None
            if opened == t and not self._paused(t):
                return t
            t = opened
        return None

    def _gap_becomes_break(self, t: datetime) -> None:
        assert self.last_input is not None
        kind: BreakKind = "prompted" if self.gap_prompted else "natural"
        self.gap_is_break = True
        self._out.append(BreakBegan(self.last_input, t, kind, self.gap_reason))
        if self.pending is not None and self.gap_prompted:
            self._resolve(t, "done", auto=True)
        self._end_stretch()

    def _end_stretch(self) -> None:
        if self.stretch_start is not None and self.last_input is not None:
            self._out.append(StretchEnded(self.stretch_start, max(self.last_input,
                                                                  self.stretch_start)))
        self.stretch_start = None
        self.next_due = None
        self.snoozes_in_row = 0
        self._deferred = None

    def _miss(self, t: datetime) -> None:
        assert self.pending is not None
        shown = self.pending.at
        self._resolve(t, "missed", auto=False)
        self.snoozes_in_row = 0
        if self.stretch_start is not None:
            self.next_due = shown + self.rules.sit

    def _show(self, t: datetime, due: datetime) -> None:
        self.prompt_count += 1
        self.pending = Pending(self.prompt_count, t, due, self.snoozes_in_row)
        self._out.append(
            PromptShown(self.prompt_count, t, due, self.snoozes_in_row,
                        snooze_offered=self.snoozes_in_row < self.rules.max_snoozes,
                        deferred=self._deferred)
        )
        self._deferred = None

    def _resolve(self, t: datetime, outcome: Outcome, auto: bool) -> None:
        assert self.pending is not None
        self._out.append(PromptResolved(self.pending.number, t, outcome, auto))
        self.pending = None


def _utc(t: datetime) -> datetime:
    """Every instant inside the engine is UTC: Python adds and compares datetimes that share a
    ZoneInfo by wall clock, which is wrong across a DST change."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{t!r} has no time zone")
    return t.astimezone(UTC)

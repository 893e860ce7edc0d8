"""An independent reading of the sitting rules, for tests only.

Written from `spec/sitting-rules.md` and the README's "How GluteCoach counts (the rules)" with its
numbered readings, *without* looking at `glutecoach/engine.py`, `simulate.py` or `days.py`: the
point is a second, deliberately naive implementation to compare the real simulator against.

How it works: every instant in a trace, every config duration and every window edge is a whole
number of seconds, so all of them are multiples of one grid step (their gcd). Nothing can change
strictly between two grid points, so walking the grid point by point and applying, at each point,
the events in the README's order (reading 9) gives the same answer as continuous time:

  A. time reaches t: a gap that now meets the break rules becomes a break (a prompted break at or
     before the deadline makes the prompt done, auto: reading 3);
  B. lock and sleep rows ending at t, pauses starting at t: implicit, rows are half-open
     [at, until) (reading 16), so "held at t" already means "started at or before t and not ended";
  C. the input at t: the gap ending at t is closed (judged in A: a gap of exactly
     `break_minutes` became a break at t, reading 2), a stretch starts if none is going on, and a
     due prompt appears if the window is open and no pause holds;
  D. answers at t, in file order;
  E. lock and sleep rows starting at t: inside the gap in progress (a lock starting when input
     resumes is not, reading 17, because C closed that gap first), and a gap begins at t if the
     input stops there (a lock holding at t is inside it);
  F. time leaves t: a prompt whose deadline is t is missed, recorded at t (pending up to and
     including the deadline, reading 15; at the end of the trace too, reading 13).

Intervals: an `active` row [a, b] is input at every instant of it, so input goes on after t only
if some row has a <= t < b. Lock, sleep and pause rows hold on [at, until); a lock holding at a
grid point t holds on the whole step after t, so "held at some point of [L, N)" is exactly "held at
some moment inside the gap (L, N)".

Choices where the readings leave room (listed again in test_rules_reference.py):
- A gap began while a prompt was pending if one was pending at the input at its first instant L:
  an answer at L (after that input, reading 9) is given inside the gap, as reading 4 says for
  "done" ("the gap that begins at that moment") and reading 12 for snooze and skip.
- A break's reason is the kind (lock or suspend) first seen inside the gap by the moment it became
  a break, else "idle". Rows holding across the gap's first instant are all seen as it begins,
  then rows starting at that instant (reading 9 puts them after the input); of a lock and a sleep
  seen at one instant, the lock. A threshold reached at t (break_minutes with a prompt pending,
  or away_after_minutes) fires when time reaches t, before a lock that starts at t.
- A prompted break that becomes one at t resolves the prompt (done, auto) before an answer at t.
- The end of the trace is an instant like any other: a gap reaching a threshold there becomes a
  break, and a prompted one reaching break_minutes at a deadline there makes the prompt done
  (reading 3 wins over reading 13, which is about a prompt nobody answered).
- With response_minutes >= sit_minutes the next prompt is due while the last is still pending;
  it comes at the deadline instant, once the old one is missed (see F), if input goes on there.
"""

from __future__ import annotations

import csv
import io
import math
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

Outcome = Literal["done", "snoozed", "skipped", "missed", "pending"]
Interrupt = Literal["lock", "suspend"]

DEFAULT_RULES = {
    "sit_minutes": 30.0,
    "break_minutes": 3.0,
    "away_after_minutes": 5.0,
    "snooze_minutes": 10.0,
    "max_snoozes": 2,
    "response_minutes": 10.0,
}
DEFAULT_HOURS = {d: ["09:00-17:30"] for d in ("mon", "tue", "wed", "thu", "fri")}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class RefConfig:
    """The `[schedule]` section, durations in whole seconds."""

    zone: ZoneInfo
    sit: int  # seconds
    brk: int
    away: int
    snooze: int
    max_snoozes: int
    response: int
    hours: dict[str, list[tuple[int, int]]]  # weekday -> [start, end) in seconds of the day

    @classmethod
    def from_toml(cls, text: str) -> RefConfig:
        doc = tomllib.loads(text)
        sched = doc.get("schedule", {})
        keys = {k: sched.get(k, v) for k, v in DEFAULT_RULES.items()}
        raw_hours = sched.get("hours", DEFAULT_HOURS)
        hours = {day: [_window(w) for w in raw_hours.get(day, [])] for day in WEEKDAYS}
        return cls(
            # The spec's default is the system's zone; the tests always name one.
            zone=ZoneInfo(sched.get("timezone", "UTC")),
            sit=_seconds(keys["sit_minutes"]),
            brk=_seconds(keys["break_minutes"]),
            away=_seconds(keys["away_after_minutes"]),
            snooze=_seconds(keys["snooze_minutes"]),
            max_snoozes=int(keys["max_snoozes"]),
            response=_seconds(keys["response_minutes"]),
            hours=hours,
        )

    def durations(self) -> list[int]:
        return [self.sit, self.brk, self.away, self.snooze, self.response]

    def window_open(self, t: int) -> bool:
        """Windows are [start, end) in local time on the local weekday (clock seconds of the
        day: right for zones without a DST change in the trace, which is all the tests use)."""
        local = datetime.fromtimestamp(t, UTC).astimezone(self.zone)
        of_day = local.hour * 3600 + local.minute * 60 + local.second
        return any(a <= of_day < b for a, b in self.hours[WEEKDAYS[local.weekday()]])


def _seconds(minutes: float) -> int:
    s = minutes * 60
    if s != int(s):
        raise ValueError(f"{minutes} minutes is not a whole number of seconds")
    return int(s)


def _window(text: str) -> tuple[int, int]:
    a, b = text.split("-")

    def of_day(hhmm: str) -> int:
        h, m = hhmm.split(":")
        return int(h) * 3600 + int(m) * 60

    return of_day(a), of_day(b)


@dataclass(frozen=True)
class Row:
    at: int  # POSIX seconds
    until: int | None
    event: str


def parse_rows(text: str, zone: ZoneInfo) -> list[Row]:
    """The trace CSV (header optional); times without an offset are local times in `zone`."""
    rows: list[Row] = []
    for fields in csv.reader(io.StringIO(text.strip())):
        if not fields or all(not f.strip() for f in fields):
            continue
        at_text, until_text, event = (f.strip() for f in fields)
        if (at_text, until_text, event) == ("at", "until", "event"):
            continue
        rows.append(Row(_instant(at_text, zone),
                        _instant(until_text, zone) if until_text else None, event))
    return rows


def _instant(text: str, zone: ZoneInfo) -> int:
    t = datetime.fromisoformat(text)
    if t.tzinfo is None:
        t = t.replace(tzinfo=zone)
    ts = t.timestamp()
    if ts != int(ts):
        raise ValueError(f"{text}: fractions of a second are not supported by the reference")
    return int(ts)


@dataclass
class RefPrompt:
    shown: int
    deadline: int
    snoozes: int  # snoozes in a row before this prompt
    outcome: Outcome = "pending"
    auto: bool = False
    resolved: int | None = None


@dataclass
class RefBreak:
    start: int  # the last input before the gap
    became: int
    kind: Literal["natural", "prompted"]
    reason: Literal["idle", "lock", "suspend"]


@dataclass
class _Gap:
    start: int  # L, the last input
    prompted: bool  # rule (c), or a "done" in it (reading 4)
    seen: Interrupt | None = None  # the first lock/sleep seen inside it
    became: int | None = None


@dataclass
class RefResult:
    zone: ZoneInfo
    prompts_: list[RefPrompt] = field(default_factory=list)
    stretches_: list[tuple[int, int]] = field(default_factory=list)
    breaks_: list[RefBreak] = field(default_factory=list)
    ignored_answers: int = 0

    def local(self, t: int | None, fmt: str) -> str | None:
        return None if t is None else datetime.fromtimestamp(t, UTC).astimezone(
            self.zone).strftime(fmt)

    def prompts(self, fmt: str = "%H:%M:%S") -> list[tuple[str | None, str, bool, str | None]]:
        return [(self.local(p.shown, fmt), p.outcome, p.auto, self.local(p.resolved, fmt))
                for p in self.prompts_]

    def stretches(self, fmt: str = "%H:%M:%S") -> list[tuple[str | None, str | None]]:
        return [(self.local(a, fmt), self.local(b, fmt)) for a, b in self.stretches_]

    def breaks(self, fmt: str = "%H:%M:%S") -> list[tuple[str | None, str | None, str, str]]:
        return [(self.local(b.start, fmt), self.local(b.became, fmt), b.kind, b.reason)
                for b in self.breaks_]


def reference_run(text: str, config_toml: str) -> RefResult:
    """Replay a trace (the CSV text, header optional) under a config (the TOML text; keys left
    out take the spec's defaults) by walking its grid instant by instant."""
    cfg = RefConfig.from_toml(config_toml)
    return _Walk(parse_rows(text, cfg.zone), cfg).run()


class _Walk:
    def __init__(self, rows: list[Row], cfg: RefConfig) -> None:
        self.cfg = cfg
        self.actives = _merged([(r.at, r.until) for r in rows
                                if r.event == "active" and r.until is not None])
        # Zero-length lock/sleep/pause rows hold no instant (reading 16): dropped here.
        # Touching rows of one kind are one lock (reading 17): merged, so a lock row that
        # starts where another ends does not "start" there.
        self.interrupts = [(a, u, kind) for kind in ("locked", "suspended")
                           for a, u in _merged([(r.at, r.until) for r in rows
                                                if r.event == kind and r.until is not None
                                                and r.at < r.until])]
        self.pauses = [(r.at, r.until) for r in rows
                       if r.event == "paused" and r.until is not None and r.at < r.until]
        # Answers at one instant apply in file order (a second one finds nothing pending).
        self.answers: dict[int, list[str]] = {}
        for r in rows:
            if r.event in ("done", "snooze", "skip"):
                self.answers.setdefault(r.at, []).append(r.event)
        self.begin = min(r.at for r in rows)
        self.end = max(r.until if r.until is not None else r.at for r in rows)
        moments = [m for r in rows for m in (r.at, r.until) if m is not None]
        # Window edges are whole minutes of local time; 60 keeps them on the grid.
        self.step = math.gcd(*moments, *[d for d in cfg.durations() if d > 0], 60)
        self.result = RefResult(cfg.zone)

        self.stretch: int | None = None  # start of the stretch going on
        self.last_input: int | None = None
        self.gap: _Gap | None = None
        self.pending: RefPrompt | None = None
        self.due: int | None = None
        self.snoozes = 0  # snoozes in a row

    # --- what holds at an instant ----------------------------------------------------------

    def input_at(self, t: int) -> bool:
        return any(a <= t <= b for a, b in self.actives)

    def input_goes_on(self, t: int) -> bool:
        """Input on the step right after t (so no gap begins at t)."""
        return any(a <= t < b for a, b in self.actives)

    def interrupt_at(self, t: int, started_before: bool = False) -> Interrupt | None:
        """The lock or sleep holding at t (only those that started before t, if asked); a lock
        if both hold."""
        kinds = {kind for a, u, kind in self.interrupts
                 if a <= t < u and (a < t or not started_before)}
        if "locked" in kinds:
            return "lock"
        return "suspend" if "suspended" in kinds else None

    def paused(self, t: int) -> bool:
        return any(a <= t < u for a, u in self.pauses)

    # --- the walk -------------------------------------------------------------------------

    def run(self) -> RefResult:
        for t in range(self.begin, self.end + 1, self.step):
            self.time_reaches(t)
            if self.input_at(t):
                self.input(t)
            # Answers at t come after the input at t (reading 9) but still fall in a gap that
            # begins at t (reading 4 says so for "done", reading 12 for snooze and skip): the
            # gap began while the prompt was pending.
            pending_at_input = self.pending is not None
            for answer in self.answers.get(t, []):
                self.answer(t, answer)
            if self.input_goes_on(t):
                self.show_if_due(t)  # a skip can make the next prompt due already
            self.interrupts_start_and_gap_begins(t, pending_at_input)
            self.time_leaves(t)
        self.finish()
        return self.result

    def time_reaches(self, t: int) -> None:
        g = self.gap
        if g is None or g.became is not None or t - g.start < self.cfg.brk:
            return
        if g.prompted or t - g.start >= self.cfg.away or g.seen is not None:
            self.becomes_break(g, t, g.seen or "idle")

    def time_leaves(self, t: int) -> None:
        """Time moves past t: a prompt whose deadline is t is missed (pending up to and
        including it, reading 15; recorded at it). With response_minutes >= sit_minutes the next
        prompt is due by then; it comes at "the first moment" after the deadline, which
        continuous time does not have: taken as the deadline itself, after everything at it, if
        input goes on there (the limit from the right)."""
        p = self.pending
        if p is not None and p.deadline == t:
            self.resolve(p, "missed", t)
            self.due = p.shown + self.cfg.sit
            self.snoozes = 0
            if self.input_goes_on(t):
                self.show_if_due(t)

    def show_if_due(self, t: int) -> None:
        if (self.pending is None and self.due is not None and self.due <= t
                and self.cfg.window_open(t) and not self.paused(t)):
            self.pending = RefPrompt(t, t + self.cfg.response, self.snoozes)
            self.result.prompts_.append(self.pending)
            self.due = None

    def becomes_break(self, g: _Gap, t: int, reason: Literal["idle", "lock", "suspend"]) -> None:
        g.became = t
        self.result.breaks_.append(
            RefBreak(g.start, t, "prompted" if g.prompted else "natural", reason))
        if self.stretch is not None:
            self.result.stretches_.append((self.stretch, g.start))
        self.stretch = None
        self.due = None
        p = self.pending
        if p is not None:
            # Only a prompted gap can have a prompt pending (none appears inside a gap), and
            # time_reaches already missed one whose deadline has passed: this is "within".
            assert g.prompted and t <= p.deadline
            self.resolve(p, "done", t, auto=True)

    def input(self, t: int) -> None:
        if self.gap is not None and self.gap.start < t:
            self.gap = None  # judged in time_reaches: a break already, or sitting
        if self.stretch is None:
            self.stretch = t
            self.due = t + self.cfg.sit
            self.snoozes = 0
        self.last_input = t
        self.show_if_due(t)

    def answer(self, t: int, answer: str) -> None:
        p = self.pending
        if p is None:
            self.result.ignored_answers += 1
            return
        if answer == "done":
            self.resolve(p, "done", t)
            assert self.stretch is not None and self.last_input is not None
            self.result.stretches_.append((self.stretch, self.last_input))
            self.due = None
            if self.input_goes_on(t):
                # Typing on: the next stretch starts with this very input.
                self.stretch, self.due, self.snoozes = t, t + self.cfg.sit, 0
            else:
                self.stretch = None
                if self.gap is not None:
                    self.gap.prompted = True  # reading 4: the gap we are in is the break
            return
        if answer == "snooze" and self.snoozes < self.cfg.max_snoozes:
            self.resolve(p, "snoozed", t)
            self.due = t + self.cfg.snooze
            self.snoozes += 1
        else:  # skip, or a snooze past max_snoozes, which counts as skip
            self.resolve(p, "skipped", t)
            self.due = p.shown + self.cfg.sit
            self.snoozes = 0

    def interrupts_start_and_gap_begins(self, t: int, pending_at_input: bool) -> None:
        kind = self.interrupt_at(t)
        g = self.gap
        if g is not None and g.start < t and kind is not None and g.seen is None:
            g.seen = kind
            if g.became is None and t - g.start >= self.cfg.brk:
                self.becomes_break(g, t, kind)  # the break comes with the lock
        if self.input_at(t) and not self.input_goes_on(t):
            # Rows holding across the input at t are there when the gap begins; those starting
            # at t come after the input (reading 9), so they are seen second.
            self.gap = _Gap(t, pending_at_input, self.interrupt_at(t, started_before=True) or kind)

    def finish(self) -> None:
        # A deadline at the end was missed by time_leaves (reading 13); later ones stay pending.
        if self.stretch is not None and self.last_input is not None:
            self.result.stretches_.append((self.stretch, self.last_input))  # reading 1

    def resolve(self, p: RefPrompt, outcome: Outcome, at: int, auto: bool = False) -> None:
        p.outcome, p.auto, p.resolved = outcome, auto, at
        if p is self.pending:
            self.pending = None


def _merged(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Touching or overlapping rows as one: one run of input, one lock."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


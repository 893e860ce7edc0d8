"""Replaying a trace through the engine on a virtual clock (the core of `glutecoach simulate`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from glutecoach.engine import Action, Engine, PromptShown, Rules
from glutecoach.history import History, Recorder
from glutecoach.trace import TraceRow
from glutecoach.workhours import WorkHours

# Things at one instant, in this order (README, readings 9 and 15-18). Lock, sleep and pause rows
# are half-open, [at, until): one ending at t no longer holds at t, and one starting at t does not
# reach back into a gap that ends at t. So: ends, then pause starts (a pause silences a prompt due
# at its first instant), then the input at t (a due prompt appears with it), then answers (so an
# answer meets a prompt shown at that instant), then lock and sleep starts.
_ORDER = {"unlock": 0, "resume": 0, "pause": 1, "done": 2, "snooze": 2, "skip": 2,
          "lock": 3, "suspend": 3}
_BEFORE_INPUT = 2  # kinds ordered below this come before the input at their instant
_ANSWER = {"done": "done", "snooze": "snooze", "skip": "skip"}


@dataclass
class Simulation:
    start: datetime
    end: datetime
    history: History
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Point:
    at: datetime
    kind: str
    until: datetime | None
    line: int


def _merge(intervals: list[tuple[datetime, datetime]], *,
           keep_empty: bool = False) -> list[tuple[datetime, datetime]]:
    """Join overlapping and touching intervals. A half-open row with at == until holds no
    instant, so it is dropped unless `keep_empty` (an `active` row of one instant is one input)."""
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(i for i in intervals if keep_empty or i[0] < i[1]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def simulate(
    rows: list[TraceRow],
    rules: Rules,
    hours: WorkHours,
    name: str = "<trace>",
    choose_exercise: Callable[[PromptShown, History], str | None] | None = None,
) -> Simulation:
    start = min(r.at for r in rows)
    end = max(max(r.at, r.until or r.at) for r in rows)
    engine = Engine(rules, hours, start)
    recorder = Recorder()
    sim = Simulation(start, end, recorder.history)

    def feed(actions: list[Action], line: int | None = None, what: str = "") -> None:
        # One action at a time: a long `active` row can show several prompts in one step, and
        # each prompt's exercise is chosen from (and stored on) the history as of that prompt.
        for a in actions:
            recorder.apply([a])
            if isinstance(a, PromptShown) and choose_exercise is not None:
                recorder.history.prompts[-1].exercise = choose_exercise(a, recorder.history)
        if line is not None and recorder.history.notices:
            for n in recorder.history.notices:
                sim.warnings.append(f"{name}:{line}: {what} at "
                                    f"{n.at.astimezone(hours.zone).isoformat(timespec='seconds')}: "
                                    f"{n.message.split(': ', 1)[-1]}")
            recorder.history.notices.clear()

    points: list[_Point] = []
    for kind, on, off in (("locked", "lock", "unlock"), ("suspended", "suspend", "resume")):
        for a, b in _merge([(r.at, r.until) for r in rows if r.event == kind and r.until]):
            points += [_Point(a, on, None, 0), _Point(b, off, None, 0)]
    for r in rows:
        if r.event == "paused" and r.until is not None and r.at < r.until:
            points.append(_Point(r.at, "pause", r.until, r.line))
        elif r.event in _ANSWER:
            points.append(_Point(r.at, r.event, None, r.line))
    points.sort(key=lambda p: (p.at, _ORDER[p.kind]))
    actives = _merge([(r.at, r.until) for r in rows if r.event == "active" and r.until],
                     keep_empty=True)

    def apply(p: _Point) -> None:
        match p.kind:
            case "lock":
                feed(engine.lock(p.at))
            case "unlock":
                feed(engine.unlock(p.at))
            case "suspend":
                feed(engine.suspend(p.at))
            case "resume":
                feed(engine.resume(p.at))
            case "pause":
                feed(engine.pause(p.at, p.until))
            case _:
                feed(engine.answer(p.at, _ANSWER[p.kind]), p.line, p.kind)  # type: ignore[arg-type]

    i = 0
    for a, b in actives:
        while i < len(points) and points[i].at < a:
            apply(points[i])
            i += 1
        cur = a
        fed_end = False  # the input at b itself has been fed
        while i < len(points) and points[i].at <= b:
            t, j = points[i].at, i
            while j < len(points) and points[j].at == t:
                j += 1
            group = points[i:j]
            # Input up to just before t (nothing at t itself yet), then the points at t in
            # their order around the input at t.
            if t > cur:
                feed(engine.active(cur, t, open_end=True))
            for p in group:
                if _ORDER[p.kind] < _BEFORE_INPUT:
                    apply(p)
            feed(engine.active(t, t))
            for p in group:
                if _ORDER[p.kind] >= _BEFORE_INPUT:
                    apply(p)
            cur, fed_end, i = t, t == b, j
        if not fed_end:
            feed(engine.active(cur, b))
    for p in points[i:]:
        apply(p)
    feed(engine.finish(end))
    return sim

"""Replaying a trace through the engine on a virtual clock (the core of `glutecoach simulate`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from glutecoach.engine import Action, Engine, PromptShown, Rules
from glutecoach.history import History, Recorder
from glutecoach.trace import TraceRow
from glutecoach.workhours import WorkHours

# Order of things that happen at the same instant: ends before answers before beginnings.
_ORDER = {"unlock": 0, "resume": 0, "done": 1, "snooze": 1, "skip": 1,
          "lock": 2, "suspend": 2, "pause": 2}
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


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(intervals):
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
        recorder.apply(actions)
        for a in actions:
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
        if r.event == "paused":
            points.append(_Point(r.at, "pause", r.until, r.line))
        elif r.event in _ANSWER:
            points.append(_Point(r.at, r.event, None, r.line))
    points.sort(key=lambda p: (p.at, _ORDER[p.kind]))
    actives = _merge([(r.at, r.until) for r in rows if r.event == "active" and r.until])

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
        while i < len(points) and points[i].at <= a:
            apply(points[i])
            i += 1
        cur, ended = a, False
        while i < len(points) and points[i].at <= b:
            t, j = points[i].at, i
            while j < len(points) and points[j].at == t:
                j += 1
            group = points[i:j]
            pauses = [p for p in group if p.kind == "pause"]
            if t == b and not pauses:
                break  # points at the row's end come after its last input, below
            # Input up to t, then the points at t. A pause silences prompts in [at, until), so
            # it comes before the input at its instant, which is fed again after it.
            feed(engine.active(cur, t, open_end=bool(pauses)))
            for p in pauses:
                apply(p)
            if pauses:
                feed(engine.active(t, t))
            for p in group:
                if p.kind != "pause":
                    apply(p)
            cur, ended, i = t, t == b, j
        if not ended:
            feed(engine.active(cur, b))
    for p in points[i:]:
        apply(p)
    feed(engine.finish(end))
    return sim

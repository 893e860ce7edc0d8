"""Properties of the rules on random traces (hypothesis).

Traces are written in UTC (`...Z`) around local dates that include both Berlin DST nights and a
zone far from UTC, on a one-minute grid (plus a few odd seconds) so that events often coincide
with prompts, deadlines and window edges. Rules are small numbers so short traces prompt often.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules_helpers import Run, run_trace, schedule

from glutecoach.days import split_at_midnight, summarize_days
from glutecoach.workhours import WorkHours

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])

ZONES_AND_DAYS = [
    ("Europe/Berlin", date(2026, 11, 23)),  # a Monday
    ("Europe/Berlin", date(2026, 3, 28)),  # the night of spring forward follows
    ("Europe/Berlin", date(2026, 10, 24)),  # the night of fall back follows
    ("Pacific/Kiritimati", date(2026, 11, 22)),
    ("America/New_York", date(2026, 11, 1)),  # falls back at 02:00
]
HOURS = [
    None,  # the defaults: Monday to Friday 09:00-17:30
    {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    {d: ["00:00-02:30", "09:00-12:30", "13:30-17:30", "23:00-24:00"]
     for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    {"sun": ["01:00-04:00"], "mon": ["09:00-12:30"], "sat": ["20:00-24:00"]},
    {},  # no windows at all
]


@dataclass
class Trace:
    text: str
    config: str
    zone: ZoneInfo
    actives: list[tuple[datetime, datetime]]  # merged, UTC
    pauses: list[tuple[datetime, datetime]]
    rows: list[str]


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _merged(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


@st.composite
def traces(draw: st.DrawFn) -> Trace:
    zone_name, day = draw(st.sampled_from(ZONES_AND_DAYS))
    zone = ZoneInfo(zone_name)
    brk = draw(st.sampled_from([1, 2, 3]))
    keys = {
        "sit_minutes": draw(st.sampled_from([3, 5, 10, 30])),
        "break_minutes": brk,
        "away_after_minutes": brk + draw(st.sampled_from([0, 1, 2, 5])),
        "snooze_minutes": draw(st.sampled_from([1, 2, 10])),
        "max_snoozes": draw(st.integers(0, 2)),
        "response_minutes": draw(st.sampled_from([1, 2, 3, 10])),
    }
    config = schedule(zone_name, draw(st.sampled_from(HOURS)), **keys)
    # Start somewhere in the evening or the next morning, so that midnight, DST nights and
    # window edges fall inside the trace.
    origin = datetime.combine(day, time(0), zone).astimezone(UTC)
    t = origin + timedelta(minutes=draw(st.sampled_from([20 * 60, 22 * 60 + 30, 24 * 60,
                                                         24 * 60 + 90, 32 * 60 + 40])))
    seconds = st.sampled_from([0, 0, 0, 0, 15, 30, 59])
    actives: list[tuple[datetime, datetime]] = []
    for _ in range(draw(st.integers(1, 12))):
        t += timedelta(minutes=draw(st.integers(0, 14)), seconds=draw(seconds))
        length = timedelta(minutes=draw(st.integers(0, 70)), seconds=draw(seconds))
        actives.append((t, t + length))
        t += length
    span_start, span_end = actives[0][0], t
    total = int((span_end - span_start).total_seconds() // 60) + 10

    def moment() -> datetime:
        return span_start + timedelta(minutes=draw(st.integers(-5, total)), seconds=draw(seconds))

    def interval(longest: int) -> tuple[datetime, datetime]:
        a = moment()
        return a, a + timedelta(minutes=draw(st.integers(0, longest)))

    rows = [f"{_iso(a)},{_iso(b)},active" for a, b in actives]
    extra_actives = [interval(20) for _ in range(draw(st.integers(0, 2)))]
    rows += [f"{_iso(a)},{_iso(b)},active" for a, b in extra_actives]
    for event, longest, most in (("locked", 10, 3), ("suspended", 15, 2), ("paused", 40, 3)):
        for _ in range(draw(st.integers(0, most))):
            a, b = interval(longest)
            rows.append(f"{_iso(a)},{_iso(b)},{event}")
    for _ in range(draw(st.integers(0, 8))):
        rows.append(f"{_iso(moment())},,{draw(st.sampled_from(['done', 'snooze', 'skip']))}")
    pauses = [(datetime.fromisoformat(r.split(",")[0]), datetime.fromisoformat(r.split(",")[1]))
              for r in rows if r.endswith(",paused")]
    draw(st.randoms()).shuffle(rows)
    return Trace("at,until,event\n" + "\n".join(rows), config, zone,
                 _merged(actives + extra_actives), pauses, rows)


def _day_bounds(d: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(d, time(0), zone).astimezone(UTC)
    end = datetime.combine(d + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def _input_in(actives: list[tuple[datetime, datetime]], t: datetime) -> bool:
    return any(a <= t <= b for a, b in actives)


def _run(trace: Trace) -> Run:
    return run_trace(trace.text, trace.config)


@PROPERTY_SETTINGS
@given(traces())
def test_prompts_only_in_windows_outside_pauses_and_at_moments_of_input(trace: Trace) -> None:
    run = _run(trace)
    windows = WorkHours(run.config.schedule.hours, trace.zone)
    for p in run.history.prompts:
        assert windows.is_open(p.at), p
        assert not any(a <= p.at < b for a, b in trace.pauses), p
        assert _input_in(trace.actives, p.at), p


@PROPERTY_SETTINGS
@given(traces())
def test_prompts_come_one_at_a_time_after_sit_minutes_of_sitting(trace: Trace) -> None:
    run = _run(trace)
    prompts = run.history.prompts
    sit = timedelta(minutes=run.config.schedule.sit_minutes)
    for earlier, later in itertools.pairwise(prompts):
        assert earlier.answered_at is not None and earlier.outcome != "pending"
        assert earlier.answered_at <= later.at
    for p in prompts:
        assert p.due <= p.at
        # (a "done" at the prompt's instant ends its stretch there and starts the next one)
        stretch = min(s.start for s in run.history.stretches
                      if s.start <= p.at and (s.end is None or p.at <= s.end))
        assert p.at - stretch >= sit


@PROPERTY_SETTINGS
@given(traces())
def test_sitting_never_exceeds_time_between_inputs(trace: Trace) -> None:
    run = _run(trace)
    away = timedelta(minutes=run.config.schedule.away_after_minutes)
    days = summarize_days(run.history, trace.zone)
    first, last = trace.actives[0][0], trace.actives[-1][1]
    total = sum(d.sitting_seconds for d in days)
    assert total <= (last - first).total_seconds() + 1e-6

    def continues_over(edge: datetime) -> bool:
        """Input on both sides of `edge` with no gap of away_after_minutes between: only then
        can one stretch run across it."""
        before = [min(b, edge) for a, b in trace.actives if a <= edge]
        after = [max(a, edge) for a, b in trace.actives if b >= edge]
        return bool(before and after) and min(after) - max(before) < away

    for d in days:
        ds, de = _day_bounds(d.date, trace.zone)
        inside = [(max(a, ds), min(b, de)) for a, b in trace.actives if a <= de and b >= ds]
        if not inside:
            lo = hi = ds
        else:
            lo, hi = inside[0][0], inside[-1][1]
        # A stretch that crosses midnight counts from (or to) midnight, not from an input.
        if continues_over(ds):
            lo = ds
        if continues_over(de):
            hi = de
        assert d.sitting_seconds <= max(0.0, (hi - lo).total_seconds()) + 1e-6, d


@PROPERTY_SETTINGS
@given(traces())
def test_days_add_up_to_the_whole(trace: Trace) -> None:
    run = _run(trace)
    days = summarize_days(run.history, trace.zone)
    stretches = [(s.start, s.end) for s in run.history.stretches]
    assert all(end is not None and start <= end for start, end in stretches)
    whole = sum((end - start).total_seconds() for start, end in stretches if end)
    assert math.isclose(sum(d.sitting_seconds for d in days), whole, abs_tol=1e-6)
    assert sum(d.prompts for d in days) == len(run.history.prompts)
    for start, end in stretches:
        assert end is not None
        parts = list(split_at_midnight(start, end, trace.zone))
        assert math.isclose(sum(s for _, s in parts), (end - start).total_seconds())
    # Stretches follow one another without overlapping.
    for (_, end), (start, _) in itertools.pairwise(stretches):
        assert end is not None and end <= start


@PROPERTY_SETTINGS
@given(traces())
def test_compliance_and_outcome_counts_are_consistent(trace: Trace) -> None:
    run = _run(trace)
    pending_by_day: dict[str, int] = {}
    for p in run.history.prompts:
        if p.outcome == "pending":
            key = p.at.astimezone(trace.zone).date().isoformat()
            pending_by_day[key] = pending_by_day.get(key, 0) + 1
    assert sum(pending_by_day.values()) <= 1  # only the last prompt can still be pending
    for d in run.days:
        final = d["done"] + d["skipped"] + d["missed"]
        assert final + d["snoozed"] == d["prompts"] - pending_by_day.get(d["date"], 0)
        c = d["compliance"]
        assert (c is None) == (final == 0)
        assert c is None or 0 <= c <= 1
        if c is not None:
            assert math.isclose(c, round(d["done"] / final, 4))


def _keep_answer_order(original: list[str], shuffled: list[str]) -> list[str]:
    """`shuffled`, with the answers given at one instant put back in their original order: several
    answers at one instant apply in the order of their rows (README reading 9), the one place
    where the file's order is information and not an accident."""
    answers = [row for row in original if row.split(",")[2] in ANSWERS]
    slots = [i for i, row in enumerate(shuffled) if row.split(",")[2] in ANSWERS]
    by_instant: dict[str, list[str]] = {}
    for row in answers:
        by_instant.setdefault(row.split(",")[0], []).append(row)
    out = list(shuffled)
    for i in slots:
        out[i] = by_instant[shuffled[i].split(",")[0]].pop(0)
    return out


ANSWERS = ("done", "snooze", "skip")


@settings(max_examples=60, deadline=None)
@given(traces(), st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(trace: Trace, seed: int) -> None:
    run = _run(trace)
    rows = _keep_answer_order(trace.rows, random.Random(seed).sample(trace.rows, len(trace.rows)))
    again = run_trace("at,until,event\n" + "\n".join(rows), trace.config)
    assert again.prompts() == run.prompts()
    assert again.stretches() == run.stretches()
    assert again.breaks() == run.breaks()
    assert again.days == run.days

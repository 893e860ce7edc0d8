"""Things that happen at one instant (README readings 9 and 15-18), checked against the spec.

The spec makes lock, sleep and pause rows half-open, [at, until), and a prompt answerable
"within" `response_minutes`. From that: a prompt is pending up to and including its deadline; a
row ending at t does not hold at t; a row with at == until holds nothing; a row starting at t is
not inside a gap that ends at t; the input at an instant comes before the answers at it (as in
the coach, where clicking "Done" is input), so an answer meets a prompt shown at that instant
wherever it is shown. The engine applies the deadline rule itself, so the coach agrees.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from rules_helpers import run_trace

from glutecoach.config import Schedule
from glutecoach.engine import Engine, PromptResolved, PromptShown, Rules
from glutecoach.workhours import WorkHours

# --- an answer at the response deadline is within it -------------------------------------------


def test_done_at_the_deadline_mid_row_is_done() -> None:
    # The example (defaults): prompt 1 at 09:30, its deadline 09:40.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:30:00,active
    2026-11-23T09:40:00,,done
    """)
    assert run.prompts() == [
        ("09:30:00", "done", False, "09:40:00"),
        ("10:10:00", "missed", False, "10:20:00"),
    ]
    # The stretch ends at 09:40; the next starts with the input that goes on.
    assert run.stretches() == [("09:00:00", "09:40:00"), ("09:40:00", "10:30:00")]
    assert run.sim.warnings == []


def test_skip_and_snooze_at_the_deadline_count() -> None:
    skipped = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:05:00,active
    2026-11-23T09:40:00,,skip
    """)
    assert skipped.prompts() == [("09:30:00", "skipped", False, "09:40:00"),
                                 ("10:00:00", "pending", False, None)]
    snoozed = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:55:00,active
    2026-11-23T09:40:00,,snooze
    """)
    assert snoozed.prompts() == [("09:30:00", "snoozed", False, "09:40:00"),
                                 ("09:50:00", "pending", False, None)]
    assert skipped.sim.warnings == snoozed.sim.warnings == []


def test_done_at_the_deadline_in_a_gap_is_done() -> None:
    # The gap from 09:39 has not reached break_minutes by 09:40: the answer decides.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:39:00,active
    2026-11-23T09:40:00,,done
    """)
    assert run.prompts() == [("09:30:00", "done", False, "09:40:00")]
    assert run.sim.warnings == []


def test_a_second_after_the_deadline_is_missed_with_a_warning() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:05:00,active
    2026-11-23T09:40:01,,done
    """)
    assert run.prompts()[0] == ("09:30:00", "missed", False, "09:40:00")
    assert len(run.sim.warnings) == 1 and "no prompt is pending" in run.sim.warnings[0]


def test_a_gap_beginning_at_the_deadline_began_while_the_prompt_was_pending() -> None:
    # Input stops at 09:40, the deadline: the prompt is still pending then, so the gap is
    # prompted (rule c) and becomes a break at 09:43 although the prompt was missed at 09:40.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:40:00,active
    2026-11-23T09:44:00,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]
    assert run.breaks() == [("09:40:00", "09:43:00", "prompted", "idle")]


def test_a_deadline_at_the_end_of_the_trace_is_missed() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:40:00,active
    """)
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]


def _engine() -> tuple[Engine, datetime]:
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin, a Monday
    hours = WorkHours(Schedule().hours, ZoneInfo("Europe/Berlin"))
    return Engine(Rules(), hours, start), start


def test_the_engine_keeps_a_prompt_pending_at_its_deadline() -> None:
    # As the coach feeds it: input up to now, then the user's answer at the same instant.
    engine, start = _engine()
    deadline = start + timedelta(minutes=40)
    shown = [a for a in engine.active(start, deadline) if isinstance(a, PromptShown)]
    assert [a.at for a in shown] == [start + timedelta(minutes=30)]
    assert engine.advance(deadline) == []  # the deadline itself: still pending
    assert engine.status(deadline).pending is not None
    resolved = [a for a in engine.answer(deadline, "done") if isinstance(a, PromptResolved)]
    assert [(a.outcome, a.at) for a in resolved] == [("done", deadline)]


def test_the_engine_misses_the_prompt_once_time_moves_past_the_deadline() -> None:
    engine, start = _engine()
    deadline = start + timedelta(minutes=40)
    engine.active(start, deadline)
    resolved = [a for a in engine.advance(deadline + timedelta(seconds=1))
                if isinstance(a, PromptResolved)]
    assert [(a.outcome, a.at) for a in resolved] == [("missed", deadline)]
    # The coach wakes at the deadline and looks again shortly after: never a busy loop.
    engine2, _ = _engine()
    engine2.active(start, deadline)
    assert engine2.next_wakeup() == deadline


# --- lock and sleep rows are half-open ----------------------------------------------------------


def test_a_zero_length_lock_locks_nothing() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:22:00,2026-11-23T09:22:00,locked
    2026-11-23T09:24:00,2026-11-23T09:25:00,active
    2026-11-23T09:29:00,2026-11-23T09:35:00,active
    """)
    assert run.breaks() == []  # two 4-minute gaps, neither locked
    assert run.stretches() == [("09:00:00", "09:35:00")]


def test_a_zero_length_suspend_is_no_sleep() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:21:00,2026-11-23T09:21:00,suspended
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == []


def test_a_zero_length_pause_silences_nothing() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:35:00,active
    2026-11-23T09:30:00,2026-11-23T09:30:00,paused
    """)
    assert [p[0] for p in run.prompts()] == ["09:30:00"]


def test_a_lock_ending_at_the_last_input_is_not_inside_the_next_gap() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:10:00,2026-11-23T09:20:00,locked
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == []
    assert run.stretches() == [("09:00:00", "09:40:00")]


def test_a_lock_ending_a_second_after_the_last_input_is_inside_the_gap() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:10:00,2026-11-23T09:20:01,locked
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == [("09:20:00", "09:23:00", "natural", "lock")]


def test_a_sleep_ending_at_the_last_input_is_not_inside_the_next_gap() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T08:00:00,2026-11-23T09:20:00,suspended
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == []


def test_a_lock_starting_a_second_before_input_resumes_is_inside_the_gap() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:23:59,2026-11-23T09:25:00,locked
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == [("09:20:00", "09:23:59", "natural", "lock")]


def test_a_lock_starting_at_a_rows_last_input_is_inside_the_gap_after_it() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:20:00,2026-11-23T09:21:00,locked
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == [("09:20:00", "09:23:00", "natural", "lock")]


def test_touching_lock_rows_are_one_lock() -> None:
    # [09:10, 09:20) and [09:20, 09:30): locked throughout, so the gap from 09:21 is locked.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:21:00,active
    2026-11-23T09:10:00,2026-11-23T09:20:00,locked
    2026-11-23T09:20:00,2026-11-23T09:30:00,locked
    2026-11-23T09:25:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == [("09:21:00", "09:24:00", "natural", "lock")]


# --- several answers at one instant --------------------------------------------------------------


def test_answers_at_one_instant_apply_in_the_order_of_their_rows() -> None:
    # Prompt 1 at 09:30. The first answer settles it; the second finds nothing pending.
    trace = "2026-11-23T09:00:00,2026-11-23T10:00:00,active\n{}\n{}"
    first = run_trace(trace.format("2026-11-23T09:35:00,,done", "2026-11-23T09:35:00,,snooze"))
    assert first.prompts()[0] == ("09:30:00", "done", False, "09:35:00")
    second = run_trace(trace.format("2026-11-23T09:35:00,,snooze", "2026-11-23T09:35:00,,done"))
    assert second.prompts()[0][:2] == ("09:30:00", "snoozed")
    assert [w.split(": ", 1)[1] for w in second.sim.warnings] == [
        "done at 2026-11-23T09:35:00+01:00: no prompt is pending"]

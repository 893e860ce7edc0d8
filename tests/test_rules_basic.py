"""Stretches, gaps and breaks (spec/sitting-rules.md: "Terms", "When to prompt"), virtual clock.

Defaults unless said otherwise: sit 30, break 3, away 5, snooze 10 (2 in a row), response 10
minutes; work windows Monday to Friday 09:00-17:30 in Europe/Berlin. 2026-11-23 is a Monday.
"""

from __future__ import annotations

import random

from rules_helpers import run_trace, schedule, trace_text

WORKED_EXAMPLE = """
at,until,event
2026-11-23T09:00:00,2026-11-23T09:31:00,active
2026-11-23T09:34:30,2026-11-23T10:20:00,active
"""


def test_worked_example_prompts_and_outcomes() -> None:
    run = run_trace(WORKED_EXAMPLE)
    assert run.prompts("%Y-%m-%d %H:%M:%S") == [
        ("2026-11-23 09:30:00", "done", True, "2026-11-23 09:34:00"),
        ("2026-11-23 10:04:30", "missed", False, "2026-11-23 10:14:30"),
    ]
    assert [p.number for p in run.history.prompts] == [1, 2]


def test_worked_example_stretches_and_break() -> None:
    run = run_trace(WORKED_EXAMPLE)
    assert run.stretches() == [("09:00:00", "09:31:00"), ("09:34:30", "10:20:00")]
    assert run.breaks() == [("09:31:00", "09:34:00", "prompted", "idle")]
    assert run.local(run.history.breaks[0].end) == "09:34:30"


def test_worked_example_day() -> None:
    run = run_trace(WORKED_EXAMPLE)
    assert run.days == [{
        "date": "2026-11-23", "sitting_minutes": 76.5, "longest_sitting_minutes": 45.5,
        "prompts": 2, "done": 1, "snoozed": 0, "skipped": 0, "missed": 1,
        "natural_breaks": 0, "compliance": 0.5,
    }]
    assert run.sim.warnings == []


def test_rows_in_any_order_give_the_same_result() -> None:
    text = """
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:34:30,2026-11-23T10:20:00,active
    2026-11-23T10:25:00,2026-11-23T11:10:00,active
    2026-11-23T10:40:00,2026-11-23T10:50:00,paused
    2026-11-23T10:55:00,,snooze
    2026-11-23T11:12:00,2026-11-23T11:14:00,locked
    2026-11-23T11:15:00,2026-11-23T11:40:00,active
    """
    ordered = run_trace(text)
    lines = trace_text(text).splitlines()[1:]
    random.Random(7).shuffle(lines)
    shuffled = run_trace("\n".join(lines))
    assert shuffled.prompts() == ordered.prompts()
    assert shuffled.stretches() == ordered.stretches()
    assert shuffled.breaks() == ordered.breaks()
    assert shuffled.days == ordered.days


def test_first_prompt_comes_after_sit_minutes_of_sitting() -> None:
    run = run_trace("2026-11-23T10:07:00,2026-11-23T10:40:00,active")
    assert run.prompts() == [("10:37:00", "pending", False, None)]
    assert [p.due for p in run.history.prompts] == [run.at("2026-11-23T10:37:00")]


# --- gaps: short, middle, natural break --------------------------------------------------------


def test_gap_of_away_minutes_is_a_natural_break() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:25:00,2026-11-23T09:50:00,active
    """)
    assert run.breaks() == [("09:20:00", "09:25:00", "natural", "idle")]
    assert run.stretches() == [("09:00:00", "09:20:00"), ("09:25:00", "09:50:00")]
    # The new stretch's clock starts at 09:25, so no prompt is due by 09:50.
    assert run.prompts() == []
    assert run.day("2026-11-23")["natural_breaks"] == 1
    assert run.day("2026-11-23")["sitting_minutes"] == 45
    assert run.day("2026-11-23")["longest_sitting_minutes"] == 25


def test_gap_shorter_than_break_minutes_is_sitting() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:22:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == []
    assert run.stretches() == [("09:00:00", "09:40:00")]
    # The response time runs out at 09:40, the very end of the trace.
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]
    assert run.day("2026-11-23")["sitting_minutes"] == 40


def test_gap_between_break_and_away_without_prompt_is_not_a_break() -> None:
    # 4 minutes: long enough for a break, but nothing made it one (no prompt, lock or suspend).
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == []
    assert run.stretches() == [("09:00:00", "09:40:00")]
    # The response time runs out at 09:40, the very end of the trace.
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]
    assert run.day("2026-11-23")["sitting_minutes"] == 40
    assert run.day("2026-11-23")["natural_breaks"] == 0


def test_gap_just_under_away_minutes_is_not_a_break() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:24:59,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == []
    assert run.stretches() == [("09:00:00", "09:40:00")]


def test_short_gap_while_prompt_pending_is_not_a_break() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:33:59,2026-11-23T09:45:00,active
    """)
    assert run.breaks() == []
    assert run.stretches() == [("09:00:00", "09:45:00")]
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]


# --- lock and suspend ------------------------------------------------------------------------


def test_lock_inside_gap_makes_it_a_break_at_break_minutes() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:21:00,2026-11-23T09:22:00,locked
    2026-11-23T09:24:00,2026-11-23T09:50:00,active
    """)
    assert run.breaks() == [("09:20:00", "09:23:00", "natural", "lock")]
    assert run.stretches() == [("09:00:00", "09:20:00"), ("09:24:00", "09:50:00")]
    assert run.prompts() == []
    assert run.day("2026-11-23")["natural_breaks"] == 1


def test_suspend_inside_gap_makes_it_a_break_at_break_minutes() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:20:30,2026-11-23T09:23:30,suspended
    2026-11-23T09:24:00,2026-11-23T09:50:00,active
    """)
    assert run.breaks() == [("09:20:00", "09:23:00", "natural", "suspend")]
    assert run.stretches() == [("09:00:00", "09:20:00"), ("09:24:00", "09:50:00")]


def test_lock_inside_gap_shorter_than_break_minutes_is_sitting() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:20:30,2026-11-23T09:21:30,locked
    2026-11-23T09:22:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == []
    assert run.stretches() == [("09:00:00", "09:40:00")]


def test_lock_after_gap_exceeds_break_minutes_is_a_break_at_the_lock() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:24:00,2026-11-23T09:24:30,locked
    2026-11-23T09:24:40,2026-11-23T09:50:00,active
    """)
    assert run.breaks() == [("09:20:00", "09:24:00", "natural", "lock")]
    assert run.stretches() == [("09:00:00", "09:20:00"), ("09:24:40", "09:50:00")]


def test_lock_at_the_instant_input_resumes_is_not_inside_the_gap() -> None:
    # Lock rows are half-open, [at, until): this one starts when the gap 09:20-09:24 ends, so it
    # is not inside it, and a 4-minute gap with no lock is no break.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    2026-11-23T09:24:00,2026-11-23T09:25:00,locked
    """)
    assert run.breaks() == []
    assert run.stretches() == [("09:00:00", "09:40:00")]


def test_lock_row_covering_the_last_input_makes_the_gap_a_break() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:20:00,2026-11-23T09:24:00,locked
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert run.breaks() == [("09:20:00", "09:23:00", "natural", "lock")]
    assert run.stretches() == [("09:00:00", "09:20:00"), ("09:24:00", "09:40:00")]


# --- a gap after a prompt (c) ------------------------------------------------------------------


def test_gap_after_prompt_counts_as_break() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:35:00,active
    2026-11-23T09:38:30,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:30:00", "done", True, "09:38:00")]
    assert run.breaks() == [("09:35:00", "09:38:00", "prompted", "idle")]
    assert run.stretches() == [("09:00:00", "09:35:00"), ("09:38:30", "09:50:00")]
    day = run.day("2026-11-23")
    assert (day["done"], day["natural_breaks"], day["compliance"]) == (1, 0, 1.0)


def test_prompted_break_that_is_also_long_counts_as_prompted() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:35:00,active
    2026-11-23T10:00:00,2026-11-23T10:10:00,active
    """)
    assert run.breaks() == [("09:35:00", "09:38:00", "prompted", "idle")]
    assert run.prompts() == [("09:30:00", "done", True, "09:38:00")]
    assert run.day("2026-11-23")["natural_breaks"] == 0


def test_locked_gap_after_prompt_is_a_prompted_break() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:32:00,active
    2026-11-23T09:32:30,2026-11-23T09:40:00,locked
    2026-11-23T09:41:00,2026-11-23T09:50:00,active
    """)
    assert run.breaks() == [("09:32:00", "09:35:00", "prompted", "lock")]
    assert run.prompts() == [("09:30:00", "done", True, "09:35:00")]


def test_gap_begun_while_pending_reaching_break_after_deadline_is_missed_but_prompted() -> None:
    # Prompt at 09:30, gap from 09:39 while it is pending; missed at 09:40; the gap reaches 3 min
    # at 09:42: a prompted break (c), although 4 min alone would not have been a break.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:39:00,active
    2026-11-23T09:43:00,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]
    assert run.breaks() == [("09:39:00", "09:42:00", "prompted", "idle")]
    assert run.stretches() == [("09:00:00", "09:39:00"), ("09:43:00", "09:50:00")]
    day = run.day("2026-11-23")
    assert (day["missed"], day["done"], day["natural_breaks"]) == (1, 0, 0)


def test_prompted_break_reaching_break_minutes_at_the_deadline_is_done() -> None:
    # Gap from 09:37: it reaches 3 min at 09:40, the very instant the response time runs out.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:37:00,active
    2026-11-23T09:45:00,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:30:00", "done", True, "09:40:00")]
    assert run.breaks() == [("09:37:00", "09:40:00", "prompted", "idle")]


def test_prompted_break_one_second_after_the_deadline_is_missed() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:37:01,active
    2026-11-23T09:45:00,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]
    assert run.breaks() == [("09:37:01", "09:40:01", "prompted", "idle")]


def test_break_at_exactly_break_minutes_counts() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:34:00,2026-11-23T09:50:00,active
    """)
    assert run.breaks() == [("09:31:00", "09:34:00", "prompted", "idle")]
    assert run.stretches() == [("09:00:00", "09:31:00"), ("09:34:00", "09:50:00")]


# --- a due prompt and gaps -------------------------------------------------------------------


def test_prompt_due_during_gap_appears_with_next_input() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:29:00,active
    2026-11-23T09:32:30,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:32:30", "missed", False, "09:42:30")]
    assert [run.local(p.due) for p in run.history.prompts] == ["09:30:00"]
    assert run.stretches() == [("09:00:00", "09:50:00")]


def test_due_prompt_whose_gap_becomes_natural_break_is_never_shown() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:29:00,active
    2026-11-23T09:40:00,2026-11-23T10:05:00,active
    """)
    assert run.prompts() == []
    assert run.breaks() == [("09:29:00", "09:34:00", "natural", "idle")]
    assert run.stretches() == [("09:00:00", "09:29:00"), ("09:40:00", "10:05:00")]


def test_next_stretch_after_natural_break_prompts_sit_minutes_after_its_start() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:29:00,active
    2026-11-23T09:40:00,2026-11-23T10:15:00,active
    """)
    assert run.prompts() == [("10:10:00", "pending", False, None)]


# --- rows and the end of the trace -----------------------------------------------------------


def test_touching_and_overlapping_active_rows_merge_without_gap() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:20:00,2026-11-23T09:31:00,active
    2026-11-23T09:25:00,2026-11-23T09:50:00,active
    2026-11-23T09:30:00,2026-11-23T09:35:00,active
    """)
    assert run.stretches() == [("09:00:00", "09:50:00")]
    assert run.breaks() == []
    # Input went on without a gap, so the prompt was not followed by a prompted break.
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]
    assert run.day("2026-11-23")["sitting_minutes"] == 50


def test_stretch_going_on_at_trace_end_ends_at_its_last_input() -> None:
    # The trace runs to 10:30 (the lock row), but the last input is at 09:20.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:21:00,2026-11-23T10:30:00,locked
    """)
    assert run.stretches() == [("09:00:00", "09:20:00")]
    assert run.day("2026-11-23")["sitting_minutes"] == 20


def test_stretch_at_trace_end_with_middle_gap_ends_at_last_input() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:22:00,2026-11-23T09:23:00,paused
    """)
    assert run.stretches() == [("09:00:00", "09:20:00")]
    assert run.sitting_minutes() == 20


def test_fractional_minutes_in_config() -> None:
    cfg = schedule(sit_minutes=1, break_minutes=0.25, away_after_minutes=0.5,
                   response_minutes=0.5, snooze_minutes=0.25)
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:01:05,active
    2026-11-23T09:01:25,2026-11-23T09:03:00,active
    2026-11-23T09:03:20,2026-11-23T09:04:00,active
    2026-11-23T09:03:40,,snooze
    """, cfg)
    # 09:01 prompt; gap 09:01:05-09:01:25 began while pending: break at 09:01:20 (15 s), done.
    # 09:01:25 new stretch; 09:02:25 prompt; no answer: missed at 09:02:55 (30 s).
    # Gap 09:03:00-09:03:20 began with nothing pending: 20 s < away 30 s, not a break.
    # 09:03:25 prompt (09:02:25 + sit); snoozed at 09:03:40; next at 09:03:55 (+15 s).
    assert run.prompts() == [
        ("09:01:00", "done", True, "09:01:20"),
        ("09:02:25", "missed", False, "09:02:55"),
        ("09:03:25", "snoozed", False, "09:03:40"),
        ("09:03:55", "pending", False, None),
    ]
    assert run.breaks() == [("09:01:05", "09:01:20", "prompted", "idle")]
    assert run.stretches() == [("09:00:00", "09:01:05"), ("09:01:25", "09:04:00")]
    assert run.sitting_minutes() == round((65 + 155) / 60, 2)


def test_fractional_away_minutes_make_a_short_natural_break() -> None:
    cfg = schedule(break_minutes=0.25, away_after_minutes=0.5)
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:10:00,active
    2026-11-23T09:10:30,2026-11-23T09:20:00,active
    """, cfg)
    assert run.breaks() == [("09:10:00", "09:10:30", "natural", "idle")]
    assert run.stretches() == [("09:00:00", "09:10:00"), ("09:10:30", "09:20:00")]

"""The real simulator against an independent reading of the rules (tests/reference_rules.py).

The reference walks a trace instant by instant in the README's order (reading 9); it was written
from spec/sitting-rules.md and the README's readings only. Hand-made traces pin every tie the
readings describe; hypothesis then compares the two on random traces on a one-minute grid, with
small rule numbers so that prompts, deadlines, thresholds and rows often fall on one instant.

Every disagreement found so far was the reference's error (minimal traces below, "minimal_").
Ties that no reading named at first, where both sides agree, are now README readings 19-21: a
gap's threshold is judged before the answers at its instant; a break's reason is the first of
lock or sleep seen in its gap; with response_minutes >= sit_minutes the next prompt can be shown
at the deadline instant, right after the miss.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from reference_rules import RefResult, reference_run
from rules_helpers import Run, run_trace, schedule, trace_text

# Defaults (sit 30, break 3, away 5, snooze 10 x2, response 10) and the default window, Monday to
# Friday 09:00-17:30 in Berlin: 2026-11-23 is a Monday, 09:00-17:30 is inside it.
DEFAULTS = schedule()
ALL_DAY = {d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
FULL = "%Y-%m-%d %H:%M:%S"

Results = tuple[list[tuple[str | None, str, bool, str | None]], list[tuple[str | None, str | None]],
                list[tuple[str | None, str | None, str, str]]]


def engine_side(run: Run, fmt: str = "%H:%M:%S") -> Results:
    return run.prompts(fmt), run.stretches(fmt), run.breaks(fmt)


def reference_side(ref: RefResult, fmt: str = "%H:%M:%S") -> Results:
    return ref.prompts(fmt), ref.stretches(fmt), ref.breaks(fmt)


def both(text: str, config: str = DEFAULTS, fmt: str = "%H:%M:%S") -> tuple[Results, Results]:
    """(engine, reference) for one trace."""
    body = trace_text(textwrap.dedent(text))
    return engine_side(run_trace(body, config), fmt), reference_side(
        reference_run(body, config), fmt)


def agree(text: str, config: str = DEFAULTS) -> Results:
    """Assert the simulator and the reference agree on the trace; return the common result."""
    engine, reference = both(text, config)
    assert engine == reference, f"\nengine:    {engine}\nreference: {reference}"
    return engine


# --- the reference against the spec's own worked example --------------------------------------


def test_worked_example() -> None:
    prompts, stretches, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:34:30,2026-11-23T10:20:00,active
    """)
    assert prompts == [("09:30:00", "done", True, "09:34:00"),
                       ("10:04:30", "missed", False, "10:14:30")]
    assert stretches == [("09:00:00", "09:31:00"), ("09:34:30", "10:20:00")]
    assert breaks == [("09:31:00", "09:34:00", "prompted", "idle")]


def test_reading_15_example_done_before_the_deadline_while_typing() -> None:
    prompts, stretches, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T10:30:00,active
    2026-11-23T09:40:00,,done
    """)
    assert prompts[0] == ("09:30:00", "done", False, "09:40:00")
    assert stretches[:2] == [("09:00:00", "09:40:00"), ("09:40:00", "10:30:00")]


# --- answers at the deadline (readings 3, 15) --------------------------------------------------


@pytest.mark.parametrize("answer", ["done", "snooze", "skip"])
def test_answer_at_the_deadline_mid_row(answer: str) -> None:
    prompts, _, _ = agree(f"""
    2026-11-23T09:00:00,2026-11-23T10:15:00,active
    2026-11-23T09:40:00,,{answer}
    """)
    assert prompts[0][1:] == ({"done": "done", "snooze": "snoozed", "skip": "skipped"}[answer],
                              False, "09:40:00")


@pytest.mark.parametrize("answer", ["done", "snooze", "skip"])
def test_answer_at_the_deadline_in_a_short_gap(answer: str) -> None:
    agree(f"""
    2026-11-23T09:00:00,2026-11-23T09:39:00,active
    2026-11-23T09:40:00,,{answer}
    2026-11-23T09:41:00,2026-11-23T10:20:00,active
    """)


def test_answer_a_second_after_the_deadline_is_ignored() -> None:
    prompts, _, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T10:05:00,active
    2026-11-23T09:40:01,,done
    """)
    assert prompts[0] == ("09:30:00", "missed", False, "09:40:00")


def test_prompted_break_reaching_break_minutes_at_the_deadline_is_done() -> None:
    prompts, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:37:00,active
    2026-11-23T09:45:00,2026-11-23T09:50:00,active
    """)
    assert prompts == [("09:30:00", "done", True, "09:40:00")]
    assert breaks == [("09:37:00", "09:40:00", "prompted", "idle")]


def test_prompted_break_a_second_after_the_deadline_is_missed_but_prompted() -> None:
    prompts, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:37:01,active
    2026-11-23T09:45:00,2026-11-23T09:50:00,active
    """)
    assert prompts == [("09:30:00", "missed", False, "09:40:00")]
    assert breaks == [("09:37:01", "09:40:01", "prompted", "idle")]


def test_gap_beginning_at_the_deadline_is_prompted() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:40:00,active
    2026-11-23T09:44:00,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:40:00", "09:43:00", "prompted", "idle")]


# --- answers at the instant a prompt is shown (readings 9, 18) ---------------------------------


@pytest.mark.parametrize("answer", ["done", "snooze", "skip"])
def test_answer_at_the_show_instant_mid_row(answer: str) -> None:
    prompts, _, _ = agree(f"""
    2026-11-23T09:00:00,2026-11-23T10:15:00,active
    2026-11-23T09:30:00,,{answer}
    """)
    assert prompts[0][0] == prompts[0][3] == "09:30:00"


@pytest.mark.parametrize("answer", ["done", "snooze", "skip"])
def test_answer_at_the_show_instant_at_a_rows_start(answer: str) -> None:
    prompts, _, _ = agree(f"""
    2026-11-23T09:00:00,2026-11-23T09:29:00,active
    2026-11-23T09:33:00,2026-11-23T10:15:00,active
    2026-11-23T09:33:00,,{answer}
    """)
    assert prompts[0][0] == prompts[0][3] == "09:33:00"


def test_done_at_the_start_of_a_row_comes_after_its_input() -> None:
    _, stretches, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:33:00,2026-11-23T10:10:00,active
    2026-11-23T09:33:00,,done
    """)
    assert stretches == [("09:00:00", "09:33:00"), ("09:33:00", "10:10:00")]


def test_done_at_a_rows_last_input_makes_the_gap_after_it_the_prompted_break() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:32:00,active
    2026-11-23T09:32:00,,done
    2026-11-23T09:40:00,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:32:00", "09:35:00", "prompted", "idle")]


def test_done_in_a_short_gap_ends_the_stretch_without_a_break() -> None:
    _, stretches, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:32:00,,done
    2026-11-23T09:33:00,2026-11-23T10:10:00,active
    """)
    assert stretches == [("09:00:00", "09:31:00"), ("09:33:00", "10:10:00")]
    assert breaks == []


def test_zero_length_active_row_shows_a_due_prompt_and_the_gap_after_it_is_prompted() -> None:
    prompts, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:29:00,active
    2026-11-23T09:31:00,2026-11-23T09:31:00,active
    2026-11-23T09:40:00,2026-11-23T09:50:00,active
    """)
    assert prompts == [("09:31:00", "done", True, "09:34:00")]
    assert breaks == [("09:31:00", "09:34:00", "prompted", "idle")]


# --- zero-length rows (reading 16) --------------------------------------------------------------


@pytest.mark.parametrize("event", ["locked", "suspended"])
def test_zero_length_interrupt_does_nothing(event: str) -> None:
    _, _, breaks = agree(f"""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:22:00,2026-11-23T09:22:00,{event}
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert breaks == []


def test_zero_length_pause_at_the_due_instant_silences_nothing() -> None:
    prompts, _, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T09:35:00,active
    2026-11-23T09:30:00,2026-11-23T09:30:00,paused
    """)
    assert [p[0] for p in prompts] == ["09:30:00"]


# --- locks touching the gap (reading 17) --------------------------------------------------------


@pytest.mark.parametrize("event", ["locked", "suspended"])
def test_lock_ending_at_a_rows_last_input_is_not_in_the_gap(event: str) -> None:
    _, _, breaks = agree(f"""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:10:00,2026-11-23T09:20:00,{event}
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert breaks == []


@pytest.mark.parametrize("event", ["locked", "suspended"])
def test_lock_starting_when_input_resumes_is_not_in_the_gap(event: str) -> None:
    _, _, breaks = agree(f"""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    2026-11-23T09:24:00,2026-11-23T09:25:00,{event}
    """)
    assert breaks == []


def test_lock_starting_at_the_last_input_is_in_the_gap() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:20:00,2026-11-23T09:21:00,locked
    2026-11-23T09:24:00,2026-11-23T09:40:00,active
    """)
    assert breaks == [("09:20:00", "09:23:00", "natural", "lock")]


def test_lock_after_break_minutes_makes_the_break_at_the_lock() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:24:00,2026-11-23T09:24:30,suspended
    2026-11-23T09:24:40,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:20:00", "09:24:00", "natural", "suspend")]


def test_touching_lock_rows_are_one_lock() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:21:00,active
    2026-11-23T09:10:00,2026-11-23T09:20:00,locked
    2026-11-23T09:20:00,2026-11-23T09:30:00,locked
    2026-11-23T09:25:00,2026-11-23T09:40:00,active
    """)
    assert breaks == [("09:21:00", "09:24:00", "natural", "lock")]


# --- exact thresholds (reading 2) ---------------------------------------------------------------


def test_gap_of_exactly_break_minutes_after_a_prompt_is_a_break() -> None:
    _, stretches, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:34:00,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:31:00", "09:34:00", "prompted", "idle")]
    assert stretches == [("09:00:00", "09:31:00"), ("09:34:00", "09:50:00")]


def test_gap_a_second_short_of_break_minutes_after_a_prompt_is_sitting() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:33:59,2026-11-23T09:50:00,active
    """)
    assert breaks == []


def test_gap_of_exactly_away_after_minutes_is_a_natural_break() -> None:
    _, stretches, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:25:00,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:20:00", "09:25:00", "natural", "idle")]
    assert stretches == [("09:00:00", "09:20:00"), ("09:25:00", "09:50:00")]


def test_gap_a_second_short_of_away_after_minutes_is_sitting() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:24:59,2026-11-23T09:50:00,active
    """)
    assert breaks == []


# --- snooze, skip ---------------------------------------------------------------------------


def test_snooze_past_max_snoozes_counts_as_skip() -> None:
    prompts, _, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T10:30:00,active
    2026-11-23T09:31:00,,snooze
    2026-11-23T09:42:00,,snooze
    2026-11-23T09:53:00,,snooze
    """)
    assert [p[1] for p in prompts] == ["snoozed", "snoozed", "skipped", "pending"]
    assert prompts[-1][0] == "10:22:00"


def test_skip_next_prompt_counts_from_the_shown_prompt() -> None:
    prompts, _, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T09:29:00,active
    2026-11-23T09:33:00,2026-11-23T10:10:00,active
    2026-11-23T09:34:00,,skip
    """)
    assert prompts == [("09:33:00", "skipped", False, "09:34:00"),
                       ("10:03:00", "pending", False, None)]


@pytest.mark.parametrize("answer", ["snooze", "skip"])
def test_snooze_or_skip_inside_a_prompted_gap_does_not_stop_the_break(answer: str) -> None:
    _, _, breaks = agree(f"""
    2026-11-23T09:00:00,2026-11-23T09:32:00,active
    2026-11-23T09:33:00,,{answer}
    2026-11-23T09:40:00,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:32:00", "09:35:00", "prompted", "idle")]


# --- pauses -----------------------------------------------------------------------------------


def test_pause_starting_at_the_due_instant_silences_the_prompt() -> None:
    prompts, _, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T10:00:00,active
    2026-11-23T09:30:00,2026-11-23T09:45:00,paused
    """)
    assert prompts[0][0] == "09:45:00"


def test_pause_ending_at_the_due_instant_lets_the_prompt_through() -> None:
    prompts, _, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T09:45:00,active
    2026-11-23T09:10:00,2026-11-23T09:30:00,paused
    """)
    assert prompts[0][0] == "09:30:00"


def test_pause_does_not_stop_a_pending_prompt_from_being_missed() -> None:
    prompts, _, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T09:55:00,active
    2026-11-23T09:31:00,2026-11-23T10:00:00,paused
    """)
    assert prompts == [("09:30:00", "missed", False, "09:40:00")]


# --- the end of the trace (readings 1, 13) ------------------------------------------------------


def test_trace_ending_exactly_at_a_deadline_is_missed() -> None:
    prompts, _, _ = agree("2026-11-23T09:00:00,2026-11-23T09:40:00,active")
    assert prompts == [("09:30:00", "missed", False, "09:40:00")]


def test_trace_ending_a_second_before_a_deadline_is_pending() -> None:
    prompts, _, _ = agree("2026-11-23T09:00:00,2026-11-23T09:39:59,active")
    assert prompts == [("09:30:00", "pending", False, None)]


def test_trace_ending_at_a_deadline_in_a_gap_after_input() -> None:
    # The lock row only stretches the trace to the deadline; the gap from 09:38 is 2 min long.
    prompts, stretches, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T09:38:00,active
    2026-11-23T09:39:00,2026-11-23T09:40:00,paused
    """)
    assert prompts == [("09:30:00", "missed", False, "09:40:00")]
    assert stretches == [("09:00:00", "09:38:00")]


def test_answer_at_the_end_of_the_trace_at_the_deadline() -> None:
    prompts, _, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T09:39:00,active
    2026-11-23T09:40:00,,skip
    """)
    assert prompts == [("09:30:00", "skipped", False, "09:40:00")]


# --- minimal traces of the disagreements hypothesis found (all were the reference's errors) ----


def small(**keys: float) -> str:
    """The random tests' kind of config: small numbers, prompts around the clock in UTC."""
    rules: dict[str, float] = {"sit_minutes": 4, "break_minutes": 1, "away_after_minutes": 1,
                               "snooze_minutes": 1, "max_snoozes": 0, "response_minutes": 1}
    return schedule("UTC", ALL_DAY, **(rules | keys))


def test_minimal_answer_at_a_gaps_first_instant_is_given_inside_the_gap() -> None:
    # The prompt is shown at 00:04 with the row's last input, and snoozed (max_snoozes 0: skipped)
    # at that instant. Readings 9 and 15: the input at 00:04 comes first, so the gap from 00:04
    # began while the prompt was pending (rule c) and the answer falls inside it (reading 12);
    # the reference first took the prompt as already answered when the gap began (natural).
    prompts, stretches, breaks = agree("""
    2026-11-23T00:00:00,2026-11-23T00:00:00,active
    2026-11-23T00:00:00,2026-11-23T00:04:00,active
    2026-11-23T00:05:00,2026-11-23T00:05:00,active
    2026-11-23T00:04:00,,snooze
    """, small())
    assert prompts == [("00:04:00", "skipped", False, "00:04:00")]
    assert stretches == [("00:00:00", "00:04:00"), ("00:05:00", "00:05:00")]
    assert breaks == [("00:04:00", "00:05:00", "prompted", "idle")]


def test_minimal_skip_at_the_last_input_before_a_gap_leaves_it_prompted() -> None:
    # The same tie with the defaults: a 4-minute gap after a skip at 09:35 is a prompted break.
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:35:00,active
    2026-11-23T09:35:00,,skip
    2026-11-23T09:39:00,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:35:00", "09:38:00", "prompted", "idle")]


def test_minimal_lock_starting_at_the_last_input_is_seen_after_a_sleep_holding_across_it() -> None:
    # Sleep [00:00, 00:02) holds across the last input at 00:01; the lock starts at 00:01, after
    # the input (reading 9). The spec names no reason; both say "suspend", the one seen first.
    _, _, breaks = agree("""
    2026-11-23T00:00:00,2026-11-23T00:01:00,active
    2026-11-23T00:01:00,2026-11-23T00:02:00,locked
    2026-11-23T00:00:00,2026-11-23T00:00:00,suspended
    2026-11-23T00:00:00,2026-11-23T00:02:00,suspended
    """, small())
    assert breaks == [("00:01:00", "00:02:00", "natural", "suspend")]


def test_minimal_lock_and_sleep_both_holding_across_the_last_input_give_lock() -> None:
    # Both began before the gap (the sleep first); seen together as the gap begins: "lock".
    _, _, breaks = agree("""
    2026-11-23T00:00:00,2026-11-23T00:03:00,active
    2026-11-23T00:02:00,2026-11-23T00:04:00,locked
    2026-11-23T00:01:00,2026-11-23T00:04:00,suspended
    """, small())
    assert breaks == [("00:03:00", "00:04:00", "natural", "lock")]


def test_minimal_touching_lock_rows_across_the_last_input_are_one_lock() -> None:
    # Locks [00:00, 00:01) and [00:01, 00:02) are one lock (reading 17), so it does not "start"
    # at the last input 00:01 and is seen with the sleep as the gap begins. The reference first
    # read the second row as a lock starting at 00:01.
    _, _, breaks = agree("""
    2026-11-23T00:00:00,2026-11-23T00:01:00,active
    2026-11-23T00:00:00,2026-11-23T00:00:00,locked
    2026-11-23T00:00:00,2026-11-23T00:01:00,locked
    2026-11-23T00:01:00,2026-11-23T00:02:00,locked
    2026-11-23T00:00:00,2026-11-23T00:02:00,suspended
    """, small())
    assert breaks == [("00:01:00", "00:02:00", "natural", "lock")]


@pytest.mark.parametrize("response", [5, 7])
def test_minimal_response_at_least_sit_shows_the_next_prompt_at_the_deadline(
        response: int) -> None:
    # The next prompt (shown + sit) is due while the last one is still pending. It cannot come
    # before the miss, and continuous time has no first moment after the deadline: both show it
    # at the deadline instant, after the miss. (The reference first showed it one grid step
    # later, an artefact of its walk.)
    prompts, _, _ = agree("2026-11-23T00:00:00,2026-11-23T00:20:00,active",
                          small(sit_minutes=5, response_minutes=response))
    shown = [p[0] for p in prompts]
    assert shown == (["00:05:00", "00:10:00", "00:15:00"] if response == 5
                     else ["00:05:00", "00:12:00", "00:19:00"])


def test_response_equal_to_sit_skip_at_the_deadline_shows_the_next_prompt_with_it() -> None:
    prompts, _, _ = agree("""
    2026-11-23T00:00:00,2026-11-23T00:14:00,active
    2026-11-23T00:10:00,,skip
    """, small(sit_minutes=5, response_minutes=5))
    assert prompts == [("00:05:00", "skipped", False, "00:10:00"),
                       ("00:10:00", "pending", False, None)]


def test_response_above_sit_no_prompt_at_a_deadline_where_input_stops() -> None:
    # Input stops at the deadline 00:12: no prompt then (nobody at the keyboard after it); the
    # one due since 00:10 comes with the input at 00:12:30 (the 30-second gap is no break).
    prompts, _, breaks = agree("""
    2026-11-23T00:00:00,2026-11-23T00:12:00,active
    2026-11-23T00:12:30,2026-11-23T00:14:00,active
    """, small(sit_minutes=5, response_minutes=7))
    assert prompts == [("00:05:00", "missed", False, "00:12:00"),
                       ("00:12:30", "pending", False, None)]
    assert breaks == []


# --- ties no reading names; both sides agree (listed in the report) ----------------------------


def test_done_answer_at_the_instant_a_prompted_break_reaches_break_minutes() -> None:
    # The break at 09:40 (also the deadline) resolves the prompt first: done, auto; the answer
    # at 09:40 then finds nothing pending.
    prompts, _, _ = agree("""
    2026-11-23T09:00:00,2026-11-23T09:37:00,active
    2026-11-23T09:40:00,,done
    2026-11-23T09:45:00,2026-11-23T09:50:00,active
    """)
    assert prompts == [("09:30:00", "done", True, "09:40:00")]


def test_lock_starting_when_the_gap_reaches_away_after_minutes_gives_idle() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:25:00,2026-11-23T09:26:00,locked
    2026-11-23T09:30:00,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:20:00", "09:25:00", "natural", "idle")]


def test_lock_starting_when_a_prompted_gap_reaches_break_minutes_gives_idle() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:32:00,active
    2026-11-23T09:35:00,2026-11-23T09:36:00,locked
    2026-11-23T09:40:00,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:32:00", "09:35:00", "prompted", "idle")]


def test_lock_starting_when_a_natural_gap_reaches_break_minutes_gives_lock() -> None:
    _, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:20:00,active
    2026-11-23T09:23:00,2026-11-23T09:24:00,locked
    2026-11-23T09:30:00,2026-11-23T09:50:00,active
    """)
    assert breaks == [("09:20:00", "09:23:00", "natural", "lock")]


def test_trace_ending_at_a_deadline_where_a_prompted_break_reaches_break_minutes() -> None:
    # Reading 3 (done, auto) against reading 13 (missed at the end): both choose reading 3.
    prompts, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:37:00,active
    2026-11-23T09:38:00,2026-11-23T09:40:00,paused
    """)
    assert prompts == [("09:30:00", "done", True, "09:40:00")]
    assert breaks == [("09:37:00", "09:40:00", "prompted", "idle")]


def test_snoozed_prompt_due_at_a_rows_last_input_makes_the_gap_prompted() -> None:
    prompts, _, breaks = agree("""
    2026-11-23T09:00:00,2026-11-23T09:40:00,active
    2026-11-23T09:30:00,,snooze
    2026-11-23T09:46:00,2026-11-23T09:50:00,active
    """)
    assert prompts == [("09:30:00", "snoozed", False, "09:30:00"),
                       ("09:40:00", "done", True, "09:43:00")]
    assert breaks == [("09:40:00", "09:43:00", "prompted", "idle")]


# --- hypothesis: random traces on a one-minute grid ------------------------------------------

BASE = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday
RANDOM_SETTINGS = settings(max_examples=300, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Case:
    text: str
    config: str


def _at(minute: int) -> str:
    return (BASE + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%S")


@st.composite
def rule_numbers(draw: st.DrawFn) -> dict[str, int]:
    brk = draw(st.sampled_from([1, 1, 2]))
    sit = draw(st.sampled_from([4, 5, 5, 6]))
    return {
        "sit_minutes": sit,
        "break_minutes": brk,
        "away_after_minutes": brk + draw(st.sampled_from([0, 1, 1, 2])),
        "snooze_minutes": draw(st.sampled_from([1, 2, 2, 3])),
        "max_snoozes": draw(st.sampled_from([0, 1, 2, 2])),
        # mostly below sit_minutes; at or above it the next prompt is due while one is pending
        "response_minutes": draw(st.sampled_from([1, 2, 3, 3, sit - 1, sit, sit + 1])),
    }


@st.composite
def cases(draw: st.DrawFn, hours: dict[str, list[str]] | None = None) -> Case:
    keys = draw(rule_numbers())
    config = schedule("UTC", hours if hours is not None else ALL_DAY, **keys)
    rows: list[str] = []
    edges: list[int] = []  # minutes where an active row starts or ends: where ties happen
    t = 0
    for _ in range(draw(st.integers(1, 7))):
        t += draw(st.integers(0, 6))
        length = draw(st.integers(0, 12))
        rows.append(f"{_at(t)},{_at(t + length)},active")
        edges += [t, t + length]
        t += length
    total = t
    origin = int(BASE.timestamp())

    def hot(text: str) -> list[int]:
        """Minutes where the reference shows prompts and sets deadlines for these rows."""
        ref = reference_run(text, config)
        return ([(p.shown - origin) // 60 for p in ref.prompts_]
                + [(p.deadline - origin) // 60 for p in ref.prompts_])

    def moment(anchors: list[int]) -> int:
        if anchors and draw(st.booleans()):
            return draw(st.sampled_from(anchors))
        return draw(st.integers(-2, total + 3))

    # Lock, sleep and pause rows start or end at random minutes, or where another row starts or
    # ends (touching), or where a prompt is shown or its deadline falls.
    anchors = edges + hot("\n".join(rows))
    for event, most in (("locked", 3), ("suspended", 2), ("paused", 3)):
        for _ in range(draw(st.integers(0, most))):
            length = draw(st.integers(0, 6))  # zero-length rows hold nothing (reading 16)
            if draw(st.booleans()):
                end = moment(anchors)
                start = end - length
            else:
                start = moment(anchors)
            rows.append(f"{_at(start)},{_at(start + length)},{event}")
            anchors += [start, start + length]
    # Answers at random minutes or at the anchors, with the prompts and deadlines of the trace
    # so far, so that answers often meet a show instant or a deadline.
    anchors += hot("\n".join(rows))
    for _ in range(draw(st.integers(0, 6))):
        answer = draw(st.sampled_from(["done", "snooze", "skip"]))
        rows.append(f"{_at(moment(anchors))},,{answer}")
    draw(st.randoms()).shuffle(rows)
    return Case("\n".join(rows), config)


def compare(case: Case) -> None:
    note(f"config:\n{case.config}\ntrace:\n{case.text}")
    body = trace_text(case.text)
    engine = engine_side(run_trace(body, case.config), FULL)
    reference = reference_side(reference_run(body, case.config), FULL)
    assert engine == reference, f"\nengine:    {engine}\nreference: {reference}"


@RANDOM_SETTINGS
@given(cases())
def test_random_traces_agree_with_the_reference(case: Case) -> None:
    compare(case)


WINDOWS = {"mon": ["00:10-00:25", "00:40-01:10", "01:20-02:00"]}


@settings(RANDOM_SETTINGS, max_examples=100)
@given(cases(WINDOWS))
def test_random_traces_with_work_windows_agree_with_the_reference(case: Case) -> None:
    compare(case)

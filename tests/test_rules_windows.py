"""Work windows and pauses (spec/sitting-rules.md: "When to prompt", "Work windows in the config").

Defaults: sit 30, break 3, away 5, snooze 10, response 10 minutes, Europe/Berlin.
2026-11-23 is a Monday, 2026-11-27 a Friday, 2026-11-28 a Saturday.
"""

from __future__ import annotations

from rules_helpers import run_trace, schedule

LUNCH = schedule(hours={"mon": ["09:00-12:30", "13:30-17:30"]})


# --- a window opening ------------------------------------------------------------------------


def test_window_opening_mid_stretch_prompts_at_the_opening_while_typing() -> None:
    run = run_trace("2026-11-23T08:00:00,2026-11-23T09:05:00,active")
    assert run.prompts() == [("09:00:00", "pending", False, None)]
    assert [run.local(p.due) for p in run.history.prompts] == ["08:30:00"]
    assert run.stretches() == [("08:00:00", "09:05:00")]
    assert run.day("2026-11-23")["sitting_minutes"] == 65


def test_window_opening_mid_stretch_next_prompt_counts_from_the_shown_one() -> None:
    run = run_trace("2026-11-23T08:00:00,2026-11-23T09:35:00,active")
    assert run.prompts() == [
        ("09:00:00", "missed", False, "09:10:00"),
        ("09:30:00", "pending", False, None),
    ]


def test_window_opening_in_a_gap_prompts_at_the_first_input_after_it() -> None:
    run = run_trace("""
    2026-11-23T08:00:00,2026-11-23T08:58:00,active
    2026-11-23T09:02:00,2026-11-23T09:10:00,active
    """)
    assert run.prompts() == [("09:02:00", "pending", False, None)]
    assert run.stretches() == [("08:00:00", "09:10:00")]


def test_no_prompt_before_the_window_opens() -> None:
    run = run_trace("2026-11-23T07:00:00,2026-11-23T08:59:59,active")
    assert run.prompts() == []
    assert run.day("2026-11-23")["sitting_minutes"] == round((2 * 3600 - 1) / 60, 2)


def test_stretch_ending_before_the_window_opens_is_never_prompted() -> None:
    run = run_trace("""
    2026-11-23T08:00:00,2026-11-23T08:50:00,active
    2026-11-23T09:05:00,2026-11-23T09:20:00,active
    """)
    assert run.breaks() == [("08:50:00", "08:55:00", "natural", "idle")]
    assert run.prompts() == []


def test_prompt_due_exactly_at_window_opening_is_shown_then() -> None:
    run = run_trace("2026-11-23T08:30:00,2026-11-23T09:05:00,active")
    assert run.prompts() == [("09:00:00", "pending", False, None)]
    assert [run.local(p.due) for p in run.history.prompts] == ["09:00:00"]


def test_no_prompt_after_the_window_closes() -> None:
    run = run_trace("2026-11-23T17:05:00,2026-11-23T18:30:00,active")
    assert run.prompts() == []
    assert run.day("2026-11-23")["sitting_minutes"] == 85


def test_prompt_due_exactly_at_window_end_is_not_shown() -> None:
    # Windows are [start, end): at 17:30 the window is closed.
    run = run_trace("2026-11-23T17:00:00,2026-11-23T17:45:00,active")
    assert run.prompts() == []


def test_prompt_due_just_before_window_end_is_shown() -> None:
    run = run_trace("2026-11-23T16:59:59,2026-11-23T17:45:00,active")
    assert run.prompts() == [("17:29:59", "missed", False, "17:39:59")]


def test_each_weekday_has_its_own_windows() -> None:
    cfg = schedule(hours={"mon": ["09:00-17:30"], "fri": ["09:00-15:00"]})
    run = run_trace("""
    2026-11-23T14:40:00,2026-11-23T15:15:00,active
    2026-11-27T14:40:00,2026-11-27T15:15:00,active
    """, cfg)
    assert [shown for shown, *_ in run.prompts("%a %H:%M")] == ["Mon 15:10"]


# --- lunch: two windows a day ----------------------------------------------------------------


def test_lunch_gap_between_windows_has_no_prompts() -> None:
    run = run_trace("2026-11-23T12:00:00,2026-11-23T13:25:00,active", LUNCH)
    # 12:30 is the window's end: the prompt due then waits; the trace ends before 13:30.
    assert run.prompts() == []
    assert run.day("2026-11-23")["sitting_minutes"] == 85


def test_lunch_prompt_due_in_the_gap_appears_when_the_window_reopens() -> None:
    run = run_trace("2026-11-23T12:10:00,2026-11-23T13:45:00,active", LUNCH)
    assert run.prompts() == [("13:30:00", "missed", False, "13:40:00")]
    assert [run.local(p.due) for p in run.history.prompts] == ["12:40:00"]


def test_lunch_prompt_due_in_the_gap_is_dropped_if_the_stretch_ends() -> None:
    run = run_trace("""
    2026-11-23T12:10:00,2026-11-23T12:50:00,active
    2026-11-23T13:10:00,2026-11-23T13:45:00,active
    """, LUNCH)
    assert run.breaks() == [("12:50:00", "12:55:00", "natural", "idle")]
    # The new stretch from 13:10 is due at 13:40.
    assert run.prompts() == [("13:40:00", "pending", False, None)]


def test_prompt_pending_at_window_end_still_resolves() -> None:
    run = run_trace("2026-11-23T11:55:00,2026-11-23T12:45:00,active", LUNCH)
    assert run.prompts() == [("12:25:00", "missed", False, "12:35:00")]


# --- days without windows --------------------------------------------------------------------


def test_missing_weekday_has_no_prompts() -> None:
    run = run_trace("2026-11-28T09:00:00,2026-11-28T11:00:00,active")
    assert run.prompts() == []
    assert run.day("2026-11-28")["sitting_minutes"] == 120
    assert run.day("2026-11-28")["compliance"] is None


def test_empty_weekday_has_no_prompts() -> None:
    cfg = schedule(hours={"mon": [], "tue": ["09:00-17:30"]})
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T11:00:00,active
    2026-11-24T09:00:00,2026-11-24T09:31:00,active
    """, cfg)
    assert run.prompts("%a %H:%M") == [("Tue 09:30", "pending", False, None)]


def test_stretch_from_a_day_without_windows_prompts_when_the_next_day_opens() -> None:
    # Sunday has no window; the stretch goes on past midnight into Monday's 00:00-08:00 window.
    cfg = schedule(hours={"mon": ["00:00-08:00"]})
    run = run_trace("2026-11-22T23:00:00,2026-11-23T00:05:00,active", cfg)
    assert run.prompts("%a %H:%M") == [("Mon 00:00", "pending", False, None)]
    assert [(d["date"], d["sitting_minutes"]) for d in run.days] == [
        ("2026-11-22", 60), ("2026-11-23", 5)]


# --- pauses ----------------------------------------------------------------------------------


def test_pause_delays_prompt_until_its_end_and_sitting_still_counts() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:00:00,active
    2026-11-23T09:20:00,2026-11-23T09:45:00,paused
    """)
    assert run.prompts() == [("09:45:00", "missed", False, "09:55:00")]
    assert [run.local(p.due) for p in run.history.prompts] == ["09:30:00"]
    assert run.stretches() == [("09:00:00", "10:00:00")]
    assert run.day("2026-11-23")["sitting_minutes"] == 60


def test_pause_ending_in_a_gap_prompts_at_next_input() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:38:00,active
    2026-11-23T09:20:00,2026-11-23T09:40:00,paused
    2026-11-23T09:41:00,2026-11-23T09:45:00,active
    """)
    assert run.prompts() == [("09:41:00", "pending", False, None)]
    assert run.breaks() == []


def test_prompt_due_exactly_at_pause_end_is_shown() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:35:00,active
    2026-11-23T09:10:00,2026-11-23T09:30:00,paused
    """)
    assert run.prompts() == [("09:30:00", "pending", False, None)]


def test_pause_beginning_at_the_due_instant_silences_the_prompt() -> None:
    # A pause is [at, until): at 09:30 prompts are already silenced.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:00:00,active
    2026-11-23T09:30:00,2026-11-23T09:45:00,paused
    """)
    assert run.prompts() == [("09:45:00", "missed", False, "09:55:00")]


def test_pause_beginning_with_an_active_row_at_the_due_instant_silences_the_prompt() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:29:00,active
    2026-11-23T09:30:00,2026-11-23T10:00:00,active
    2026-11-23T09:30:00,2026-11-23T09:45:00,paused
    """)
    assert run.prompts() == [("09:45:00", "missed", False, "09:55:00")]


def test_pause_and_answer_at_the_due_instant_both_come_before_the_input() -> None:
    run = run_trace("""
    at,until,event
    2026-11-23T09:00:00,2026-11-23T10:00:00,active
    2026-11-23T09:30:00,2026-11-23T09:45:00,paused
    2026-11-23T09:30:00,,done
    2026-11-23T09:30:00,2026-11-23T09:31:00,locked
    """)
    assert run.prompts() == [("09:45:00", "missed", False, "09:55:00")]
    assert [w.split(" at ")[0] for w in run.sim.warnings] == ["<trace>:4: done"]
    assert run.stretches() == [("09:00:00", "10:00:00")]


def test_pause_beginning_at_a_rows_last_input_silences_the_prompt_due_then() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:30:00,active
    2026-11-23T09:30:00,2026-11-23T09:45:00,paused
    2026-11-23T09:32:00,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:45:00", "pending", False, None)]
    assert run.stretches() == [("09:00:00", "09:50:00")]


def test_done_and_pause_at_a_rows_last_input_still_make_the_gap_a_prompted_break() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:32:00,active
    2026-11-23T09:32:00,,done
    2026-11-23T09:32:00,2026-11-23T09:50:00,paused
    2026-11-23T09:40:00,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:30:00", "done", False, "09:32:00")]
    assert run.breaks() == [("09:32:00", "09:35:00", "prompted", "idle")]
    assert run.stretches() == [("09:00:00", "09:32:00"), ("09:40:00", "09:50:00")]


def test_pending_prompt_stays_pending_through_a_pause_and_can_be_missed() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:05:00,active
    2026-11-23T09:32:00,2026-11-23T09:50:00,paused
    """)
    assert run.prompts() == [
        ("09:30:00", "missed", False, "09:40:00"),
        ("10:00:00", "pending", False, None),
    ]


def test_pending_prompt_can_be_answered_during_a_pause() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:05:00,active
    2026-11-23T09:32:00,2026-11-23T09:50:00,paused
    2026-11-23T09:35:00,,snooze
    """)
    # Snoozed at 09:35: due at 09:45, still paused; shown when the pause ends.
    assert run.prompts() == [
        ("09:30:00", "snoozed", False, "09:35:00"),
        ("09:50:00", "missed", False, "10:00:00"),
    ]


def test_overlapping_pauses_join() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:55:00,active
    2026-11-23T09:20:00,2026-11-23T09:40:00,paused
    2026-11-23T09:35:00,2026-11-23T09:50:00,paused
    """)
    assert run.prompts() == [("09:50:00", "pending", False, None)]


def test_pause_inside_a_longer_pause_does_not_shorten_it() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:55:00,active
    2026-11-23T09:20:00,2026-11-23T09:50:00,paused
    2026-11-23T09:25:00,2026-11-23T09:35:00,paused
    """)
    assert run.prompts() == [("09:50:00", "pending", False, None)]


def test_pause_ending_over_lunch_waits_for_the_window() -> None:
    run = run_trace("""
    2026-11-23T12:00:00,2026-11-23T13:35:00,active
    2026-11-23T12:20:00,2026-11-23T13:00:00,paused
    """, LUNCH)
    assert run.prompts() == [("13:30:00", "pending", False, None)]


def test_prompted_break_during_a_pause_still_ends_the_prompt() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:31:00,2026-11-23T09:50:00,paused
    2026-11-23T09:40:00,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:30:00", "done", True, "09:34:00")]
    assert run.breaks() == [("09:31:00", "09:34:00", "prompted", "idle")]

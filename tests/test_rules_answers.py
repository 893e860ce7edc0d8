"""How a prompt ends (spec/sitting-rules.md: "How a prompt ends"): done, snooze, skip, miss.

Defaults: sit 30, break 3, away 5, snooze 10 (at most 2 in a row), response 10 minutes; work window
Monday to Friday 09:00-17:30, Europe/Berlin. 2026-11-23 is a Monday.
"""

from __future__ import annotations

from rules_helpers import run_trace, schedule

# --- snooze ----------------------------------------------------------------------------------


def test_snooze_makes_next_prompt_due_snooze_minutes_after_the_answer() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:00:00,active
    2026-11-23T09:33:00,,snooze
    """)
    assert run.prompts() == [
        ("09:30:00", "snoozed", False, "09:33:00"),
        ("09:43:00", "missed", False, "09:53:00"),
    ]
    assert [run.local(p.due) for p in run.history.prompts] == ["09:30:00", "09:43:00"]
    assert [p.snoozes for p in run.history.prompts] == [0, 1]
    assert run.stretches() == [("09:00:00", "10:00:00")]
    day = run.day("2026-11-23")
    # A snooze is not a final outcome: compliance counts the miss only.
    assert (day["prompts"], day["snoozed"], day["missed"], day["compliance"]) == (2, 1, 1, 0.0)


def test_snoozed_prompt_due_in_a_gap_appears_with_next_input() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:40:00,active
    2026-11-23T09:31:00,,snooze
    2026-11-23T09:44:00,2026-11-23T09:50:00,active
    """)
    # Snoozed at 09:31, so the gap from 09:40 began with nothing pending; at 4 min it is
    # no break; the prompt due at 09:41 waits for the input at 09:44.
    assert run.prompts() == [
        ("09:30:00", "snoozed", False, "09:31:00"),
        ("09:44:00", "pending", False, None),
    ]
    assert [run.local(p.due) for p in run.history.prompts] == ["09:30:00", "09:41:00"]
    assert run.breaks() == []


def test_snooze_after_a_natural_break_prompts_nothing_until_sit_minutes() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:35:00,active
    2026-11-23T09:31:00,,snooze
    2026-11-23T09:50:00,2026-11-23T10:25:00,active
    """)
    assert run.breaks() == [("09:35:00", "09:40:00", "natural", "idle")]
    assert run.prompts() == [
        ("09:30:00", "snoozed", False, "09:31:00"),
        ("10:20:00", "pending", False, None),
    ]
    assert [p.snoozes for p in run.history.prompts] == [0, 0]


def test_snooze_limit_turns_the_extra_snooze_into_skip() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:30:00,active
    2026-11-23T09:31:00,,snooze
    2026-11-23T09:42:00,,snooze
    2026-11-23T09:53:00,,snooze
    """)
    assert run.prompts() == [
        ("09:30:00", "snoozed", False, "09:31:00"),
        ("09:41:00", "snoozed", False, "09:42:00"),
        ("09:52:00", "skipped", False, "09:53:00"),
        # as for skip: the third prompt's time + sit
        ("10:22:00", "pending", False, None),
    ]
    assert [p.snoozes for p in run.history.prompts] == [0, 1, 2, 0]
    assert [s.snooze_offered for s in run.shown] == [True, True, False, True]
    day = run.day("2026-11-23")
    assert (day["snoozed"], day["skipped"], day["compliance"]) == (2, 1, 0.0)


def test_snooze_limit_follows_max_snoozes() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:15:00,active
    2026-11-23T09:31:00,,snooze
    2026-11-23T09:42:00,,snooze
    """, schedule(max_snoozes=1))
    assert run.prompts() == [
        ("09:30:00", "snoozed", False, "09:31:00"),
        ("09:41:00", "skipped", False, "09:42:00"),
        ("10:11:00", "pending", False, None),
    ]
    assert [s.snooze_offered for s in run.shown] == [True, False, True]


def test_no_snoozes_allowed_makes_every_snooze_a_skip() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:05:00,active
    2026-11-23T09:31:00,,snooze
    """, schedule(max_snoozes=0))
    assert run.prompts() == [
        ("09:30:00", "skipped", False, "09:31:00"),
        ("10:00:00", "pending", False, None),
    ]
    assert [s.snooze_offered for s in run.shown] == [False, False]


def test_snoozes_in_a_row_restart_after_a_miss() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:40:00,active
    2026-11-23T09:31:00,,snooze
    2026-11-23T10:12:00,,snooze
    """)
    # 09:41 prompt is missed at 09:51; the next one (10:11) offers snooze afresh.
    assert run.prompts() == [
        ("09:30:00", "snoozed", False, "09:31:00"),
        ("09:41:00", "missed", False, "09:51:00"),
        ("10:11:00", "snoozed", False, "10:12:00"),
        ("10:22:00", "missed", False, "10:32:00"),
    ]
    assert [p.snoozes for p in run.history.prompts] == [0, 1, 0, 1]


def test_snoozes_in_a_row_restart_with_a_new_stretch() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:45:00,active
    2026-11-23T09:31:00,,snooze
    2026-11-23T09:42:00,,snooze
    2026-11-23T10:00:00,2026-11-23T10:35:00,active
    """)
    # The gap from 09:45 began with nothing pending (snoozed at 09:42): a natural break.
    assert run.breaks() == [("09:45:00", "09:50:00", "natural", "idle")]
    assert run.prompts()[-1] == ("10:30:00", "pending", False, None)
    assert [p.snoozes for p in run.history.prompts] == [0, 1, 0]
    assert [s.snooze_offered for s in run.shown] == [True, True, True]


# --- skip and miss ---------------------------------------------------------------------------


def test_skip_makes_next_prompt_due_sit_minutes_after_the_prompt() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:05:00,active
    2026-11-23T09:35:00,,skip
    """)
    assert run.prompts() == [
        ("09:30:00", "skipped", False, "09:35:00"),
        ("10:00:00", "pending", False, None),
    ]
    assert run.stretches() == [("09:00:00", "10:05:00")]
    day = run.day("2026-11-23")
    assert (day["prompts"], day["skipped"], day["compliance"]) == (2, 1, 0.0)


def test_skip_of_a_late_shown_prompt_counts_from_when_it_was_shown() -> None:
    # Due at 09:30 in a gap, shown at 09:33 with the input; skip: next at 09:33 + 30.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:29:00,active
    2026-11-23T09:33:00,2026-11-23T10:10:00,active
    2026-11-23T09:34:00,,skip
    """)
    assert run.prompts() == [
        ("09:33:00", "skipped", False, "09:34:00"),
        ("10:03:00", "pending", False, None),
    ]


def test_miss_resolves_at_response_minutes_and_next_is_sit_minutes_after_prompt() -> None:
    run = run_trace("2026-11-23T09:00:00,2026-11-23T10:15:00,active")
    assert run.prompts() == [
        ("09:30:00", "missed", False, "09:40:00"),
        ("10:00:00", "missed", False, "10:10:00"),
    ]
    day = run.day("2026-11-23")
    assert (day["prompts"], day["missed"], day["compliance"]) == (2, 2, 0.0)


def test_miss_follows_response_minutes() -> None:
    run = run_trace("2026-11-23T09:00:00,2026-11-23T10:15:00,active",
                    schedule(response_minutes=2.5))
    assert run.prompts() == [
        ("09:30:00", "missed", False, "09:32:30"),
        ("10:00:00", "missed", False, "10:02:30"),
    ]


def test_answer_after_miss_is_ignored_with_a_warning() -> None:
    run = run_trace("""
    at,until,event
    2026-11-23T09:00:00,2026-11-23T09:50:00,active
    2026-11-23T09:41:00,,done
    """)
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]
    assert len(run.sim.warnings) == 1
    assert run.sim.warnings[0].startswith("<trace>:3: done")
    assert run.stretches() == [("09:00:00", "09:50:00")]


# --- done ------------------------------------------------------------------------------------


def test_done_while_typing_ends_the_stretch_and_the_next_starts_with_the_input() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:10:00,active
    2026-11-23T09:32:00,,done
    """)
    assert run.prompts() == [
        ("09:30:00", "done", False, "09:32:00"),
        ("10:02:00", "pending", False, None),
    ]
    assert run.stretches() == [("09:00:00", "09:32:00"), ("09:32:00", "10:10:00")]
    day = run.day("2026-11-23")
    assert (day["sitting_minutes"], day["longest_sitting_minutes"]) == (70, 38)
    assert (day["done"], day["compliance"]) == (1, 1.0)


def test_done_in_a_gap_ends_the_stretch_at_its_last_input() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:32:00,,done
    2026-11-23T09:33:00,2026-11-23T10:10:00,active
    """)
    # The gap 09:31-09:33 is too short to be a break, but "done" ended the stretch anyway.
    assert run.prompts() == [
        ("09:30:00", "done", False, "09:32:00"),
        ("10:03:00", "pending", False, None),
    ]
    assert run.stretches() == [("09:00:00", "09:31:00"), ("09:33:00", "10:10:00")]
    assert run.breaks() == []
    assert run.day("2026-11-23")["sitting_minutes"] == 68


def test_gap_after_done_is_the_prompted_break() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:32:00,active
    2026-11-23T09:32:00,,done
    2026-11-23T09:40:00,2026-11-23T09:50:00,active
    """)
    assert run.prompts() == [("09:30:00", "done", False, "09:32:00")]
    assert run.breaks() == [("09:32:00", "09:35:00", "prompted", "idle")]
    assert run.stretches() == [("09:00:00", "09:32:00"), ("09:40:00", "09:50:00")]
    assert run.day("2026-11-23")["natural_breaks"] == 0


def test_gap_after_done_with_lock_is_prompted_not_natural() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:32:00,active
    2026-11-23T09:32:00,,done
    2026-11-23T09:32:10,2026-11-23T09:38:00,locked
    2026-11-23T09:40:00,2026-11-23T09:50:00,active
    """)
    assert run.breaks() == [("09:32:00", "09:35:00", "prompted", "lock")]
    assert run.day("2026-11-23")["natural_breaks"] == 0


def test_done_at_the_start_of_an_active_row_comes_after_its_input() -> None:
    # The prompt was shown at 09:30; at 09:33 the input comes first (as in the coach, where the
    # click on "Done" is input), so the 2-minute gap is sitting and the stretch ends at 09:33.
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:33:00,2026-11-23T10:10:00,active
    2026-11-23T09:33:00,,done
    """)
    assert run.prompts() == [
        ("09:30:00", "done", False, "09:33:00"),
        ("10:03:00", "pending", False, None),
    ]
    assert run.stretches() == [("09:00:00", "09:33:00"), ("09:33:00", "10:10:00")]
    assert run.sim.warnings == []


def test_answer_at_the_start_of_a_row_that_shows_the_prompt_answers_it() -> None:
    # The prompt due at 09:30 (in the gap) is shown with the input at 09:33; the answer at the
    # same instant comes after that input, as it does inside a row: it skips that prompt.
    run = run_trace("""
    at,until,event
    2026-11-23T09:00:00,2026-11-23T09:29:00,active
    2026-11-23T09:33:00,2026-11-23T09:50:00,active
    2026-11-23T09:33:00,,skip
    """)
    assert run.prompts() == [("09:33:00", "skipped", False, "09:33:00")]
    assert run.sim.warnings == []


def test_answer_at_the_instant_a_prompt_is_shown_mid_row_answers_it() -> None:
    # Inside a row the input at an instant comes first, so the prompt shown at 09:30 is there
    # to be skipped (as at a row's start).
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T10:05:00,active
    2026-11-23T09:30:00,,skip
    """)
    assert run.prompts() == [
        ("09:30:00", "skipped", False, "09:30:00"),
        ("10:00:00", "pending", False, None),
    ]
    assert run.sim.warnings == []


# --- nothing pending; pending at the end -----------------------------------------------------


def test_answers_with_nothing_pending_are_ignored_with_a_warning_naming_the_line() -> None:
    run = run_trace("""
    at,until,event
    2026-11-23T09:00:00,2026-11-23T09:40:00,active
    2026-11-23T09:10:00,,done
    2026-11-23T09:11:00,,snooze

    2026-11-23T09:12:00,,skip
    """)
    assert [w.split(" at ")[0] for w in run.sim.warnings] == [
        "<trace>:3: done", "<trace>:4: snooze", "<trace>:6: skip",
    ]
    assert all("no prompt is pending" in w for w in run.sim.warnings)
    # Ignored: the stretch goes on and the prompt comes as if nothing had been said.
    assert run.stretches() == [("09:00:00", "09:40:00")]
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]


def test_second_answer_to_the_same_prompt_is_ignored() -> None:
    run = run_trace("""
    at,until,event
    2026-11-23T09:00:00,2026-11-23T09:45:00,active
    2026-11-23T09:31:00,,skip
    2026-11-23T09:32:00,,done
    """)
    assert run.prompts() == [("09:30:00", "skipped", False, "09:31:00")]
    assert [w.split(" at ")[0] for w in run.sim.warnings] == ["<trace>:4: done"]
    assert run.stretches() == [("09:00:00", "09:45:00")]


def test_answer_after_auto_done_is_ignored() -> None:
    run = run_trace("""
    at,until,event
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:36:00,,done
    2026-11-23T09:40:00,2026-11-23T09:45:00,active
    """)
    assert run.prompts() == [("09:30:00", "done", True, "09:34:00")]
    assert [w.split(" at ")[0] for w in run.sim.warnings] == ["<trace>:3: done"]


def test_prompt_pending_at_the_end_is_reported_pending() -> None:
    run = run_trace("2026-11-23T09:00:00,2026-11-23T09:35:00,active")
    assert run.prompts() == [("09:30:00", "pending", False, None)]
    day = run.day("2026-11-23")
    assert (day["prompts"], day["done"], day["skipped"], day["missed"]) == (1, 0, 0, 0)
    assert day["compliance"] is None


def test_prompt_pending_at_the_end_is_left_out_of_compliance() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:31:00,active
    2026-11-23T09:35:00,2026-11-23T10:07:00,active
    """)
    assert run.prompts() == [
        ("09:30:00", "done", True, "09:34:00"),
        ("10:05:00", "pending", False, None),
    ]
    day = run.day("2026-11-23")
    assert (day["prompts"], day["done"], day["compliance"]) == (2, 1, 1.0)

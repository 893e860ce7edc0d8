"""The engine used directly, as the daemon uses it: observations in, actions out, and the questions
it answers (next_wakeup, waiting_for_input, status). Default rules; Europe/Berlin; Mon-Fri
09:00-17:30. 2026-11-23 is a Monday (UTC+1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from glutecoach.config import Schedule
from glutecoach.engine import (
    Action,
    BreakBegan,
    BreakEnded,
    Engine,
    Notice,
    PromptResolved,
    PromptShown,
    Rules,
    StretchEnded,
    StretchStarted,
)
from glutecoach.workhours import WorkHours

BERLIN = ZoneInfo("Europe/Berlin")


def t(hhmm: str, day: int = 23, zone: ZoneInfo = BERLIN) -> datetime:
    """A local time on 2026-11-<day> (in UTC, as the engine reports instants)."""
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2026, 11, day, h, m, tzinfo=zone).astimezone(UTC)


def engine(start: str = "08:00", rules: Rules | None = None) -> Engine:
    return Engine(rules or Rules(), WorkHours(Schedule().hours, BERLIN), t(start))


def kinds(actions: list[Action]) -> list[str]:
    return [type(a).__name__ for a in actions]


def test_engine_rejects_times_without_a_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        engine().input(datetime(2026, 11, 23, 9, 0))


def test_rules_from_schedule_take_fractional_minutes() -> None:
    rules = Rules.from_schedule(Schedule(break_minutes=0.25, away_after_minutes=0.5))
    assert (rules.brk, rules.away) == (timedelta(seconds=15), timedelta(seconds=30))


def test_first_input_starts_a_stretch() -> None:
    e = engine()
    assert e.input(t("09:00")) == [StretchStarted(t("09:00"))]
    assert e.input(t("09:01")) == []


def test_actions_carry_utc_instants_whatever_the_input_zone() -> None:
    e = engine()
    kiritimati = datetime(2026, 11, 23, 22, 0, tzinfo=ZoneInfo("Pacific/Kiritimati"))  # 09:00
    (started,) = e.input(kiritimati)
    assert isinstance(started, StretchStarted)
    assert started.at.utcoffset() == timedelta(0)
    assert started.at == t("09:00")


def test_late_observation_counts_as_now() -> None:
    e = engine()
    e.active(t("09:00"), t("09:20"))
    assert e.input(t("09:10")) == []
    assert e.status(t("09:20")).sitting == timedelta(minutes=20)
    assert e.next_wakeup() == t("09:25")  # the gap counts from 09:20, not 09:10


# --- next_wakeup -----------------------------------------------------------------------------


def test_next_wakeup_is_nothing_before_any_input() -> None:
    assert engine().next_wakeup() is None


def test_next_wakeup_is_when_the_gap_would_become_a_break() -> None:
    e = engine()
    e.active(t("09:00"), t("09:10"))
    assert e.next_wakeup() == t("09:15")


def test_next_wakeup_is_the_due_prompt_when_sooner() -> None:
    e = engine()
    e.active(t("09:00"), t("09:28"))
    assert e.next_wakeup() == t("09:30")
    assert e.next_prompt_at() == t("09:30")


def test_next_wakeup_while_pending_is_the_prompted_break() -> None:
    e = engine()
    e.active(t("09:00"), t("09:31"))
    assert e.pending is not None
    assert e.next_wakeup() == t("09:34")  # break_minutes after the last input; miss at 09:40


def test_next_wakeup_while_pending_and_typing_is_the_miss() -> None:
    e = engine()
    e.active(t("09:00"), t("09:31"))
    e.input(t("09:33"))  # a 2-minute gap: not a break, the prompt still pending
    assert e.next_wakeup() == t("09:36")  # the gap from 09:33 would be a break at 09:36
    e.active(t("09:33"), t("09:39"))
    assert e.next_wakeup() == t("09:40")  # the miss comes before the break at 09:42


def test_next_wakeup_waits_for_the_window_to_open() -> None:
    e = engine("07:00")
    e.active(t("08:20"), t("08:58"))
    assert e.next_prompt_at() == t("09:00")  # due 08:50, shown from the window's opening
    assert e.next_wakeup() == t("09:00")


def test_next_wakeup_waits_for_the_pause_to_end() -> None:
    e = engine()
    e.active(t("09:00"), t("09:10"))
    e.pause(t("09:10"), t("09:50"))
    e.active(t("09:10"), t("09:40"))
    assert e.next_prompt_at() == t("09:50")
    assert e.next_wakeup() == t("09:45")  # the gap from 09:40 first


def test_next_wakeup_is_nothing_once_away() -> None:
    e = engine()
    e.active(t("09:00"), t("09:10"))
    assert kinds(e.advance(t("09:20"))) == ["BreakBegan", "StretchEnded"]
    assert e.next_wakeup() is None


# --- waiting_for_input -----------------------------------------------------------------------


def test_due_prompt_waits_for_input_and_appears_with_it() -> None:
    e = engine()
    e.active(t("09:00"), t("09:29"))
    assert e.advance(t("09:31")) == []
    assert e.waiting_for_input()
    shown = e.input(t("09:32"))
    assert shown == [PromptShown(1, t("09:32"), t("09:30"), 0, snooze_offered=True)]
    assert not e.waiting_for_input()


def test_not_waiting_for_input_when_prompts_are_not_allowed() -> None:
    e = engine("07:00")
    e.active(t("07:00"), t("07:31"))
    assert e.advance(t("07:33")) == []
    assert not e.waiting_for_input()
    e.pause(t("07:33"), None)
    assert e.advance(t("09:02")) == [
        BreakBegan(t("07:31"), t("07:36"), "natural", "idle"),
        StretchEnded(t("07:00"), t("07:31")),
    ]


def test_not_waiting_for_input_while_paused() -> None:
    e = engine()
    e.active(t("09:00"), t("09:29"))
    e.pause(t("09:29"), t("09:45"))
    e.advance(t("09:31"))
    assert not e.waiting_for_input()


# --- status ----------------------------------------------------------------------------------


def test_status_while_typing() -> None:
    e = engine()
    e.active(t("09:00"), t("09:10"))
    s = e.status(t("09:12"))  # a short gap still counts as sitting
    assert (s.state, s.sitting, s.next_prompt_at, s.pending) == (
        "active", timedelta(minutes=12), t("09:30"), None)
    assert (s.paused_until, s.paused_indefinitely) == (None, False)


def test_status_with_a_pending_prompt() -> None:
    e = engine()
    e.active(t("09:00"), t("09:31"))
    s = e.status(t("09:31"))
    assert s.pending is not None
    assert (s.pending.number, s.pending.at, s.pending.due) == (1, t("09:30"), t("09:30"))
    assert s.next_prompt_at is None


def test_status_paused_until_and_indefinitely() -> None:
    e = engine()
    e.active(t("09:00"), t("09:10"))
    e.pause(t("09:10"), t("10:00"))
    s = e.status(t("09:11"))
    assert (s.state, s.paused_until, s.paused_indefinitely) == ("paused", t("10:00"), False)
    e.pause(t("09:11"), None)
    s = e.status(t("09:12"))
    assert (s.state, s.paused_until, s.paused_indefinitely) == ("paused", None, True)
    assert s.next_prompt_at is None
    e.unpause(t("09:13"))
    s = e.status(t("09:13"))
    assert (s.state, s.paused_indefinitely, s.next_prompt_at) == ("active", False, t("09:30"))


def test_status_after_pause_ends_is_active() -> None:
    e = engine()
    e.active(t("09:00"), t("09:10"))
    e.pause(t("09:10"), t("09:12"))
    e.active(t("09:10"), t("09:20"))
    s = e.status(t("09:20"))
    assert (s.state, s.paused_until) == ("active", None)


def test_status_outside_hours() -> None:
    e = engine("17:00")
    e.active(t("17:20"), t("17:40"))
    assert e.status(t("17:40")).state == "outside-hours"
    assert e.next_prompt_at() == t("09:00", day=24)  # Tuesday's window, if the stretch goes on


def test_status_away_after_a_break_and_before_any_input() -> None:
    e = engine()
    assert e.status(t("08:30")).state == "away"
    e.active(t("09:00"), t("09:10"))
    e.advance(t("09:16"))
    s = e.status(t("09:16"))
    assert (s.state, s.sitting) == ("away", timedelta(0))


# --- lock, suspend -----------------------------------------------------------------------------


def test_lock_in_a_gap_breaks_at_break_minutes() -> None:
    e = engine()
    e.active(t("09:00"), t("09:20"))
    assert e.lock(t("09:21")) == []
    assert e.next_wakeup() == t("09:23")
    assert e.advance(t("09:23")) == [
        BreakBegan(t("09:20"), t("09:23"), "natural", "lock"),
        StretchEnded(t("09:00"), t("09:20")),
    ]
    assert e.status(t("09:23")).state == "away"


def test_lock_after_break_minutes_of_gap_breaks_at_once() -> None:
    e = engine()
    e.active(t("09:00"), t("09:20"))
    assert e.lock(t("09:24")) == [
        BreakBegan(t("09:20"), t("09:24"), "natural", "lock"),
        StretchEnded(t("09:00"), t("09:20")),
    ]


def test_unlock_before_break_minutes_keeps_the_gap_a_break_candidate() -> None:
    e = engine()
    e.active(t("09:00"), t("09:20"))
    e.lock(t("09:20"))
    e.unlock(t("09:21"))
    # The lock was inside the gap: at 3 minutes it is a break, unlocked or not.
    assert kinds(e.advance(t("09:23"))) == ["BreakBegan", "StretchEnded"]


def test_suspend_and_resume_make_a_break_and_the_next_input_a_new_stretch() -> None:
    e = engine()
    e.active(t("09:00"), t("09:20"))
    assert e.suspend(t("09:20")) == []
    assert e.resume(t("09:40")) == [
        BreakBegan(t("09:20"), t("09:23"), "natural", "suspend"),
        StretchEnded(t("09:00"), t("09:20")),
    ]
    assert e.input(t("09:41")) == [BreakEnded(t("09:20"), t("09:41")),
                                   StretchStarted(t("09:41"))]


# --- answers, pause, break_now, finish ----------------------------------------------------------


def test_snooze_moves_next_prompt_to_answer_plus_snooze_minutes() -> None:
    e = engine()
    e.active(t("09:00"), t("09:31"))
    assert e.answer(t("09:31"), "snooze") == [PromptResolved(1, t("09:31"), "snoozed", False)]
    assert e.next_prompt_at() == t("09:41")


def test_answer_with_nothing_pending_gives_a_notice() -> None:
    e = engine()
    e.active(t("09:00"), t("09:10"))
    (notice,) = e.answer(t("09:10"), "skip")
    assert notice.at == t("09:10")
    assert "skip" in notice.message


def test_done_ends_the_stretch_and_the_gap_is_the_prompted_break() -> None:
    e = engine()
    e.active(t("09:00"), t("09:31"))
    assert e.answer(t("09:32"), "done") == [
        PromptResolved(1, t("09:32"), "done", False),
        StretchEnded(t("09:00"), t("09:31")),
    ]
    assert e.advance(t("09:40")) == [BreakBegan(t("09:31"), t("09:34"), "prompted", "idle")]


def test_input_during_a_pause_shows_the_prompt_when_the_pause_ends() -> None:
    e = engine()
    e.active(t("09:00"), t("09:20"))
    e.pause(t("09:20"), t("09:35"))
    actions = e.active(t("09:20"), t("09:40"))
    assert [a for a in actions if isinstance(a, PromptShown)] == [
        PromptShown(1, t("09:35"), t("09:30"), 0, snooze_offered=True)]


def test_unpause_lets_the_due_prompt_show_at_once() -> None:
    e = engine()
    e.active(t("09:00"), t("09:10"))
    e.pause(t("09:10"), None)
    e.active(t("09:10"), t("09:38"))
    assert e.pending is None
    e.unpause(t("09:38"))
    assert e.next_prompt_at() == t("09:38")
    assert kinds(e.input(t("09:38"))) == ["PromptShown"]


def test_break_now_shows_a_prompt_outside_windows_and_pauses() -> None:
    e = engine("19:00")
    e.active(t("19:40"), t("19:58"))
    e.pause(t("19:58"), None)
    assert e.break_now(t("20:00")) == [
        PromptShown(1, t("20:00"), t("20:00"), 0, snooze_offered=True)]
    # The user is at the keyboard; the gap that follows began with the prompt pending.
    assert e.advance(t("20:03")) == [
        BreakBegan(t("20:00"), t("20:03"), "prompted", "idle"),
        PromptResolved(1, t("20:03"), "done", True),
        StretchEnded(t("19:40"), t("20:00")),
    ]


def test_break_now_starts_a_stretch_if_there_is_none() -> None:
    e = engine()
    assert kinds(e.break_now(t("09:00"))) == ["StretchStarted", "PromptShown"]


def test_break_now_with_a_prompt_pending_shows_no_second_one() -> None:
    e = engine()
    e.active(t("09:00"), t("09:31"))
    assert e.break_now(t("09:32")) == []
    assert e.pending is not None and e.pending.number == 1


def test_finish_ends_the_stretch_at_its_last_input() -> None:
    e = engine()
    e.active(t("09:00"), t("09:20"))
    assert e.finish(t("09:22")) == [StretchEnded(t("09:00"), t("09:20"))]


def test_finish_closes_a_break_in_progress() -> None:
    e = engine()
    e.active(t("09:00"), t("09:20"))
    assert e.finish(t("09:40")) == [
        BreakBegan(t("09:20"), t("09:25"), "natural", "idle"),
        StretchEnded(t("09:00"), t("09:20")),
        BreakEnded(t("09:20"), t("09:40")),
    ]


def test_finish_leaves_a_pending_prompt_pending() -> None:
    e = engine()
    e.active(t("09:00"), t("09:35"))
    actions = e.finish(t("09:36"))
    assert not [a for a in actions if isinstance(a, PromptResolved)]
    assert e.pending is not None


def test_active_with_open_end_shows_nothing_at_its_end() -> None:
    e = engine()
    assert kinds(e.active(t("09:00"), t("09:30"), open_end=True)) == ["StretchStarted"]
    assert e.next_prompt_at() == t("09:30")
    assert kinds(e.active(t("09:30"), t("09:31"))) == ["PromptShown"]


# --- postpone (the heads-up's button, `glutecoach postpone`) -----------------------------------


def postponed(e: Engine, at: datetime) -> tuple[list[str], str]:
    """What a press at `at` did: the kinds of actions, and the refusal ("" when taken)."""
    actions = e.postpone(at)
    notices = [a.message for a in actions if isinstance(a, Notice)]
    return kinds(actions), notices[0] if notices else ""


def test_postpone_shows_and_snoozes_the_coming_prompt() -> None:
    e = engine()
    e.active(t("09:00"), t("09:25"))
    done, refused = postponed(e, t("09:25"))
    assert refused == "" and done == ["PromptShown", "PromptResolved"]
    assert e.next_due == t("09:35")  # a snooze from the press


@pytest.mark.parametrize(("setup", "press", "why"), [
    # Back from 20 min away: the press ends a break, no prompt of the old stretch is coming.
    (lambda e: e.active(t("09:00"), t("09:10")), "09:30", "no break is coming now"),
    (lambda e: (e.active(t("09:00"), t("09:20")), e.pause(t("09:20"), None)), "09:25",
     "no break is coming now"),
    # Outside work hours (17:30) with a prompt due at 17:40 in no window.
    (lambda e: e.active(t("17:10"), t("17:35")), "17:35", "no break is coming now"),
    # The prompt is 25 min off: a press would bring it forward to 10 min from now.
    (lambda e: e.active(t("09:00"), t("09:05")), "09:05", "the next break is 25 min away"),
])  # fmt: skip
def test_postpone_is_refused_where_it_would_record_or_move_a_prompt_wrongly(
        setup: Any, press: str, why: str) -> None:
    e = engine()
    setup(e)
    due_before = e.next_due
    done, refused = postponed(e, t(press))
    assert refused.startswith(f'"postpone" ignored: {why}'), refused
    assert "PromptShown" not in done and e.pending is None
    if e.stretch_start is not None and why.startswith("the next"):
        assert e.next_due == due_before  # nothing moved


def test_postpone_with_a_prompt_waiting_says_to_answer_it() -> None:
    e = engine()
    e.active(t("09:00"), t("09:31"))
    assert e.pending is not None
    assert "a break prompt is already waiting: answer it" in postponed(e, t("09:31"))[1]

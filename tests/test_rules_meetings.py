"""Meetings hold prompts (issue 7): the rule on a virtual clock, driving the engine directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from glutecoach.config import Config
from glutecoach.engine import Engine, PromptShown, Rules
from glutecoach.workhours import WorkHours

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday; windows 09:00-17:30 in UTC


def engine() -> Engine:
    cfg = Config.model_validate({"schedule": {"timezone": "UTC"}})
    return Engine(Rules.from_schedule(cfg.schedule), WorkHours(cfg.schedule.hours, UTC), T0)


def minutes(m: float) -> datetime:
    return T0 + timedelta(minutes=m)


def shown(actions: list) -> list[PromptShown]:
    return [a for a in actions if isinstance(a, PromptShown)]


def test_prompt_due_in_a_meeting_waits_and_comes_right_after_it() -> None:
    e = engine()
    e.active(minutes(0), minutes(20))
    e.hold(minutes(20), "camera")
    during = e.active(minutes(20), minutes(50))
    assert shown(during) == []
    assert e.status(minutes(50)).state == "in-meeting"
    assert e.status(minutes(50)).meeting == "camera"
    assert e.next_prompt_at() is None
    e.release(minutes(50))
    after = shown(e.active(minutes(50), minutes(51)))
    assert [(p.at, p.due, p.deferred) for p in after] == [(minutes(50), minutes(30), "camera")]


def test_a_meeting_that_ends_before_the_prompt_is_due_defers_nothing() -> None:
    e = engine()
    e.active(minutes(0), minutes(5))
    e.hold(minutes(5), "microphone")
    e.active(minutes(5), minutes(15))
    e.release(minutes(15))
    later = shown(e.active(minutes(15), minutes(31)))
    assert [(p.at, p.deferred) for p in later] == [(minutes(30), None)]


def test_sitting_counts_through_a_meeting() -> None:
    e = engine()
    e.active(minutes(0), minutes(10))
    e.hold(minutes(10), "calendar")
    e.active(minutes(10), minutes(70))
    assert e.status(minutes(70)).sitting == timedelta(minutes=70)


def test_a_break_during_the_meeting_ends_the_stretch_and_the_deferral() -> None:
    e = engine()
    e.active(minutes(0), minutes(40))
    e.hold(minutes(0), "fullscreen")
    e.advance(minutes(46))  # walked away 6 min: a natural break
    e.release(minutes(46))
    again = shown(e.active(minutes(47), minutes(78)))
    assert [(p.at, p.deferred) for p in again] == [(minutes(77), None)]


def test_break_now_is_shown_even_in_a_meeting() -> None:
    e = engine()
    e.active(minutes(0), minutes(5))
    e.hold(minutes(5), "do-not-disturb")
    assert len(shown(e.break_now(minutes(6)))) == 1

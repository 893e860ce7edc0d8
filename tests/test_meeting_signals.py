"""The running coach's meeting signals (coach/meeting_signals.py): a signal that is not there
when the coach starts (a calendar synced a moment after login, a power manager that starts
beside the coach) is tried again, joins the others when it opens, and is given up after the
last try; a reload starts over. The xfce4-power-manager case is in
tests/desktop/test_meetings_inhibitors.py."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from glutecoach.coach.meeting_signals import RETRY_AFTER_SECONDS, MeetingSignals
from glutecoach.coach.service import Coach
from glutecoach.config import parse_config
from glutecoach.store import Store
from glutecoach.store.writer import StoreWriter
from tests.test_config_watch import COACH_CONFIG, ICS, AtTheKeyboard, Clock, Told


def config_text(calendar: Path) -> str:
    return COACH_CONFIG + f'[meetings]\nsignals = []\ncalendar = "{calendar}"\n'


@pytest.fixture
def coach(tmp_path: Path) -> Iterator[tuple[Coach, Clock, Path]]:
    """A coach whose only meeting signal is a calendar file that does not exist yet."""
    calendar = tmp_path / "work.ics"
    path = tmp_path / "config.toml"
    path.write_text(config_text(calendar))
    store = Store.open(tmp_path / "home")
    clock = Clock()
    config = parse_config(path.read_text())
    c = Coach(config=config, config_path=path, writer=StoreWriter(store, "Europe/Berlin"),
              presence=AtTheKeyboard(), notifier=Told(), clock=clock)  # type: ignore[arg-type]
    yield c, clock, calendar
    store.close()


def state_a_minute_on(c: Coach, clock: Clock) -> str:
    clock.t += timedelta(minutes=1)
    c.tick()
    return str(c.status_json()["state"])


def test_a_calendar_that_appears_later_holds_prompts_after_a_retry(
        coach: tuple[Coach, Clock, Path]) -> None:
    c, clock, calendar = coach
    signals = MeetingSignals(c.config.meetings, c.zone)
    assert signals.sources == [] and signals.missing == ["calendar"]
    c.replace_meetings(signals.sources)
    scheduler = BackgroundScheduler(timezone="UTC")
    signals.attach(c, scheduler)
    job = scheduler.get_job(MeetingSignals.JOB_ID)
    assert job is not None  # the first retry is planned
    c.tick()
    assert state_a_minute_on(c, clock) == "active"  # 09:01, the planning meeting runs to 10:00
    signals.retry()
    assert signals.missing == ["calendar"]  # still not there: tried again later
    calendar.write_text(ICS)
    signals.retry()
    assert [m.name for m in c.meetings] == ["calendar"] and signals.missing == []
    assert state_a_minute_on(c, clock) == "in-meeting"
    signals.close()


def test_tries_at_the_planned_delays_then_gives_up_saying_why(
        coach: tuple[Coach, Clock, Path], caplog: pytest.LogCaptureFixture) -> None:
    c, _clock, calendar = coach
    plans: list[float] = []

    class Recording:
        def add_job(self, func: Any, trigger: str, run_date: Any, **kw: Any) -> None:
            assert func == signals.retry and trigger == "date" and kw["replace_existing"]
            plans.append(round(run_date.timestamp() - time.time()))

    signals = MeetingSignals(c.config.meetings, c.zone)
    signals.attach(c, Recording())
    caplog.set_level(logging.INFO, logger="glutecoach.coach.meeting_signals")
    for _ in RETRY_AFTER_SECONDS:
        signals.retry()
    assert plans == list(RETRY_AFTER_SECONDS)  # one plan per try, none after the last
    still_off = [r.getMessage() for r in caplog.records if "still off" in r.getMessage()]
    assert still_off == [f"meeting signal still off after {len(RETRY_AFTER_SECONDS)} tries:"
                         f" calendar: the calendar file {calendar} does not exist"]
    # A reload that changes [meetings] starts over, with its own tries.
    c.config = parse_config(config_text(calendar.with_name("other.ics")))
    signals.follow()
    assert plans[-1] == RETRY_AFTER_SECONDS[0] and len(plans) == len(RETRY_AFTER_SECONDS) + 1


def test_the_coachs_scheduler_runs_the_retry_by_itself(coach: tuple[Coach, Clock, Path]) -> None:
    c, _clock, calendar = coach
    signals = MeetingSignals(c.config.meetings, c.zone, retry_after=(0.2, 0.2, 0.2))
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start()
    try:
        signals.attach(c, scheduler)
        time.sleep(0.5)  # the first try has run and found nothing
        assert signals.missing == ["calendar"]
        calendar.write_text(ICS)
        deadline = time.monotonic() + 5
        while signals.missing and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [m.name for m in c.meetings] == ["calendar"]
    finally:
        scheduler.shutdown(wait=True)
        signals.close()

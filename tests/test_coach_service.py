"""The running coach's shell on a virtual clock: polls turn idle readings into engine input,
prompts reach the notifier and the real SQLite database, commands answer them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from glutecoach.coach.service import Coach
from glutecoach.config import parse_config
from glutecoach.notify.base import Delivery, PromptMessage
from glutecoach.presence.base import PresenceReading
from glutecoach.store import Store
from glutecoach.store.tables import PromptRow, StretchRow
from glutecoach.store.writer import StoreWriter

CONFIG = """
[schedule]
timezone = "Europe/Berlin"
sit_minutes = 30
[desktop]
notifier = "terminal"
"""
MONDAY_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


@dataclass
class VirtualClock:
    t: datetime
    mono: float = 1000.0

    def now(self) -> datetime:
        return self.t

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float, asleep: bool = False) -> None:
        self.t += timedelta(seconds=seconds)
        if not asleep:  # a sleeping machine's monotonic clock stands still
            self.mono += seconds


@dataclass
class ScriptedPresence:
    """What the OS would say: the user's last input moment and the lock state."""

    clock: VirtualClock
    last_input: datetime
    locked: bool = False
    name: str = "scripted"

    def read(self) -> PresenceReading:
        return PresenceReading((self.clock.t - self.last_input).total_seconds(), self.locked)

    def close(self) -> None:
        pass


@dataclass
class RecordingNotifier:
    shown: list[PromptMessage] = field(default_factory=list)
    answer: Callable[[str], None] | None = None
    withdrawn: int = 0
    deliver: bool = True
    name: str = "recording"

    def show_prompt(self, msg: PromptMessage, on_answer: Callable[[str], None]) -> Delivery:
        self.shown.append(msg)
        self.answer = on_answer
        return Delivery(self.deliver, self.name, "" if self.deliver else "no server")

    def withdraw_prompt(self) -> None:
        self.withdrawn += 1

    def info(self, title: str, body: str) -> Delivery:
        return Delivery(True, self.name)

    def close(self) -> None:
        pass


@pytest.fixture
def rig(tmp_path: Path):
    clock = VirtualClock(MONDAY_9)
    presence = ScriptedPresence(clock, MONDAY_9)
    notifier = RecordingNotifier()
    store = Store.open(tmp_path / "home")
    config_path = tmp_path / "config.toml"
    config_path.write_text(CONFIG)
    coach = Coach(config=parse_config(CONFIG), config_path=config_path,
                  writer=StoreWriter(store, "Europe/Berlin"), presence=presence,
                  notifier=notifier, clock=clock)  # type: ignore[arg-type]
    yield coach, clock, presence, notifier, store
    store.close()


def typing_until(coach: Coach, clock: VirtualClock, presence: ScriptedPresence,
                 until: datetime) -> None:
    """The user types without pause; the coach polls when it asks to."""
    while clock.t < until:
        presence.last_input = clock.t
        nxt = coach.tick()
        clock.advance(max(1.0, min((nxt - clock.t).total_seconds(), (until - clock.t)
                                   .total_seconds())))
    presence.last_input = clock.t
    coach.tick()


def idle_until(coach: Coach, clock: VirtualClock, until: datetime) -> None:
    while clock.t < until:
        nxt = coach.tick()
        clock.advance(max(0.5, min((nxt - clock.t).total_seconds(),
                                   (until - clock.t).total_seconds())))
    coach.tick()


def prompts(store: Store) -> list[PromptRow]:
    with store.session() as s:
        return list(s.exec(select(PromptRow).order_by(PromptRow.id)))


def test_prompt_after_sitting_limit_reaches_notifier_and_database(rig) -> None:
    coach, clock, presence, notifier, store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
    assert len(notifier.shown) == 1
    assert "30 min" in notifier.shown[0].title
    rows = prompts(store)
    assert len(rows) == 1
    # shown at the first poll at or after 09:30 while typing (polls follow the engine's wake-ups)
    assert rows[0].shown_utc == (MONDAY_9 + timedelta(minutes=30)).replace(tzinfo=None)
    assert rows[0].delivered is True
    assert rows[0].outcome == "pending"


def test_idle_after_prompt_is_recorded_as_done_auto(rig) -> None:
    coach, clock, presence, notifier, store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
    left = clock.t
    idle_until(coach, clock, left + timedelta(minutes=4))
    row = prompts(store)[0]
    assert (row.outcome, row.auto) == ("done", True)
    assert row.answered_utc == (left + timedelta(minutes=3)).replace(tzinfo=None)
    assert notifier.withdrawn == 1
    with store.session() as s:
        stretch = s.exec(select(StretchRow)).one()
    assert stretch.end_utc == left.replace(tzinfo=None)
    assert coach.status_json()["state"] == "away"


def test_answer_from_notification_button_resolves_prompt(rig) -> None:
    coach, clock, presence, notifier, store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
    assert notifier.answer is not None
    notifier.answer("snooze")
    row = prompts(store)[0]
    assert row.outcome == "snoozed"
    assert coach.status_json()["next_prompt_at"] == (
        clock.t + timedelta(minutes=10)).astimezone(coach.zone).isoformat(timespec="seconds")


def test_answer_with_nothing_pending_is_refused(rig) -> None:
    coach, clock, presence, _notifier, _store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=5))
    reply = coach.handle({"cmd": "answer", "answer": "done"})
    assert reply == {"ok": False, "error": "no prompt is pending"}


def test_status_reports_sitting_and_next_prompt(rig) -> None:
    coach, clock, presence, _notifier, _store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=12))
    st = coach.status_json()
    assert st["state"] == "active"
    assert st["sitting_seconds"] == 12 * 60
    assert st["next_prompt_at"] == "2026-11-23T09:30:00+01:00"
    assert st["pending_prompt"] is None and st["paused_until"] is None


def test_pause_holds_prompt_until_it_ends(rig) -> None:
    coach, clock, presence, notifier, _store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=20))
    reply = coach.handle({"cmd": "pause", "duration": "30m"})
    assert reply["status"]["state"] == "paused"
    assert reply["status"]["paused_until"] == "2026-11-23T09:50:00+01:00"
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=49))
    assert notifier.shown == []
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=51))
    assert len(notifier.shown) == 1


def test_bad_pause_duration_is_refused(rig) -> None:
    coach, *_ = rig
    reply = coach.handle({"cmd": "pause", "duration": "soon"})
    assert reply["ok"] is False and "duration" in reply["error"]


def test_sleep_ends_the_stretch_even_without_idle_time(rig) -> None:
    """The wall clock jumped 20 min while the monotonic clock stood still: a suspend."""
    coach, clock, presence, _notifier, store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=10))
    clock.advance(20 * 60, asleep=True)
    presence.last_input = clock.t  # the user woke the machine with a key
    coach.tick()
    with store.session() as s:
        stretches = list(s.exec(select(StretchRow).order_by(StretchRow.id)))
    assert len(stretches) == 2
    assert stretches[0].end_utc == (MONDAY_9 + timedelta(minutes=10)).replace(tzinfo=None)


def test_undelivered_prompt_is_recorded_as_not_delivered(rig) -> None:
    coach, clock, presence, notifier, store = rig
    notifier.deliver = False
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
    assert prompts(store)[0].delivered is False


def test_reload_with_broken_config_keeps_the_old_one(rig, tmp_path: Path) -> None:
    coach, *_ = rig
    (tmp_path / "config.toml").write_text("[schedule]\nsit_minutes = -5\n")
    reply = coach.handle({"cmd": "reload"})
    assert reply["ok"] is False
    assert "sit_minutes" in reply["error"] and "old config stays" in reply["error"]
    assert coach.engine.rules.sit == timedelta(minutes=30)
    (tmp_path / "config.toml").write_text(CONFIG.replace("sit_minutes = 30", "sit_minutes = 20"))
    assert coach.handle({"cmd": "reload"})["ok"] is True
    assert coach.engine.rules.sit == timedelta(minutes=20)


def test_unknown_command_is_an_error_not_a_crash(rig) -> None:
    coach, *_ = rig
    assert coach.handle({"cmd": "dance"}) == {"ok": False, "error": "unknown command: dance"}


def test_shutdown_closes_the_open_stretch_at_last_input(rig) -> None:
    coach, clock, presence, _notifier, store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=7))
    clock.advance(30)
    coach.shutdown()
    with store.session() as s:
        stretch = s.exec(select(StretchRow)).one()
    assert stretch.end_utc == (MONDAY_9 + timedelta(minutes=7)).replace(tzinfo=None)


def test_locked_database_loses_nothing_and_polling_goes_on(tmp_path: Path) -> None:
    """Another process holds the write lock: the coach keeps polling and writes it all later."""
    import sqlite3

    clock = VirtualClock(MONDAY_9)
    presence = ScriptedPresence(clock, MONDAY_9)
    store = Store(tmp_path / "glutecoach.db", busy_timeout_ms=100)
    coach = Coach(config=parse_config(CONFIG), config_path=None,
                  writer=StoreWriter(store, "Europe/Berlin"), presence=presence,
                  notifier=RecordingNotifier(), clock=clock)  # type: ignore[arg-type]
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=29))
    blocker = sqlite3.connect(tmp_path / "glutecoach.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
    assert coach.writer.backlog, "the writes should be waiting"
    assert coach.status_json()["pending_prompt"] is not None
    blocker.execute("ROLLBACK")
    blocker.close()
    clock.advance(5)
    presence.last_input = clock.t
    coach.tick()
    assert coach.writer.backlog == []
    rows = prompts(store)
    assert len(rows) == 1 and rows[0].outcome == "pending"
    with store.session() as s:
        assert len(list(s.exec(select(StretchRow)))) == 1
    store.close()


def test_sleep_signal_marks_the_true_start_of_a_suspend(rig) -> None:
    """logind says PrepareForSleep at 09:10; the machine wakes at 09:30."""
    coach, clock, presence, _notifier, store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=10))
    coach.session_event("sleeping")
    clock.advance(20 * 60, asleep=True)
    coach.session_event("woke")
    with store.session() as s:
        from glutecoach.store.tables import BreakRow

        brk = s.exec(select(BreakRow)).one()
    assert (brk.kind, brk.reason) == ("natural", "suspend")
    assert brk.became_utc == (MONDAY_9 + timedelta(minutes=13)).replace(tzinfo=None)


def test_input_from_before_the_coach_started_does_not_start_a_stretch(rig) -> None:
    coach, clock, presence, _notifier, store = rig
    presence.last_input = MONDAY_9 - timedelta(minutes=10)  # away when the coach starts
    idle_until(coach, clock, MONDAY_9 + timedelta(minutes=2))
    assert coach.status_json()["state"] == "away"
    assert coach.status_json()["sitting_seconds"] == 0
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=3))
    with store.session() as s:
        stretch = s.exec(select(StretchRow)).one()
    assert stretch.start_utc == (MONDAY_9 + timedelta(minutes=2)).replace(tzinfo=None)


@dataclass
class ScriptedMeeting:
    """A meeting signal the test switches on and off (the real adapters have their own tests)."""

    on: bool = False
    name: str = "camera"

    def read(self, now: datetime):
        from glutecoach.meetings.base import MeetingSignal

        return MeetingSignal(self.on, self.name, "zoom holds /dev/video0" if self.on else "")

    def close(self) -> None:
        pass


def test_prompt_waits_for_the_meeting_and_comes_right_after(tmp_path: Path) -> None:
    clock = VirtualClock(MONDAY_9)
    presence = ScriptedPresence(clock, MONDAY_9)
    notifier = RecordingNotifier()
    store = Store.open(tmp_path / "home")
    meeting = ScriptedMeeting()
    coach = Coach(config=parse_config(CONFIG), config_path=None,
                  writer=StoreWriter(store, "Europe/Berlin"), presence=presence,
                  notifier=notifier, clock=clock, meetings=[meeting])  # type: ignore[arg-type]
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=25))
    meeting.on = True
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=50))
    assert notifier.shown == []
    st = coach.status_json()
    assert st["state"] == "in-meeting"
    assert st["meeting"] == {"signal": "camera", "detail": "zoom holds /dev/video0"}
    meeting.on = False
    ended = clock.t
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=52))
    assert len(notifier.shown) == 1
    row = prompts(store)[0]
    assert row.deferred == "camera"
    shown = row.shown_utc.replace(tzinfo=UTC)
    assert ended <= shown <= ended + timedelta(seconds=coach.config.meetings.poll_seconds)
    store.close()


def test_a_break_done_asks_how_it_felt_and_the_answer_moves_the_level(tmp_path: Path) -> None:
    from glutecoach.library import load_library
    from glutecoach.plans.planner import make_planner
    from glutecoach.store.tables import LevelRow

    clock = VirtualClock(MONDAY_9)
    presence = ScriptedPresence(clock, MONDAY_9)
    notifier = RecordingNotifier()
    store = Store.open(tmp_path / "home")
    config = parse_config(CONFIG)
    coach = Coach(config=config, config_path=None, writer=StoreWriter(store, "Europe/Berlin"),
                  presence=presence, notifier=notifier, clock=clock,  # type: ignore[arg-type]
                  planner=make_planner(config, load_library(), store))
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
    assert notifier.answer is not None
    notifier.answer("done")
    asked = notifier.shown[-1]
    assert asked.answers == ("easy", "right", "hard")
    assert "How did that feel" in asked.title
    notifier.answer("easy")
    with store.session() as s:
        levels = {r.muscle: r.level for r in s.exec(select(LevelRow))}
    assert levels and all(level == 2 for level in levels.values())  # start_level 1, one up
    store.close()


def test_a_refused_command_still_notifies_the_prompt_its_poll_showed(rig) -> None:
    coach, clock, presence, notifier, _store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=29, seconds=50))
    clock.advance(20)
    presence.last_input = clock.t  # typing on; the next look comes with a command
    reply = coach.handle({"cmd": "pause", "duration": "soon"})
    assert reply["ok"] is False
    assert len(notifier.shown) == 1 and coach.status_json()["pending_prompt"] is not None


def test_status_sees_the_typing_that_goes_on_after_done(rig) -> None:
    # "done" ends the stretch; the user types on and asks for the status: they are sitting
    # again from the input the command itself brought, not "away" until the next poll.
    coach, clock, presence, _notifier, _store = rig
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
    assert coach.handle({"cmd": "answer", "answer": "done"})["ok"]
    clock.advance(20)
    presence.last_input = clock.t
    st = coach.handle({"cmd": "status"})["status"]
    assert st["state"] == "active"
    assert st["sitting_seconds"] < 30

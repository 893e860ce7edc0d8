"""Clock trouble on a virtual clock: sleep and resume, the wall clock stepping forward and back,
DST both ways and the system zone changing while the coach runs. Sitting time, prompts and the
records in the real SQLite database stay right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from test_coach_service import (
    RecordingNotifier,
    ScriptedPresence,
    VirtualClock,
    idle_until,
    prompts,
    typing_until,
)

from glutecoach.coach.clockguard import BackwardStep, ZoneWatch, read_system_zone, shifted
from glutecoach.coach.service import Coach
from glutecoach.config import parse_config
from glutecoach.store import Store
from glutecoach.store.tables import BreakRow, PromptRow, StretchRow
from glutecoach.store.writer import StoreWriter

ALL_DAY = """
[schedule.hours]
mon = ["00:00-24:00"]
tue = ["00:00-24:00"]
wed = ["00:00-24:00"]
thu = ["00:00-24:00"]
fri = ["00:00-24:00"]
sat = ["00:00-24:00"]
sun = ["00:00-24:00"]
"""
MONDAY_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")


class ZonedClock(VirtualClock):
    """A wall clock that reports local times of a zone, as datetime.now(zone) would: nothing in
    the coach may subtract two of them as naive times."""

    zone: ZoneInfo = BERLIN

    def now(self) -> datetime:
        return self.t.astimezone(self.zone)


def make_coach(
    tmp_path: Path,
    start: datetime,
    schedule: str = 'timezone = "Europe/Berlin"',
    clock: VirtualClock | None = None,
    hours: str = ALL_DAY,
):
    clock = clock or VirtualClock(start)
    presence = ScriptedPresence(clock, start)
    notifier = RecordingNotifier()
    store = Store.open(tmp_path / "home")
    text = f'[schedule]\n{schedule}\n{hours}\n[desktop]\nnotifier = "terminal"\n'
    coach = Coach(
        config=parse_config(text),
        config_path=None,
        writer=StoreWriter(store, "Europe/Berlin"),
        presence=presence,
        notifier=notifier,
        clock=clock,
    )  # type: ignore[arg-type]
    return coach, clock, presence, notifier, store


def step_clock(clock: VirtualClock, presence: ScriptedPresence, delta: timedelta) -> None:
    """Set the wall clock by `delta`. The OS counts idle time on the monotonic clock, so the last
    input moves with the wall clock as far as readings of idle time go."""
    clock.t += delta
    presence.last_input += delta


def naive(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None)


def rows(store: Store, table: type) -> list:
    with store.session() as s:
        return list(s.exec(select(table).order_by(table.id)))


def assert_records_sane(store: Store) -> None:
    """No record ends before it starts; no prompt is answered before it was shown."""
    for st in rows(store, StretchRow):
        assert st.end_utc is None or st.end_utc >= st.start_utc, st
    for b in rows(store, BreakRow):
        assert b.became_utc >= b.start_utc and (b.end_utc is None or b.end_utc >= b.start_utc), b
    for p in rows(store, PromptRow):
        assert p.answered_utc is None or p.answered_utc >= p.shown_utc, p


# --- sleep and resume, forward steps ----------------------------------------------------------


def test_sleep_with_a_prompt_pending_is_the_prompted_break(tmp_path: Path) -> None:
    coach, clock, presence, notifier, store = make_coach(tmp_path, MONDAY_9)
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
    assert len(notifier.shown) == 1
    clock.advance(45 * 60, asleep=True)  # the lid closed for 45 minutes
    presence.last_input = clock.t
    coach.tick()
    (row,) = prompts(store)
    assert (row.outcome, row.auto) == ("done", True)
    brk = rows(store, BreakRow)[0]
    assert (brk.kind, brk.reason) == ("prompted", "suspend")
    # sitting starts again at the wake-up, and the next prompt is sit_minutes later
    assert coach.status_json()["sitting_seconds"] == 0
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=29))
    assert len(notifier.shown) == 1
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=2))
    assert len(notifier.shown) == 2
    assert_records_sane(store)


def test_short_sleep_inside_a_gap_is_a_break_by_suspend(tmp_path: Path) -> None:
    """Two minutes of reading, then a one-minute suspend: a break by rule (b) once the gap
    reaches break_minutes, not a stretch that goes on."""
    coach, clock, presence, _notifier, store = make_coach(tmp_path, MONDAY_9)
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=10))
    idle_until(coach, clock, clock.t + timedelta(minutes=2))
    clock.advance(60, asleep=True)
    idle_until(coach, clock, clock.t + timedelta(seconds=30))
    (brk,) = rows(store, BreakRow)
    assert (brk.kind, brk.reason) == ("natural", "suspend")
    assert brk.start_utc == naive(MONDAY_9 + timedelta(minutes=10))
    (stretch,) = rows(store, StretchRow)
    assert stretch.end_utc == naive(MONDAY_9 + timedelta(minutes=10))


def test_wall_clock_stepping_forward_counts_as_a_suspend(tmp_path: Path) -> None:
    """The clock jumps two hours ahead while the user types (monotonic time went on by one
    poll): by the spec that is a suspend, so the stretch ends and a new one starts."""
    coach, clock, presence, _notifier, store = make_coach(tmp_path, MONDAY_9)
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=20))
    step_clock(clock, presence, timedelta(hours=2))
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=5))
    first, second = rows(store, StretchRow)
    assert first.end_utc == naive(MONDAY_9 + timedelta(minutes=20))
    assert second.start_utc >= naive(MONDAY_9 + timedelta(hours=2, minutes=20))
    assert coach.status_json()["sitting_seconds"] <= 5 * 60 + 60
    assert_records_sane(store)


# --- the wall clock stepping back -------------------------------------------------------------


def test_backward_step_keeps_counting_sitting_time(tmp_path: Path) -> None:
    """20 min of sitting, the clock is set back an hour, 11 more minutes of typing: the prompt
    comes at 30 real minutes, not an hour later (the engine would clamp without the guard)."""
    coach, clock, presence, notifier, store = make_coach(tmp_path, MONDAY_9)
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=20))
    step_clock(clock, presence, -timedelta(hours=1))
    stepped = clock.t
    typing_until(coach, clock, presence, stepped + timedelta(minutes=9))
    assert coach.status_json()["sitting_seconds"] == pytest.approx(29 * 60, abs=2)
    assert notifier.shown == []
    typing_until(coach, clock, presence, stepped + timedelta(minutes=11))
    assert len(notifier.shown) == 1
    (row,) = prompts(store)
    assert row.shown_utc == naive(stepped + timedelta(minutes=10))
    # one stretch, moved into the new time frame with the rules
    (stretch,) = rows(store, StretchRow)
    assert stretch.start_utc == naive(stepped - timedelta(minutes=20))
    assert_records_sane(store)


def test_backward_step_keeps_the_pending_prompt_answerable(tmp_path: Path) -> None:
    coach, clock, presence, notifier, store = make_coach(tmp_path, MONDAY_9)
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=32))
    assert len(notifier.shown) == 1
    step_clock(clock, presence, -timedelta(minutes=45))
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=1))
    reply = coach.handle({"cmd": "answer", "answer": "done"})
    assert reply["ok"], reply
    (row,) = prompts(store)
    assert row.outcome == "done" and row.answered_utc == naive(clock.t)
    assert_records_sane(store)


def test_backward_step_during_a_break_keeps_one_break(tmp_path: Path) -> None:
    coach, clock, presence, _notifier, store = make_coach(tmp_path, MONDAY_9)
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=10))
    idle_until(coach, clock, clock.t + timedelta(minutes=7))  # away: a natural break
    step_clock(clock, presence, -timedelta(hours=2))
    idle_until(coach, clock, clock.t + timedelta(minutes=3))
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=2))
    (brk,) = rows(store, BreakRow)
    assert brk.end_utc is not None
    # 10 minutes away in real time, in the new frame
    assert brk.end_utc - brk.start_utc == pytest.approx(
        timedelta(minutes=10), abs=timedelta(seconds=61)
    )
    assert len(rows(store, StretchRow)) == 2
    assert_records_sane(store)


def test_pause_keeps_its_real_length_across_a_backward_step(tmp_path: Path) -> None:
    coach, clock, presence, notifier, _store = make_coach(tmp_path, MONDAY_9)
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=25))
    assert coach.handle({"cmd": "pause", "duration": "30m"})["ok"]
    step_clock(clock, presence, -timedelta(hours=1))
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=29))
    assert notifier.shown == []  # still paused: 29 of 30 minutes
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=2))
    assert len(notifier.shown) == 1


def test_small_backward_wobble_is_not_a_step(tmp_path: Path) -> None:
    steps = BackwardStep(tolerance=2.0)
    assert steps.observe(MONDAY_9, 100.0) is None
    assert steps.observe(MONDAY_9 + timedelta(seconds=9), 110.0) is None  # NTP slew
    assert steps.observe(MONDAY_9 - timedelta(hours=1), 120.0) == -timedelta(hours=1, seconds=19)


def test_two_backward_steps_write_nothing_twice(tmp_path: Path) -> None:
    coach, clock, presence, notifier, store = make_coach(tmp_path, MONDAY_9)
    for _ in range(2):
        while coach.engine.pending is None:
            typing_until(coach, clock, presence, clock.t + timedelta(minutes=1))
        step_clock(clock, presence, -timedelta(minutes=50))
        typing_until(coach, clock, presence, clock.t + timedelta(minutes=3))
        coach.handle({"cmd": "answer", "answer": "skip"})
    idle_until(coach, clock, clock.t + timedelta(minutes=6))
    coach.shutdown()
    assert len(prompts(store)) == len(notifier.shown) == 2
    assert [p.outcome for p in prompts(store)] == ["skipped", "skipped"]
    assert_records_sane(store)


def test_shifted_moves_datetimes_inside_dataclasses() -> None:
    from glutecoach.engine import Pending

    p = Pending(3, MONDAY_9, MONDAY_9, 1)
    moved = shifted(p, timedelta(minutes=-5))
    assert moved.at == MONDAY_9 - timedelta(minutes=5) and moved.number == 3
    assert shifted(42, timedelta(minutes=1)) == 42


# --- DST while running ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_utc", "offset_after"),
    [
        (datetime(2026, 3, 29, 0, 40, tzinfo=UTC), "+02:00"),  # 01:40 CET; 02:00 -> 03:00
        (datetime(2026, 10, 25, 0, 40, tzinfo=UTC), "+01:00"),  # 02:40 CEST; 03:00 -> 02:00
    ],
    ids=["spring-forward", "fall-back"],
)
def test_dst_change_while_sitting_counts_real_minutes(
    tmp_path: Path, start_utc: datetime, offset_after: str
) -> None:
    """50 real minutes of typing across the change: a prompt after 30 real minutes, sitting 50
    minutes, and times shown with the new offset. The wall clock reports Berlin local times."""
    coach, clock, presence, notifier, store = make_coach(
        tmp_path, start_utc, clock=ZonedClock(start_utc)
    )
    typing_until(coach, clock, presence, start_utc + timedelta(minutes=35))
    assert len(notifier.shown) == 1
    (row,) = prompts(store)
    assert row.shown_utc == naive(start_utc + timedelta(minutes=30))
    assert coach.status_json()["pending_prompt"]["at"].endswith(offset_after)
    typing_until(coach, clock, presence, start_utc + timedelta(minutes=50))
    assert coach.status_json()["sitting_seconds"] == 50 * 60
    assert prompts(store)[0].answered_utc == naive(start_utc + timedelta(minutes=40))  # missed
    (stretch,) = rows(store, StretchRow)
    assert stretch.end_utc - stretch.start_utc == timedelta(minutes=50)


def test_work_window_opens_at_local_nine_after_spring_forward(tmp_path: Path) -> None:
    """A prompt due before the window waits for 09:00 local, which on the DST day is 07:00 UTC."""
    start = datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # Sunday 08:00 CEST
    coach, clock, presence, notifier, store = make_coach(
        tmp_path, start, hours='[schedule.hours]\nsun = ["09:00-17:00"]\n'
    )
    typing_until(coach, clock, presence, start + timedelta(minutes=59))
    assert notifier.shown == []
    typing_until(coach, clock, presence, start + timedelta(minutes=61))
    assert prompts(store)[0].shown_utc == naive(datetime(2026, 3, 29, 7, 0, tzinfo=UTC))


# --- the system time zone changing ------------------------------------------------------------


class FakeSystemZone:
    def __init__(self, key: str) -> None:
        self.zone = ZoneInfo(key)
        self.generation = 0
        self.reads = 0

    def set(self, key: str) -> None:
        self.zone, self.generation = ZoneInfo(key), self.generation + 1

    def fingerprint(self) -> int:
        return self.generation

    def read(self) -> ZoneInfo:
        self.reads += 1
        return self.zone


@pytest.fixture
def system_zone(monkeypatch: pytest.MonkeyPatch) -> FakeSystemZone:
    fake = FakeSystemZone("UTC")
    monkeypatch.setattr("glutecoach.config.system_zone", lambda: fake.zone)
    return fake


def test_system_zone_change_moves_the_work_windows(
    tmp_path: Path, system_zone: FakeSystemZone
) -> None:
    """Work hours 09-17 in the system zone. At 00:30-01:10 UTC that is night in UTC: no prompt.
    The system zone becomes Asia/Tokyo (10:10 there): the waiting prompt is shown at once."""
    start = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    coach, clock, presence, notifier, store = make_coach(
        tmp_path, start, schedule="", hours='[schedule.hours]\nmon = ["09:00-17:00"]\n'
    )
    coach.clock_guard.zones = ZoneWatch(system_zone.fingerprint, system_zone.read)
    typing_until(coach, clock, presence, start + timedelta(minutes=40))
    assert notifier.shown == [] and coach.status_json()["state"] == "outside-hours"
    system_zone.set("Asia/Tokyo")
    typing_until(coach, clock, presence, clock.t + timedelta(seconds=10))
    assert len(notifier.shown) == 1
    (row,) = prompts(store)
    assert row.tz == "Asia/Tokyo"
    assert row.shown_utc == naive(start + timedelta(minutes=40))
    assert coach.status_json()["pending_prompt"]["at"].endswith("+09:00")
    assert coach.status_json()["sitting_seconds"] == 40 * 60 + 10


def test_system_zone_is_read_only_when_its_files_change(
    tmp_path: Path, system_zone: FakeSystemZone
) -> None:
    coach, clock, presence, _notifier, _store = make_coach(tmp_path, MONDAY_9, schedule="")
    coach.clock_guard.zones = ZoneWatch(system_zone.fingerprint, system_zone.read)
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=20))
    assert system_zone.reads == 0
    system_zone.set("UTC")  # the files were touched, the zone is the same
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=1))
    assert system_zone.reads == 1 and coach.zone.key == "UTC"


def test_configured_zone_ignores_the_system_zone(
    tmp_path: Path, system_zone: FakeSystemZone
) -> None:
    coach, clock, presence, _notifier, _store = make_coach(tmp_path, MONDAY_9)
    coach.clock_guard.zones = ZoneWatch(system_zone.fingerprint, system_zone.read)
    typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=5))
    system_zone.set("Asia/Tokyo")
    typing_until(coach, clock, presence, clock.t + timedelta(minutes=1))
    assert coach.zone.key == "Europe/Berlin" and system_zone.reads == 0


def test_reading_the_system_zone_bypasses_tzlocal_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """tzlocal caches the zone for the life of the process; the coach must see a change."""
    import tzlocal

    tzlocal.get_localzone_name()  # fill the cache
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    try:
        assert read_system_zone().key == "Asia/Tokyo"
    finally:
        monkeypatch.delenv("TZ")
        tzlocal.reload_localzone()


# --- the daemon's wake-ups --------------------------------------------------------------------


def test_poll_is_overdue_by_the_monotonic_clock_after_a_backward_step() -> None:
    """APScheduler waits for a wall-clock time; after the clock is set back an hour the runner
    sees the poll overdue by the monotonic clock and polls at once."""
    from glutecoach.coach.clockguard import PollDeadline

    wall, mono = [MONDAY_9], [100.0]
    deadline = PollDeadline(monotonic=lambda: mono[0], wall=lambda: wall[0], slack=2.0)
    assert not deadline.overdue()  # nothing scheduled yet
    deadline.scheduled(MONDAY_9 + timedelta(seconds=60))
    mono[0] += 61
    assert not deadline.overdue()  # within the slack
    wall[0] -= timedelta(hours=1)  # the job now waits an hour of wall-clock time
    mono[0] += 2
    assert deadline.overdue()
    deadline.scheduled(wall[0])  # polled at once
    assert not deadline.overdue()

"""The calendar signal against real .ics files: time zones, a recurring standup with an exception
and a moved instance, free, cancelled and all-day events, and a file that changes under it."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from glutecoach.meetings.base import MeetingSignal, SignalUnavailable
from glutecoach.meetings.ics import IcsCalendar

DATA = Path(__file__).parent / "data" / "meetings"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def work_ics(tmp_path: Path) -> Path:
    path = tmp_path / "work.ics"
    shutil.copy(DATA / "work.ics", path)
    return path


@pytest.fixture
def calendar(work_ics: Path) -> IcsCalendar:
    return IcsCalendar(work_ics, BERLIN)


def berlin(*args: int) -> datetime:
    """A moment in Berlin, handed to the source in UTC as the coach does."""
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)


def test_the_recurring_standup_is_busy_every_weekday(calendar: IcsCalendar) -> None:
    assert calendar.read(berlin(2025, 1, 7, 10, 5)) == MeetingSignal(
        True, "calendar", "busy: Standup until 10:15"
    )
    assert calendar.read(berlin(2025, 1, 10, 10, 0)).on
    assert not calendar.read(berlin(2025, 1, 11, 10, 5)).on  # Saturday


def test_the_standup_follows_berlin_summer_time(calendar: IcsCalendar) -> None:
    # 10:05 in July is 08:05 UTC (CEST), not 09:05 as in January.
    assert calendar.read(datetime(2025, 7, 7, 8, 5, tzinfo=UTC)).on
    assert not calendar.read(datetime(2025, 7, 7, 9, 5, tzinfo=UTC)).on


def test_a_busy_time_ends_at_its_end(calendar: IcsCalendar) -> None:
    assert calendar.read(berlin(2025, 1, 7, 10, 14, 59)).on
    assert not calendar.read(berlin(2025, 1, 7, 10, 15)).on
    assert not calendar.read(berlin(2025, 1, 7, 9, 59, 59)).on


def test_an_excluded_occurrence_is_free(calendar: IcsCalendar) -> None:
    assert not calendar.read(berlin(2025, 1, 8, 10, 5)).on


def test_a_moved_occurrence_is_busy_at_its_new_time(calendar: IcsCalendar) -> None:
    assert not calendar.read(berlin(2025, 1, 9, 10, 5)).on
    assert calendar.read(berlin(2025, 1, 9, 11, 5)).detail == "busy: Standup (moved) until 11:15"


def test_overlapping_events_name_the_one_that_ends_last(calendar: IcsCalendar) -> None:
    assert calendar.read(berlin(2025, 1, 6, 10, 5)).detail == "busy: Planning until 11:00"


def test_an_event_in_another_zone_is_busy_at_the_same_instant(calendar: IcsCalendar) -> None:
    # 16:00-17:00 in New York is 22:00-23:00 in Berlin; the detail speaks the user's zone.
    signal = calendar.read(datetime(2025, 1, 7, 21, 30, tzinfo=UTC))
    assert signal == MeetingSignal(
        True, "calendar", "busy: Review with the New York team until 23:00"
    )


def test_floating_times_are_in_the_users_zone(calendar: IcsCalendar) -> None:
    assert calendar.read(berlin(2025, 1, 7, 12, 30)).detail == "busy: Lunch with Ann until 13:00"
    assert not calendar.read(datetime(2025, 1, 7, 12, 30, tzinfo=UTC)).on  # 13:30 in Berlin


def test_a_naive_now_is_taken_in_the_users_zone(calendar: IcsCalendar) -> None:
    assert calendar.read(datetime(2025, 1, 7, 10, 5)).on


@pytest.mark.parametrize(
    ("when", "why"),
    [
        (berlin(2025, 1, 7, 13, 30), "transparent (free) event"),
        (berlin(2025, 1, 7, 15, 30), "cancelled event"),
        (datetime(2025, 1, 7, 8, 15, tzinfo=UTC), "Outlook marks it free"),
        (berlin(2025, 1, 7, 8, 0), "all-day event"),
        (berlin(2025, 1, 7, 17, 0), "event without an end"),
    ],
)
def test_time_that_is_not_busy_does_not_count(
    calendar: IcsCalendar, when: datetime, why: str
) -> None:
    assert calendar.read(when) == MeetingSignal(False, "calendar"), why


def test_an_event_past_midnight_says_the_day_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "late.ics"
    path.write_text(ics_with("Night deploy", "20250107T220000Z", "20250108T010000Z"))
    signal = IcsCalendar(path, BERLIN).read(datetime(2025, 1, 7, 22, 30, tzinfo=UTC))
    assert signal.detail == "busy: Night deploy until Wed 02:00"


def ics_with(summary: str, start: str, end: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{summary}@test\r\nSUMMARY:{summary}\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def touch_later(path: Path) -> None:
    """Move the mtime on, as a sync tool's write would (some file systems keep whole seconds)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_the_file_is_read_again_when_it_changes(work_ics: Path, calendar: IcsCalendar) -> None:
    when = berlin(2025, 1, 7, 18, 30)
    assert not calendar.read(when).on
    late = ics_with("Late call", "20250107T170000Z", "20250107T180000Z")
    event = late[late.index("BEGIN:VEVENT") : late.index("END:VCALENDAR")]
    text = work_ics.read_bytes().decode()
    work_ics.write_bytes(text.replace("END:VCALENDAR", event + "END:VCALENDAR").encode())
    touch_later(work_ics)
    assert calendar.read(when) == MeetingSignal(True, "calendar", "busy: Late call until 19:00")


def test_a_replaced_file_is_read_again(work_ics: Path, calendar: IcsCalendar) -> None:
    when = berlin(2025, 1, 7, 10, 5)
    assert calendar.read(when).on
    fresh = work_ics.with_name("fresh.ics")
    fresh.write_text(ics_with("Other", "20250101T000000Z", "20250101T010000Z"))
    os.replace(fresh, work_ics)  # a new inode, as editors and sync tools write
    assert not calendar.read(when).on


def test_a_broken_file_says_it_could_not_read_and_recovers(
    work_ics: Path, calendar: IcsCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    when = berlin(2025, 1, 7, 10, 5)
    good = work_ics.read_bytes()
    work_ics.write_text("this is no calendar\n")
    touch_later(work_ics)
    first = calendar.read(when)
    assert not first.on
    assert first.detail.startswith("could not read: ")
    assert "is not an iCalendar file" in first.detail
    calendar.read(when)
    assert sum("could not be read" in r.message for r in caplog.records) == 1  # logged once
    work_ics.write_bytes(good)
    touch_later(work_ics)
    assert calendar.read(when).on


def test_a_deleted_file_says_it_could_not_read(work_ics: Path, calendar: IcsCalendar) -> None:
    work_ics.unlink()
    signal = calendar.read(berlin(2025, 1, 7, 10, 5))
    assert not signal.on
    assert signal.detail.startswith("could not read: cannot read")


def test_unavailable_when_the_file_is_missing_or_no_calendar(tmp_path: Path) -> None:
    with pytest.raises(SignalUnavailable, match="does not exist"):
        IcsCalendar(tmp_path / "nope.ics", BERLIN)
    junk = tmp_path / "junk.ics"
    junk.write_text("hello\n")
    with pytest.raises(SignalUnavailable, match="is not an iCalendar file"):
        IcsCalendar(junk, BERLIN)

"""The words the coach uses for sitting time and moments, the same in every view: the prompt
bubble, `status`, the tray's status line, `break-now` and the break window (issue 11, 4.6 and 4.9).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from glutecoach.cli.coach_cmd import _describe
from glutecoach.durations import break_in_text, sitting_text, when_text
from glutecoach.notify.texts import heads_up_message, prompt_message
from glutecoach.tray.menu import TrayState, status_line

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 3, 14, 5, tzinfo=BERLIN)  # a Thursday


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "under a minute"), (59.9, "under a minute"), (60, "1 min"), (96, "1 min"),
     (119.9, "1 min"), (45 * 60 + 59, "45 min"), (3600, "1 h"), (95 * 60 + 30, "1 h 35 min"),
     (125 * 60, "2 h 05 min")],
)  # fmt: skip
def test_sitting_time_is_whole_minutes_rounded_down_and_never_zero(seconds: float,
                                                                    text: str) -> None:
    assert sitting_text(seconds) == text


def test_minutes_that_went_through_a_float_division_still_round_down_right() -> None:
    # The tray hands over minutes as a float: 30 min must not become 29 through 1799.9999.
    assert sitting_text(30 * 60 / 60 * 60) == "30 min"
    assert sitting_text(0.1 * 60 * 10) == "1 min"  # 6.000000000000001 s x 10


def test_one_sitting_time_in_the_bubble_status_and_tray() -> None:
    """96 s of sitting: the bubble said "2 min" (rounded) while status said "1 min" (floored)."""
    seconds = 96
    bubble = prompt_message(sitting_seconds=seconds, plan="walk", snoozes_left=2).title
    status = _describe({"state": "active", "sitting_seconds": seconds, "pending_prompt": None,
                        "next_prompt_at": None, "paused_until": None})
    tray = status_line(TrayState(state="active", sitting_minutes=seconds / 60,
                                 sit_limit_minutes=30, next_prompt_at=None, prompt_waiting=False,
                                 snooze_offered=False, paused_until=None), NOW)
    assert "1 min" in bubble and "2 min" not in bubble
    assert status.startswith("Sitting for 1 min.")
    assert tray == "Sitting 1 min"


def test_under_a_minute_never_reads_zero_minutes() -> None:
    bubble = prompt_message(sitting_seconds=20, plan="walk", snoozes_left=2).title
    assert bubble == "Time for a glute break"
    status = _describe({"state": "active", "sitting_seconds": 20, "pending_prompt": None,
                        "next_prompt_at": None, "paused_until": None})
    assert status == "Sitting for under a minute."
    tray = status_line(TrayState(state="in-meeting", sitting_minutes=0.4, sit_limit_minutes=30,
                                 next_prompt_at=None, prompt_waiting=False,
                                 snooze_offered=False, paused_until=None), NOW)
    assert "0 min" not in tray and "under a minute" in tray


@pytest.mark.parametrize(
    ("moment", "text"),
    [(NOW + timedelta(minutes=10), "14:15"),
     (datetime(2026, 12, 4, 0, 0, tzinfo=BERLIN), "tomorrow, Fri 4 Dec 00:00"),
     (datetime(2026, 12, 7, 9, 0, tzinfo=BERLIN), "Mon 7 Dec 09:00"),
     (datetime(2026, 12, 2, 23, 50, tzinfo=BERLIN), "Wed 2 Dec 23:50"),
     # A UTC instant is read in the zone of `now`: 23:30 UTC is already Friday in Berlin.
     (datetime(2026, 12, 3, 23, 30, tzinfo=UTC), "tomorrow, Fri 4 Dec 00:30")],
)  # fmt: skip
def test_a_moment_names_its_day_unless_it_is_today(moment: datetime, text: str) -> None:
    assert when_text(moment, NOW) == text


def test_the_tray_names_the_day_of_a_pause_until_tomorrow_as_the_cli_does() -> None:
    paused = TrayState(state="paused", sitting_minutes=3, sit_limit_minutes=30,
                       next_prompt_at=None, prompt_waiting=False, snooze_offered=False,
                       paused_until=datetime(2026, 12, 4, 0, 0, tzinfo=BERLIN))
    assert status_line(paused, NOW) == "Paused until tomorrow, Fri 4 Dec 00:00"
    assert status_line(replace(paused, paused_until=None), NOW) == "Paused"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.2, "1 s"), (29.6, "30 s"), (30, "30 s"), (45, "45 s"), (59.4, "59 s"), (59.8, "1 min"),
     (60, "1 min"), (89, "1 min"), (120, "2 min"), (600, "10 min")],
)  # fmt: skip
def test_the_time_to_a_break_is_seconds_below_a_minute_and_never_zero_minutes(
        seconds: float, text: str) -> None:
    assert break_in_text(seconds) == text


@pytest.mark.parametrize("seconds", [30, 45, 60, 120])
def test_the_heads_up_bubble_and_the_tray_say_the_time_to_the_break_alike(seconds: int) -> None:
    """30 s before the break the tray said "break in 0 min" (round(0.5) is 0)."""
    bubble = heads_up_message(seconds, 5, 1).title
    state = TrayState(state="active", sitting_minutes=29, sit_limit_minutes=30,
                      next_prompt_at=None, prompt_waiting=False, snooze_offered=False,
                      paused_until=None, heads_up_at=NOW + timedelta(seconds=seconds))
    tray = status_line(state, NOW)
    when = break_in_text(seconds)
    assert bubble == f"Break in {when}: finish your sentence"
    assert tray == f"Sitting 29 min · break in {when}"
    assert "0 min" not in tray

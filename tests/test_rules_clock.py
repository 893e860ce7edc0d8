"""Time itself: DST both ways, days split at local midnight, zones far from UTC, offsets in traces.

Sitting time is real elapsed time; days split at local midnight; work windows are local wall-clock
times. Europe/Berlin springs forward on 2026-03-29 (02:00 CET -> 03:00 CEST) and falls back on
2026-10-25 (03:00 CEST -> 02:00 CET); Pacific/Auckland springs forward on 2026-09-27. Both
DST Sundays have no work window by default, so whole-day traces there prompt nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from rules_helpers import run_trace, schedule, trace_text

from glutecoach.errors import InputError
from glutecoach.trace import parse_trace

ALL_DAY = ["00:00-24:00"]
EVERY_DAY = {d: ALL_DAY for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
FMT = "%Y-%m-%d %H:%M%z"


# --- spring forward --------------------------------------------------------------------------


def test_sitting_across_spring_forward_is_real_elapsed_time() -> None:
    # 01:40 CET (00:40Z) to 03:15 CEST (01:15Z): 35 minutes, not 95.
    run = run_trace("2026-03-29T01:40:00,2026-03-29T03:15:00,active",
                    schedule(hours=EVERY_DAY))
    assert run.day("2026-03-29")["sitting_minutes"] == 35
    assert run.prompts(FMT) == [("2026-03-29 03:10+0200", "pending", False, None)]
    assert run.history.prompts[0].at == datetime(2026, 3, 29, 1, 10, tzinfo=UTC)


def test_response_time_across_spring_forward_is_real_elapsed_time() -> None:
    run = run_trace("2026-03-29T01:00:00,2026-03-29T03:50:00,active",
                    schedule(hours=EVERY_DAY))
    # 01:30 CET prompt (00:30Z), missed 10 real minutes later at 01:40 CET; next at 03:00 CEST
    # (01:00Z), missed at 03:10 CEST; next at 03:30 CEST, missed at 03:40 CEST.
    assert run.prompts(FMT) == [
        ("2026-03-29 01:30+0100", "missed", False, "2026-03-29 01:40+0100"),
        ("2026-03-29 03:00+0200", "missed", False, "2026-03-29 03:10+0200"),
        ("2026-03-29 03:30+0200", "missed", False, "2026-03-29 03:40+0200"),
    ]
    assert run.day("2026-03-29")["sitting_minutes"] == 110


def test_day_of_spring_forward_has_23_hours() -> None:
    run = run_trace("2026-03-28T23:00:00,2026-03-30T01:00:00,active")
    assert [(d["date"], d["sitting_minutes"]) for d in run.days] == [
        ("2026-03-28", 60), ("2026-03-29", 23 * 60), ("2026-03-30", 60)]
    assert run.days[1]["longest_sitting_minutes"] == 23 * 60
    assert run.prompts() == []  # Saturday and Sunday have no windows; Monday's opens at 09:00


def test_stretch_over_spring_forward_night_splits_at_local_midnight() -> None:
    run = run_trace("2026-03-28T23:30:00,2026-03-29T03:30:00,active")
    # 23:30-00:00 CET on the 28th; 00:00 CET (23:00Z) to 03:30 CEST (01:30Z) on the 29th.
    assert [(d["date"], d["sitting_minutes"]) for d in run.days] == [
        ("2026-03-28", 30), ("2026-03-29", 150)]


def test_windows_after_spring_forward_are_local_wall_clock_times() -> None:
    run = run_trace("""
    2026-03-23T08:00:00,2026-03-23T09:05:00,active
    2026-03-30T08:00:00,2026-03-30T09:05:00,active
    """)
    assert [p.at for p in run.history.prompts] == [
        datetime(2026, 3, 23, 8, 0, tzinfo=UTC),  # 09:00 CET
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),  # 09:00 CEST
    ]


def test_window_on_the_spring_forward_day_opens_at_local_time() -> None:
    run = run_trace("2026-03-29T08:00:00,2026-03-29T09:05:00,active",
                    schedule(hours={"sun": ["09:00-17:30"]}))
    assert run.prompts(FMT) == [("2026-03-29 09:00+0200", "pending", False, None)]
    assert run.history.prompts[0].at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_window_closing_after_spring_forward_closes_at_local_time() -> None:
    # The window 01:00-03:30 lasts 1.5 real hours on this day. A stretch from 01:50 CET is due at
    # 03:20 CEST (real 30 min later): still inside; one from 02:00 wall time does not exist, so
    # start at 03:05 CEST: due 03:35, after the window.
    cfg = schedule(hours={"sun": ["01:00-03:30"]})
    inside = run_trace("2026-03-29T01:50:00,2026-03-29T03:25:00,active", cfg)
    assert inside.prompts(FMT) == [("2026-03-29 03:20+0200", "pending", False, None)]
    after = run_trace("2026-03-29T03:05:00,2026-03-29T03:45:00,active", cfg)
    assert after.prompts() == []


# --- fall back -------------------------------------------------------------------------------


def test_sitting_across_fall_back_is_real_elapsed_time() -> None:
    # 01:40 CEST (23:40Z on the 24th) to 02:20 CET (01:20Z): 100 minutes, not 40.
    run = run_trace("2026-10-25T01:40:00,2026-10-25T02:20:00+01:00,active",
                    schedule(hours=EVERY_DAY))
    assert run.day("2026-10-25")["sitting_minutes"] == 100
    assert run.prompts(FMT) == [
        ("2026-10-25 02:10+0200", "missed", False, "2026-10-25 02:20+0200"),
        ("2026-10-25 02:40+0200", "missed", False, "2026-10-25 02:50+0200"),
        ("2026-10-25 02:10+0100", "missed", False, "2026-10-25 02:20+0100"),
    ]


def test_ambiguous_local_time_takes_the_first_occurrence() -> None:
    run = run_trace("2026-10-25T02:30:00,2026-10-25T02:45:00,active")
    # (in UTC: == across zones is always False for an ambiguous time, PEP 495)
    assert run.sim.start.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert run.stretches(FMT) == [("2026-10-25 02:30+0200", "2026-10-25 02:45+0200")]
    assert run.day("2026-10-25")["sitting_minutes"] == 15


def test_ambiguous_local_time_with_offset_picks_the_second_occurrence() -> None:
    run = run_trace("2026-10-25T02:30:00,2026-10-25T02:10:00+01:00,active")
    # 02:30 CEST (00:30Z) to 02:10 CET (01:10Z).
    assert run.day("2026-10-25")["sitting_minutes"] == 40


def test_day_of_fall_back_has_25_hours() -> None:
    run = run_trace("2026-10-24T23:00:00,2026-10-26T01:00:00,active")
    assert [(d["date"], d["sitting_minutes"]) for d in run.days] == [
        ("2026-10-24", 60), ("2026-10-25", 25 * 60), ("2026-10-26", 60)]


def test_stretch_over_fall_back_night_splits_at_local_midnight() -> None:
    run = run_trace("2026-10-24T23:30:00,2026-10-25T03:30:00,active")
    # 00:00 CEST (22:00Z) to 03:30 CET (02:30Z) is 4.5 real hours.
    assert [(d["date"], d["sitting_minutes"]) for d in run.days] == [
        ("2026-10-24", 30), ("2026-10-25", 270)]


def test_windows_after_fall_back_are_local_wall_clock_times() -> None:
    run = run_trace("""
    2026-10-23T08:00:00,2026-10-23T09:05:00,active
    2026-10-26T08:00:00,2026-10-26T09:05:00,active
    """)
    assert [p.at for p in run.history.prompts] == [
        datetime(2026, 10, 23, 7, 0, tzinfo=UTC),  # 09:00 CEST
        datetime(2026, 10, 26, 8, 0, tzinfo=UTC),  # 09:00 CET
    ]


def test_window_over_the_repeated_hour_lasts_its_real_length() -> None:
    # 01:00-04:00 on the fall-back day is four real hours: a stretch from 01:00 CEST sits past
    # 03:00 CEST into the repeated hour and is still prompted at 03:30 CET (real 3.5 h later,
    # the seventh prompt with each missed one 30 min after the previous).
    run = run_trace("2026-10-25T01:00:00,2026-10-25T03:35:00+01:00,active",
                    schedule(hours={"sun": ["01:00-04:00"]}))
    shown = [p for p, *_ in run.prompts(FMT)]
    assert shown == [
        "2026-10-25 01:30+0200", "2026-10-25 02:00+0200", "2026-10-25 02:30+0200",
        "2026-10-25 02:00+0100", "2026-10-25 02:30+0100", "2026-10-25 03:00+0100",
        "2026-10-25 03:30+0100",
    ]
    assert run.day("2026-10-25")["sitting_minutes"] == 3 * 60 + 35


# --- local dates -----------------------------------------------------------------------------


def test_natural_break_counts_on_the_date_its_gap_began() -> None:
    run = run_trace("""
    2026-11-23T23:40:00,2026-11-23T23:58:00,active
    2026-11-24T00:10:00,2026-11-24T00:20:00,active
    """)
    assert run.breaks(FMT) == [
        ("2026-11-23 23:58+0100", "2026-11-24 00:03+0100", "natural", "idle")]
    assert [(d["date"], d["natural_breaks"]) for d in run.days] == [
        ("2026-11-23", 1), ("2026-11-24", 0)]


def test_prompt_counts_on_the_date_it_was_shown() -> None:
    run = run_trace("2026-11-23T23:20:00,2026-11-24T00:05:00,active",
                    schedule(hours=EVERY_DAY))
    assert run.prompts(FMT) == [
        ("2026-11-23 23:50+0100", "missed", False, "2026-11-24 00:00+0100")]
    assert [(d["date"], d["prompts"], d["missed"]) for d in run.days] == [
        ("2026-11-23", 1, 1), ("2026-11-24", 0, 0)]
    assert [(d["date"], d["sitting_minutes"]) for d in run.days] == [
        ("2026-11-23", 40), ("2026-11-24", 5)]


def test_middle_gap_over_midnight_stays_sitting_on_both_days() -> None:
    run = run_trace("""
    2026-11-23T23:30:00,2026-11-23T23:58:00,active
    2026-11-24T00:02:00,2026-11-24T00:20:00,active
    """)
    assert run.breaks() == []
    assert [(d["date"], d["sitting_minutes"]) for d in run.days] == [
        ("2026-11-23", 30), ("2026-11-24", 20)]


def test_days_without_activity_inside_the_trace_are_reported_empty() -> None:
    run = run_trace("""
    2026-11-23T09:00:00,2026-11-23T09:10:00,active
    2026-11-25T09:00:00,2026-11-25T09:10:00,active
    """)
    assert [(d["date"], d["sitting_minutes"], d["compliance"]) for d in run.days] == [
        ("2026-11-23", 10, None), ("2026-11-24", 0, None), ("2026-11-25", 10, None)]


# --- zones far from UTC, offsets in the trace ------------------------------------------------


def test_zone_far_east_uses_local_weekday_for_windows() -> None:
    # 19:00Z on Sunday is 09:00 on Monday in Kiritimati (UTC+14).
    run = run_trace("2026-11-22T19:00:00Z,2026-11-22T19:35:00Z,active",
                    schedule("Pacific/Kiritimati"))
    assert run.prompts(FMT) == [("2026-11-23 09:30+1400", "pending", False, None)]
    assert [d["date"] for d in run.days] == ["2026-11-23"]
    assert run.day("2026-11-23")["sitting_minutes"] == 35


def test_zone_far_east_local_friday_evening_is_saturday_in_utc() -> None:
    # Kiritimati Saturday 09:00 is 19:00Z on Friday: the UTC weekday has a window, the local
    # one does not.
    run = run_trace("2026-11-27T19:00:00Z,2026-11-27T19:40:00Z,active",
                    schedule("Pacific/Kiritimati"))
    assert run.prompts() == []
    assert [d["date"] for d in run.days] == ["2026-11-28"]


def test_zone_far_west_uses_local_weekday_for_windows() -> None:
    # Friday 20:00 in Pago Pago (UTC-11) is 07:00Z on Saturday.
    run = run_trace("2026-11-27T20:00:00,2026-11-27T20:35:00,active",
                    schedule("Pacific/Pago_Pago", hours={"fri": ["19:00-22:00"]}))
    assert run.prompts(FMT) == [("2026-11-27 20:30-1100", "pending", False, None)]
    assert run.history.prompts[0].at == datetime(2026, 11, 28, 7, 30, tzinfo=UTC)
    assert [d["date"] for d in run.days] == ["2026-11-27"]


def test_zone_far_from_utc_splits_days_at_local_midnight() -> None:
    # 09:30Z-10:30Z is 23:30-00:30 in Kiritimati, all on one UTC date.
    run = run_trace("2026-11-23T09:30:00Z,2026-11-23T10:30:00Z,active",
                    schedule("Pacific/Kiritimati"))
    assert [(d["date"], d["sitting_minutes"]) for d in run.days] == [
        ("2026-11-23", 30), ("2026-11-24", 30)]


@pytest.mark.parametrize(("zone", "day", "hours"), [
    ("Pacific/Auckland", "2026-09-27", 23),  # NZ springs forward
    ("Pacific/Auckland", "2026-04-05", 25),  # NZ falls back
    ("America/New_York", "2026-03-08", 23),
    ("America/New_York", "2026-11-01", 25),
])
def test_dst_days_elsewhere_have_their_real_length(zone: str, day: str, hours: int) -> None:
    run = run_trace(f"{day}T00:00:00,{day}T23:59:00,active", schedule(zone, hours={}))
    assert run.day(day)["sitting_minutes"] == (hours * 60) - 1


def test_trace_times_with_an_offset_keep_their_instant() -> None:
    run = run_trace("""
    2026-11-23T08:00:00Z,2026-11-23T08:20:00Z,active
    2026-11-23T09:20:00+01:00,2026-11-23T09:40:00+01:00,active
    """)
    # 08:00Z is 09:00 in Berlin: one stretch 09:00-09:40 with its prompt at 09:30 local.
    assert run.stretches() == [("09:00:00", "09:40:00")]
    assert run.prompts() == [("09:30:00", "missed", False, "09:40:00")]


def test_nonexistent_local_time_moves_forward_by_the_gap() -> None:
    # 02:30 does not exist on 2026-03-29 in Berlin; it reads as 02:30 CET = 03:30 CEST.
    run = run_trace("2026-03-29T01:50:00,2026-03-29T02:30:00,active")
    assert run.stretches(FMT) == [("2026-03-29 01:50+0100", "2026-03-29 03:30+0200")]
    assert run.day("2026-03-29")["sitting_minutes"] == 40


def test_row_ending_before_it_starts_across_the_spring_gap_is_rejected() -> None:
    # 02:30 reads as 03:30 CEST, after 03:10 CEST, although it is earlier on the wall clock.
    with pytest.raises(InputError, match=":2:"):
        parse_trace(trace_text("2026-03-29T02:30:00,2026-03-29T03:10:00,active"),
                    ZoneInfo("Europe/Berlin"))

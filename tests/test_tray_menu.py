"""The tray menu and status line: what a person sees for each state of the coach."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from glutecoach.tray.menu import COMMANDS, TrayState, build_menu, status_line

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 3, 12, 13, 40, tzinfo=BERLIN)  # a Wednesday

ACTIVE = TrayState(
    state="active",
    sitting_minutes=23.7,
    sit_limit_minutes=45,
    next_prompt_at=datetime(2025, 3, 12, 13, 5, tzinfo=UTC),  # 14:05 in Berlin
    prompt_waiting=False,
    snooze_offered=False,
    paused_until=None,
)


def labels(state: TrayState) -> list[str]:
    return [e.label for e in build_menu(state, NOW) if not e.separator]


def commands(state: TrayState) -> list[str]:
    return [e.command for e in build_menu(state, NOW) if e.command is not None]


def test_status_line_shows_whole_minutes_sitting_and_next_break_in_local_time() -> None:
    assert status_line(ACTIVE, NOW) == "Sitting 23 min · next break 14:05"


def test_status_line_names_the_day_when_the_next_break_is_not_today() -> None:
    tomorrow = replace(ACTIVE, next_prompt_at=NOW + timedelta(days=1))
    assert status_line(tomorrow, NOW) == "Sitting 23 min · next break tomorrow, Thu 13 Mar 13:40"
    friday = replace(ACTIVE, next_prompt_at=NOW + timedelta(days=2, hours=-4))
    assert status_line(friday, NOW) == "Sitting 23 min · next break Fri 14 Mar 09:40"


def test_status_line_without_a_next_break_shows_only_the_sitting_time() -> None:
    assert status_line(replace(ACTIVE, next_prompt_at=None), NOW) == "Sitting 23 min"


def test_status_line_counts_down_to_the_break_while_the_heads_up_is_up() -> None:
    def line(seconds: float) -> str:
        return status_line(replace(ACTIVE, heads_up_at=NOW + timedelta(seconds=seconds)), NOW)

    assert line(60) == "Sitting 23 min · break in 1 min"
    assert line(30) == "Sitting 23 min · break in 30 s"  # was "break in 0 min"
    assert line(10) == "Sitting 23 min · break in 10 s"


def test_status_line_says_a_break_is_due_while_a_prompt_waits() -> None:
    waiting = replace(ACTIVE, sitting_minutes=47, prompt_waiting=True)
    assert status_line(waiting, NOW) == "Sitting 47 min · time for a break"


@pytest.mark.parametrize(
    ("state", "paused_until", "expected"),
    [
        ("paused", datetime(2025, 3, 12, 14, 0, tzinfo=UTC), "Paused until 15:00"),
        ("paused", datetime(2025, 3, 13, 8, 0, tzinfo=BERLIN),
         "Paused until tomorrow, Thu 13 Mar 08:00"),
        ("paused", None, "Paused"),
        ("outside-hours", None, "Outside work hours"),
        ("away", None, "Away"),
    ],
)
def test_status_line_for_each_state(state: str, paused_until: datetime | None,
                                    expected: str) -> None:
    assert status_line(replace(ACTIVE, state=state, paused_until=paused_until), NOW) == expected


def test_status_line_is_the_first_entry_and_cannot_be_clicked() -> None:
    first = build_menu(ACTIVE, NOW)[0]
    assert first.label == "Sitting 23 min · next break 14:05"
    assert first.command is None and not first.enabled


def test_active_menu_offers_a_break_and_pauses_but_no_answers_or_resume() -> None:
    assert labels(ACTIVE) == [
        "Sitting 23 min · next break 14:05", "Take a break now", "Pause 30 min", "Pause 1 hour",
        "Pause until tomorrow", "Weekly report", "Settings…", "Quit",
    ]  # fmt: skip
    assert commands(ACTIVE) == [
        "break-now", "pause:30m", "pause:1h", "pause:until-tomorrow", "weekly-report",
        "settings", "quit",
    ]  # fmt: skip


def test_waiting_prompt_offers_done_snooze_skip_instead_of_a_new_break() -> None:
    waiting = replace(ACTIVE, prompt_waiting=True, snooze_offered=True)
    assert commands(waiting)[:3] == ["done", "snooze", "skip"]
    assert "break-now" not in commands(waiting)


def test_snooze_is_left_out_when_the_prompt_does_not_offer_it() -> None:
    waiting = replace(ACTIVE, prompt_waiting=True, snooze_offered=False)
    assert commands(waiting)[:2] == ["done", "skip"]
    assert "snooze" not in commands(waiting)


def test_paused_menu_offers_resume_and_no_more_pauses() -> None:
    paused = replace(ACTIVE, state="paused", paused_until=NOW + timedelta(hours=1))
    cmds = commands(paused)
    assert "resume" in cmds
    assert not [c for c in cmds if c.startswith("pause:")]


@pytest.mark.parametrize("state", ["active", "outside-hours", "away"])
def test_resume_is_offered_only_when_paused(state: str) -> None:
    assert "resume" not in commands(replace(ACTIVE, state=state))


def test_every_menu_command_is_one_the_daemon_knows() -> None:
    for state in ("active", "paused", "outside-hours", "away"):
        for waiting in (False, True):
            menu_state = replace(ACTIVE, state=state, prompt_waiting=waiting, snooze_offered=True)
            assert set(commands(menu_state)) <= COMMANDS


def test_separators_never_lead_trail_or_double() -> None:
    for waiting in (False, True):
        entries = build_menu(replace(ACTIVE, prompt_waiting=waiting), NOW)
        flags = [e.separator for e in entries]
        assert not flags[0] and not flags[-1]
        assert not any(a and b for a, b in itertools.pairwise(flags))


def test_an_unknown_state_is_refused_where_it_is_made() -> None:
    with pytest.raises(ValueError, match="unknown tray state"):
        replace(ACTIVE, state="sleeping")


@pytest.mark.parametrize(
    ("sitting", "limit", "fraction"),
    [(0, 45, 0.0), (22.5, 45, 0.5), (45, 45, 1.0), (90, 45, 1.0), (10, 0, 1.0), (-3, 45, 0.0)],
)
def test_sitting_fraction_is_clamped_to_the_limit(sitting: float, limit: float,
                                                  fraction: float) -> None:
    state = replace(ACTIVE, sitting_minutes=sitting, sit_limit_minutes=limit)
    assert state.sitting_fraction == pytest.approx(fraction)


def test_importing_the_tray_package_does_not_import_pystray_pillow_or_gtk() -> None:
    import subprocess
    import sys

    code = ("import sys, glutecoach.tray, glutecoach.tray.app, glutecoach.tray.icon, "
            "glutecoach.tray.sni, glutecoach.tray.pystray_tray, glutecoach.tray.icon_files; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pystray', 'PIL', 'gi')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_rating_the_last_break_is_offered_only_after_one() -> None:
    assert "feedback:easy" not in commands(ACTIVE)
    rated = commands(replace(ACTIVE, state="away", can_rate=True))
    assert [c for c in rated if c.startswith("feedback:")] == [
        "feedback:easy", "feedback:right", "feedback:hard"]
    assert set(rated) <= COMMANDS


def test_in_a_meeting_the_status_line_says_prompts_wait() -> None:
    line = status_line(replace(ACTIVE, state="in-meeting", sitting_minutes=41.5), NOW)
    assert line == "In a meeting · sitting 41 min · prompts wait"

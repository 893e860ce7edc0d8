"""The break screen's decisions without a display: which monitor, how much to scale, what Enter
and Esc do, how a held Esc is told from a tap, and what the coach sends the window. The screen
itself is tested on Xvfb with two monitors in tests/desktop/test_break_screen.py."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from glutecoach.window import WindowItem, WindowPlan
from glutecoach.window.keys import HOLD_SECONDS, HoldTimer, KeyPolicy
from glutecoach.window.model import BreakModel, ScreenOptions
from glutecoach.window.monitors import (
    Monitor,
    distinct,
    mac_monitors,
    monitor_at,
    parse_xft_dpi,
    scale_for,
    windows_monitors,
)
from glutecoach.window.process import plan_from_json, plan_to_json

LEFT = Monitor(0, 0, 1280, 800, 339, True)
RIGHT = Monitor(1280, 0, 2560, 1440, 338)


def plan() -> WindowPlan:
    item = WindowItem("half-squat", "Half squat", 45, 10, ["Sit back halfway."])
    return WindowPlan("Break", 3, [item, item])


# --- monitors ---------------------------------------------------------------------------------


def test_the_pointer_picks_the_monitor_and_a_gap_the_nearest() -> None:
    assert monitor_at([LEFT, RIGHT], 2000, 700) == RIGHT
    assert monitor_at([LEFT, RIGHT], 5, 5) == LEFT
    # Below the shorter left monitor, x still on it: the nearest is the left one.
    assert monitor_at([LEFT, RIGHT], 100, 1000) == LEFT


@pytest.mark.parametrize(("monitor", "xft", "scale"), [
    (LEFT, None, 1.0),  # 96 DPI
    (RIGHT, None, 2.0),  # 192 DPI
    (Monitor(0, 0, 3840, 2160, 597), None, 1.75),  # 27" 4K, 163 DPI
    (Monitor(0, 0, 1920, 1080), 192.0, 2.0),  # size unknown (Xinerama): Xft.dpi
    (Monitor(0, 0, 1920, 1080, 1), None, 1.0),  # "1 mm": absurd, not used
    (Monitor(0, 0, 1920, 1080, 600), None, 1.0),  # 81 DPI: never smaller than before
])
def test_scale_from_the_monitors_dpi_then_xft_dpi(monitor: Monitor, xft: float | None,
                                                  scale: float) -> None:
    assert scale_for(monitor, xft) == scale


def test_xft_dpi_is_read_from_the_resource_database() -> None:
    assert parse_xft_dpi(b"Xft.antialias:\t1\nXft.dpi:\t192\n") == 192.0
    assert parse_xft_dpi("Xcursor.size: 24\n") is None
    assert parse_xft_dpi(b"Xft.dpi: lots\n") is None


def test_mirrors_and_an_automatic_monitor_holding_the_others_are_not_covered_twice() -> None:
    whole = Monitor(0, 0, 3840, 1440, 610)
    assert distinct([LEFT, RIGHT, whole]) == [LEFT, RIGHT]
    assert distinct([LEFT, LEFT]) == [LEFT]
    assert distinct([whole]) == [whole]


def test_the_windows_adapter_turns_each_monitors_dpi_into_its_size() -> None:
    def user32() -> list[tuple[int, int, int, int, bool, int]]:
        return [(0, 0, 1920, 1080, True, 96), (-2560, 0, 0, 1440, False, 192)]

    left, right = windows_monitors(user32)
    assert (left.x, left.width, left.primary, scale_for(left)) == (0, 1920, True, 1.0)
    assert (right.x, right.width, right.height, scale_for(right)) == (-2560, 2560, 1440, 2.0)


def test_the_mac_adapter_passes_the_displays_on() -> None:
    [main, other] = mac_monitors(lambda: [(0, 0, 1512, 982, 302, 196, True),
                                          (1512, -200, 2560, 1440, 597, 336, False)])
    assert main.primary and (other.x, other.y, other.width) == (1512, -200, 2560)


# --- keys -------------------------------------------------------------------------------------


def test_a_held_key_survives_the_key_repeats_release_press_pairs() -> None:
    hold = HoldTimer()
    hold.press(0.0)
    for t in (0.5, 1.0, 1.5, 2.0, 2.5):  # the X server's repeat: release and press together
        hold.release(t)
        hold.press(t + 0.001)
    assert hold.progress(2.9) == pytest.approx(2.9 / HOLD_SECONDS)
    assert hold.progress(3.0) == 1.0


def test_a_tap_or_a_release_resets_the_hold() -> None:
    hold = HoldTimer()
    hold.press(0.0)
    hold.release(0.1)
    assert hold.progress(0.2) == pytest.approx(0.2 / HOLD_SECONDS)  # within the repeat gap
    assert hold.progress(0.5) is None  # released for good
    hold.press(1.0)  # a new hold starts from zero
    assert hold.progress(2.5) == pytest.approx(0.5)
    assert HoldTimer().progress(10.0) is None


def test_enter_starts_then_finishes_the_exercise() -> None:
    model, keys = BreakModel(plan()), KeyPolicy(strict=False, strict_seconds=0)
    assert keys.enter(model) == "start"
    model.start()
    assert keys.enter(model) == "finish"
    model.next_item()
    assert keys.enter(model) == "start"  # the next one waits for its own Enter
    model.next_item()
    assert keys.enter(model) == "none"  # the plan is over


def test_esc_snoozes_only_where_snooze_is_allowed() -> None:
    keys = KeyPolicy(strict=False, strict_seconds=180)
    assert keys.escape(BreakModel(plan(), snooze_offered=True), 5) == "snooze"
    assert keys.escape(BreakModel(plan(), snooze_offered=False), 5) == "none"


def test_strict_mode_wants_a_held_esc_until_the_breaks_time_is_up() -> None:
    keys = KeyPolicy(strict=True, strict_seconds=180)
    model = BreakModel(plan(), snooze_offered=False)
    assert keys.held_in(179.9) and keys.escape(model, 179.9) == "hold"
    assert not keys.held_in(180) and keys.escape(model, 180) == "close"
    assert not KeyPolicy(strict=False, strict_seconds=180).held_in(5)
    model.done()  # Done counts, but the screen stays: the held Esc is still the way out
    assert keys.escape(model, 60) == "hold" and keys.escape(model, 200) == "none"


# --- what the coach sends -------------------------------------------------------------------


def test_the_request_carries_the_screen_strict_mode_and_the_breaks_time() -> None:
    options = ScreenOptions("fullscreen", True, 140.5)
    request = plan_to_json(plan(), False, True, options)
    assert plan_from_json(request) == (plan(), False, True, options)
    # On the wire as before: the options' fields beside the plan, read by older windows too.
    assert json.loads(request) | {"plan": None} == {
        "plan": None, "snooze_offered": False, "rateable": True, "break_screen": "fullscreen",
        "strict": True, "break_seconds": 140.5}


def test_a_request_from_an_older_coach_shows_todays_window() -> None:
    request = json.dumps({"plan": asdict(plan()), "snooze_offered": True, "rateable": True})
    *_, options = plan_from_json(request)
    assert options == ScreenOptions("window", False, None)
    assert options.break_length(plan()) == 180  # the plan's own length stands in

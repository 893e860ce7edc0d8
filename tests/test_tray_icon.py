"""The tray picture: the ring fills with sitting time, and each state has its own look."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from glutecoach.tray.icon import (
    AMBER,
    ATTENTION,
    BACKING,
    DIM,
    GREEN,
    RED,
    TRACK,
    WHITE,
    draw_icon,
    progress_colour,
)
from glutecoach.tray.menu import TrayState

SIZE = 64
RING_RADIUS = 24.6  # the middle of the ring band at 64 px

ACTIVE = TrayState(state="active", sitting_minutes=0, sit_limit_minutes=40, next_prompt_at=None,
                   prompt_waiting=False, snooze_offered=False, paused_until=None)  # fmt: skip


def sitting(minutes: float) -> TrayState:
    return replace(ACTIVE, sitting_minutes=minutes)


def pixel(state: TrayState, x: float, y: float) -> tuple[int, int, int, int]:
    return draw_icon(state, SIZE).getpixel((round(x), round(y)))  # type: ignore[return-value]


def on_ring(state: TrayState, clock_degrees: float) -> tuple[int, int, int, int]:
    """The ring's colour at an angle measured clockwise from twelve o'clock."""
    a = math.radians(clock_degrees)
    c = SIZE / 2
    return pixel(state, c + RING_RADIUS * math.sin(a), c - RING_RADIUS * math.cos(a))


def near(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 14) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def test_icon_is_rgba_of_the_asked_size_with_transparent_corners() -> None:
    for size in (16, 22, 64):
        image = draw_icon(ACTIVE, size)
        assert image.mode == "RGBA" and image.size == (size, size)
        assert image.getpixel((0, 0))[3] == 0


def test_ring_fills_clockwise_from_twelve_as_sitting_time_grows() -> None:
    half = sitting(20)  # half of the 40-minute limit
    assert near(on_ring(half, 45), GREEN)
    assert near(on_ring(half, 135), GREEN)
    assert near(on_ring(half, 225), TRACK)
    assert near(on_ring(half, 315), TRACK)
    quarter = sitting(10)
    assert near(on_ring(quarter, 45), GREEN)
    assert near(on_ring(quarter, 135), TRACK)


def test_nothing_sat_shows_an_empty_track() -> None:
    for angle in range(10, 360, 40):
        assert near(on_ring(sitting(0), angle), TRACK)


def test_ring_turns_amber_near_the_limit_and_red_at_it() -> None:
    assert progress_colour(0.5) == GREEN
    assert progress_colour(0.8) == AMBER
    assert progress_colour(1.0) == RED
    assert near(on_ring(sitting(32), 90), AMBER)
    assert near(on_ring(sitting(32), 330), TRACK)
    for angle in (0, 90, 180, 270, 359):
        assert near(on_ring(sitting(55), angle), RED)


def test_waiting_prompt_is_an_orange_disc_with_an_exclamation_mark() -> None:
    waiting = replace(sitting(41), prompt_waiting=True)
    for angle in (0, 120, 240):
        assert near(on_ring(waiting, angle), ATTENTION)
    assert near(pixel(waiting, 22, 32), ATTENTION)  # the disc beside the mark
    assert near(pixel(waiting, 32, 27), WHITE)  # the mark's stroke


def test_paused_shows_two_white_bars_on_a_grey_track() -> None:
    paused = replace(sitting(30), state="paused")
    assert near(pixel(paused, 24.5, 32), WHITE)
    assert near(pixel(paused, 39.5, 32), WHITE)
    assert near(pixel(paused, 32, 32), BACKING, tolerance=20)
    assert near(on_ring(paused, 90), TRACK)  # no progress shown while paused


def test_outside_hours_shows_a_crescent_moon() -> None:
    outside = replace(ACTIVE, state="outside-hours")
    assert near(pixel(outside, 23, 34), DIM)
    assert near(pixel(outside, 38, 30), BACKING, tolerance=20)


def test_away_shows_the_bare_track() -> None:
    away = replace(sitting(30), state="away")
    assert near(on_ring(away, 90), TRACK)
    assert near(pixel(away, 32, 32), BACKING, tolerance=20)


@pytest.mark.parametrize("size", [22, 64])
def test_every_state_looks_different(size: int) -> None:
    looks = {
        "fresh": sitting(0),
        "half": sitting(20),
        "near": sitting(35),
        "over": sitting(50),
        "prompt": replace(sitting(50), prompt_waiting=True),
        "paused": replace(ACTIVE, state="paused"),
        "outside": replace(ACTIVE, state="outside-hours"),
        "away": replace(ACTIVE, state="away"),
    }
    pictures = {name: draw_icon(state, size).tobytes() for name, state in looks.items()}
    assert len(set(pictures.values())) == len(looks)

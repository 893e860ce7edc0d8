"""The tray picture: a ring that fills as the sitting limit nears, with a distinct look for a
waiting prompt, a pause, outside work hours and away.

Drawn with Pillow at four times the size and scaled down, so the ring stays smooth at the 22-32
pixels a panel gives it. A dark backing disc keeps it readable on light and dark panels alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from glutecoach.tray.menu import TrayState

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

RGBA = tuple[int, int, int, int]

BACKING: RGBA = (32, 32, 36, 210)
TRACK: RGBA = (120, 120, 128, 255)
WHITE: RGBA = (255, 255, 255, 255)
DIM: RGBA = (150, 150, 158, 255)
GREEN: RGBA = (67, 176, 71, 255)  # plenty of time left
AMBER: RGBA = (255, 179, 0, 255)  # the limit is near
RED: RGBA = (229, 57, 53, 255)  # at or past the limit
ATTENTION: RGBA = (255, 112, 0, 255)  # a prompt waits for an answer

SUPERSAMPLE = 4
RING_WIDTH = 0.15  # of the icon's size
GAP = 0.04  # between the edge of the backing disc and the ring


def progress_colour(fraction: float) -> RGBA:
    """The ring's colour for how far into the sitting limit."""
    if fraction >= 1.0:
        return RED
    if fraction >= 0.75:
        return AMBER
    return GREEN


def draw_icon(state: TrayState, size: int = 64) -> Image.Image:
    """The icon for this state, `size` pixels square, RGBA with a transparent corner."""
    from PIL import Image, ImageDraw

    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, big - 1, big - 1), fill=BACKING)

    inset = round(big * GAP)
    ring_box = (inset, inset, big - 1 - inset, big - 1 - inset)
    ring = round(big * RING_WIDTH)
    draw.ellipse(ring_box, outline=TRACK, width=ring)

    if state.prompt_waiting:
        draw.ellipse(ring_box, outline=ATTENTION, width=ring)
        _exclamation(draw, big)
    elif state.state == "paused":
        _pause_bars(draw, big)
    elif state.state == "in-meeting":
        # Sitting still counts (the ring); prompts wait (the bars).
        fraction = state.sitting_fraction
        _arc(draw, ring_box, ring, fraction, progress_colour(fraction))
        _pause_bars(draw, big)
    elif state.state == "outside-hours":
        _crescent(draw, big)
    elif state.state == "away":
        pass  # the bare track: nobody is sitting, nothing to count
    else:
        fraction = state.sitting_fraction
        _arc(draw, ring_box, ring, fraction, progress_colour(fraction))
        _centre_dot(draw, big, progress_colour(fraction))

    # Scale in premultiplied alpha so the transparent corners do not bleed dark fringes.
    small = image.convert("RGBa").resize((size, size), Image.Resampling.LANCZOS)
    return small.convert("RGBA")


def _arc(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], width: int,
         fraction: float, colour: RGBA) -> None:
    """Clockwise from twelve o'clock, as a clock hand moves."""
    if fraction <= 0:
        return
    if fraction >= 1:
        draw.ellipse(box, outline=colour, width=width)
        return
    draw.arc(box, -90, -90 + 360 * fraction, fill=colour, width=width)


def _centre_dot(draw: ImageDraw.ImageDraw, big: int, colour: RGBA) -> None:
    r = big * 0.12
    c = big / 2
    draw.ellipse((c - r, c - r, c + r, c + r), fill=colour)


def _pause_bars(draw: ImageDraw.ImageDraw, big: int) -> None:
    c = big / 2
    bar_w, bar_h, gap = big * 0.09, big * 0.32, big * 0.07
    for left in (c - gap - bar_w, c + gap):
        draw.rectangle((left, c - bar_h / 2, left + bar_w, c + bar_h / 2), fill=WHITE)


def _exclamation(draw: ImageDraw.ImageDraw, big: int) -> None:
    c = big / 2
    r = big * 0.27
    draw.ellipse((c - r, c - r, c + r, c + r), fill=ATTENTION)
    w = big * 0.07
    draw.rectangle((c - w / 2, c - r * 0.7, c + w / 2, c + r * 0.2), fill=WHITE)
    dot = w * 0.6
    draw.ellipse((c - dot, c + r * 0.4, c + dot, c + r * 0.4 + 2 * dot), fill=WHITE)


def _crescent(draw: ImageDraw.ImageDraw, big: int) -> None:
    """A moon: the coach is resting because the work day is over."""
    c = big / 2
    r = big * 0.2
    draw.ellipse((c - r, c - r, c + r, c + r), fill=DIM)
    shift = r * 0.55
    # Pillow replaces pixels rather than blending, so painting the backing colour cuts the disc.
    draw.ellipse((c - r + shift, c - r - shift * 0.4, c + r + shift, c + r - shift * 0.4),
                 fill=BACKING)

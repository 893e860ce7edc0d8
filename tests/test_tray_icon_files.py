"""The StatusNotifier tray's shipped pictures: one for every look the tray can show, the same as
glutecoach.tray.icon draws (a stale file after a change to the drawing fails here), and read
back as StatusNotifier pixmaps without an image library."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace

import pytest

from glutecoach.tray.icon import ATTENTION, GREEN, draw_icon, progress_colour
from glutecoach.tray.icon_files import (
    ICON_DIR,
    PIXMAP_SIZES,
    PNG_SIZE,
    argb_path,
    every_look,
    icon_name,
    png_path,
    read_pixmaps,
    ring_percent,
)
from glutecoach.tray.menu import TrayState

ACTIVE = TrayState(state="active", sitting_minutes=0, sit_limit_minutes=45, next_prompt_at=None,
                   prompt_waiting=False, snooze_offered=False, paused_until=None)  # fmt: skip


def sitting(minutes: float, **changes: object) -> TrayState:
    return replace(ACTIVE, sitting_minutes=minutes, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fraction", "percent"),
    [(0.0, 0), (0.049, 0), (0.05, 5), (0.5, 50), (0.7499, 70), (0.75, 75), (0.999, 95),
     (1.0, 100), (3.0, 100), (-1.0, 0)],
)
def test_the_ring_steps_down_to_the_last_five_percent(fraction: float, percent: int) -> None:
    assert ring_percent(fraction) == percent


def test_the_step_keeps_the_colour_of_the_exact_fraction() -> None:
    """Amber from 75 %, red at 100 %: a rounded-down step never changes the colour."""
    for tenths in range(0, 1201):
        fraction = tenths / 1000
        assert progress_colour(ring_percent(fraction) / 100) == progress_colour(min(1, fraction))


def test_each_state_has_its_own_picture_name() -> None:
    assert icon_name(sitting(22.5)) == "glutecoach-sitting-050"
    assert icon_name(sitting(44)) == "glutecoach-sitting-095"
    assert icon_name(sitting(45)) == "glutecoach-sitting-100"
    assert icon_name(sitting(50, prompt_waiting=True)) == "glutecoach-prompt"
    assert icon_name(sitting(10, state="in-meeting")) == "glutecoach-meeting-020"
    assert icon_name(sitting(10, state="paused")) == "glutecoach-paused"
    # A prompt waiting wins over a pause, as in the drawing.
    assert icon_name(sitting(10, state="paused", prompt_waiting=True)) == "glutecoach-prompt"
    assert icon_name(sitting(10, state="outside-hours")) == "glutecoach-outside-hours"
    assert icon_name(sitting(10, state="away")) == "glutecoach-away"


def test_every_state_the_tray_can_be_in_has_a_shipped_picture() -> None:
    for kind in ("active", "paused", "in-meeting", "outside-hours", "away"):
        for minutes in range(0, 60):
            for waiting in (False, True):
                name = icon_name(sitting(minutes, state=kind, prompt_waiting=waiting))
                assert png_path(name).is_file() and argb_path(name).is_file(), name


def test_no_stray_files_ship() -> None:
    looks = every_look()
    assert len(looks) == 4 + 2 * 21
    assert sorted(p.name for p in ICON_DIR.iterdir()) == sorted(
        [f"{n}.png" for n in looks] + [f"{n}.argb.zlib" for n in looks])


@pytest.mark.parametrize("name", sorted(every_look()))
def test_shipped_pictures_are_what_the_drawing_gives(name: str) -> None:
    """Rerun `python tools/make_tray_icons.py` when this fails after a change to icon.py."""
    from PIL import Image

    state = every_look()[name]
    png = Image.open(png_path(name))
    assert png.mode == "RGBA" and png.size == (PNG_SIZE, PNG_SIZE)
    assert png.tobytes() == draw_icon(state, PNG_SIZE).tobytes()
    pixmaps = read_pixmaps(name)
    assert [(w, h) for w, h, _ in pixmaps] == [(s, s) for s in PIXMAP_SIZES]
    for size, (_w, _h, argb) in zip(PIXMAP_SIZES, pixmaps, strict=True):
        a, r, g, b = Image.frombytes("RGBA", (size, size), argb).split()
        assert Image.merge("RGBA", (r, g, b, a)).tobytes() == draw_icon(state, size).tobytes()


def test_pixmaps_are_big_endian_argb() -> None:
    """The spec's byte order, read by hand: the prompt's orange disc beside the "!"."""
    (width, _h, data) = read_pixmaps("glutecoach-prompt")[-1]
    x, y = 22, 32  # inside the disc, left of the mark, at 64 px
    a, r, g, b = data[(y * width + x) * 4:(y * width + x) * 4 + 4]
    assert a == 255 and (r, g, b) == ATTENTION[:3]
    green = read_pixmaps("glutecoach-sitting-050")[-1][2]
    corner = green[0:4]
    assert corner[0] == 0  # transparent corner
    centre = (32 * 64 + 32) * 4
    assert tuple(green[centre + 1:centre + 4]) == GREEN[:3]


def test_a_cut_short_file_is_refused(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import zlib
    from pathlib import Path

    import glutecoach.tray.icon_files as files

    folder = Path(str(tmp_path))
    (folder / "x.argb.zlib").write_bytes(zlib.compress(b"\0\0\0\x16\0\0\0\x16" + b"\0" * 10))
    monkeypatch.setattr(files, "ICON_DIR", folder)
    with pytest.raises(ValueError, match="cut short"):
        files.read_pixmaps("x")


def test_reading_the_pictures_imports_no_image_library() -> None:
    code = ("import sys; from glutecoach.tray.icon_files import read_pixmaps; "
            "read_pixmaps('glutecoach-prompt'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PIL', 'gi', 'pystray')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_png_files_are_real_pngs() -> None:
    from PIL import Image

    for name in every_look():
        data = png_path(name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        Image.open(io.BytesIO(data)).verify()

"""The tray pictures as shipped files: which one shows a state, and its pixels for D-Bus.

The StatusNotifier tray draws nothing at run time. `tools/make_tray_icons.py` drew every look
once with `glutecoach.tray.icon` (Pillow, at development time) into `icons/`: a PNG per look,
which hosts find through the item's IconThemePath + IconName, and a `.argb.zlib` file per look
with the same picture at several sizes as StatusNotifier pixmaps (ARGB32, big-endian, as the
spec asks), which the coach inflates with zlib (loaded anyway) and sends as they are. So the
coach needs no image library to show its icon.

The ring fills in steps of STEP_PERCENT: a picture per step rather than per pixel. At the
default 45-minute limit a step is 2 min 15 s, a few pixels of ring at panel size; the colour
thresholds (75 % amber, 100 % red) fall on steps, so the colour is always the one the exact
fraction would give.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

from glutecoach.tray.menu import TrayState

ICON_DIR = Path(__file__).resolve().parent / "icons"
STEP_PERCENT = 5
PIXMAP_SIZES = (22, 32, 48, 64)  # panels are 16-32 px; 48 and 64 serve HiDPI scales
PNG_SIZE = 64  # hosts scale the PNG to their panel
PREFIX = "glutecoach-"  # icon names are looked up in the desktop's theme too: never clash

Pixmap = tuple[int, int, bytes]  # width, height, ARGB32 big-endian rows


def ring_percent(fraction: float) -> int:
    """The shipped ring step for a fraction of the sitting limit: rounded down, so the ring
    never shows more sitting than there was."""
    steps = 100 // STEP_PERCENT
    return min(steps, math.floor(max(0.0, fraction) * steps + 1e-9)) * STEP_PERCENT


def icon_name(state: TrayState) -> str:
    """The name of the shipped picture for this state (as draw_icon would draw it)."""
    if state.prompt_waiting:
        return PREFIX + "prompt"
    if state.state == "paused":
        return PREFIX + "paused"
    if state.state == "outside-hours":
        return PREFIX + "outside-hours"
    if state.state == "away":
        return PREFIX + "away"
    kind = "meeting" if state.state == "in-meeting" else "sitting"
    return f"{PREFIX}{kind}-{ring_percent(state.sitting_fraction):03d}"


def every_look() -> dict[str, TrayState]:
    """One state for each shipped picture, by name: what the generator draws and the tests
    check. The sitting limit is 100 minutes so that minutes read as percent."""
    def state(kind: str, percent: int = 0, *, prompt: bool = False) -> TrayState:
        return TrayState(state=kind, sitting_minutes=percent, sit_limit_minutes=100,
                         next_prompt_at=None, prompt_waiting=prompt, snooze_offered=False,
                         paused_until=None)

    looks = [state("active", 100, prompt=True), state("paused"), state("outside-hours"),
             state("away")]
    for percent in range(0, 101, STEP_PERCENT):
        looks += [state("active", percent), state("in-meeting", percent)]
    return {icon_name(look): look for look in looks}


def png_path(name: str) -> Path:
    return ICON_DIR / f"{name}.png"


def argb_path(name: str) -> Path:
    return ICON_DIR / f"{name}.argb.zlib"


def encode_pixmaps(pixmaps: list[Pixmap]) -> bytes:
    """The .argb.zlib file format: for each size, width and height (big-endian uint32), then
    the width * height * 4 bytes of the picture; all of it deflated (the transparent corners
    and flat colours shrink 46 looks from 1.5 MB to a tenth of that)."""
    raw = b"".join(struct.pack(">II", w, h) + data for w, h, data in pixmaps)
    return zlib.compress(raw, 9)


def read_pixmaps(name: str) -> list[Pixmap]:
    """The pixmaps of a shipped picture, ready for the IconPixmap property."""
    data = zlib.decompress(argb_path(name).read_bytes())
    pixmaps: list[Pixmap] = []
    at = 0
    while at < len(data):
        width, height = struct.unpack_from(">II", data, at)
        at += 8
        size = width * height * 4
        if at + size > len(data):
            raise ValueError(f"{argb_path(name)} is cut short")
        pixmaps.append((width, height, data[at:at + size]))
        at += size
    return pixmaps

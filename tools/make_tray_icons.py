"""Draw the StatusNotifier tray's pictures into glutecoach/tray/icons/ (run after changing
glutecoach/tray/icon.py; tests/test_tray_icon_files.py fails while the files are stale).

Every look (glutecoach.tray.icon_files.every_look) becomes NAME.png (64 px, for hosts that load
IconName from IconThemePath) and NAME.argb.zlib (the pixmaps at every size in PIXMAP_SIZES,
ARGB32 big-endian, deflated, for hosts that take IconPixmap). Pillow is needed here only, not
by the coach.

Usage:  python tools/make_tray_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from glutecoach.tray.icon import draw_icon
from glutecoach.tray.icon_files import (
    ICON_DIR,
    PIXMAP_SIZES,
    PNG_SIZE,
    Pixmap,
    argb_path,
    encode_pixmaps,
    every_look,
    png_path,
)
from glutecoach.tray.menu import TrayState


def argb(state: TrayState, size: int) -> Pixmap:
    """The picture as a StatusNotifier pixmap: each pixel A, R, G, B (one big-endian uint32)."""
    r, g, b, a = draw_icon(state, size).split()
    from PIL import Image

    return size, size, Image.merge("RGBA", (a, r, g, b)).tobytes()


def pictures(state: TrayState) -> tuple[bytes, bytes]:
    """The PNG and .argb.zlib contents for one look."""
    import io

    png = io.BytesIO()
    # No timestamps or other metadata: the same drawing gives the same bytes.
    draw_icon(state, PNG_SIZE).save(png, "PNG", optimize=True)
    return png.getvalue(), encode_pixmaps([argb(state, size) for size in PIXMAP_SIZES])


def main() -> None:
    ICON_DIR.mkdir(exist_ok=True)
    looks = every_look()
    for old in ICON_DIR.iterdir():  # a look that is gone must not linger in the package
        if old.name.split(".")[0] not in looks:
            old.unlink()
    for name, state in looks.items():
        png, pixmaps = pictures(state)
        png_path(name).write_bytes(png)
        argb_path(name).write_bytes(pixmaps)
    total = sum(p.stat().st_size for p in ICON_DIR.iterdir())
    print(f"{len(looks)} looks written to {ICON_DIR} ({total / 1024:.0f} KB)")


if __name__ == "__main__":
    main()

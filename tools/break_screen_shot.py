"""Make the README's pictures of a break: docs/break-screen.png (the fullscreen break screen's
main monitor) and, with --window, docs/break-window.png (the break window with a margin of the
desktop around it).

Starts an Xvfb of its own (1280×800, one monitor: the others would only be dimmed), shows a real
plan from the library, starts its countdown with Enter as a user would, and saves the picture in
48 colours (the palette is flat: a small PNG, and nothing lost to the eye).

    .venv/bin/python tools/break_screen_shot.py [--window] [OUT.png]

Needs Xvfb, xdotool and ImageMagick's import, as the desktop tests do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image

from glutecoach.config import Config
from glutecoach.library import load_library
from glutecoach.plans.planner import plan_for
from glutecoach.plans.records import PlanHistory
from glutecoach.window import BreakWindow, window_plan
from glutecoach.window.model import ScreenOptions

AT = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp",
                             "-screen", "0", "1280x800x24"], pass_fds=(write_end,),
                            stderr=subprocess.DEVNULL)  # fmt: skip
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        return proc, f":{pipe.readline().strip()}"


MARGIN = 10  # desktop around the window in the window's picture


def window_box(display: str) -> tuple[int, int, int, int]:
    """The break window's box on the screen, with the margin: left, top, right, bottom."""
    env = {**os.environ, "DISPLAY": display}
    [wid] = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^GluteCoach"],
                           env=env, capture_output=True, text=True, check=True,
                           timeout=10).stdout.split()  # fmt: skip
    shell = subprocess.run(["xdotool", "getwindowgeometry", "--shell", wid], env=env,
                           capture_output=True, text=True, check=True, timeout=10).stdout
    v = {k: int(n) for k, n in (line.split("=", 1) for line in shell.split()) if n.isdigit()}
    return (v["X"] - MARGIN, v["Y"] - MARGIN, v["X"] + v["WIDTH"] + MARGIN,
            v["Y"] + v["HEIGHT"] + MARGIN)


def main(out: Path, mode: str) -> int:
    xvfb, display = start_xvfb()
    env = {**os.environ, "DISPLAY": display}
    try:
        time.sleep(0.5)
        library = load_library()
        plan = plan_for(Config(), library, AT, PlanHistory())
        title = f"Glute break after 34 min sitting · {plan.location}"
        window = BreakWindow(window_plan(title, plan, library), print, print, True,
                             display=display, options=ScreenOptions(mode, False, 180))
        window.show()
        time.sleep(1.2)  # past the first second, when keys are ignored
        subprocess.run(["xdotool", "key", "Return"], env=env, check=True, timeout=10)
        time.sleep(3.3)  # the countdown has moved: "Pause" and 1:27
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "screen.png"
            subprocess.run(["import", "-window", "root", str(raw)], env=env, check=True,
                           timeout=30)  # fmt: skip
            image = Image.open(raw).convert("RGB")
            if mode == "window":
                image = image.crop(window_box(display))
            image.quantize(colors=48, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE).save(out, optimize=True)
        window.close()
    finally:
        xvfb.terminate()
        xvfb.wait(5)
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    mode = "window" if "--window" in args else "fullscreen"
    paths = [a for a in args if a != "--window"]
    default = "docs/break-window.png" if mode == "window" else "docs/break-screen.png"
    sys.exit(main(Path(paths[0] if paths else default), mode))

"""The headless coach's RSS before and after its first notification, on a real desktop stack.

An idle coach has shown nothing yet; its first prompt loads the notification backend, which then
stays for the day. This starts Xvfb, a private session bus and dunst (the pieces of the desktop
tests), runs `glutecoach run --headless` from a source tree, measures its RSS idle, asks it for a
prompt (`break-now`, as the command line does), waits until dunst shows it, lets it settle and
measures again. The coach's second start is measured (bytecode caches in place), as in
footprint.py.

`rss_around_first_notification(work, root)` is the function to call. The command line runs the
source trees it is given (by default this one) interleaved, e.g. `git archive`s of two releases,
and prints the medians of each.

Usage:  python benchmarks/first_notification.py [--runs 5] [--settle 5] [--json] [TREE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CONFIG = """[desktop]
tray = false
break_window = false
notification_timeout_seconds = 5
"""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Desktop:
    """Xvfb, a private session bus and dunst in `work`, with the environment a coach needs."""

    def __init__(self, work: Path) -> None:
        sys.path.insert(0, str(ROOT))
        from tests.desktop.harness import start_bus, start_dunst, start_xvfb

        self.xvfb = start_xvfb(work)
        self.bus = start_bus(work / "bus")
        runtime = work / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("WAYLAND_DISPLAY", "PYTHONDONTWRITEBYTECODE",
                                 "PYTHONPYCACHEPREFIX", "PYTHONPATH")}
        self.env.update(DISPLAY=self.xvfb.display, DBUS_SESSION_BUS_ADDRESS=self.bus.address,
                        XDG_RUNTIME_DIR=str(runtime), XDG_SESSION_TYPE="x11",
                        DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={work / 'no-system-bus'}",
                        XDG_CONFIG_HOME=str(work / "xdg-config"))
        try:
            self.dunst = start_dunst(dict(self.env), work / "dunst")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for part in ("dunst", "bus", "xvfb"):
            if hasattr(self, part):
                getattr(self, part).stop()


def _coach_run(desktop: Desktop, root: Path, work: Path, settle: float) -> tuple[float, float]:
    """One start of the coach from `root`: (RSS idle, RSS `settle` s after its first prompt)."""
    from glutecoach.control import send
    from tests.desktop.harness import stop, wait_for

    name = root.name or "root"
    home, config = work / f"home-{name}", work / f"config-{name}.toml"
    config.write_text(CONFIG)
    env = dict(desktop.env, PYTHONPATH=str(root),
               PYTHONPYCACHEPREFIX=str(work / f"pycache-{name}"))
    proc = subprocess.Popen([sys.executable, "-m", "glutecoach", "--home", str(home), "--config",
                             str(config), "run", "--headless"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: send(home, {"cmd": "status"}, timeout=2)["ok"], "the coach to answer",
                 timeout=60)
        time.sleep(3)  # start-up done: the first poll, the session watcher
        idle = _rss_mb(proc.pid)
        desktop.dunst.close_all()
        shown = desktop.dunst.count("history")
        send(home, {"cmd": "break-now"})
        wait_for(lambda: desktop.dunst.count("displayed") > 0, "dunst to show the prompt")
        time.sleep(settle)
        after = _rss_mb(proc.pid)
        desktop.dunst.close_all()
        assert desktop.dunst.count("history") > shown
        send(home, {"cmd": "stop"})
        proc.wait(20)
    finally:
        stop(proc)
    return idle, after


def rss_around_first_notification(work: Path, root: Path = ROOT, settle: float = 5.0,
                                  desktop: Desktop | None = None) -> tuple[float, float]:
    """(RSS MB of the idle headless coach, RSS MB `settle` s after its first notification),
    the coach run from the source tree `root`, on its second start. Starts its own desktop
    stack in `work` unless one is given."""
    own = desktop is None
    desktop = desktop or Desktop(work)
    try:
        _coach_run(desktop, root, work, settle)  # the first start compiles its bytecode
        return _coach_run(desktop, root, work, settle)
    finally:
        if own:
            desktop.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("trees", nargs="*", type=Path, help="source trees (default: this one)")
    args = parser.parse_args()
    roots = [tree.resolve() for tree in args.trees] or [ROOT]
    if len({root.name for root in roots}) < len(roots):
        parser.error("the trees need different folder names (their homes and caches are named so)")
    work = Path(tempfile.mkdtemp(prefix="glutecoach-first-notification-"))
    figures: dict[str, list[tuple[float, float]]] = {str(r): [] for r in roots}
    desktop = Desktop(work)
    try:
        for root in roots:  # warm-up: bytecode caches
            _coach_run(desktop, root, work, 0.5)
        for _ in range(args.runs):
            for root in roots:
                figures[str(root)].append(_coach_run(desktop, root, work, args.settle))
    finally:
        desktop.stop()
        shutil.rmtree(work, ignore_errors=True)
    medians = {root: {"idle": statistics.median(i for i, _ in runs),
                      "after first notification": statistics.median(a for _, a in runs),
                      "runs": runs} for root, runs in figures.items()}
    if args.json:
        print(json.dumps(medians, indent=2))
    else:
        for root, m in medians.items():
            print(f"{root}: idle {m['idle']:.1f} MB, after the first notification "
                  f"{m['after first notification']:.1f} MB (medians of {args.runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

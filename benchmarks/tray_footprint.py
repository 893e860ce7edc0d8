"""The idle coach's memory and CPU with its tray, beside the headless coach, on real desktops.

Three ways to run the same coach, interleaved run by run on one machine:
  - `headless`: `glutecoach run --headless` (footprint.py's idle coach);
  - `sni`: `glutecoach run` on a StatusNotifier desktop (Xvfb, a private bus,
    status-notifier-watcher and gtk-sni-tray-standalone as the panel): the D-Bus tray;
  - `xembed`: `glutecoach run` on an XEmbed-only desktop (trayer): pystray's GTK icon, the
    fallback (needs the `tray` extra; left out where PyGObject is missing).
Each run is the coach's second start (bytecode caches in place, as every day after the first),
idle for `idle_seconds` with nobody at the keyboard; RSS is read at the end, CPU over the idle
time. The icon is checked to be on the panel, so a tray that failed is never measured as light.

`idle_tray_footprint(work, idle_seconds, runs, modes)` is the function to call (footprint.py
can add its rows from it); it returns {mode: {"rss_mb": [...], "cpu_s_per_min": [...]}}.

Usage:  python benchmarks/tray_footprint.py [--idle-seconds 60] [--runs 5] [--json]
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODES = ("headless", "sni", "xembed")


def _tools() -> Any:
    """footprint.py's helpers (the installed script, /proc readings), and the test harness."""
    for path in (str(ROOT), str(ROOT / "benchmarks")):
        if path not in sys.path:
            sys.path.insert(0, path)
    import footprint

    return footprint


class _Desktops:
    """One Xvfb and bus with a StatusNotifier panel, one Xvfb with trayer, for all the runs."""

    def __init__(self, work: Path, modes: tuple[str, ...]) -> None:
        _tools()
        from tests.desktop.harness import need, start_bus, start_xvfb, stop, tray_owner, wait_for
        from tests.desktop.sni_host import Watcher, start_host

        self._stop = stop
        self.procs: list[Any] = []
        self.closers: list[Any] = []
        runtime = work / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        base = {k: v for k, v in os.environ.items()
                if k not in ("WAYLAND_DISPLAY", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX",
                             "PYSTRAY_BACKEND")}  # fmt: skip
        base.update(XDG_RUNTIME_DIR=str(runtime), XDG_SESSION_TYPE="x11",
                    DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={work / 'no-system-bus'}",
                    XDG_CONFIG_HOME=str(work / "xdg-config"),
                    PYTHONPYCACHEPREFIX=str(work / "pycache"))
        self.env: dict[str, dict[str, str]] = {}
        try:
            sni_x = start_xvfb(work, "1024x600x24")
            self.closers.append(sni_x.stop)
            bus = start_bus(work / "bus")
            self.closers.append(bus.stop)
            env = dict(base, DISPLAY=sni_x.display, DBUS_SESSION_BUS_ADDRESS=bus.address)
            self.env["headless"] = env
            if "sni" in modes:
                watcher = Watcher(bus.address, work / "watcher.log")
                self.closers.append(watcher.stop)
                self.procs.append(start_host(env, watcher, work / "sni-host.log"))
                self.watcher = watcher
                self.env["sni"] = env
            if "xembed" in modes and _has_gtk_tray():
                (work / "xembed").mkdir(exist_ok=True)
                xembed_x = start_xvfb(work / "xembed", "1024x600x24")
                self.closers.append(xembed_x.stop)
                xbus = start_bus(work / "xembed-bus")  # no watcher on it: XEmbed only
                self.closers.append(xbus.stop)
                xenv = dict(base, DISPLAY=xembed_x.display, DBUS_SESSION_BUS_ADDRESS=xbus.address)
                trayer = need("trayer")["trayer"]
                self.procs.append(subprocess.Popen(
                    [trayer, "--edge", "top", "--widthtype", "pixel", "--width", "200",
                     "--height", "32"], env=xenv, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL))  # fmt: skip
                wait_for(lambda: tray_owner(xembed_x.display), "trayer")
                self.env["xembed"] = xenv
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for proc in reversed(self.procs):
            self._stop(proc)
        for close in reversed(self.closers):
            close()


def _has_gtk_tray() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("gi", "pystray"))


def _run_once(tools: Any, desktops: _Desktops, mode: str, home: Path,
              idle_seconds: float) -> tuple[float, float]:
    """One start of the coach in `mode`, idle; its RSS (MB) and CPU-seconds per minute."""
    from glutecoach.control import send

    env = desktops.env[mode]
    args = ["run", "--headless"] if mode == "headless" else ["run"]
    log = home.parent / f"{home.name}.log"
    with open(log, "ab") as out:
        coach = subprocess.Popen([*tools.glutecoach_command(), "--home", str(home), *args],
                                 env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        tools.wait_for(lambda: send(home, {"cmd": "status"}, timeout=2)["ok"],
                       "the coach to answer", 60)  # fmt: skip
        if mode == "sni":
            tools.wait_for(lambda: len(desktops.watcher.items()) == 1, "the icon on the panel")
        if mode == "xembed":
            tools.wait_for(lambda: "XEmbed" in log.read_text(), "the GTK tray to start")
        time.sleep(3)  # start-up done: the first poll, the session watcher, the tray
        (cpu0, _tick), t0 = tools.proc_cpu_seconds(coach.pid), time.monotonic()
        time.sleep(idle_seconds)
        (cpu1, _tick), t1 = tools.proc_cpu_seconds(coach.pid), time.monotonic()
        rss = tools.proc_rss_mb(coach.pid)
    finally:
        subprocess.run([*tools.glutecoach_command(), "--home", str(home), "stop"], env=env,
                       capture_output=True, timeout=20)  # fmt: skip
        try:
            coach.wait(20)
        except subprocess.TimeoutExpired:
            coach.kill()
            coach.wait(5)
    return rss, (cpu1 - cpu0) / (t1 - t0) * 60


def idle_tray_footprint(work: Path, idle_seconds: float = 60, runs: int = 5,
                        modes: tuple[str, ...] = MODES) -> dict[str, dict[str, list[float]]]:
    """RSS and CPU of the idle coach in each mode, `runs` times each, interleaved."""
    tools = _tools()
    desktops = _Desktops(work, modes)
    results: dict[str, dict[str, list[float]]] = {}
    try:
        wanted = [m for m in modes if m in desktops.env]
        for mode in wanted:  # day one (bytecode caches, the database) is not measured
            _run_once(tools, desktops, mode, work / f"home-{mode}", 1)
        for _ in range(runs):
            for mode in wanted:
                rss, cpu = _run_once(tools, desktops, mode, work / f"home-{mode}", idle_seconds)
                entry = results.setdefault(mode, {"rss_mb": [], "cpu_s_per_min": []})
                entry["rss_mb"].append(rss)
                entry["cpu_s_per_min"].append(cpu)
    finally:
        desktops.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="glutecoach-tray-footprint-"))
    try:
        results = idle_tray_footprint(work, args.idle_seconds, args.runs,
                                      tuple(args.modes.split(",")))  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"idle coach, {args.idle_seconds:g} s, medians of {args.runs} interleaved runs")
    for mode, entry in results.items():
        rss, cpu = entry["rss_mb"], entry["cpu_s_per_min"]
        print(f"{mode:<10} RSS {statistics.median(rss):6.1f} MB (min {min(rss):.1f}, max "
              f"{max(rss):.1f})   CPU {statistics.median(cpu):.4f} s/min")
    return 0


if __name__ == "__main__":
    sys.exit(main())

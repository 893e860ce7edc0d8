"""GluteCoach's footprint and speed, each figure of issue 6 against its target:

  - the headless coach idle on a virtual X display for 60 s: RSS (MB), CPU-seconds per minute
    (targets: <= 60 MB, <= 0.03 s/min; Workrave 1.10 measured 41.5 MB and 0.07 s/min here),
    on its second start; the first start's RSS is printed too (it compiles bytecode once);
  - `glutecoach --version` against a bare interpreter's start (target: <= 6x);
  - `glutecoach status` end to end, and the control socket's round trip alone (target: < 150 ms);
  - `glutecoach simulate --record` of a year of workdays, end to end (target: < 5 s);
  - `glutecoach report --week YYYY-Www --json` of one week out of that year (target: < 1 s);
  - the coach as a user has it on a StatusNotifier desktop, with its D-Bus tray, after its first
    prompt (issue 12's target: <= 55 MB), beside Workrave and Safe Eyes where they are installed,
    and the per-library breakdown of its memory (desktop_footprint.py, which also runs alone).

Every command runs as the user runs it: a new process through the installed `glutecoach` script.
Times are medians of several runs. The coach runs on Xvfb with a private D-Bus (no notification
server: an idle coach shows none) and the default rules; nobody touches the display, so the
coach sees the user away and polls once a minute.

Usage:  python benchmarks/footprint.py [--idle-seconds 60] [--runs 15] [--desktop-runs 3]
                                      [--no-desktop] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    target: str
    ok: bool | None
    note: str = ""

    def line(self) -> str:
        if self.value is None:
            return f"{self.name:<44} {'skipped':>10}        {self.note}"
        verdict = {True: "ok", False: "MISSED", None: ""}[self.ok]
        note = f"  ({self.note})" if self.note else ""
        return f"{self.name:<44} {self.value:>10.3f} {self.unit:<6} {self.target:<10} {verdict}" \
               f"{note}"


def glutecoach_command() -> list[str]:
    """The installed console script, as a user runs it; `python -m glutecoach` without one."""
    script = BIN / "glutecoach"
    return [str(script)] if script.exists() else [sys.executable, "-m", "glutecoach"]


def median_seconds(cmd: list[str], runs: int, env: dict[str, str] | None = None,
                   check: bool = True) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, env=env)
        times.append(time.perf_counter() - started)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: exit {done.returncode}: {done.stderr!r}")
    return statistics.median(times)


def proc_cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time of all the process's threads, and the resolution of that figure: nanoseconds
    from schedstat where the kernel keeps it, else clock ticks (10 ms) from stat."""
    try:
        return sum(int((task / "schedstat").read_text().split()[0])
                   for task in Path(f"/proc/{pid}/task").iterdir()) / 1e9, 1e-9
    except (OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        tick = 1 / os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) * tick, tick


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def wait_for(check: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"gave up waiting for {what}")


# --- the figures ------------------------------------------------------------------------------


def start_coach(env: dict[str, str], home: Path) -> subprocess.Popen[bytes]:
    from glutecoach.control import send

    coach = subprocess.Popen([*glutecoach_command(), "--home", str(home), "run", "--headless"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: send(home, {"cmd": "status"}, timeout=2)["ok"], "the coach to answer", 60)
    time.sleep(3)  # start-up done: the first poll, the session watcher
    return coach


def stop_coach(env: dict[str, str], home: Path, coach: subprocess.Popen[bytes]) -> None:
    subprocess.run([*glutecoach_command(), "--home", str(home), "stop"], env=env,
                   capture_output=True, timeout=20)
    coach.wait(20)


def idle_coach(work: Path, seconds: float, runs: int) -> list[Figure]:
    sys.path.insert(0, str(ROOT))
    from glutecoach.control import send
    from tests.desktop.harness import start_bus, start_xvfb

    xvfb = start_xvfb(work)
    bus = start_bus(work / "bus")
    runtime = work / "runtime"
    runtime.mkdir(mode=0o700)
    # A user's desktop: Python writes bytecode caches (the coach runs with -OO, whose caches pip
    # does not make at install). A fresh cache folder makes the first start a true first start.
    env = {k: v for k, v in os.environ.items()
           if k not in ("WAYLAND_DISPLAY", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env.update(DISPLAY=xvfb.display, DBUS_SESSION_BUS_ADDRESS=bus.address,
               XDG_RUNTIME_DIR=str(runtime), XDG_SESSION_TYPE="x11",
               DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={work / 'no-system-bus'}",
               XDG_CONFIG_HOME=str(work / "xdg-config"),
               PYTHONPYCACHEPREFIX=str(work / "pycache"))
    home = work / "coach-home"
    coach = None
    try:
        # Day one: the interpreter compiles every module it imports, and the database is new.
        coach = start_coach(env, home)
        first_rss = proc_rss_mb(coach.pid)
        stop_coach(env, home, coach)
        # Every later day: caches in place, the history there.
        coach = start_coach(env, home)
        (cpu0, tick), t0 = proc_cpu_seconds(coach.pid), time.monotonic()
        time.sleep(seconds)
        (cpu1, _), t1 = proc_cpu_seconds(coach.pid), time.monotonic()
        rss = proc_rss_mb(coach.pid)
        per_minute = (cpu1 - cpu0) / (t1 - t0) * 60

        status_cli = median_seconds([*glutecoach_command(), "--home", str(home), "status"],
                                    runs, env=env)
        trips = []
        for _ in range(runs * 4):
            started = time.perf_counter()
            send(home, {"cmd": "status"})
            trips.append(time.perf_counter() - started)
        trip = statistics.median(trips)
        stop_coach(env, home, coach)
    finally:
        if coach is not None and coach.poll() is None:
            coach.kill()
        bus.stop()
        xvfb.stop()
    return [
        Figure("idle coach: RSS", rss, "MB", "<= 60", rss <= 60,
               "Workrave 41.5, Safe Eyes 75"),
        Figure("idle coach: RSS on its first start", first_rss, "MB", "", None,
               "compiles its -OO bytecode once"),
        Figure(f"idle coach: CPU per minute ({seconds:g} s)", per_minute, "s/min", "<= 0.03",
               per_minute <= 0.03, f"resolution {tick:g} s; Workrave 0.07"),
        Figure("status: command line, end to end", status_cli * 1000, "ms", "< 150",
               status_cli < 0.150),
        Figure("status: control socket round trip", trip * 1000, "ms", "< 150", trip < 0.150),
    ]


def version(runs: int) -> list[Figure]:
    bare = median_seconds([sys.executable, "-c", "pass"], runs)
    ours = median_seconds([*glutecoach_command(), "--version"], runs)
    ratio = ours / bare
    return [
        Figure("bare interpreter start", bare * 1000, "ms", "", None),
        Figure("glutecoach --version", ours * 1000, "ms", "", None),
        Figure("glutecoach --version / bare interpreter", ratio, "x", "<= 6", ratio <= 6),
    ]


def year_and_report(work: Path) -> list[Figure]:
    spec = importlib.util.spec_from_file_location("simulate_year",
                                                  ROOT / "benchmarks" / "simulate_year.py")
    assert spec is not None and spec.loader is not None
    year_module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = year_module
    spec.loader.exec_module(year_module)
    rows = year_module.year_trace(2026, 2026)
    trace = work / "year.csv"
    trace.write_text("at,until,event\n" + "\n".join(r.csv() for r in rows) + "\n")
    config = work / "config.toml"
    config.write_text(year_module.CONFIG)
    home = work / "year-home"
    base = [*glutecoach_command(), "--config", str(config), "--home", str(home)]

    started = time.perf_counter()
    done = subprocess.run([*base, "simulate", str(trace), "--record", "--json"],
                          capture_output=True, text=True)
    record = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"simulate --record: {done.stderr}")
    figures = [Figure("simulate --record: a year of workdays", record, "s", "< 5", record < 5,
                      f"{len(rows)} trace rows")]

    week = "2026-W24"
    probe = subprocess.run([*base, "report", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        figures.append(Figure(f"report --week {week} --json", None, "s", "< 1", None,
                              "no `glutecoach report` command in this version"))
        return figures
    report = median_seconds([*base, "report", "--week", week, "--json"], 5)
    figures.append(Figure(f"report --week {week} --json (from a year)", report, "s", "< 1",
                          report < 1))
    return figures


def desktop_figures(work: Path, idle_seconds: float, runs: int) -> tuple[list[Figure],
                                                                          list[str]]:
    work.mkdir()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from desktop_footprint import desktop_figures as measure

    return measure(work, idle_seconds, runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=15, help="runs per timed command")
    parser.add_argument("--desktop-runs", type=int, default=3,
                        help="runs of the desktop coach and of each peer")
    parser.add_argument("--no-desktop", action="store_true",
                        help="leave out the desktop coach and its peers (needs the SNI panel)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="glutecoach-footprint-"))
    try:
        figures = version(args.runs) + year_and_report(work)
        figures += idle_coach(work, args.idle_seconds, args.runs)
        breakdown: list[str] = []
        if not args.no_desktop:
            desktop, breakdown = desktop_figures(work / "desktop", args.idle_seconds,
                                                 args.desktop_runs)
            figures += desktop
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps([f.__dict__ for f in figures], indent=2))
    else:
        print(f"GluteCoach footprint on {os.uname().nodename} ({os.cpu_count()} CPUs), "
              f"Python {sys.version.split()[0]}")
        for f in figures:
            print(f.line())
        if breakdown:
            print("\n".join(breakdown))
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())

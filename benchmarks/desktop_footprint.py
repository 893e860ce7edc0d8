"""The coach as a user has it, beside its peers, on one StatusNotifier desktop (issue 12):

  - Xvfb, a private session bus, a StatusNotifierWatcher with gtk-sni-tray-standalone as the
    panel, and dunst as the notification server;
  - `glutecoach run` with its D-Bus tray, on its second start (bytecode caches in place), after it
    has shown its first prompt (`break-now`, then `skip`: the notification's code is loaded), idle
    for `idle_seconds` with nobody at the keyboard: RSS, CPU-seconds and context switches a minute;
  - Workrave and Safe Eyes on the same desktop, where they are installed, measured the same way;
  - where the coach's memory goes: the modules it had loaded, imported again in a fresh `python
    -OO` library by library (leaves first, each charged with what its own import adds, the
    standard-library modules it pulls in included).

`desktop_figures(work, idle_seconds, runs)` is what footprint.py calls.

Usage:  python benchmarks/desktop_footprint.py [--idle-seconds 60] [--runs 3]
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from glutecoach.coach.launch import LEAN

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 55
PEERS = {"Workrave": ["workrave"], "Safe Eyes": ["safeeyes"]}

# Loaded by the coach's interpreter from PYTHONPATH: at a clean exit it writes what it imported,
# in the order it imported it.
RECORDER = """
import atexit, json, os, sys

def _record():
    with open(os.environ["GLUTECOACH_BENCH_MODULES"], "w") as f:
        json.dump(list(sys.modules), f)

atexit.register(_record)
"""


def _tools() -> Any:
    for path in (str(ROOT), str(ROOT / "benchmarks")):
        if path not in sys.path:
            sys.path.insert(0, path)
    import footprint

    return footprint


def context_switches(pid: int) -> int:
    """Voluntary and involuntary context switches of all the process's threads so far."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


class Desktop:
    """Xvfb, a bus, a StatusNotifier panel with its watcher, and dunst."""

    def __init__(self, work: Path) -> None:
        _tools()
        from tests.desktop.harness import start_bus, start_dunst, start_xvfb, stop
        from tests.desktop.sni_host import Watcher, start_host

        self._stop = stop
        self.closers: list[Callable[[], None]] = []
        runtime = work / "runtime"
        runtime.mkdir(mode=0o700, exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if k not in ("WAYLAND_DISPLAY", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX",
                            "PYTHONPATH", "PYSTRAY_BACKEND")}
        env.update(XDG_RUNTIME_DIR=str(runtime), XDG_SESSION_TYPE="x11",
                   DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={work / 'no-system-bus'}",
                   XDG_CONFIG_HOME=str(work / "xdg-config"), HOME=str(work / "user"),
                   PYTHONPYCACHEPREFIX=str(work / "pycache"))
        (work / "user").mkdir(exist_ok=True)
        (work / "xdg-config" / "safeeyes" / "style").mkdir(parents=True, exist_ok=True)
        try:
            xvfb = start_xvfb(work, "1280x800x24")
            self.closers.append(xvfb.stop)
            bus = start_bus(work / "bus")
            self.closers.append(bus.stop)
            env.update(DISPLAY=xvfb.display, DBUS_SESSION_BUS_ADDRESS=bus.address)
            self.watcher = Watcher(bus.address, work / "watcher.log")
            self.closers.append(self.watcher.stop)
            host = start_host(env, self.watcher, work / "sni-host.log")
            self.closers.append(lambda: stop(host))
            self.dunst = start_dunst(dict(env), work / "dunst")
            self.closers.append(self.dunst.stop)
            # Safe Eyes will not start without a system bus; an empty one of our own does.
            system_bus = start_bus(work / "system-bus")
            self.closers.append(system_bus.stop)
        except BaseException:
            self.close()
            raise
        self.env = env
        self.peer_env = dict(env, DBUS_SYSTEM_BUS_ADDRESS=system_bus.address)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()


def _idle(pid: int, seconds: float) -> tuple[float, float, float]:
    """(RSS MB at the end, CPU-s a minute, context switches a minute) over `seconds` of idling."""
    tools = _tools()
    (cpu0, _), switches0, t0 = tools.proc_cpu_seconds(pid), context_switches(pid), time.monotonic()
    time.sleep(seconds)
    (cpu1, _), switches1, t1 = tools.proc_cpu_seconds(pid), context_switches(pid), time.monotonic()
    minutes = (t1 - t0) / 60
    return tools.proc_rss_mb(pid), (cpu1 - cpu0) / minutes, (switches1 - switches0) / minutes


def _coach_once(desktop: Desktop, work: Path, idle_seconds: float,
                record: Path | None = None) -> tuple[float, float, float]:
    """One start of the coach with its tray; its first prompt, then idle."""
    tools = _tools()
    from glutecoach.control import send

    home = work / "coach-home"
    env = dict(desktop.env)
    if record is not None:
        probe = work / "probe"
        probe.mkdir(exist_ok=True)
        (probe / "sitecustomize.py").write_text(RECORDER)
        env.update(PYTHONPATH=str(probe), GLUTECOACH_BENCH_MODULES=str(record))
    with open(work / "coach.log", "ab") as log:
        coach = subprocess.Popen([*tools.glutecoach_command(), "--home", str(home), "run"],
                                 env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        tools.wait_for(lambda: send(home, {"cmd": "status"}, timeout=2)["ok"],
                       "the coach to answer", 60)
        tools.wait_for(lambda: len(desktop.watcher.items()) == 1, "the icon on the panel")
        shown = desktop.dunst.count("history") + desktop.dunst.count("displayed")
        send(home, {"cmd": "break-now"})
        tools.wait_for(lambda: desktop.dunst.count("displayed") > 0, "dunst to show the prompt")
        send(home, {"cmd": "answer", "answer": "skip"})
        tools.wait_for(lambda: desktop.dunst.count("history") + desktop.dunst.count("displayed")
                       > shown, "the prompt in dunst's history")
        time.sleep(3)  # the answer's effects settle: the bubble withdrawn, the window closed
        return _idle(coach.pid, idle_seconds)
    finally:
        subprocess.run([*tools.glutecoach_command(), "--home", str(home), "stop"], env=env,
                       capture_output=True, timeout=20)
        try:
            coach.wait(20)
        except subprocess.TimeoutExpired:
            coach.kill()
            coach.wait(5)


def _peer_once(desktop: Desktop, argv: list[str], work: Path,
               idle_seconds: float) -> tuple[float, float, float]:
    with open(work / f"{argv[0]}.log", "ab") as log:
        proc = subprocess.Popen(argv, env=desktop.peer_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(10)  # started, its icon and timers up
        if proc.poll() is not None:
            raise RuntimeError(f"{argv[0]} ended at once (see {work / argv[0]}.log)")
        return _idle(proc.pid, idle_seconds)
    finally:
        desktop._stop(proc)


def library_breakdown(modules: list[str], env: dict[str, str]) -> list[tuple[str, float]]:
    """MB per library of the recorded modules, re-imported in a fresh interpreter run as the
    coach's is (`LEAN`): libraries
    leaves first (one imported alone tells which others it pulls in), each charged with what its
    own import adds; then the rest of the standard library; medians of three runs. `env` is the
    coach's: its bytecode caches, so that nothing is compiled (compiling costs memory too)."""
    stdlib = set(sys.stdlib_module_names)

    def top(name: str) -> str:
        return name.split(".")[0]

    libraries = []
    for name in modules:
        t = top(name)
        if t not in stdlib and not t.startswith("_") and t not in ("__main__", "sitecustomize") \
                and t not in libraries:
            libraries.append(t)
    pulls = {lib: _pulled_in(modules, lib, libraries, env) for lib in libraries}
    order: list[str] = []

    def visit(lib: str, path: tuple[str, ...] = ()) -> None:
        if lib in order or lib in path:
            return
        for other in pulls[lib]:
            visit(other, (*path, lib))
        order.append(lib)

    for lib in libraries:
        visit(lib)
    runs = [_charged(modules, order, env) for _ in range(3)]
    return [(name, statistics.median(run[name] for run in runs)) for name in runs[0]]


_IMPORT_ONE = """
import importlib, json, sys
modules, lib = json.loads(sys.argv[1]), sys.argv[2]
for m in modules:
    if m == lib or m.startswith(lib + "."):
        try:
            importlib.import_module(m)
        except BaseException:
            pass
print(json.dumps(sorted({k.split(".")[0] for k in sys.modules})))
"""

_IMPORT_ALL = """
import importlib, json, sys
modules, order = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
charged = {"python (the interpreter)": rss()}
for lib in order:
    before = rss()
    for m in modules:
        if m == lib or m.startswith(lib + "."):
            try:
                importlib.import_module(m)
            except BaseException:
                pass
    charged[lib] = rss() - before
before = rss()
for m in modules:
    try:
        importlib.import_module(m)
    except BaseException:
        pass
charged["standard library (the rest)"] = rss() - before
charged["all imports"] = rss()
print(json.dumps(charged))
"""


def _pulled_in(modules: list[str], lib: str, libraries: list[str],
               env: dict[str, str]) -> list[str]:
    done = subprocess.run([sys.executable, *LEAN, "-c", _IMPORT_ONE, json.dumps(modules), lib],
                          capture_output=True, text=True, check=True, env=env)
    return [other for other in json.loads(done.stdout) if other in libraries and other != lib]


def _charged(modules: list[str], order: list[str], env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, *LEAN, "-c", _IMPORT_ALL, json.dumps(modules),
                           json.dumps(order)], capture_output=True, text=True, check=True,
                          env=env)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def desktop_figures(work: Path, idle_seconds: float = 60, runs: int = 3) -> tuple[list[Any],
                                                                                  list[str]]:
    """The figures, and the lines of the per-library breakdown."""
    tools = _tools()
    Figure = tools.Figure
    desktop = Desktop(work)
    record = work / "modules.json"
    try:
        _coach_once(desktop, work, 1)  # day one: bytecode caches and the database are made
        coach = [_coach_once(desktop, work, idle_seconds, record if i == 0 else None)
                 for i in range(runs)]
        peers = {}
        for name, argv in PEERS.items():
            if shutil.which(argv[0]):
                peers[name] = [_peer_once(desktop, argv, work, idle_seconds) for _ in range(runs)]
    finally:
        desktop.close()

    def med(values: list[tuple[float, float, float]], i: int) -> float:
        return statistics.median(v[i] for v in values)

    rss = med(coach, 0)
    figures = [
        Figure("desktop coach (D-Bus tray, after a prompt): RSS", rss, "MB", f"<= {TARGET_MB}",
               rss <= TARGET_MB, f"medians of {runs}"),
        Figure("desktop coach: CPU per minute", med(coach, 1), "s/min", "", None),
        Figure("desktop coach: context switches per minute", med(coach, 2), "/min", "", None),
    ]
    for name, argv in PEERS.items():
        if name not in peers:
            figures.append(Figure(f"{name}: RSS", None, "MB", "", None,
                                  f"not installed ({argv[0]})"))
            continue
        figures += [Figure(f"{name}: RSS", med(peers[name], 0), "MB", "", None),
                    Figure(f"{name}: CPU per minute", med(peers[name], 1), "s/min", "", None),
                    Figure(f"{name}: context switches per minute", med(peers[name], 2), "/min",
                           "", None)]
    lines = [f"  {name:<30} {mb:6.2f} MB"
             for name, mb in library_breakdown(json.loads(record.read_text()), desktop.env)]
    return figures, ["where the desktop coach's memory goes (imports only):", *lines]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="glutecoach-desktop-footprint-"))
    try:
        figures, breakdown = desktop_figures(work, args.idle_seconds, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for f in figures:
        print(f.line())
    print("\n".join(breakdown))
    return 0 if all(f.ok is not False for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())

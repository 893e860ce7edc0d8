"""Kill the coach with SIGKILL at random moments while it records, restart it, again and again.

A real `glutecoach run --headless` on a virtual desktop (Xvfb, a private D-Bus with dunst), with
rules in seconds and a pointer that keeps moving, so the coach writes all the time (the open
stretch's end at every poll, prompts, breaks). Between kills, prompts are answered through the
command line. Checked:
  - every start after a kill succeeds (the stale lock, pid file and socket are recognised), and
    in between, `status` says that no coach is running (the socket file left behind is stale);
  - at the end `PRAGMA integrity_check` is ok;
  - every answer the command line reported as taken is in the database with its outcome;
  - no record ends before it starts, and no break is left open after a clean stop.

Usage:  python benchmarks/kill_loop.py [--kills 50] [--seed N] [--keep DIR]
(tests/desktop/test_kill_loop.py runs a short loop of this in CI.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Seconds, not minutes: sit 1.8 s, a break 1.2 s, away 2.4 s, an answer within 6 s.
FAST = """
[schedule]
timezone = "UTC"
sit_minutes = 0.03
break_minutes = 0.02
away_after_minutes = 0.04
snooze_minutes = 0.02
max_snoozes = 2
response_minutes = 0.1
[schedule.hours]
mon = ["00:00-24:00"]
tue = ["00:00-24:00"]
wed = ["00:00-24:00"]
thu = ["00:00-24:00"]
fri = ["00:00-24:00"]
sat = ["00:00-24:00"]
sun = ["00:00-24:00"]
[desktop]
tray = false
notification_timeout_seconds = 3
"""
OUTCOME = {"done": {"done"}, "skip": {"skipped"}, "snooze": {"snoozed", "skipped"}}


class Pointer:
    """Moves the X pointer every 0.25 s: a user at work, for the idle time the coach reads."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        step = 1
        while not self._stop.wait(0.25):
            subprocess.run(["xdotool", "mousemove_relative", "--", str(step), "0"],
                           env=self.env, check=False, timeout=5)
            step = -step

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


@dataclass
class Answer:
    word: str
    sent: datetime
    taken: datetime


@dataclass
class Result:
    kills: int = 0
    answers: list[Answer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


class CoachProcess:
    def __init__(self, env: dict[str, str], home: Path, config: Path) -> None:
        self.env, self.home, self.config = env, home, config
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = home.parent / "runs.log"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "glutecoach", "--home", str(self.home),
                               "--config", str(self.config), *args], env=self.env,
                              capture_output=True, text=True, timeout=30)

    def start(self, timeout: float = 20.0) -> str | None:
        """Start and wait until it answers; the problem if it did not."""
        from glutecoach.control import send

        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "glutecoach", "--home", str(self.home), "--config",
                 str(self.config), "run", "--headless"], env=self.env, stdout=out,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return f"the coach exited with {self.proc.returncode} at start: {self._tail()}"
            try:
                if send(self.home, {"cmd": "status"}, timeout=2).get("ok"):
                    return None
            except Exception:
                pass
            time.sleep(0.05)
        return f"the coach did not answer within {timeout:g} s: {self._tail()}"

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> str | None:
        done = self.cli("stop")
        if done.returncode != 0 or self.proc is None or self.proc.wait(20) != 0:
            return f"a clean stop failed: {done.stderr.strip()} {self._tail()}"
        return None

    def _tail(self) -> str:
        return self.log.read_text(errors="replace")[-600:] if self.log.exists() else ""


def answer(coach: CoachProcess, rng: random.Random, result: Result) -> None:
    word = rng.choice(["done", "skip", "snooze"])
    sent = datetime.now(UTC)
    done = coach.cli(word)
    if done.returncode == 0:
        result.answers.append(Answer(word, sent, datetime.now(UTC)))
    elif "no prompt is pending" not in done.stderr and "no coach" not in done.stderr:
        result.problems.append(f"{word}: exit {done.returncode}: {done.stderr.strip()}")


def one_life(coach: CoachProcess, rng: random.Random, result: Result) -> None:
    """What happens between a start and the kill: prompts asked for and answered, or just
    recording, for a random while."""
    plan = rng.random()
    if plan < 0.45:
        coach.cli("break-now")
        answer(coach, rng, result)
    elif plan < 0.7:
        time.sleep(rng.uniform(1.5, 3.0))  # long enough for a prompt of the coach's own
        answer(coach, rng, result)
    time.sleep(rng.choice([0.0, rng.uniform(0.0, 0.3), rng.uniform(0.3, 2.0)]))


def check_database(db: Path, result: Result) -> None:
    conn = sqlite3.connect(db)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            result.problems.append(f"integrity_check: {check[:3]}")
        rows = conn.execute("SELECT outcome, auto, answered_utc FROM prompts").fetchall()
        for a in result.answers:
            lo = (a.sent - timedelta(seconds=1)).replace(tzinfo=None).isoformat(" ")
            hi = (a.taken + timedelta(seconds=1)).replace(tzinfo=None).isoformat(" ")
            if not any(o in OUTCOME[a.word] and not auto and t and lo <= t <= hi
                       for o, auto, t in rows):
                result.problems.append(f"the answer {a.word} at {a.sent:%H:%M:%S.%f} is lost")
        for table, start, end in (("stretches", "start_utc", "end_utc"),
                                  ("breaks", "start_utc", "end_utc")):
            bad = conn.execute(f"SELECT count(*) FROM {table} WHERE {end} < {start}").fetchone()
            if bad[0]:
                result.problems.append(f"{bad[0]} {table} end before they start")
        left_open = conn.execute("SELECT count(*) FROM breaks WHERE end_utc IS NULL").fetchone()
        if left_open[0]:
            result.problems.append(f"{left_open[0]} breaks left open after a clean stop")
    finally:
        conn.close()


def kill_loop(env: dict[str, str], workdir: Path, kills: int, seed: int,
              say: Callable[[str], None] = lambda _s: None) -> Result:
    rng = random.Random(seed)
    home, config = workdir / "home", workdir / "config.toml"
    config.write_text(FAST)
    env = dict(env, PYTHONUNBUFFERED="1")
    coach = CoachProcess(env, home, config)
    result = Result()
    pointer = Pointer(env)
    started = time.monotonic()
    try:
        for n in range(kills):
            problem = coach.start()
            if problem:
                result.problems.append(f"start {n + 1}: {problem}")
                break
            one_life(coach, rng, result)
            coach.kill()
            result.kills += 1
            # The dead coach's socket file is still there: the CLI must see nobody behind it.
            dead = coach.cli("status")
            if dead.returncode != 1 or "no coach is running" not in dead.stderr:
                result.problems.append(f"status after kill {n + 1}: exit {dead.returncode}: "
                                       f"{dead.stderr.strip()}")
            say(f"kill {n + 1}/{kills}: {len(result.answers)} answers so far")
        else:
            problem = coach.start() or coach.stop()
            if problem:
                result.problems.append(f"the last start: {problem}")
    finally:
        pointer.stop()
        if coach.proc is not None and coach.proc.poll() is None:
            coach.proc.kill()
            coach.proc.wait(10)
    result.seconds = time.monotonic() - started
    if (home / "glutecoach.db").exists():
        check_database(home / "glutecoach.db", result)
    else:
        result.problems.append("no database was written")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    parser.add_argument("--keep", type=Path, help="keep the home and logs in this directory")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.desktop.harness import need, start_bus, start_dunst, start_xvfb

    need("xdotool")
    work = args.keep or Path(tempfile.mkdtemp(prefix="glutecoach-kill-"))
    work.mkdir(parents=True, exist_ok=True)
    runtime = work / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    xvfb = start_xvfb(work)
    bus = start_bus(work / "bus")
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env.update(DISPLAY=xvfb.display, DBUS_SESSION_BUS_ADDRESS=bus.address,
               XDG_RUNTIME_DIR=str(runtime), XDG_SESSION_TYPE="x11",
               DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={work / 'no-system-bus'}")
    dunst = start_dunst(dict(env), work / "dunst")
    try:
        print(f"seed {args.seed}; work dir {work}")
        result = kill_loop(env, work, args.kills, args.seed, say=print)
    finally:
        dunst.stop()
        bus.stop()
        xvfb.stop()
    print(json.dumps({"kills": result.kills, "answers": len(result.answers),
                      "seconds": round(result.seconds, 1), "problems": result.problems},
                     indent=2))
    if not args.keep and not result.problems:
        shutil.rmtree(work, ignore_errors=True)  # kept for a look when something went wrong
    return 1 if result.problems or result.kills < args.kills else 0


if __name__ == "__main__":
    sys.exit(main())

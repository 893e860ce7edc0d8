"""`glutecoach run` end to end on a real desktop stack: Xvfb for idle time (driven by xdotool), a
private session bus with dunst for notifications, the control socket for the CLI, a real SQLite
file. The rules run with tiny durations (seconds, not minutes) so a whole day fits in a test."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.config_helpers import ALL_WEEK_HOURS

from .harness import Dunst, need, need_module, wait_for

# sit 6 s, break 3 s, away 6 s, answer within 20 s; every day is a work day.
FAST = """
[schedule]
timezone = "UTC"
sit_minutes = 0.1
break_minutes = 0.05
away_after_minutes = 0.1
snooze_minutes = 0.1
max_snoozes = 2
response_minutes = 0.33
""" + ALL_WEEK_HOURS + """[desktop]
tray = false
notification_timeout_seconds = 3
"""


@pytest.fixture(autouse=True)
def _needs_desktop() -> None:
    need("xdotool")
    need_module("jeepney")


class Typist:
    """Moves the pointer on the display every 0.3 s while `typing` is set: a user at work."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.typing = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        step = 1
        while not self._stop.is_set():
            if self.typing.is_set():
                subprocess.run(["xdotool", "mousemove_relative", "--", str(step), "0"],
                               env=self.env, check=False, timeout=5)
                step = -step
            time.sleep(0.3)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


class Coach:
    def __init__(self, env: dict[str, str], home: Path, config: Path) -> None:
        self.env, self.home, self.config = env, home, config
        self.log = home.parent / "run.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "glutecoach", "--home", str(self.home),
                               "--config", str(self.config), *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)

    def start(self) -> None:
        out = open(self.log, "wb")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "glutecoach", "--home", str(self.home), "--config",
             str(self.config), "run"], env=self.env, stdout=out, stderr=subprocess.STDOUT)
        wait_for(lambda: self.cli("status").returncode == 0 or self._died(), "the coach to answer",
                 timeout=20)
        assert not self._died(), self.log.read_text()

    def _died(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def status(self) -> dict[str, Any]:
        done = self.cli("status", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def wait_pending(self, timeout: float = 20) -> dict[str, Any]:
        return wait_for(lambda: self.status()["pending_prompt"], "a prompt", timeout=timeout)

    def prompts(self) -> list[tuple[str, int, int | None]]:
        with sqlite3.connect(self.home / "glutecoach.db") as db:
            return db.execute("SELECT outcome, auto, delivered FROM prompts ORDER BY id").fetchall()


@pytest.fixture
def coach(desktop_env: dict[str, str], dunst: Dunst, tmp_path: Path) -> Iterator[Coach]:
    config = tmp_path / "config.toml"
    config.write_text(FAST)
    env = dict(desktop_env, PYTHONUNBUFFERED="1")
    c = Coach(env, tmp_path / "home", config)
    yield c
    if c.proc is not None and c.proc.poll() is None:
        c.proc.kill()
        c.proc.wait(5)


def test_a_day_with_the_coach(coach: Coach, dunst: Dunst, desktop_env: dict[str, str]) -> None:
    typist = Typist(desktop_env)
    try:
        typist.typing.set()
        coach.start()

        # A second coach for the same home is refused.
        second = coach.cli("run", "--headless")
        assert second.returncode == 1
        assert "already running" in second.stderr and "Traceback" not in second.stderr

        # 1. Sitting reaches the limit: a prompt with buttons reaches dunst.
        pending = coach.wait_pending()
        assert pending["at"]
        # The coach's own title: other tests' "Glute break <tag>" may be in dunst's history.
        note = dunst.wait_for_notification(
            lambda n: n["summary"].startswith("Time for a glute break"))
        assert "Break:" in note["body"]

        # 2. Answered from the CLI.
        done = coach.cli("done")
        assert done.returncode == 0, done.stderr
        assert coach.status()["pending_prompt"] is None
        again = coach.cli("done")
        assert again.returncode == 1 and "no prompt is pending" in again.stderr

        # 3. The next prompt is answered from the notification's Skip button.
        coach.wait_pending()
        wait_for(lambda: dunst.count("displayed") > 0, "the prompt bubble")
        dunst.context(choose="Skip")
        wait_for(lambda: coach.status()["pending_prompt"] is None, "the skip to arrive")

        # 4. The next prompt: the user gets up (no input) and the break is recorded as done (auto).
        coach.wait_pending()
        typist.typing.clear()
        wait_for(lambda: len(coach.prompts()) == 3 and coach.prompts()[2][0] == "done",
                 "the prompted break", timeout=20)

        # 5. A broken config on reload is refused; the coach goes on.
        good = coach.config.read_text()
        coach.config.write_text(good.replace("sit_minutes = 0.1", "sit_minutes = -1"))
        bad = coach.cli("reload")
        assert bad.returncode == 1 and "sit_minutes" in bad.stderr
        coach.config.write_text(good)
        assert coach.status()["state"] in ("away", "active")

        # 6. Stop: a clean exit, the socket and lock released.
        assert coach.cli("stop").returncode == 0
        assert coach.proc is not None
        assert coach.proc.wait(15) == 0
        assert not (coach.home / "control.sock").exists()
    finally:
        typist.stop()

    rows = coach.prompts()
    assert rows == [("done", 0, 1), ("skipped", 0, 1), ("done", 1, 1)]
    log = (coach.home / "glutecoach.log").read_text()
    assert "prompt 1 shown" in log and "answer from the notification: skip" in log
    assert oct((coach.home / "glutecoach.db").stat().st_mode & 0o777) == "0o600"
    assert oct(coach.home.stat().st_mode & 0o777) == "0o700"


def test_no_display_and_no_bus_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'nobus'}"
    env["DBUS_SYSTEM_BUS_ADDRESS"] = f"unix:path={tmp_path / 'nobus'}"
    env["XDG_RUNTIME_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "glutecoach", "--home", str(tmp_path / "h"),
                           "run", "--headless"], env=env, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "cannot tell when you are at the keyboard" in done.stderr
    assert "DISPLAY" in done.stderr


def test_no_notification_server_still_records_the_prompt(
        desktop_env: dict[str, str], tmp_path: Path) -> None:
    """A bus with nobody serving notifications: the prompt is recorded as not delivered."""
    from .harness import start_bus

    bus = start_bus(tmp_path / "bus")
    try:
        env = dict(desktop_env, DBUS_SESSION_BUS_ADDRESS=bus.address)
        config = tmp_path / "config.toml"
        config.write_text(FAST)
        c = Coach(env, tmp_path / "home", config)
        typist = Typist(env)
        typist.typing.set()
        try:
            c.start()
            c.wait_pending()
            wait_for(lambda: c.prompts() and c.prompts()[0][2] is not None, "delivery recorded")
            assert c.prompts()[0][2] == 0
            assert "no notification server" in (c.home / "glutecoach.log").read_text()
            assert c.cli("stop").returncode == 0
            assert c.proc is not None and c.proc.wait(15) == 0
        finally:
            typist.stop()
            if c.proc is not None and c.proc.poll() is None:
                c.proc.kill()
    finally:
        bus.stop()



def test_no_prompt_during_a_meeting_and_one_right_after(
        coach: Coach, dunst: Dunst, desktop_env: dict[str, str]) -> None:
    """Do-not-disturb on the real dunst is the meeting signal; the prompt comes when it ends."""
    coach.config.write_text(FAST + '\n[meetings]\nsignals = ["do-not-disturb"]\n'
                            'poll_seconds = 1\n')
    typist = Typist(desktop_env)
    try:
        dunst.ctl("set-paused", "true")
        typist.typing.set()
        coach.start()
        time.sleep(12)  # two sitting limits (6 s) pass in the meeting
        st = coach.status()
        assert st["state"] == "in-meeting", st
        assert st["meeting"]["signal"] == "do-not-disturb"
        assert st["pending_prompt"] is None and coach.prompts() == []
        dunst.ctl("set-paused", "false")
        ended = time.monotonic()
        coach.wait_pending(timeout=10)
        assert time.monotonic() - ended < 5  # "within a minute": here, within the poll
        assert coach.status()["state"] == "active"
        with sqlite3.connect(coach.home / "glutecoach.db") as db:
            assert db.execute("SELECT deferred FROM prompts").fetchall() == [("do-not-disturb",)]
        assert coach.cli("stop").returncode == 0
        assert coach.proc is not None and coach.proc.wait(15) == 0
    finally:
        dunst.ctl("set-paused", "false")
        typist.stop()

"""Live config changes in the real coach: `glutecoach run` (the lean coach process it execs) on
Xvfb with dunst, its config saved as `config set` and editors save it, and what `status` shows
(the next prompt moves with the sitting limit) within 2 s of each save. A broken save leaves the
old rules in force and reaches dunst as one notification, however often it is saved."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from glutecoach.control import send
from tests.config_helpers import ALL_WEEK_HOURS

from .harness import Dunst, need, need_module, wait_for

LIMIT = 2.0  # seconds from a save to the rules in force: the promise
REFUSED = "GluteCoach did not apply your config"


def config_text(sit_minutes: float | str) -> str:
    return (f'[schedule]\ntimezone = "UTC"\nsit_minutes = {sit_minutes}\n' + ALL_WEEK_HOURS
            + "[desktop]\ntray = false\nnotification_timeout_seconds = 3\n")


@pytest.fixture(autouse=True)
def _needs_desktop() -> None:
    need("xdotool")
    need_module("jeepney")


class RunningCoach:
    def __init__(self, env: dict[str, str], home: Path, config: Path | None) -> None:
        self.env, self.home = env, home
        self.where = ["--home", str(home)] + (["--config", str(config)] if config else [])
        self.log = home.parent / "run.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "glutecoach", *self.where, "run"],
                                         env=self.env, stdout=out, stderr=subprocess.STDOUT)
        wait_for(lambda: self.status() or self.proc.poll() is not None,  # type: ignore[union-attr]
                 "the coach to answer", timeout=30)
        assert self.proc.poll() is None, self.log.read_text()

    def status(self) -> dict[str, Any]:
        """Straight from the control socket: a `glutecoach status` process would add its own
        start-up to every measurement."""
        reply = send(self.home, {"cmd": "status"})
        assert reply["ok"], reply
        return dict(reply["status"])

    def sitting(self) -> None:
        """The user moves the mouse: a sitting stretch is in progress."""
        subprocess.run(["xdotool", "mousemove_relative", "--", "5", "5"], env=self.env,
                       check=True, timeout=5)
        # (outside the default work hours, where a test may run, it is sitting all the same)
        wait_for(lambda: self.status()["state"] in ("active", "outside-hours"),
                 "a sitting stretch")

    def limit(self) -> float:
        """The sitting limit in force, in minutes, as status shows it: the next prompt's time
        less the start of the stretch (now less the seconds sat, to the second)."""
        st = self.status()
        start = datetime.fromisoformat(st["now"]) - timedelta(seconds=st["sitting_seconds"])
        return (datetime.fromisoformat(st["next_prompt_at"]) - start).total_seconds() / 60

    def limit_becomes(self, minutes: float, since: float) -> float:
        """Seconds from `since` until status shows the prompt `minutes` into the stretch."""
        wait_for(lambda: abs(self.limit() - minutes) < 2 / 60, f"a {minutes} min limit",
                 timeout=10)
        return time.monotonic() - since

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            send(self.home, {"cmd": "stop"})
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@pytest.fixture
def env(desktop_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    # Where the default config lives, empty: the tests say which config they use.
    e = dict(desktop_env, PYTHONUNBUFFERED="1", XDG_CONFIG_HOME=str(tmp_path / "xdg-config"))
    e.pop("GLUTECOACH_CONFIG", None)
    return e


@pytest.fixture
def coaches() -> Iterator[list[RunningCoach]]:
    started: list[RunningCoach] = []
    yield started
    for c in started:
        c.stop()


def save_atomically(path: Path, text: str) -> None:
    """As `config set`, the settings window and most editors save: a new file renamed over."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def save_in_place(path: Path, text: str) -> None:
    """As editors that keep the file's inode save: truncate, then write the text in parts."""
    with open(path, "w") as f:
        f.flush()
        f.write(text[: len(text) // 2])
        f.flush()
        time.sleep(0.05)
        f.write(text[len(text) // 2:])


def refusals(dunst: Dunst) -> int:
    if dunst.count("displayed") or dunst.count("waiting"):
        dunst.close_all()
    return sum(1 for n in dunst.history() if n["summary"] == REFUSED)


def test_a_running_coach_applies_each_saved_config_within_2_s(
        env: dict[str, str], dunst: Dunst, tmp_path: Path,
        coaches: list[RunningCoach]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(config_text(30))
    coach = RunningCoach(env, tmp_path / "home", config)
    coaches.append(coach)
    coach.start()
    coach.sitting()
    assert abs(coach.limit() - 30) < 2 / 60
    told_before = refusals(dunst)

    # Saved as `config set` saves: the stretch in progress gets the new limit.
    saved = time.monotonic()
    save_atomically(config, config_text(45))
    assert coach.limit_becomes(45, saved) < LIMIT

    # Saved by an editor that rewrites the file in place.
    saved = time.monotonic()
    save_in_place(config, config_text(40))
    assert coach.limit_becomes(40, saved) < LIMIT

    # Broken saves, as a user saves again and again while fixing it: the old rules stay, and
    # one notification says why, naming the file, the line and the key.
    for broken in ("-5", "", '"forty"'):
        save_in_place(config, config_text(broken))
        time.sleep(0.8)  # each one settles and is refused on its own
    assert abs(coach.limit() - 40) < 2 / 60
    note = dunst.wait_for_notification(lambda n: n["summary"] == REFUSED)
    assert note["body"].startswith(f"{config}:3: schedule.sit_minutes:")
    assert "old config stays in force" in note["body"]
    time.sleep(1.0)
    assert refusals(dunst) == told_before + 1

    # Deleted and written again (some editors and sync tools): the new text applies.
    config.unlink()
    time.sleep(0.05)
    saved = time.monotonic()
    config.write_text(config_text(20))
    assert coach.limit_becomes(20, saved) < LIMIT
    time.sleep(1.0)
    assert refusals(dunst) == told_before + 1  # a valid save shows nothing

    log = (coach.home / "glutecoach.log").read_text()
    assert log.count("reload failed, the old config stays in force") == 3
    assert "config reloaded from" in log and "changed: schedule.sit_minutes" in log
    assert "watching" in log and "(inotify)" in log


def test_a_coach_started_without_a_config_applies_the_first_one_saved(
        env: dict[str, str], tmp_path: Path, coaches: list[RunningCoach]) -> None:
    """No config file, not even its folder: the default config saved later is applied."""
    coach = RunningCoach(env, tmp_path / "home", None)
    coaches.append(coach)
    coach.start()
    coach.sitting()
    default = tmp_path / "xdg-config" / "glutecoach" / "config.toml"
    assert not default.parent.exists()
    default.parent.mkdir(parents=True)
    saved = time.monotonic()
    default.write_text(config_text(45))
    assert coach.limit_becomes(45, saved) < LIMIT

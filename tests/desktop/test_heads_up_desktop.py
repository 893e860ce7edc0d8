"""The heads-up before a prompt on a real desktop stack (issue 14): `glutecoach run` with tiny
durations on Xvfb (idle time, driven by xdotool), a private session bus with dunst, the control
socket and a real SQLite file. The heads-up reaches dunst `heads_up_seconds` before the prompt,
quietly (low urgency), and its Postpone, chosen in dunst's menu as a user would, snoozes the
coming prompt: history and status say so."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from glutecoach.control import send
from tests.config_helpers import ALL_WEEK_HOURS

from .harness import BusMonitor, Dunst, need, need_module, wait_for
from .test_coach_e2e import Coach, Typist

LEAD = 8  # heads_up_seconds
TITLE = f"Break in {LEAD} s: finish your sentence"
# sit 18 s, break 3 s, snooze 12 s; every day is a work day; no break window, no tray.
CONFIG = """
[schedule]
timezone = "UTC"
sit_minutes = 0.3
break_minutes = 0.05
away_after_minutes = 0.5
snooze_minutes = 0.2
max_snoozes = 1
response_minutes = 0.5
""" + ALL_WEEK_HOURS + f"""[desktop]
tray = false
break_window = false
notification_timeout_seconds = 3
heads_up_seconds = {LEAD}
"""


@pytest.fixture(autouse=True)
def _needs_desktop() -> None:
    need("xdotool")
    need_module("jeepney")


@pytest.fixture
def coach(desktop_env: dict[str, str], dunst: Dunst, tmp_path: Path) -> Iterator[Coach]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    c = Coach(dict(desktop_env, PYTHONUNBUFFERED="1"), tmp_path / "home", config)
    yield c
    if c.proc is not None and c.proc.poll() is None:
        c.proc.kill()
        c.proc.wait(5)


def on_screen(dunst: Dunst, title: str) -> list[str]:
    """The lines of dunst's context menu (every shown notification's actions) for `title`;
    none when nothing is shown (dunst then opens no menu)."""
    if not dunst.count("displayed"):
        return []
    dunst.context(choose=None)
    try:
        lines = dunst.offered(timeout=2)
    except TimeoutError:
        return []
    return [line for line in lines if f" ({title}) [" in line]


def notify_call(monitor_text: str, title: str) -> str:
    """dbus-monitor's lines for the first Notify call whose summary is `title`."""
    calls = monitor_text.split("method call")
    return next(c for c in calls if "member=Notify" in c and f'string "{title}"' in c)


def full_status(coach: Coach) -> dict[str, object]:
    """The coach's whole status over its socket (`status --json` leaves the clock and the
    heads-up out)."""
    return send(coach.home, {"cmd": "status"})["status"]  # type: ignore[no-any-return]


def prompt_rows(coach: Coach) -> list[tuple[str, int, int | None]]:
    with sqlite3.connect(coach.home / "glutecoach.db") as db:
        return db.execute("SELECT outcome, snoozes, delivered FROM prompts ORDER BY id").fetchall()


def test_heads_up_before_the_prompt_and_its_postpone_snoozes_it(
        coach: Coach, dunst: Dunst, desktop_env: dict[str, str],
        bus_monitor: BusMonitor) -> None:
    typist = Typist(desktop_env)
    try:
        typist.typing.set()
        coach.start()

        # 1. The heads-up is on screen LEAD seconds before the prompt, with its two buttons.
        offered = wait_for(lambda: on_screen(dunst, TITLE), "the heads-up on dunst", timeout=30)
        st = full_status(coach)
        lead = (datetime.fromisoformat(st["heads_up_for"])
                - datetime.fromisoformat(st["now"])).total_seconds()
        assert 0 < lead <= LEAD, st
        assert st["pending_prompt"] is None  # the prompt itself is not due yet
        assert any("#Postpone 12 s" in line and line.endswith(",postpone]") for line in offered)
        assert any("#Break now" in line and line.endswith(",break-now]") for line in offered)

        # 2. Postpone, chosen from dunst's menu: the coming prompt is shown and snoozed at once.
        dunst.context(choose=f"#Postpone 12 s ({TITLE})")
        wait_for(lambda: prompt_rows(coach) == [("snoozed", 0, 1)], "the postpone in history")
        st = full_status(coach)
        assert st["pending_prompt"] is None
        nxt = (datetime.fromisoformat(st["next_prompt_at"])
               - datetime.fromisoformat(st["now"])).total_seconds()
        assert 8 < nxt <= 12, st  # snooze_minutes from the press
        # Quiet: low urgency; gone from the screen once pressed.
        note = wait_for(lambda: next((n for n in dunst.history() if n["summary"] == TITLE),
                                     None), "the pressed heads-up to leave the screen")
        assert note["timeout"] == 0  # up until the prompt comes (or a button is pressed)
        # dunst's history has no urgency: the Notify call itself, as it went over the bus.
        call = notify_call(bus_monitor.text(), TITLE)
        assert re.search(r'string "urgency"\s+variant\s+byte 0', call), call  # low
        assert re.search(r'string "suppress-sound"\s+variant\s+boolean true', call), call
        assert not on_screen(dunst, TITLE)

        # 3. The snoozed prompt's heads-up offers no Postpone (max_snoozes = 1 is spent), and
        # the prompt then comes on time; the heads-up leaves when it does.
        again = wait_for(lambda: on_screen(dunst, TITLE), "the next heads-up", timeout=20)
        assert not any("Postpone" in line for line in again)
        coach.wait_pending()
        wait_for(lambda: not on_screen(dunst, TITLE), "the heads-up to be withdrawn")
        assert prompt_rows(coach) == [("snoozed", 0, 1), ("pending", 1, 1)]

        assert coach.cli("stop").returncode == 0
        assert coach.proc is not None and coach.proc.wait(15) == 0
    finally:
        typist.stop()
    log = (coach.home / "glutecoach.log").read_text()
    assert "answer from the heads-up: postpone" in log
    assert "shown and snoozed at once (postponed)" in log

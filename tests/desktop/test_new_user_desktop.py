"""What a new user hit on the desktop (issue 11, section 4), tried as they tried it: a real
`glutecoach run` on Xvfb with dunst (and trayer for the tray), driven from the command line,
from dunst's menu and with real clicks on the tray icon's menu."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.config_helpers import ALL_WEEK_HOURS

from .harness import Dunst, need, need_module, wait_for
from .test_coach_e2e import Coach, Typist
from .test_notify import actions_offered, context_menu
from .test_tray import X, click_row, open_menu, screenshot, xdotool

QUESTION = "Well done. How did that feel?"

# Prompts 6 s after the user sits down; breaks of 3 min, so that each plan has a glute block
# to rate (a shorter break is only a walk).
CONFIG = """
[schedule]
timezone = "UTC"
sit_minutes = 0.1
break_minutes = 3
away_after_minutes = 5
response_minutes = 2
""" + ALL_WEEK_HOURS + """[desktop]
tray = false
break_window = false
notification_timeout_seconds = 3
[meetings]
signals = []
"""


@pytest.fixture(autouse=True)
def _needs_desktop() -> None:
    need("xdotool")
    need_module("jeepney")


@pytest.fixture
def typist(desktop_env: dict[str, str]) -> Iterator[Typist]:
    t = Typist(desktop_env)
    try:
        yield t
    finally:
        t.stop()


def start_coach(env: dict[str, str], tmp_path: Path, config: str) -> Coach:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config.toml"
    path.write_text(config)
    coach = Coach(dict(env, PYTHONUNBUFFERED="1"), tmp_path / "home", path)
    coach.start()
    return coach


def stop_coach(coach: Coach) -> None:
    if coach.proc is None or coach.proc.poll() is not None:
        return
    coach.cli("stop")
    try:
        coach.proc.wait(15)
    except subprocess.TimeoutExpired:
        coach.proc.kill()
        coach.proc.wait(5)


def question_up(dunst: Dunst) -> bool:
    return set(actions_offered(dunst, QUESTION)) >= {"easy", "right", "hard"}


def test_the_feedback_question_stays_up_after_done_from_the_cli_and_from_the_bubble(
        desktop_env: dict[str, str], dunst: Dunst, typist: Typist, tmp_path: Path) -> None:
    """It was sent before the prompt's bubble was withdrawn and closed with it 0.3 s later, so
    nobody who answered "done" could say how the break felt (issue 11, 4.1)."""
    dunst.close_all()
    typist.typing.set()
    coach = start_coach(desktop_env, tmp_path, CONFIG)
    try:
        # 1. Done from the command line.
        coach.wait_pending()
        wait_for(lambda: dunst.count("displayed") > 0, "the prompt bubble")
        assert coach.cli("done").returncode == 0
        wait_for(lambda: question_up(dunst), "the how-did-it-feel question", timeout=5)
        time.sleep(2.0)  # it used to be gone 0.3 s after it came
        assert question_up(dunst), "the question was taken down"
        screenshot(desktop_env["DISPLAY"], tmp_path / "1-question-after-cli-done.png")

        # ...and it works: "Easy" from it is recorded and confirmed.
        context_menu(dunst, f"#Easy ({QUESTION})")
        wait_for(lambda: "feedback from the notification: easy"
                 in (coach.home / "glutecoach.log").read_text(), "the rating to arrive")
        noted = dunst.wait_for_notification(lambda n: n["summary"].startswith("Noted:"))
        assert "level 1 → 2" in str(noted["body"])

        # 2. Done from the prompt bubble's own action. (The coach notices the new stretch at
        # its next look, up to a minute away with 3-minute breaks: `break-now` is quicker.)
        dunst.close_all()
        assert coach.cli("break-now").returncode == 0
        coach.wait_pending()
        wait_for(lambda: dunst.count("displayed") > 0, "the next prompt bubble")
        context_menu(dunst, "#Done (Time for a glute break")
        wait_for(lambda: coach.status()["pending_prompt"] is None, "the done to arrive")
        wait_for(lambda: question_up(dunst), "the question after the bubble's Done", timeout=5)
        time.sleep(2.0)
        assert question_up(dunst), "the question was taken down"
    finally:
        stop_coach(coach)


def test_break_now_right_after_sitting_down_says_no_zero_minutes(
        desktop_env: dict[str, str], dunst: Dunst, typist: Typist, tmp_path: Path) -> None:
    """The bubble said "0 min sitting" after `break-now` (issue 11, 4.6)."""
    dunst.close_all()
    typist.typing.set()
    coach = start_coach(desktop_env, tmp_path, CONFIG.replace("sit_minutes = 0.1",
                                                              "sit_minutes = 30"))
    try:
        wait_for(lambda: coach.status()["state"] == "active", "the coach to see the typing")
        out = coach.cli("break-now")
        assert out.returncode == 0 and out.stdout == "Break prompt shown.\n"
        status = coach.cli("status").stdout
        assert status.startswith("Sitting for under a minute."), status
        wait_for(lambda: dunst.count("displayed") > 0, "the prompt bubble")
        screenshot(desktop_env["DISPLAY"], tmp_path / "break-now.png")
        titles = [line for line in context_menu(dunst, None) if "glute break" in line]
        assert titles and all("0 min" not in line for line in titles), titles
        assert any("(Time for a glute break)" in line for line in titles), titles
    finally:
        stop_coach(coach)


# --- the tray of a real coach --------------------------------------------------------------------

TRAY_CONFIG = CONFIG.replace("sit_minutes = 0.1", "sit_minutes = 30").replace(
    "tray = false", "tray = true")
FAKE_OPENER = """#!/bin/sh
# Stands in for the desktop's opener: says what it was asked to open, and goes.
echo "$@" >> "{log}"
"""


def zombies(pid: int) -> list[str]:
    """The children of `pid` that have exited and were never waited for (<defunct>)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state == "Z":
            found.append(stat.split(")", 1)[0] + ")")
    return found


def click_menu_row(x: X, display: str, pid: int, icon: tuple[int, int, int, int], row: int,
                   rows: int, shot: Path) -> None:
    """Open the icon's menu with a left click and click its `row`-th line of text (0 = the
    status line), checking that the menu shows `rows` lines."""
    click_row(display, open_menu(x, display, pid, icon, "1"), row, rows, shot)
    wait_for(lambda: not x.popup_menu(pid), "the menu to close")


# The coach's menu while nobody has been prompted: status, Take a break now, three pauses,
# Weekly report, Settings…, Quit.
MENU_ROWS = 8
WEEKLY_REPORT, SETTINGS = 5, 6


def children(pid: int) -> list[list[str]]:
    """The command lines of the running children of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(cmdline.decode().split("\0")[:-1])
    return found


def settings_windows(display: str) -> list[str]:
    done = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^GluteCoach settings"],
                          env={**os.environ, "DISPLAY": display}, capture_output=True, text=True,
                          timeout=10)
    return done.stdout.split()


def test_tray_report_and_config_show_progress_and_leave_no_zombies(
        desktop_env: dict[str, str], dunst: Dunst, tray_host: str, tmp_path: Path) -> None:
    """"Weekly report" took ~4 s with nothing on screen, and each xdg-open it and "Open config"
    started stayed <defunct> until the coach exited (issue 11, 4.10); every tray start printed
    a Gdk-CRITICAL (4.11). "Settings…" (issue 13, which replaced "Open config") starts
    `glutecoach settings` as the coach's child, which is reaped when its window closes."""
    need("import")
    need_module("gi")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opened = tmp_path / "opened.log"
    opener = bin_dir / "xdg-open"
    opener.write_text(FAKE_OPENER.format(log=opened))
    opener.chmod(0o755)
    env = dict(desktop_env, PATH=f"{bin_dir}{os.pathsep}{desktop_env['PATH']}")
    dunst.close_all()
    coach = start_coach(env, tmp_path, TRAY_CONFIG)
    x = X(tray_host)
    try:
        assert coach.proc is not None
        pid = coach.proc.pid
        wait_for(lambda: x.tray_icon(pid), "the coach's icon in trayer", timeout=15)
        # trayer may place the icon and move it into the panel a moment later: take its box
        # once two looks 0.3 s apart agree.

        def settled() -> tuple[int, int, int, int] | None:
            box = x.tray_icon(pid)
            time.sleep(0.3)
            again = x.tray_icon(pid)
            return box if box and box == again else None

        icon = wait_for(settled, "the icon to settle in trayer")

        clicked = time.monotonic()
        click_menu_row(x, tray_host, pid, icon, WEEKLY_REPORT, MENU_ROWS, tmp_path / "1-menu.png")
        building = dunst.wait_for_notification(
            lambda n: n["summary"].startswith("Building your weekly report"), timeout=5)
        assert time.monotonic() - clicked < 3  # at once, not once the report is done
        assert building and not opened.exists()  # still building: the page is not open yet
        wait_for(opened.exists, "the report to be opened", timeout=30)
        report = Path(opened.read_text().split()[0])
        assert report.is_file() and report.suffix == ".html"
        assert report.parent == coach.home / "reports"
        wait_for(lambda: not zombies(pid), "the opener to be reaped", timeout=3)

        icon = x.tray_icon(pid) or icon
        config_before = coach.config.read_bytes()
        click_menu_row(x, tray_host, pid, icon, SETTINGS, MENU_ROWS, tmp_path / "2-menu.png")
        wait_for(lambda: settings_windows(tray_host), "the settings window", timeout=30)
        [command] = [c for c in children(pid) if c[-1:] == ["settings"]]
        assert command[-3:] == ["--config", str(coach.config), "settings"]
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert "_tkinter" not in maps and "libtk" not in maps  # Tk is the child's, not the coach's
        time.sleep(0.5)  # the window takes the keyboard once it is mapped
        xdotool(tray_host, "key", "Escape")  # Cancel
        wait_for(lambda: not settings_windows(tray_host), "the settings window to close")
        wait_for(lambda: not zombies(pid), "the settings process to be reaped", timeout=3)
        time.sleep(1.0)
        assert zombies(pid) == []
        assert coach.config.read_bytes() == config_before
        assert len(opened.read_text().splitlines()) == 1  # no xdg-open for the settings
    finally:
        x.close()
        try:
            xdotool(tray_host, "key", "Escape")
        finally:
            stop_coach(coach)
    assert "Gdk-CRITICAL" not in coach.log.read_text()


def test_a_tray_start_prints_no_gdk_critical(
        desktop_env: dict[str, str], tray_host: str, tmp_path: Path) -> None:
    """Every tray start printed `Gdk-CRITICAL ... gdk_window_thaw_toplevel_updates` (issue 11,
    4.11). It came on most starts, not all: so the coach starts four times, each until its icon
    is docked, and none may print it."""
    need_module("gi")
    x = X(tray_host)
    try:
        for n in range(4):
            coach = start_coach(desktop_env, tmp_path / f"start-{n}", TRAY_CONFIG)
            try:
                assert coach.proc is not None
                pid = coach.proc.pid
                wait_for(lambda pid=pid: x.tray_icon(pid), "the icon to dock", timeout=15)
                time.sleep(0.5)  # GDK handles the embedding's X events after the icon shows
            finally:
                stop_coach(coach)
            out = coach.log.read_text()
            assert "GluteCoach is running (tray icon" in out, out
            assert "Gdk-CRITICAL" not in out, out
            # (A "dbind-WARNING" about the accessibility bus can come: this test bus starts no
            # services. It comes with either backend, and not on a desktop that has the bus.)
            assert "CRITICAL" not in out, out
    finally:
        x.close()


if sys.platform != "linux":  # pragma: no cover - /proc and XEmbed are Linux's
    pytestmark = pytest.mark.skip("Linux only")

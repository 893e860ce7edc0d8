"""Idle time on Wayland from ext-idle-notify-v1, against a real compositor: KWin 5.27 started
headless (--virtual) by the tests, with synthetic input over org_kde_kwin_fake_input. How and why
it is started that way: wayland_harness.py.

The adapter gets short notifications (1 s) here so a test takes seconds; the coach's own (5 s) is
what the end-to-end test runs with.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from glutecoach.presence import PresenceError, PresenceUnavailable, open_presence
from glutecoach.presence.idle_notices import IdleNotices
from glutecoach.presence.wayland import FINE_SECONDS, WaylandIdle
from tests.config_helpers import ALL_WEEK_HOURS

from . import wayland_harness
from .harness import wait_for
from .wayland_harness import (
    Compositor,
    FakeInput,
    IdleNotifierV2,
    Typist,
    start_kwin,
    tolerance,
)

kwin = wayland_harness.kwin
fake_input = wayland_harness.fake_input

FINE = 1.0  # seconds: the notification the adapter gets in these tests


def socket_path(compositor: Compositor) -> str:
    # An absolute path needs no XDG_RUNTIME_DIR in this process's environment.
    return str(compositor.runtime_dir / compositor.socket)


@pytest.fixture
def idle(kwin: Compositor) -> Iterator[WaylandIdle]:
    source = WaylandIdle(socket_path(kwin), timeouts=(FINE,))
    try:
        yield source
    finally:
        source.close()


def wait_idle(source: WaylandIdle, timeout: float = 5.0) -> float:
    return wait_for(lambda: source.read().idle_seconds, "the compositor's idled", timeout)


def test_kwin_offers_what_the_tests_rely_on(kwin: Compositor) -> None:
    offers = kwin.offers()
    for interface in ("ext_idle_notifier_v1", "wl_seat", "org_kde_kwin_fake_input"):
        assert interface in offers
    assert offers["ext_idle_notifier_v1"] == 1  # KWin 5.27: no get_input_idle_notification


def test_idle_grows_while_no_input_comes(idle: WaylandIdle, fake_input: FakeInput) -> None:
    gc.collect()  # the coach's process collects often: no protocol object may depend on luck
    typed = fake_input.key()
    first = wait_idle(idle)
    seen = time.monotonic()
    assert first == pytest.approx(seen - typed, abs=tolerance(FINE))
    time.sleep(0.7)
    second = idle.read().idle_seconds
    assert second - first == pytest.approx(time.monotonic() - seen, abs=0.05)
    assert idle.read().locked is None  # the lock state comes from the lock probes


def test_input_brings_idle_back_to_zero(idle: WaylandIdle, fake_input: FakeInput) -> None:
    fake_input.move()
    assert wait_idle(idle) >= FINE * (1 - 0.1)
    fake_input.move()
    wait_for(lambda: idle.read().idle_seconds == 0.0, "the compositor's resumed", timeout=2)
    fake_input.key()  # a key counts as much as the pointer
    assert idle.read().idle_seconds < 0.5


def test_each_idled_resumed_cycle_gives_the_last_input(
    kwin: Compositor, fake_input: FakeInput
) -> None:
    # Two notifications: the longer one's idled must not move the input the shorter one found.
    source = WaylandIdle(socket_path(kwin), timeouts=(2 * FINE, FINE))
    try:
        assert source.timeouts == [FINE, 2 * FINE]
        for inject in (fake_input.move, fake_input.key, fake_input.move):
            typed = inject()
            time.sleep(2 * FINE + 0.5)  # both idled
            derived = time.monotonic() - source.read().idle_seconds
            assert derived == pytest.approx(typed, abs=tolerance(FINE))
            fake_input.key()
            wait_for(lambda: source.read().idle_seconds == 0.0, "resumed", timeout=2)
    finally:
        source.close()


def test_the_listener_sleeps_while_nothing_happens(idle: WaylandIdle) -> None:
    (thread,) = [t for t in threading.enumerate() if t.name == "presence-wayland"]

    def cpu_seconds() -> float:
        fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1]
        utime, stime = fields.split()[11:13]
        return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")

    wait_idle(idle)  # past the notification's one idled: nothing more comes
    before = cpu_seconds()
    time.sleep(2)
    assert cpu_seconds() - before < 0.02


def test_close_stops_the_listener_and_frees_the_connection(kwin: Compositor) -> None:
    source = WaylandIdle(socket_path(kwin), timeouts=(FINE,))
    source.close()
    assert not [t for t in threading.enumerate() if t.name == "presence-wayland"]
    with pytest.raises(PresenceError, match="closed"):
        source.read()
    source.close()  # twice is harmless


@pytest.mark.parametrize("close", [True, False], ids=["closed", "left-open"])
def test_the_interpreter_exits_cleanly(kwin: Compositor, close: bool) -> None:
    # pywayland frees protocol objects in any order at exit; one freed after its display crashes.
    code = (
        "import sys; from glutecoach.presence.wayland import WaylandIdle\n"
        f"s = WaylandIdle({socket_path(kwin)!r}, timeouts=(1.0, 2.0)); s.read()\n"
        + ("s.close()\n" if close else "")
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=30)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_the_interpreter_exits_cleanly_after_the_compositor_died(tmp_path: Path) -> None:
    # The listener has ended, so nothing holds the connection: without the exit hook the
    # interpreter freed a proxy after its display and died of SIGSEGV (seen here every time).
    own = start_kwin(tmp_path, socket="wayland-gone")
    code = (
        "import sys, time; from glutecoach.presence.wayland import WaylandIdle\n"
        f"s = WaylandIdle({socket_path(own)!r}, timeouts=(1.0, 2.0))\n"
        "print('ready', flush=True); sys.stdin.readline(); time.sleep(0.3)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        own.kill()
        _, err = proc.communicate("go\n", timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        own.stop()
    assert proc.returncode == 0, err
    assert err == ""


def test_a_killed_compositor_is_a_presence_error_then_heals(tmp_path: Path) -> None:
    own = start_kwin(tmp_path / "first", socket="wayland-kill")
    source = WaylandIdle(socket_path(own), timeouts=(FINE,))
    try:
        own.kill()

        def fails() -> str | None:
            try:
                source.read()
            except PresenceError as e:
                return str(e)
            return None

        message = wait_for(fails, "a PresenceError after the kill", timeout=5)
        assert "lost the connection to the Wayland compositor" in message
        assert "\n" not in message
        started = time.monotonic()
        with pytest.raises(PresenceError, match="reconnecting failed"):
            source.read()  # the socket refuses at once: no hang
        assert time.monotonic() - started < 1

        # A compositor that comes back on the same socket is found again.
        again = start_kwin(tmp_path / "second", socket="wayland-kill", runtime_dir=own.runtime_dir)
        try:
            assert source.read().idle_seconds == 0.0
            assert wait_idle(source) > 0
        finally:
            source.close()
            again.stop()
    finally:
        source.close()
        if own.proc.poll() is None:
            own.stop()


def test_unavailable_without_a_compositor_says_why(tmp_path: Path) -> None:
    with pytest.raises(PresenceUnavailable, match="cannot connect to the Wayland compositor"):
        WaylandIdle(str(tmp_path / "wayland-none"))


def test_version_2_asks_for_input_alone(tmp_path: Path) -> None:
    # Where offered, idle inhibitors (a video playing) must not count as input: see wayland.py.
    server = IdleNotifierV2(tmp_path / "wayland-v2")
    try:
        source = WaylandIdle(server.path, timeouts=(FINE,))
        try:
            assert server.requests == [("get_input_idle_notification", 1000)]
            assert source.ignores_inhibitors
            assert source.read().idle_seconds == 0.0
            time.sleep(FINE)  # as a compositor would: idled once the timeout has passed
            server.idled()
            assert wait_idle(source, timeout=2) == pytest.approx(FINE, abs=0.1)
        finally:
            source.close()
    finally:
        server.close()


def test_version_1_honours_inhibitors_as_it_must(kwin: Compositor) -> None:
    source = WaylandIdle(socket_path(kwin), timeouts=(FINE,))
    try:
        assert not source.ignores_inhibitors  # KWin 5.27 offers version 1 only
    finally:
        source.close()


# --- from notifications to an idle time (no compositor needed) ----------------------------------


def test_notices_present_until_the_first_idled() -> None:
    notices = IdleNotices(started=100.0)
    assert notices.idle_seconds(103.0) == 0.0
    notices.idled(5.0, at=105.2)
    assert notices.idle_seconds(110.0) == pytest.approx(9.8)  # input at 100.2


def test_notices_resumed_is_input_and_presence() -> None:
    notices = IdleNotices(started=0.0)
    notices.idled(5.0, at=5.0)
    notices.resumed(5.0, at=42.0)
    assert notices.idle_seconds(45.0) == 0.0
    notices.idled(5.0, at=50.0)
    assert notices.idle_seconds(60.0) == pytest.approx(15.0)  # input at 45


def test_notices_the_smallest_timeout_pins_the_input() -> None:
    notices = IdleNotices(started=0.0)
    notices.idled(5.0, at=10.1)  # input at 5.1
    notices.idled(30.0, at=36.5)  # a coarse timer: it would say 6.5
    assert notices.idle_seconds(40.0) == pytest.approx(34.9)
    notices.resumed(30.0, at=41.0)
    notices.resumed(5.0, at=41.0)
    assert notices.idle_seconds(41.5) == 0.0


def test_notices_a_timer_firing_early_cannot_move_input_before_a_known_one() -> None:
    notices = IdleNotices(started=0.0)
    notices.idled(2.0, at=2.0)
    notices.resumed(2.0, at=10.0)
    notices.idled(2.0, at=11.9)  # 5 % early: would put the input before the resume at 10
    assert notices.idle_seconds(12.0) == pytest.approx(2.0)


# --- picking the source -------------------------------------------------------------------------


@pytest.fixture
def wayland_session(
    monkeypatch: pytest.MonkeyPatch, kwin: Compositor, tmp_path: Path
) -> pytest.MonkeyPatch:
    """This process's environment as in a KDE Wayland session on our KWin, with no buses."""
    for name, value in kwin.env.items():
        if name.startswith(("XDG_", "WAYLAND_")):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    return monkeypatch


def test_auto_picks_wayland_on_kwin(wayland_session: pytest.MonkeyPatch) -> None:
    source = open_presence()
    try:
        assert source.name == "wayland"
        assert source.read().locked is None
    finally:
        source.close()


def test_wayland_by_name(wayland_session: pytest.MonkeyPatch) -> None:
    source = open_presence("wayland")
    try:
        assert source.name == "wayland"
    finally:
        source.close()


def test_on_gnome_without_mutter_the_compositor_is_next(
    wayland_session: pytest.MonkeyPatch,
) -> None:
    wayland_session.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    source = open_presence()
    try:
        assert source.name == "wayland"
    finally:
        source.close()


# --- the coach, end to end ----------------------------------------------------------------------

# sit 12 s, break and away 21 s: a quarter of the break (the coach's "at the keyboard") is above the
# adapter's 5 s notification, as for any break of 20 s or more. Prompts go to the terminal: with
# dunst connected, KWin 5.27 --virtual stops sending `idled` after the second synthetic input (seen
# here, cause unknown), and notifications are not what this test is about.
E2E = """
[schedule]
timezone = "UTC"
sit_minutes = 0.2
break_minutes = 0.35
away_after_minutes = 0.35
response_minutes = 2
""" + ALL_WEEK_HOURS + """[desktop]
notifier = "terminal"
tray = false
break_window = false
"""


class CoachOnWayland:
    def __init__(self, env: dict[str, str], home: Path, config: Path) -> None:
        self.env, self.home, self.config = env, home, config
        self.out = home.parent / "coach.out"
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "glutecoach", "--home", str(self.home),
                               "--config", str(self.config), *args], env=self.env,
                              capture_output=True, text=True, timeout=20)  # fmt: skip

    def start(self) -> None:
        with open(self.out, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "glutecoach", "--home", str(self.home), "--config",
                 str(self.config), "run", "--headless"], env=self.env, stdout=out,
                stderr=subprocess.STDOUT)  # fmt: skip
        wait_for(lambda: self.cli("status").returncode == 0 or self.proc.poll() is not None,
                 "the coach to answer", timeout=20)  # fmt: skip
        assert self.proc.poll() is None, self.out.read_text()

    def status(self) -> dict[str, Any]:
        done = self.cli("status", "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.home / "glutecoach.db") as db:
            return db.execute(sql).fetchall()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def test_the_coach_on_kwin_prompts_after_sitting_and_sees_a_natural_break(
    kwin: Compositor, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(E2E)
    # A KDE Wayland session with no buses: idle time can only come from the compositor.
    env = dict(kwin.env, PYTHONUNBUFFERED="1", XDG_CURRENT_DESKTOP="KDE",
               DBUS_SESSION_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus'}",
               DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={tmp_path / 'no-bus'}")  # fmt: skip
    coach = CoachOnWayland(env, tmp_path / "home", config)
    typist = Typist(kwin)
    try:
        typist.typing.set()
        coach.start()
        # 1. Typing for the sitting limit: a prompt, printed by the coach.
        pending = wait_for(lambda: coach.status()["pending_prompt"], "a prompt", timeout=30)
        assert pending["at"]
        assert "[GluteCoach] Time for a glute break" in coach.out.read_text()
        assert coach.cli("done").returncode == 0  # the gap after a "done" is the prompted break

        # 2. Typing on, then away longer than away_after: a natural break from the last input.
        time.sleep(6)
        typist.typing.clear()
        time.sleep(0.5)  # a move under way when it was told to stop is done by then
        stopped = typist.last_input
        assert stopped is not None
        breaks = wait_for(lambda: coach.rows("SELECT reason, start_utc FROM breaks "
                                             "WHERE kind = 'natural'"),
                          "a natural break", timeout=40)  # fmt: skip
        ((reason, start),) = breaks
        assert reason == "idle"
        start_at = datetime.fromisoformat(start).replace(tzinfo=UTC)
        # The coach counts a user as present until the 5 s notification says idle: the break
        # starts at the last input, or at a poll within those 5 s after it (README, reading 10).
        assert stopped - timedelta(seconds=1) <= start_at
        assert start_at <= stopped + timedelta(seconds=FINE_SECONDS + 1)
        assert coach.status()["state"] == "away"

        assert coach.cli("stop").returncode == 0
        assert coach.proc is not None and coach.proc.wait(15) == 0
    finally:
        typist.stop()
        coach.stop()
    said = coach.out.read_text()
    assert "idle time from wayland" in said, said
    assert coach.rows("SELECT outcome FROM prompts") == [("done",)]
    assert "Traceback" not in (coach.home / "glutecoach.log").read_text()

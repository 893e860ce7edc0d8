"""Presence sources against real pieces: Xvfb for X11, a private dbus-daemon for the D-Bus
sources (with stand-ins for GNOME Shell, KDE and logind as the peers), pure clocks for sleep, and
mocked OS calls for macOS and Windows (which cannot run here)."""

from __future__ import annotations

import ctypes
import queue
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from glutecoach.presence import (
    PresenceError,
    PresenceReading,
    PresenceUnavailable,
    SleepDetector,
    open_presence,
)
from glutecoach.presence.base import WithLock
from glutecoach.presence.freedesktop import FreedesktopIdle, LogindLock
from glutecoach.presence.macos import MacIdle, parse_hid_idle_seconds
from glutecoach.presence.mutter import MutterIdle
from glutecoach.presence.session import SessionEvent, SessionWatcher
from glutecoach.presence.windows import WindowsIdle
from glutecoach.presence.x11 import X11Idle

from .harness import BusDaemon, BusStub, StubError, need, start_bus, start_xvfb

SS = ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver")
GNOME_SS = ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver")
MUTTER = ("/org/gnome/Mutter/IdleMonitor/Core", "org.gnome.Mutter.IdleMonitor")
LOGIND_SESSION = ("/org/freedesktop/login1/session/auto", "org.freedesktop.login1.Session")
OUR_SESSION = "/org/freedesktop/login1/session/_31"


def xdotool(display: str, *args: str) -> None:
    paths = need("xdotool")
    subprocess.run([paths["xdotool"], *args], env={"DISPLAY": display}, check=True, timeout=10)


# --- X11 on Xvfb ------------------------------------------------------------------------------


def test_x11_idle_grows_while_nothing_happens(xvfb: str) -> None:
    source = X11Idle(xvfb)
    try:
        started = time.monotonic()
        first = source.read()
        time.sleep(1.0)
        second = source.read()
        elapsed = time.monotonic() - started
    finally:
        source.close()
    assert second.locked is None  # X11 alone cannot see a locker
    # The server counts in ms: allow that much rounding on either bound.
    assert 0.99 <= second.idle_seconds - first.idle_seconds <= elapsed + 0.01


@pytest.mark.parametrize(
    "action", [("mousemove", "--sync", "40", "30"), ("key", "shift")], ids=["mouse", "key"]
)
def test_x11_idle_resets_after_input(xvfb: str, action: tuple[str, ...]) -> None:
    source = X11Idle(xvfb)
    try:
        xdotool(xvfb, "mousemove", "--sync", "300", "200")  # a known start, away from 40,30
        time.sleep(0.6)
        assert source.read().idle_seconds >= 0.5
        started = time.monotonic()
        xdotool(xvfb, *action)
        idle = source.read().idle_seconds
        # Without a reset it would be over 0.5 s more than the time since `started`.
        assert idle <= time.monotonic() - started + 0.01
    finally:
        source.close()


def test_x11_read_fails_softly_when_the_server_goes(tmp_path: Path) -> None:
    server = start_xvfb(tmp_path)
    source = X11Idle(server.display)
    source.read()
    server.stop()
    with pytest.raises(PresenceError, match=f"X server on {server.display}"):
        source.read()
    with pytest.raises(PresenceError, match="cannot connect"):  # and again, without hanging
        source.read()
    source.close()


def test_x11_unavailable_says_why_without_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(PresenceUnavailable, match=r"\$DISPLAY is not set"):
        X11Idle()
    with pytest.raises(PresenceUnavailable, match="cannot connect to the X server on :987"):
        X11Idle(":987")


# --- picking a source -------------------------------------------------------------------------


@pytest.fixture
def x11_session(
    monkeypatch: pytest.MonkeyPatch, xvfb: str, session_bus: str, tmp_path: Path
) -> pytest.MonkeyPatch:
    """This process's environment as in an X11 session on our display and bus, with no logind."""
    monkeypatch.setenv("DISPLAY", xvfb)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-system-bus'}")
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return monkeypatch


def test_auto_picks_x11_when_the_display_works(x11_session: pytest.MonkeyPatch) -> None:
    source = open_presence()
    try:
        assert source.name == "x11"
        reading = source.read()
    finally:
        source.close()
    assert reading.idle_seconds >= 0
    assert reading.locked is None  # nothing on the bus knows about a lock


def test_x11_takes_the_lock_state_from_the_screensaver_service(
    x11_session: pytest.MonkeyPatch, session_bus: str
) -> None:
    state = {"active": True}
    handlers = {(*SS, "GetActive"): lambda _: ("b", (state["active"],))}
    with BusStub(session_bus, [SS[1]], handlers):
        source = open_presence("x11")
        try:
            assert source.read().locked is True
            state["active"] = False
            assert source.read().locked is False
        finally:
            source.close()


def test_x11_takes_the_lock_state_from_logind(
    x11_session: pytest.MonkeyPatch, system_bus: BusDaemon
) -> None:
    x11_session.setenv("DBUS_SYSTEM_BUS_ADDRESS", system_bus.address)
    props = {(*LOGIND_SESSION, "LockedHint"): ("b", True)}
    with BusStub(system_bus.address, ["org.freedesktop.login1"], properties=props):
        source = open_presence("auto")
        try:
            assert source.name == "x11"
            assert getattr(source, "lock_from", None) == "logind"
            assert source.read().locked is True
        finally:
            source.close()


def test_auto_without_display_or_bus_says_why_for_each_candidate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no "bus" socket in it
    with pytest.raises(PresenceUnavailable) as caught:
        open_presence()
    message = str(caught.value)
    assert "\n" not in message
    assert "x11: $DISPLAY is not set" in message
    assert "mutter: there is no D-Bus session bus" in message
    assert "freedesktop: there is no D-Bus session bus" in message


def test_auto_falls_back_to_the_screensaver_service_without_display(
    x11_session: pytest.MonkeyPatch, session_bus: str
) -> None:
    x11_session.delenv("DISPLAY")
    handlers = {
        (*SS, "GetSessionIdleTime"): lambda _: ("u", (61_500,)),
        (*SS, "GetActive"): lambda _: ("b", (False,)),
    }
    with BusStub(session_bus, [SS[1]], handlers):
        source = open_presence()
        try:
            assert source.name == "freedesktop"
            assert source.read() == PresenceReading(idle_seconds=61.5, locked=False)
        finally:
            source.close()


def test_auto_in_wayland_uses_mutter_not_xwayland(
    x11_session: pytest.MonkeyPatch, session_bus: str
) -> None:
    x11_session.setenv("WAYLAND_DISPLAY", "wayland-0")  # DISPLAY stays: XWayland is there too
    handlers = {
        (*MUTTER, "GetIdletime"): lambda _: ("t", (4_200,)),
        (*GNOME_SS, "GetActive"): lambda _: ("b", (True,)),
    }
    with BusStub(session_bus, [MUTTER[1], GNOME_SS[1]], handlers):
        source = open_presence()
        try:
            assert source.name == "mutter"
            assert source.read() == PresenceReading(idle_seconds=4.2, locked=True)
        finally:
            source.close()


def test_forced_source_that_cannot_run_names_itself(x11_session: pytest.MonkeyPatch) -> None:
    with pytest.raises(PresenceUnavailable, match=r"^mutter: nothing owns org\.gnome\.Mutter"):
        open_presence("mutter")
    with pytest.raises(PresenceUnavailable, match='unknown presence source "kde"; choose one of'):
        open_presence("kde")


# --- D-Bus sources against stand-in peers on a real bus -------------------------------------


@pytest.fixture
def screensaver(session_bus: str) -> Iterator[tuple[BusStub, dict[str, Any]]]:
    """A KDE-like org.freedesktop.ScreenSaver whose answers the test sets in `state`."""
    state: dict[str, Any] = {"idle_ms": 1_000, "active": False}
    handlers = {
        (*SS, "GetSessionIdleTime"): lambda _: ("u", (state["idle_ms"],)),
        (*SS, "GetActive"): lambda _: ("b", (state["active"],)),
    }
    with BusStub(session_bus, [SS[1]], handlers) as stub:
        yield stub, state


def test_freedesktop_reads_idle_time_and_lock(
    session_bus: str, screensaver: tuple[BusStub, dict[str, Any]]
) -> None:
    stub, state = screensaver
    source = FreedesktopIdle(session_bus)
    try:
        assert source.read() == PresenceReading(idle_seconds=1.0, locked=False)
        state.update(idle_ms=125_250, active=True)
        assert source.read() == PresenceReading(idle_seconds=125.25, locked=True)

        def refuse(_: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
            raise StubError("org.freedesktop.DBus.Error.Failed", "no")

        stub.handlers[(*SS, "GetActive")] = refuse
        assert source.read().locked is None  # idle time still counts without the lock state
    finally:
        source.close()


def test_freedesktop_unavailable_on_gnome_which_refuses_idle_time(session_bus: str) -> None:
    def refuse(_: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
        raise StubError("org.freedesktop.DBus.Error.NotSupported", "This method is not supported")

    with (
        BusStub(session_bus, [SS[1]], {(*SS, "GetSessionIdleTime"): refuse}),
        pytest.raises(PresenceUnavailable, match="GetSessionIdleTime does not work here"),
    ):
        FreedesktopIdle(session_bus)


def test_freedesktop_frozen_peer_costs_a_timeout_not_the_coach(
    session_bus: str, screensaver: tuple[BusStub, dict[str, Any]]
) -> None:
    stub, _ = screensaver
    source = FreedesktopIdle(session_bus, timeout=0.3)
    try:
        stub.frozen = True
        started = time.monotonic()
        with pytest.raises(PresenceError, match=r"did not answer within 0.3 s"):
            source.read()
        assert time.monotonic() - started < 1.0
        stub.frozen = False  # the late replies to the old calls must not confuse the next read
        assert source.read().idle_seconds == 1.0
    finally:
        source.close()


def test_freedesktop_survives_the_service_restarting(
    session_bus: str, screensaver: tuple[BusStub, dict[str, Any]]
) -> None:
    stub, _ = screensaver
    source = FreedesktopIdle(session_bus)
    try:
        stub.close()
        with pytest.raises(PresenceError, match="GetSessionIdleTime failed"):
            source.read()
        handlers = {(*SS, "GetSessionIdleTime"): lambda _: ("u", (7_000,))}
        with BusStub(session_bus, [SS[1]], handlers):
            assert source.read() == PresenceReading(idle_seconds=7.0, locked=None)
    finally:
        source.close()


def test_mutter_reads_idle_time_and_gnome_lock(session_bus: str) -> None:
    handlers = {
        (*MUTTER, "GetIdletime"): lambda _: ("t", (90_061,)),
        (*GNOME_SS, "GetActive"): lambda _: ("b", (False,)),
    }
    with BusStub(session_bus, [MUTTER[1], GNOME_SS[1]], handlers):
        source = MutterIdle(session_bus)
        try:
            assert source.read() == PresenceReading(idle_seconds=90.061, locked=False)
        finally:
            source.close()


def test_mutter_unavailable_when_the_bus_address_is_dead(tmp_path: Path) -> None:
    with pytest.raises(PresenceUnavailable, match="cannot connect to the D-Bus bus"):
        MutterIdle(f"unix:path={tmp_path / 'nothing-here'}")


def test_logind_locked_hint(system_bus: BusDaemon) -> None:
    props = {(*LOGIND_SESSION, "LockedHint"): ("b", False)}
    with BusStub(system_bus.address, ["org.freedesktop.login1"], properties=props) as stub:
        lock = LogindLock(system_bus.address)
        try:
            assert lock.locked() is False
            stub.properties[(*LOGIND_SESSION, "LockedHint")] = ("b", True)
            assert lock.locked() is True
        finally:
            lock.close()


def test_with_lock_reports_unknown_when_the_probe_fails() -> None:
    class Idle:
        name = "fake"

        def read(self) -> PresenceReading:
            return PresenceReading(3.0, None)

        def close(self) -> None: ...

    class Broken:
        name = "broken"

        def locked(self) -> bool:
            raise PresenceError("bus busy")

        def close(self) -> None: ...

    assert WithLock(Idle(), [Broken()]).read() == PresenceReading(3.0, None)


def test_session_watcher_hears_lock_and_sleep_signals(
    session_bus: str, system_bus: BusDaemon
) -> None:
    events: queue.Queue[SessionEvent] = queue.Queue()
    manager = ("/org/freedesktop/login1", "org.freedesktop.login1.Manager")
    get_session = {(*manager, "GetSession"): lambda args: ("o", (OUR_SESSION,))}
    with (
        BusStub(session_bus, [SS[1]]) as screensaver,
        BusStub(system_bus.address, ["org.freedesktop.login1"], get_session) as logind,
    ):
        watcher = SessionWatcher(events.put, session_bus, system_bus.address)
        try:
            assert watcher.watching == ["screensaver", "logind"]
            screensaver.emit(*SS, "ActiveChanged", "b", (True,))
            logind.emit(*manager, "PrepareForSleep", "b", (True,))
            logind.emit(*manager, "PrepareForSleep", "b", (False,))
            props = "org.freedesktop.DBus.Properties"
            session = "org.freedesktop.login1.Session"
            other = "/org/freedesktop/login1/session/c7"  # another user's session: not ours
            locked = (session, {"LockedHint": ("b", True)}, [])
            unlocked = (session, {"LockedHint": ("b", False)}, [])
            logind.emit(other, props, "PropertiesChanged", "sa{sv}as", locked)
            logind.emit(OUR_SESSION, props, "PropertiesChanged", "sa{sv}as", unlocked)
            heard = [events.get(timeout=5) for _ in range(4)]
        finally:
            watcher.close()
    kinds = sorted((e.source, e.kind) for e in heard)
    assert kinds == [
        ("logind", "sleeping"),
        ("logind", "unlocked"),
        ("logind", "woke"),
        ("org.freedesktop.ScreenSaver", "locked"),
    ]
    assert events.empty()


def test_session_watcher_without_buses_watches_nothing(tmp_path: Path) -> None:
    dead = f"unix:path={tmp_path / 'none'}"
    watcher = SessionWatcher(lambda e: None, dead, dead)
    assert watcher.watching == []
    watcher.close()


def test_importing_presence_is_cheap_and_needs_no_display() -> None:
    code = (
        "import sys, glutecoach.presence as p; "
        "assert not {'Xlib', 'jeepney'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], env={}, check=True, timeout=30)


# --- sleep, on injected clocks ----------------------------------------------------------------

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def test_sleep_first_poll_and_steady_polls_are_not_sleep() -> None:
    detector = SleepDetector()
    assert detector.observe(T0, 100.0) is None
    for step in range(1, 4):
        # Small drift between the clocks (NTP slewing, a late timer) stays below the threshold.
        assert detector.observe(T0 + timedelta(seconds=60 * step + 0.4), 100.0 + 60 * step) is None


def test_sleep_wall_jump_unseen_by_monotonic_is_a_sleep() -> None:
    detector = SleepDetector()
    detector.observe(T0, 100.0)
    # 30 s awake after the poll, then 2 h of suspend; the next poll fires right after resume.
    woke = T0 + timedelta(hours=2, seconds=30)
    assert detector.observe(woke, 130.0) == (T0 + timedelta(seconds=30), woke)
    assert detector.observe(woke + timedelta(seconds=60), 190.0) is None  # awake again


def test_sleep_threshold_is_the_border() -> None:
    detector = SleepDetector(threshold=5.0)
    detector.observe(T0, 0.0)
    assert detector.observe(T0 + timedelta(seconds=14.9), 10.0) is None
    assert detector.observe(T0 + timedelta(seconds=30), 20.0) is not None


def test_sleep_wall_clock_set_back_is_not_a_sleep() -> None:
    detector = SleepDetector()
    detector.observe(T0, 0.0)
    assert detector.observe(T0 - timedelta(hours=1), 60.0) is None


def test_sleep_dst_change_is_not_a_sleep() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    detector = SleepDetector()
    before = datetime(2025, 3, 30, 1, 59, tzinfo=berlin)  # clocks go 02:00 -> 03:00
    detector.observe(before, 0.0)
    after = (before.astimezone(UTC) + timedelta(minutes=2)).astimezone(berlin)
    assert after.hour == 3
    assert detector.observe(after, 120.0) is None
    slept = detector.observe(after + timedelta(minutes=30), 180.0)
    assert slept is not None
    assert slept[0] == after + timedelta(minutes=1)
    assert slept[0].tzinfo is berlin


def test_sleep_detector_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        SleepDetector().observe(datetime(2025, 3, 3, 9, 0), 0.0)


# --- macOS and Windows, their OS calls mocked -------------------------------------------------

IOREG = """+-o IOHIDSystem  <class IOHIDSystem, id 0x100000331, registered, matched, active>
    {
      "HIDParameters" = {"HIDIdleTime"=0}
      "HIDIdleTime" = 12345678901
      "IOClass" = "IOHIDSystem"
    }
"""


def test_macos_idle_from_ioreg() -> None:
    assert parse_hid_idle_seconds(IOREG.replace('{"HIDIdleTime"=0}', "{}")) == 12.345678901
    commands: list[list[str]] = []

    def run(args: list[str]) -> str:
        commands.append(args)
        return '      "HIDIdleTime" = 2500000000\n'

    source = MacIdle(run=run)
    assert source.read() == PresenceReading(idle_seconds=2.5, locked=None)
    assert commands[0][:3] == ["ioreg", "-c", "IOHIDSystem"]


def test_macos_read_failures() -> None:
    outputs = ['"HIDIdleTime" = 1\n', "nothing useful\n"]
    source = MacIdle(run=lambda _: outputs.pop(0))
    with pytest.raises(PresenceError, match="no HIDIdleTime"):
        source.read()

    def fail(args: list[str]) -> str:
        raise subprocess.CalledProcessError(1, args)

    with pytest.raises(PresenceUnavailable, match="ioreg did not give"):
        MacIdle(run=fail)
    if sys.platform != "darwin":
        with pytest.raises(PresenceUnavailable, match="not macOS"):
            MacIdle()


class FakeUser32:
    def __init__(self, last_input: int, ok: bool = True) -> None:
        self.last_input = last_input
        self.ok = ok

    def GetLastInputInfo(self, ref: Any) -> int:
        info = ref._obj  # what ctypes.byref points at
        assert info.cbSize == ctypes.sizeof(info)
        info.dwTime = self.last_input
        return int(self.ok)


class FakeKernel32:
    def __init__(self, now: int) -> None:
        self.now = now

    def GetTickCount(self) -> int:
        return self.now


def test_windows_idle_from_last_input_info() -> None:
    source = WindowsIdle(FakeUser32(1_000_000), FakeKernel32(1_065_500))
    assert source.read() == PresenceReading(idle_seconds=65.5, locked=None)


def test_windows_idle_across_the_49_day_tick_wrap() -> None:
    # Last input 1 s before the 32-bit tick count wrapped; now 2 s after (as a signed int).
    source = WindowsIdle(FakeUser32(2**32 - 1_000), FakeKernel32(2_000 - 2**32))
    assert source.read().idle_seconds == 3.0


def test_windows_failures() -> None:
    with pytest.raises(PresenceUnavailable, match="GetLastInputInfo failed"):
        WindowsIdle(FakeUser32(0, ok=False), FakeKernel32(0))
    if sys.platform != "win32":
        with pytest.raises(PresenceUnavailable, match="not Windows"):
            WindowsIdle()


def test_a_missing_library_is_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, session_bus: str
) -> None:
    for module in ("Xlib", "Xlib.display", "jeepney", "jeepney.io.blocking"):
        monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    with pytest.raises(PresenceUnavailable, match="python-xlib is not installed"):
        X11Idle(":0")
    with pytest.raises(PresenceUnavailable, match="jeepney is not installed"):
        FreedesktopIdle(session_bus)


def test_a_frozen_bus_costs_a_timeout_at_open(tmp_path: Path) -> None:
    bus = start_bus(tmp_path)
    bus.proc.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(PresenceUnavailable, match="cannot connect to the D-Bus bus"):
            MutterIdle(bus.address, timeout=0.3)
        assert time.monotonic() - started < 1.5
    finally:
        bus.proc.send_signal(signal.SIGCONT)
        bus.stop()

"""The idle-inhibitor signal against the real services that keep the lists, with real clients.

GNOME: the real gnome-session 43 (`gnome-session-binary --builtin`, Debian's gnome-session-bin),
started headless in a fraction of a second: a session file of ours with no components, no
autostart folder, a private session bus and a second private bus standing for the system bus (it
will not start without one, and must not reach the machine's logind). Its real client
`gnome-session-inhibit` holds inhibitors as GNOME apps do through GTK; a jeepney client process
calls Inhibit and Uninhibit itself where a test needs the explicit release.

Xfce: the real xfce4-power-manager 4.18 on an Xvfb of its own, on private buses, answering
org.freedesktop.PowerManagement.Inhibit (HasInhibit, GetInhibitors) to client processes that
hold the cookies (see the `xfce` fixture for why they never release them while it runs). Xfce's
org.freedesktop.ScreenSaver comes from xfce4-screensaver, which Debian 12 does not ship;
xfce4-power-manager does not own that name.

KDE Plasma: the real PowerDevil 5.27 (Debian's powerdevil) on an Xvfb and private buses, with
clients calling its PolicyAgent's AddInhibition as ksmserver does for org.freedesktop.ScreenSaver,
and org.freedesktop.PowerManagement.Inhibit. Plasma 6's ActiveInhibitions property, which Debian
12 does not have, is answered by a stand-in on a real bus, following its documented interface.

Last, the coach itself on a virtual clock, with the real gnome-session as its signal: a prompt
that falls due while zoom holds its inhibitor waits, and comes when the inhibitor goes.
"""

from __future__ import annotations

import contextlib
import glob
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from glutecoach.meetings import MeetingsConfig, open_meeting_sources
from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import MeetingSignal, SignalUnavailable
from glutecoach.meetings.config import (
    DEFAULT_IGNORE_APPS,
    DEFAULT_MEETING_APPS,
    DEFAULT_PRESENTING_APPS,
)
from glutecoach.meetings.inhibitors import (
    POWER,
    POWER_INHIBIT,
    IdleInhibitors,
    KdePolicyAgent,
    PowerManagement,
    open_idle_inhibitors,
)
from glutecoach.meetings.select import close_all
from glutecoach.presence.freedesktop import Bus

from .harness import (
    BusDaemon,
    BusStub,
    Handler,
    missing,
    need,
    running,
    start_bus,
    start_xvfb,
    stop,
    wait_for,
    wait_for_name,
)

NOW = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)
SESSION_FILE = "[GNOME Session]\nName=GluteCoach test session\nRequiredComponents=\n"

# A client that takes an inhibitor and holds it for as long as it runs (the service drops it when
# the client leaves the bus): prints the cookie, and releases it at each line on stdin.
HOLDER = """
import sys
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
from jeepney.wrappers import unwrap_msg
address, service, path, interface, method, release, signature, *args = sys.argv[1:]
conn = open_dbus_connection(address)
target = DBusAddress(path, service, interface)
body = tuple(int(a) if t == "u" else a for t, a in zip(signature, args))
reply = conn.send_and_get_reply(new_method_call(target, method, signature, body), timeout=5)
(cookie,) = unwrap_msg(reply)
print(cookie, flush=True)
for _ in sys.stdin:
    unwrap_msg(conn.send_and_get_reply(new_method_call(target, release, "u", (cookie,)),
                                       timeout=5))
    print("released", flush=True)
"""


@dataclass
class Holder:
    proc: subprocess.Popen[str]

    def release(self) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("release\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "released"


def hold(address: str, service: str, path: str, interface: str, methods: tuple[str, str],
         signature: str, *args: str | int) -> Holder:  # fmt: skip
    """A client process calling `methods[0]` with `args`, and `methods[1]` with the cookie at
    `Holder.release()`."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, address, service, path, interface, *methods, signature,
         *map(str, args)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    cookie = proc.stdout.readline().strip()
    if not cookie.isdigit():
        stop(proc)
        raise RuntimeError(f"the client got no cookie from {service} (exit {proc.poll()})")
    return Holder(proc)


def signal_source(address: str, ignore: list[str] | None = None,
                  presenting: list[str] | None = None) -> IdleInhibitors:  # fmt: skip
    return open_idle_inhibitors(
        AppNames(DEFAULT_MEETING_APPS),
        AppNames(DEFAULT_PRESENTING_APPS if presenting is None else presenting),
        AppNames(DEFAULT_IGNORE_APPS if ignore is None else ignore),
        address,
    )


def wait_for_signal(source: IdleInhibitors, on: bool, timeout: float = 10.0) -> MeetingSignal:
    return wait_for(lambda: (s := source.read(NOW)).on is on and s, f"the signal to be {on}",
                    timeout)  # fmt: skip


# --- GNOME: the real gnome-session ---------------------------------------------------------


def gnome_session_binary() -> str:
    """gnome-session-binary lives in libexec; `gnome-session` is only a login-shell wrapper."""
    found = shutil.which("gnome-session-binary") or "/usr/libexec/gnome-session-binary"
    if not Path(found).exists():
        missing("missing gnome-session-binary: apt-get install gnome-session-bin")
    return found


@dataclass
class GnomeDesktop:
    address: str
    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    inhibit: str  # gnome-session-inhibit
    log: Path

    @contextlib.contextmanager
    def inhibitor(self, app: str, reason: str, what: str = "idle") -> Iterator[None]:
        """gnome-session-inhibit holding an inhibitor for the block; once it has stopped,
        gnome-session has dropped the inhibitor too (it does so when the client leaves the bus,
        a moment later), so the next read cannot see it by chance."""
        entry = f"{app}: {reason}"
        proc = subprocess.Popen([self.inhibit, "--app-id", app, "--reason", reason, "--inhibit",
                                 what, "--inhibit-only"], env=self.env)  # fmt: skip
        try:
            wait_for(lambda: entry in self.listed(), f"{app}'s inhibitor")
            yield
        finally:
            stop(proc)
            wait_for(lambda: entry not in self.listed(), f"{app}'s inhibitor to go")

    def listed(self) -> str:
        done = subprocess.run([self.inhibit, "--list"], env=self.env, capture_output=True,
                              text=True, timeout=10)  # fmt: skip
        return done.stdout

    def stop(self) -> None:
        stop(self.proc)


def start_gnome_session(tmp: Path) -> tuple[GnomeDesktop, list[BusDaemon]]:
    paths = need("gnome-session-inhibit")
    binary = gnome_session_binary()
    buses = [start_bus(tmp / "session-bus"), start_bus(tmp / "system-bus")]
    sessions = tmp / "data" / "gnome-session" / "sessions"
    sessions.mkdir(parents=True)
    (sessions / "glutecoach.session").write_text(SESSION_FILE)
    (tmp / "autostart").mkdir()
    runtime = tmp / "runtime"
    runtime.mkdir(mode=0o700)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_DIRS": f"{tmp / 'data'}:/usr/share",
        "XDG_RUNTIME_DIR": str(runtime),
        "GSETTINGS_BACKEND": "memory",
        "DBUS_SESSION_BUS_ADDRESS": buses[0].address,
        "DBUS_SYSTEM_BUS_ADDRESS": buses[1].address,
    }
    log = tmp / "gnome-session.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [binary, "--builtin", "--session=glutecoach", "--disable-acceleration-check",
             "--autostart", str(tmp / "autostart")],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    desktop = GnomeDesktop(buses[0].address, env, proc, paths["gnome-session-inhibit"], log)
    try:
        wait_for_name(buses[0].address, "org.gnome.SessionManager")
    except Exception as e:
        desktop.stop()
        for bus in buses:
            bus.stop()
        raise RuntimeError(
            f"gnome-session did not start: {e}; log: {log.read_text()[-2000:]}"
        ) from e
    return desktop, buses


@pytest.fixture(scope="module")
def gnome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GnomeDesktop]:
    desktop, buses = start_gnome_session(tmp_path_factory.mktemp("gnome"))
    try:
        yield desktop
    finally:
        desktop.stop()
        for bus in buses:
            bus.stop()


@pytest.fixture
def gnome_signal(gnome: GnomeDesktop) -> Iterator[IdleInhibitors]:
    source = signal_source(gnome.address)
    try:
        yield source
    finally:
        source.close()


def test_a_meeting_apps_idle_inhibitor_is_a_meeting_until_it_goes(
    gnome: GnomeDesktop, gnome_signal: IdleInhibitors
) -> None:
    assert [x.label for x in gnome_signal.lists] == ["GNOME session"]
    assert gnome_signal.read(NOW) == MeetingSignal(False, "inhibitor")
    with gnome.inhibitor("zoom", "Meeting in progress"):
        assert gnome_signal.read(NOW) == MeetingSignal(
            True, "inhibitor", "zoom inhibits idle: Meeting in progress"
        )
    # gnome-session drops the inhibitor of a client that left the bus.
    wait_for_signal(gnome_signal, on=False)
    assert gnome_signal.read(NOW) == MeetingSignal(False, "inhibitor")


def test_uninhibit_ends_it_while_the_app_still_runs(
    gnome: GnomeDesktop, gnome_signal: IdleInhibitors
) -> None:
    holder = hold(gnome.address, "org.gnome.SessionManager", "/org/gnome/SessionManager",
                  "org.gnome.SessionManager", ("Inhibit", "Uninhibit"), "susu",
                  "us.zoom.Zoom", 0, "Meeting in progress", 8)  # fmt: skip
    with running(holder.proc):
        assert gnome_signal.read(NOW).detail == "us.zoom.Zoom inhibits idle: Meeting in progress"
        holder.release()
        assert gnome_signal.read(NOW) == MeetingSignal(False, "inhibitor")
        assert holder.proc.poll() is None


def test_a_player_keeping_the_screen_awake_is_no_meeting(
    gnome: GnomeDesktop, gnome_signal: IdleInhibitors
) -> None:
    with gnome.inhibitor("org.gnome.Rhythmbox3", "Playing"):
        assert gnome_signal.read(NOW) == MeetingSignal(False, "inhibitor")
        # "*" in presenting_apps: every inhibitor counts, as every fullscreen window does.
        everything = signal_source(gnome.address, presenting=["*"])
        try:
            assert everything.read(NOW).detail == "org.gnome.Rhythmbox3 inhibits idle: Playing"
        finally:
            everything.close()


def test_a_presentation_counts(gnome: GnomeDesktop, gnome_signal: IdleInhibitors) -> None:
    with gnome.inhibitor("org.gnome.Evince", "Running in presentation mode"):
        assert gnome_signal.read(NOW).detail == (
            "org.gnome.Evince inhibits idle: Running in presentation mode"
        )


def test_a_browser_call_counts_by_its_reason(
    gnome: GnomeDesktop, gnome_signal: IdleInhibitors
) -> None:
    # What Chromium holds during a WebRTC call: the machine awake, the screen not necessarily.
    with gnome.inhibitor("chromium", "WebRTC has active PeerConnections", "suspend"):
        assert gnome_signal.read(NOW) == MeetingSignal(
            True, "inhibitor", "chromium inhibits suspend: WebRTC has active PeerConnections"
        )
    with gnome.inhibitor("chromium", "Playing video"):
        assert not gnome_signal.read(NOW).on


def test_an_ignored_app_does_not_count(gnome: GnomeDesktop) -> None:
    source = signal_source(gnome.address, ignore=["zoom"])
    try:
        with gnome.inhibitor("zoom", "Meeting in progress"):
            assert source.read(NOW) == MeetingSignal(False, "inhibitor")
    finally:
        source.close()


def test_an_inhibitor_of_logout_only_is_not_read(
    gnome: GnomeDesktop, gnome_signal: IdleInhibitors
) -> None:
    with gnome.inhibitor("zoom", "Meeting in progress", "logout"):
        assert gnome_signal.read(NOW) == MeetingSignal(False, "inhibitor")


def test_several_inhibitors_name_the_first_and_count_the_rest(
    gnome: GnomeDesktop, gnome_signal: IdleInhibitors
) -> None:
    with gnome.inhibitor("zoom", "Meeting in progress"), \
            gnome.inhibitor("org.gnome.Rhythmbox3", "Playing"), \
            gnome.inhibitor("teams-for-linux", "Call"):  # fmt: skip
        detail = gnome_signal.read(NOW).detail
    assert detail.endswith(" (and 1 more)")
    assert detail.split(" inhibits ")[0] in {"zoom", "teams-for-linux"}


def test_a_session_manager_that_stops_reads_off_with_the_reason(tmp_path: Path) -> None:
    desktop, buses = start_gnome_session(tmp_path)
    try:
        source = signal_source(desktop.address)
        with desktop.inhibitor("zoom", "Meeting in progress"):
            assert source.read(NOW).on
            desktop.stop()
            signal = source.read(NOW)
        source.close()
    finally:
        desktop.stop()
        for bus in buses:
            bus.stop()
    assert not signal.on
    assert signal.detail.startswith("could not read: GNOME session: ")


def test_the_coach_opens_the_signal_from_the_config(
    gnome: GnomeDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", gnome.address)
    sources, reasons = open_meeting_sources(MeetingsConfig(signals=["inhibitor"]))
    try:
        assert reasons == []
        assert [s.name for s in sources] == ["inhibitor"]
        with gnome.inhibitor("zoom", "Meeting in progress"):
            assert sources[0].read(NOW).on
    finally:
        close_all(sources)


# --- Xfce: the real xfce4-power-manager ----------------------------------------------------


@dataclass
class XfceDesktop:
    address: str
    env: dict[str, str]
    log: Path
    holders: list[Holder]
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """xfce4-power-manager on this desktop, ready for inhibitors."""
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([need("xfce4-power-manager")["xfce4-power-manager"],
                                          "--no-daemon"], env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT)  # fmt: skip
        try:
            wait_for_name(self.address, "org.freedesktop.PowerManagement")
            # It owns its name before it exports the inhibit object (CI once asked in between
            # and got "Object does not exist"): ready when GetInhibitors answers.
            wait_for(lambda: inhibit_list_answers(self.address),
                     "xfce4-power-manager's inhibit object")  # fmt: skip
        except TimeoutError as e:
            raise RuntimeError(f"xfce4-power-manager did not start: {e};"
                               f" log: {self.log.read_text()[-2000:]}") from e  # fmt: skip

    def inhibit(self, app: str, reason: str) -> None:
        """A client holding an org.freedesktop.PowerManagement inhibitor to the end of the test."""
        self.holders.append(hold(self.address, "org.freedesktop.PowerManagement",
                                 "/org/freedesktop/PowerManagement/Inhibit",
                                 "org.freedesktop.PowerManagement.Inhibit",
                                 ("Inhibit", "UnInhibit"), "ss",
                                 app, reason))  # fmt: skip


def inhibit_list_answers(address: str) -> bool:
    bus = Bus(address)
    try:
        bus.call(*POWER, POWER_INHIBIT, "GetInhibitors")
        return True
    finally:
        bus.close()


@pytest.fixture
def xfce_unstarted(tmp_path: Path) -> Iterator[XfceDesktop]:
    """An Xvfb and buses of their own, one per test, where `start()` starts xfce4-power-manager.

    It is stopped before the test's inhibitors are released: 4.18.1 (Debian 12), on a display
    without DPMS (as Xvfb is), reads its display-power settings through an object it never made
    once an inhibitor is released, and sooner or later corrupts its heap (valgrind: g_strcmp0
    and free of uninitialised values; upstream now returns early without DPMS). Taking an
    inhibitor is safe, and a real monitor has DPMS.
    """
    need("xfce4-power-manager")
    server = start_xvfb(tmp_path)
    buses = [start_bus(tmp_path / "session-bus"), start_bus(tmp_path / "system-bus")]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DISPLAY": server.display,
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "DBUS_SESSION_BUS_ADDRESS":
           buses[0].address, "DBUS_SYSTEM_BUS_ADDRESS": buses[1].address}  # fmt: skip
    desktop = XfceDesktop(buses[0].address, env, tmp_path / "xfce4-power-manager.log", [])
    try:
        yield desktop
        if desktop.proc is not None:
            assert desktop.proc.poll() is None, \
                f"xfce4-power-manager died: {desktop.log.read_text()[-2000:]}"
    finally:
        if desktop.proc is not None:
            stop(desktop.proc)
        for holder in desktop.holders:
            stop(holder.proc)
        for bus in buses:
            bus.stop()
        server.stop()


@pytest.fixture
def xfce(xfce_unstarted: XfceDesktop) -> XfceDesktop:
    """The same with xfce4-power-manager running."""
    xfce_unstarted.start()
    return xfce_unstarted


def test_xfce_power_manager_names_the_inhibiting_app(xfce: XfceDesktop) -> None:
    source = signal_source(xfce.address)
    try:
        assert [type(x) for x in source.lists] == [PowerManagement]
        assert source.read(NOW) == MeetingSignal(False, "inhibitor")
        xfce.inhibit("vlc", "Playing video")
        assert source.read(NOW) == MeetingSignal(False, "inhibitor")  # a player is no meeting
        xfce.inhibit("zoom", "Meeting in progress")
        # xfce4-power-manager keeps the app's name, not its reason.
        assert source.read(NOW) == MeetingSignal(True, "inhibitor", "zoom inhibits power saving")
    finally:
        source.close()
    ignoring = signal_source(xfce.address, ignore=["zoom"])
    try:
        assert ignoring.read(NOW) == MeetingSignal(False, "inhibitor")
    finally:
        ignoring.close()


def test_xfce_an_app_named_by_its_path_counts(xfce: XfceDesktop) -> None:
    source = signal_source(xfce.address)
    try:
        xfce.inhibit("/usr/bin/teams-for-linux", "Call")
        assert source.read(NOW).detail == "/usr/bin/teams-for-linux inhibits power saving"
    finally:
        source.close()


# --- KDE Plasma: the real PowerDevil ------------------------------------------------------

KDE_KEY = (
    "/org/kde/Solid/PowerManagement/PolicyAgent",
    "org.kde.Solid.PowerManagement.PolicyAgent",
)


def powerdevil_binary() -> str:
    """PowerDevil's daemon lives in the multiarch libexec folder (Plasma's session starts it)."""
    found = shutil.which("org_kde_powerdevil") or next(
        iter(sorted(glob.glob("/usr/lib/*/libexec/org_kde_powerdevil"))), None
    )
    if found is None:
        missing("missing org_kde_powerdevil: apt-get install powerdevil")
    return str(found)


@pytest.fixture(scope="module")
def kde(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Plasma 5.27's PowerDevil on an Xvfb and buses of its own (it needs an X display for its
    idle timers, and no UPower); yields the session bus address."""
    binary = powerdevil_binary()
    tmp = tmp_path_factory.mktemp("kde")
    server = start_xvfb(tmp)
    buses = [start_bus(tmp / "session-bus"), start_bus(tmp / "system-bus")]
    runtime = tmp / "runtime"
    runtime.mkdir(mode=0o700)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp / "config"),
           "XDG_RUNTIME_DIR": str(runtime), "DISPLAY": server.display,
           "DBUS_SESSION_BUS_ADDRESS": buses[0].address,
           "DBUS_SYSTEM_BUS_ADDRESS": buses[1].address}  # fmt: skip
    log = tmp / "powerdevil.log"
    try:
        with open(log, "wb") as out:
            proc = subprocess.Popen([binary], env=env, stdout=out, stderr=subprocess.STDOUT)
        with running(proc):
            try:
                wait_for_name(buses[0].address, KDE_KEY[1])
            except TimeoutError as e:
                raise RuntimeError(f"PowerDevil did not start: {e};"
                                   f" log: {log.read_text()[-2000:]}") from e  # fmt: skip
            yield buses[0].address
    finally:
        for bus in buses:
            bus.stop()
        server.stop()


def test_kde_powerdevil_lists_the_inhibiting_apps(kde: str) -> None:
    source = signal_source(kde)
    ignoring = signal_source(kde, ignore=["zoom"])
    # As ksmserver hands on an org.freedesktop.ScreenSaver Inhibit: screen settings (4).
    zoom = hold(kde, KDE_KEY[1], *KDE_KEY, ("AddInhibition", "ReleaseInhibition"), "uss",
                4, "zoom", "Meeting in progress")  # fmt: skip
    # An app calling org.freedesktop.PowerManagement.Inhibit, which PowerDevil owns too.
    teams = hold(kde, "org.freedesktop.PowerManagement", "/org/freedesktop/PowerManagement/Inhibit",
                 "org.freedesktop.PowerManagement.Inhibit", ("Inhibit", "UnInhibit"), "ss",
                 "teams-for-linux", "Call")  # fmt: skip
    try:
        # One list: PowerDevil's fdo PowerManagement answers from the same inhibitions.
        assert [type(x) for x in source.lists] == [KdePolicyAgent]
        # PowerDevil makes an inhibition active 5 s after it was asked for (it ignores short ones).
        signal = wait_for_signal(source, on=True)
        if not signal.detail.endswith("(and 1 more)"):  # the two 5 s timers ended apart
            signal = wait_for(lambda: (s := source.read(NOW)).detail.endswith("more)") and s,
                              "both inhibitions to be active")  # fmt: skip
        assert signal.detail in {
            "zoom inhibits power management: Meeting in progress (and 1 more)",
            "teams-for-linux inhibits power management: Call (and 1 more)",
        }
        assert ignoring.read(NOW).detail == "teams-for-linux inhibits power management: Call"
        zoom.release()
        assert source.read(NOW).detail == "teams-for-linux inhibits power management: Call"
        stop(teams.proc)  # the app quits: PowerDevil drops what it held
        wait_for_signal(source, on=False)
    finally:
        stop(zoom.proc)
        stop(teams.proc)
        source.close()
        ignoring.close()


def test_kde_a_player_is_no_meeting(kde: str) -> None:
    source = signal_source(kde)
    player = hold(kde, KDE_KEY[1], *KDE_KEY, ("AddInhibition", "ReleaseInhibition"), "uss",
                  4, "org.kde.elisa", "Playing music")  # fmt: skip
    try:
        wait_for(lambda: source.lists[0].inhibitors(), "the inhibition to be active")
        assert source.read(NOW) == MeetingSignal(False, "inhibitor")
    finally:
        stop(player.proc)
        source.close()


@pytest.fixture
def own_bus(tmp_path: Path) -> Iterator[BusDaemon]:
    bus = start_bus(tmp_path / "bus")
    try:
        yield bus
    finally:
        bus.stop()


def test_kde_plasma_6_active_inhibitions(own_bus: BusDaemon) -> None:
    """Plasma 6 (not in Debian 12, so a stand-in on a real bus answering its documented
    interface): the ActiveInhibitions property, a(ssssu) of what, who, why, mode and flags,
    asked before the deprecated ListInhibitions."""
    active = [("idle", "zoom", "Meeting in progress", "block", 3),
              ("sleep", "org.kde.elisa", "Playing music", "block", 3)]  # fmt: skip
    properties = {(*KDE_KEY, "ActiveInhibitions"): ("a(ssssu)", active)}
    with BusStub(own_bus.address, [KDE_KEY[1]], properties=properties) as agent:
        source = signal_source(own_bus.address)
        try:
            assert source.read(NOW) == MeetingSignal(
                True, "inhibitor", "zoom inhibits idle: Meeting in progress"
            )
            agent.properties[(*KDE_KEY, "ActiveInhibitions")] = ("a(ssssu)", active[1:])
            assert not source.read(NOW).on
            assert "ListInhibitions" not in agent.calls
        finally:
            source.close()


# --- where nothing lists inhibitors ----------------------------------------------------------


def test_unavailable_where_nothing_lists_inhibitors(own_bus: BusDaemon) -> None:
    with pytest.raises(SignalUnavailable) as caught:
        signal_source(own_bus.address)
    message = str(caught.value)
    assert message == (
        "no session or power manager lists idle inhibitors here (GNOME session: nothing owns"
        " org.gnome.SessionManager on the session bus; KDE PowerDevil: nothing owns"
        " org.kde.Solid.PowerManagement.PolicyAgent on the session bus; power manager: nothing"
        " owns org.freedesktop.PowerManagement on the session bus)"
    )


def test_a_power_manager_that_cannot_name_the_apps_is_no_use(own_bus: BusDaemon) -> None:
    # The specification's interface has HasInhibit alone: it cannot tell a call from a film.
    key = ("/org/freedesktop/PowerManagement/Inhibit", "org.freedesktop.PowerManagement.Inhibit")
    handlers: dict[tuple[str, str, str], Handler] = {
        (*key, "HasInhibit"): lambda _: ("b", (True,))
    }
    with BusStub(own_bus.address, ["org.freedesktop.PowerManagement"], handlers=handlers), \
            pytest.raises(SignalUnavailable) as caught:  # fmt: skip
        signal_source(own_bus.address)
    expected = "power manager: org.freedesktop.PowerManagement GetInhibitors failed"
    assert expected in str(caught.value)


def test_unavailable_without_a_session_bus(tmp_path: Path) -> None:
    with pytest.raises(SignalUnavailable, match=r"^D-Bus: cannot connect"):
        signal_source(f"unix:path={tmp_path / 'no-bus'}")


# --- the coach holds a due prompt while the inhibitor is held --------------------------------


def test_the_coach_holds_a_prompt_while_zoom_inhibits_idle(
    gnome: GnomeDesktop, gnome_signal: IdleInhibitors, tmp_path: Path
) -> None:
    from test_coach_service import (
        CONFIG,
        MONDAY_9,
        RecordingNotifier,
        ScriptedPresence,
        VirtualClock,
        prompts,
        typing_until,
    )

    from glutecoach.coach.service import Coach
    from glutecoach.config import parse_config
    from glutecoach.store import Store
    from glutecoach.store.writer import StoreWriter

    clock = VirtualClock(MONDAY_9)
    presence = ScriptedPresence(clock, MONDAY_9)
    notifier = RecordingNotifier()
    store = Store.open(tmp_path / "home")
    coach = Coach(config=parse_config(CONFIG), config_path=None,
                  writer=StoreWriter(store, "Europe/Berlin"), presence=presence,
                  notifier=notifier, clock=clock, meetings=[gnome_signal])  # type: ignore[arg-type]  # fmt: skip

    def type_until(minutes: int) -> None:
        typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=minutes))

    try:
        type_until(25)
        with gnome.inhibitor("zoom", "Meeting in progress"):
            type_until(50)  # the prompt fell due at 30 minutes
            assert notifier.shown == []
            st = coach.status_json()
            assert st["state"] == "in-meeting"
            detail = "zoom inhibits idle: Meeting in progress"
            assert st["meeting"] == {"signal": "inhibitor", "detail": detail}
        ended = clock.t
        type_until(52)
        assert len(notifier.shown) == 1
        row = prompts(store)[0]
        assert row.deferred == "inhibitor"
        shown = row.shown_utc.replace(tzinfo=UTC)
        assert ended <= shown <= ended + timedelta(seconds=coach.config.meetings.poll_seconds)
    finally:
        store.close()


def test_a_power_manager_that_starts_after_the_coach_is_picked_up(
        xfce_unstarted: XfceDesktop, monkeypatch: pytest.MonkeyPatch) -> None:
    """At login the coach's autostart entry and xfce4-power-manager start side by side: the
    coach's retry (coach/meeting_signals.py) finds the inhibitors once it is there."""
    from glutecoach.coach.meeting_signals import MeetingSignals
    from glutecoach.meetings.select import any_meeting

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", xfce_unstarted.address)
    signals = MeetingSignals(MeetingsConfig(signals=["inhibitor"]), None)
    try:
        assert signals.sources == [] and signals.missing == ["inhibitor"]
        xfce_unstarted.start()
        signals.retry()
        assert [s.name for s in signals.sources] == ["inhibitor"] and signals.missing == []
        xfce_unstarted.inhibit("zoom", "Meeting in progress")
        assert any_meeting(signals.sources, NOW) == MeetingSignal(
            True, "inhibitor", "zoom inhibits power saving")
    finally:
        signals.close()

"""The do-not-disturb signal against real switches: dunst paused with dunstctl, Xfce's setting in a
real xfconfd changed with xfconf-query, GNOME's in real gsettings (keyfile backend), and, for the
notification spec's `Inhibited` (KDE Plasma, which cannot run here), a stand-in server on a real
bus."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glutecoach.meetings.base import MeetingSignal, SignalUnavailable
from glutecoach.meetings.dnd import DunstPaused, open_do_not_disturb

from .harness import BusDaemon, BusStub, Dunst, missing, running, start_bus, wait_for_name

NOW = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)
NOTIFICATIONS = ("/org/freedesktop/Notifications", "org.freedesktop.Notifications")
XFCONF_SERVICE = Path("/usr/share/dbus-1/services/org.xfce.Xfconf.service")


@pytest.fixture
def own_bus(tmp_path: Path) -> Iterator[BusDaemon]:
    """A session bus of this test's own, with nobody on it (the shared one has dunst)."""
    bus = start_bus(tmp_path / "bus")
    try:
        yield bus
    finally:
        bus.stop()


def plain_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No desktop named, no settings from the real home: only what a test adds."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    return {**env, "XDG_CONFIG_HOME": str(tmp_path / "cfg"), **extra}


# --- dunst ------------------------------------------------------------------------------------


@pytest.fixture
def paused_later(dunst: Dunst) -> Iterator[Dunst]:
    """The shared dunst, unpaused again whatever the test does (other tests need it showing)."""
    try:
        yield dunst
    finally:
        dunst.ctl("set-paused", "false")


def test_dunst_paused_is_do_not_disturb(paused_later: Dunst, tmp_path: Path) -> None:
    dunst = paused_later
    dnd = open_do_not_disturb(plain_env(tmp_path), dunst.env["DBUS_SESSION_BUS_ADDRESS"])
    try:
        assert any(isinstance(p, DunstPaused) for p in dnd.probes)
        assert dnd.read(NOW) == MeetingSignal(False, "do-not-disturb")
        dunst.ctl("set-paused", "true")
        assert dnd.read(NOW) == MeetingSignal(True, "do-not-disturb", "dunst is paused")
        dunst.ctl("set-paused", "toggle")
        assert dnd.read(NOW) == MeetingSignal(False, "do-not-disturb")
    finally:
        dnd.close()


# --- the notification spec's Inhibited (KDE Plasma) --------------------------------------------


def plasma_stub(address: str, inhibited: bool) -> BusStub:
    return BusStub(
        address,
        [NOTIFICATIONS[1]],
        handlers={(*NOTIFICATIONS, "GetServerInformation"):
                  lambda _: ("ssss", ("Plasma", "KDE", "6.0", "1.2"))},
        properties={(*NOTIFICATIONS, "Inhibited"): ("b", inhibited)},
    )  # fmt: skip


def test_an_inhibited_notification_server_is_do_not_disturb(
    own_bus: BusDaemon, tmp_path: Path
) -> None:
    with plasma_stub(own_bus.address, inhibited=False) as plasma:
        dnd = open_do_not_disturb(plain_env(tmp_path), own_bus.address)
        try:
            assert [p.label for p in dnd.probes] == ["notification server"]
            assert not dnd.read(NOW).on
            plasma.properties[(*NOTIFICATIONS, "Inhibited")] = ("b", True)
            assert dnd.read(NOW) == MeetingSignal(
                True,
                "do-not-disturb",
                "the notification server holds notifications back (Inhibited)",
            )
        finally:
            dnd.close()


def test_a_server_that_goes_away_reads_off_with_the_reason(
    own_bus: BusDaemon, tmp_path: Path
) -> None:
    plasma = plasma_stub(own_bus.address, inhibited=True)
    dnd = open_do_not_disturb(plain_env(tmp_path), own_bus.address)
    try:
        assert dnd.read(NOW).on
        plasma.close()
        signal = dnd.read(NOW)
        assert not signal.on
        assert signal.detail.startswith("could not read: notification server: ")
    finally:
        dnd.close()


def test_unavailable_with_nothing_to_ask(own_bus: BusDaemon, tmp_path: Path) -> None:
    with pytest.raises(SignalUnavailable) as caught:
        open_do_not_disturb(plain_env(tmp_path), own_bus.address)
    message = str(caught.value)
    assert message.startswith("no do-not-disturb switch answers here (")
    assert "GNOME: this is not a GNOME session" in message
    assert "Xfce: this is not an Xfce session" in message
    assert "\n" not in message


def test_unavailable_without_a_session_bus(tmp_path: Path) -> None:
    with pytest.raises(SignalUnavailable, match="D-Bus: cannot connect"):
        open_do_not_disturb(plain_env(tmp_path), f"unix:path={tmp_path / 'no-bus'}")


# --- GNOME: show-banners in real gsettings -----------------------------------------------------


def gnome_env(tmp_path: Path) -> dict[str, str]:
    # The keyfile backend keeps settings in a file under XDG_CONFIG_HOME: real gsettings, no dconf.
    return plain_env(tmp_path, XDG_CURRENT_DESKTOP="ubuntu:GNOME", GSETTINGS_BACKEND="keyfile")


def gsettings(env: dict[str, str], *args: str) -> str:
    path = shutil.which("gsettings")
    if path is None:
        missing("missing gsettings: apt-get install libglib2.0-bin gsettings-desktop-schemas")
    done = subprocess.run([path, *args], env=env, capture_output=True, text=True, timeout=10)
    if "No such schema" in done.stderr:
        missing(
            "the GNOME notification schema is missing: apt-get install gsettings-desktop-schemas"
        )
    done.check_returncode()
    return done.stdout


def test_gnome_do_not_disturb_is_banners_off(own_bus: BusDaemon, tmp_path: Path) -> None:
    env = gnome_env(tmp_path)
    gsettings(env, "get", "org.gnome.desktop.notifications", "show-banners")
    dnd = open_do_not_disturb(env, own_bus.address)
    try:
        assert [p.label for p in dnd.probes] == ["GNOME"]
        assert not dnd.read(NOW).on
        gsettings(env, "set", "org.gnome.desktop.notifications", "show-banners", "false")
        assert dnd.read(NOW) == MeetingSignal(
            True, "do-not-disturb", "GNOME's do-not-disturb is on"
        )
        gsettings(env, "reset", "org.gnome.desktop.notifications", "show-banners")
        assert not dnd.read(NOW).on
    finally:
        dnd.close()


def test_gnome_is_not_asked_outside_a_gnome_session(own_bus: BusDaemon, tmp_path: Path) -> None:
    env = plain_env(tmp_path, XDG_CURRENT_DESKTOP="KDE", GSETTINGS_BACKEND="keyfile")
    gsettings(env, "set", "org.gnome.desktop.notifications", "show-banners", "false")
    with pytest.raises(SignalUnavailable, match="GNOME: this is not a GNOME session"):
        open_do_not_disturb(env, own_bus.address)


# --- Xfce: a real xfconfd ----------------------------------------------------------------------


def xfconfd_binary() -> str:
    """xfconfd lives in a libexec folder; its D-Bus service file says where."""
    if XFCONF_SERVICE.exists():
        for line in XFCONF_SERVICE.read_text().splitlines():
            if line.startswith("Exec="):
                return line.removeprefix("Exec=").split()[0]
    missing("missing xfconfd and xfconf-query: apt-get install xfconf")
    raise AssertionError("unreachable")


@pytest.fixture
def xfce(own_bus: BusDaemon, tmp_path: Path) -> Iterator[dict[str, str]]:
    """xfconfd on this test's bus; yields the environment of an Xfce session on it."""
    query = shutil.which("xfconf-query")
    daemon = xfconfd_binary()
    if query is None:
        missing("missing xfconf-query: apt-get install xfconf")
    env = plain_env(tmp_path, XDG_CURRENT_DESKTOP="XFCE",
                    DBUS_SESSION_BUS_ADDRESS=own_bus.address)  # fmt: skip
    with open(tmp_path / "xfconfd.log", "wb") as log:
        proc = subprocess.Popen([daemon], env=env, stdout=log, stderr=subprocess.STDOUT)
    with running(proc):
        wait_for_name(own_bus.address, "org.xfce.Xfconf")
        yield env


def xfconf_query(env: dict[str, str], *args: str) -> None:
    subprocess.run(["xfconf-query", "-c", "xfce4-notifyd", "-p", "/do-not-disturb", *args],
                   env=env, check=True, timeout=10)  # fmt: skip


def test_xfce_do_not_disturb(xfce: dict[str, str], own_bus: BusDaemon) -> None:
    dnd = open_do_not_disturb(xfce, own_bus.address)
    try:
        assert [p.label for p in dnd.probes] == ["Xfce"]
        assert not dnd.read(NOW).on  # never set: xfconf has no such property yet
        xfconf_query(xfce, "-n", "-t", "bool", "-s", "true")
        assert dnd.read(NOW) == MeetingSignal(True, "do-not-disturb", "Xfce's do-not-disturb is on")
        xfconf_query(xfce, "-s", "false")
        assert not dnd.read(NOW).on
    finally:
        dnd.close()


def test_any_switch_that_is_on_counts(xfce: dict[str, str], own_bus: BusDaemon) -> None:
    # Plasma's server idle, Xfce's switch on: asked in order, the first that is on answers.
    with plasma_stub(own_bus.address, inhibited=False):
        dnd = open_do_not_disturb(xfce, own_bus.address)
        try:
            assert [p.label for p in dnd.probes] == ["notification server", "Xfce"]
            xfconf_query(xfce, "-n", "-t", "bool", "-s", "true")
            assert dnd.read(NOW).detail == "Xfce's do-not-disturb is on"
        finally:
            dnd.close()

"""Session-wide real desktop pieces for the tests in this folder: Xvfb, a private session bus,
dunst and a tray host, each started once and stopped at the end.

A missing binary skips the tests that need it, except in CI (CI=true) where it fails them.
Tests that start the program under test pass `desktop_env` to it as its environment.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import (
    BusDaemon,
    BusMonitor,
    Dunst,
    need,
    running,
    start_bus,
    start_dunst,
    start_monitor,
    start_xvfb,
    tray_owner,
    wait_for,
)


@pytest.fixture(scope="session")
def desktop_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("desktop")


@pytest.fixture(scope="session")
def runtime_dir(desktop_tmp: Path) -> Path:
    """An XDG_RUNTIME_DIR of our own, private (0700) as the spec asks of the real one."""
    path = desktop_tmp / "runtime"
    path.mkdir(mode=0o700)
    path.chmod(0o700)  # mkdir's mode is filtered by the umask
    return path


@pytest.fixture(scope="session")
def xvfb(desktop_tmp: Path) -> Iterator[str]:
    """A running Xvfb (with -noreset); yields its DISPLAY string, e.g. ":3"."""
    server = start_xvfb(desktop_tmp)
    try:
        yield server.display
    finally:
        server.stop()


@pytest.fixture(scope="session")
def session_bus(desktop_tmp: Path) -> Iterator[str]:
    """A private D-Bus session bus (no service activation); yields its address."""
    bus = start_bus(desktop_tmp / "session-bus")
    try:
        yield bus.address
    finally:
        bus.stop()


@pytest.fixture(scope="session")
def system_bus(desktop_tmp: Path) -> Iterator[BusDaemon]:
    """A second private bus to stand for the system bus (where logind lives) in tests that
    export a logind stand-in on it."""
    bus = start_bus(desktop_tmp / "system-bus")
    try:
        yield bus
    finally:
        bus.stop()


@pytest.fixture(scope="session")
def desktop_env(
    xvfb: str, session_bus: str, runtime_dir: Path, desktop_tmp: Path
) -> dict[str, str]:
    """The environment for a program under test on this desktop.

    An X11 session (no Wayland variables), our display, bus and runtime dir, and a system bus
    address where nothing listens, so that the host's logind (on a developer's desktop) cannot
    leak its lock state into a test. Copy it before changing it: it is shared.
    """
    env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
    env.update(
        DISPLAY=xvfb,
        DBUS_SESSION_BUS_ADDRESS=session_bus,
        XDG_RUNTIME_DIR=str(runtime_dir),
        XDG_SESSION_TYPE="x11",
        DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={desktop_tmp / 'no-system-bus'}",
    )
    return env


@pytest.fixture(scope="session")
def dunst(desktop_env: dict[str, str], desktop_tmp: Path) -> Iterator[Dunst]:
    """dunst serving org.freedesktop.Notifications on the private bus and display.

    Its context menu goes to a dmenu stand-in: `dunst.context(choose="Done")` picks an action.
    Tests that need no notification server must not use this fixture (it stays up all session).
    """
    server = start_dunst(dict(desktop_env), desktop_tmp / "dunst")
    try:
        yield server
    finally:
        server.stop()


TRAYER_ARGS = ["--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "200",
               "--height", "32", "--expand", "false"]  # fmt: skip


@pytest.fixture(scope="session")
def tray_host(desktop_env: dict[str, str], desktop_tmp: Path) -> Iterator[str]:
    """trayer docked on the display as the system-tray (XEmbed) host; yields the DISPLAY."""
    paths = need("trayer")
    with open(desktop_tmp / "trayer.log", "wb") as log:
        proc = subprocess.Popen([paths["trayer"], *TRAYER_ARGS], env=desktop_env, stdout=log,
                                stderr=subprocess.STDOUT)  # fmt: skip
    with running(proc):
        wait_for(lambda: tray_owner(desktop_env["DISPLAY"]), "trayer to own the tray selection")
        yield desktop_env["DISPLAY"]


@pytest.fixture
def bus_monitor(session_bus: str, tmp_path: Path) -> Iterator[BusMonitor]:
    """dbus-monitor on the private session bus for one test: `bus_monitor.wait_for_text(...)`."""
    monitor = start_monitor(session_bus, tmp_path / "dbus-monitor.log")
    try:
        yield monitor
    finally:
        monitor.stop()

"""Which presence source "auto" tries, and in what order, from the session's own variables.

The sources themselves run against real servers in tests/desktop (test_presence.py for X11 and
D-Bus, test_wayland_idle.py for a real Wayland compositor); here only the choice is looked at.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from glutecoach.config import Desktop
from glutecoach.presence import PresenceUnavailable, open_presence
from glutecoach.presence.select import NAMES, _auto_order


@pytest.fixture
def linux(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "XDG_CURRENT_DESKTOP"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_x11_session_tries_x11_first(linux: pytest.MonkeyPatch) -> None:
    linux.setenv("XDG_SESSION_TYPE", "x11")
    linux.setenv("DISPLAY", ":0")
    assert _auto_order() == (["x11", "mutter", "freedesktop"], [])


@pytest.mark.parametrize("desktop", ["KDE", "sway", "Hyprland", "niri", "COSMIC", "labwc:wlroots"])
def test_wayland_session_asks_the_compositor_first(
    linux: pytest.MonkeyPatch, desktop: str
) -> None:
    linux.setenv("XDG_SESSION_TYPE", "wayland")
    linux.setenv("WAYLAND_DISPLAY", "wayland-1")
    linux.setenv("XDG_CURRENT_DESKTOP", desktop)
    order, skipped = _auto_order()
    assert order == ["wayland", "mutter", "freedesktop"]
    assert skipped and skipped[0].startswith("x11: skipped in a Wayland session")


@pytest.mark.parametrize("desktop", ["GNOME", "ubuntu:GNOME", "Pop:GNOME"])
def test_gnome_keeps_mutter_first(linux: pytest.MonkeyPatch, desktop: str) -> None:
    # Mutter offers no ext-idle-notify: its D-Bus IdleMonitor is the way there.
    linux.setenv("XDG_SESSION_TYPE", "wayland")
    linux.setenv("WAYLAND_DISPLAY", "wayland-0")
    linux.setenv("XDG_CURRENT_DESKTOP", desktop)
    assert _auto_order()[0] == ["mutter", "wayland", "freedesktop"]


def test_wayland_display_alone_means_wayland(linux: pytest.MonkeyPatch) -> None:
    linux.setenv("WAYLAND_DISPLAY", "wayland-0")  # a session that does not set XDG_SESSION_TYPE
    assert _auto_order()[0][0] == "wayland"


def test_wayland_is_a_name_the_config_and_the_picker_take() -> None:
    assert "wayland" in NAMES
    assert Desktop.model_validate({"presence": "wayland"}).presence == "wayland"


def test_forced_wayland_without_a_compositor_says_why_in_one_line(
    linux: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(PresenceUnavailable) as caught:
        open_presence("wayland")
    assert str(caught.value) == (
        "wayland: $WAYLAND_DISPLAY is not set, so there is no Wayland compositor"
    )


def test_auto_in_wayland_without_anything_names_each_reason(
    linux: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    linux.setenv("XDG_SESSION_TYPE", "wayland")
    linux.setenv("WAYLAND_DISPLAY", "wayland-none")
    linux.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # no compositor socket and no bus in it
    linux.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with pytest.raises(PresenceUnavailable) as caught:
        open_presence()
    message = str(caught.value)
    assert "\n" not in message
    assert "wayland: cannot connect to the Wayland compositor on wayland-none" in message
    assert "mutter: there is no D-Bus session bus" in message


def test_importing_presence_loads_no_wayland_library() -> None:
    code = "import sys, glutecoach.presence.select; assert 'pywayland' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], env={}, check=True, timeout=30)

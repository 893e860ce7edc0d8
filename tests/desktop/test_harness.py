"""The desktop harness itself: each fixture starts what it says, and the helpers see what a
notification client does, so the end-to-end tests can trust them."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from .harness import BusMonitor, Dunst, need, running, tray_owner, wait_for


def notify(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    paths = need("notify-send")
    return subprocess.Popen([paths["notify-send"], "-a", "harness", *args], env=env,
                            stdout=subprocess.PIPE, text=True)  # fmt: skip


def test_desktop_env_points_at_our_display_bus_and_private_runtime_dir(
    desktop_env: dict[str, str], xvfb: str, session_bus: str
) -> None:
    assert desktop_env["DISPLAY"] == xvfb
    assert desktop_env["DBUS_SESSION_BUS_ADDRESS"] == session_bus
    mode = Path(desktop_env["XDG_RUNTIME_DIR"]).stat().st_mode
    assert stat.S_IMODE(mode) == 0o700
    assert "WAYLAND_DISPLAY" not in desktop_env


def test_dunst_history_shows_a_sent_notification(dunst: Dunst, desktop_env: dict[str, str]) -> None:
    with running(notify(desktop_env, "-t", "60000", "Stand up", "Two squats")) as sender:
        sender.wait(timeout=10)
    shown = dunst.wait_for_notification(lambda n: n["summary"] == "Stand up")
    assert shown["body"] == "Two squats"
    assert shown["appname"] == "harness"
    assert shown["timeout"] == 60_000_000  # dunst keeps it in microseconds


def test_dunst_context_menu_invokes_the_chosen_action(
    dunst: Dunst, desktop_env: dict[str, str]
) -> None:
    args = ("-A", "done=Done", "-A", "skip=Skip", "--wait", "Glute break", "Now")
    with running(notify(desktop_env, *args)) as sender:
        wait_for(lambda: dunst.count("displayed"), "the notification on screen")
        dunst.context(choose="Skip")
        assert [line.split(" ")[0] for line in dunst.offered()] == ["#Done", "#Skip"]
        answer, _ = sender.communicate(timeout=10)
    assert answer.strip() == "skip"


def test_dunst_action_runs_a_single_action_directly(
    dunst: Dunst, desktop_env: dict[str, str]
) -> None:
    dunst.choose(None)  # no menu should open; if one did, it would be cancelled
    with running(notify(desktop_env, "-A", "done=Done", "--wait", "One", "x")) as sender:
        wait_for(lambda: dunst.count("displayed"), "the notification on screen")
        dunst.action(0)
        answer, _ = sender.communicate(timeout=10)
    assert answer.strip() == "done"


def test_bus_monitor_sees_the_notify_call(
    dunst: Dunst, bus_monitor: BusMonitor, desktop_env: dict[str, str]
) -> None:
    with running(notify(desktop_env, "Seen on the bus", "body")) as sender:
        sender.wait(timeout=10)
    text = bus_monitor.wait_for_text('string "Seen on the bus"')
    assert "member=Notify" in text


def test_tray_host_owns_the_system_tray_selection(tray_host: str) -> None:
    assert tray_owner(tray_host) != 0


def test_missing_binary_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="missing no-such-tool"):
        need("no-such-tool")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        need("no-such-tool")

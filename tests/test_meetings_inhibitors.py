"""The idle-inhibitor signal without a desktop: which inhibitors are a meeting, what the detail
says, and how lists that fail are told apart from lists that are empty. The lists themselves are
read from the real gnome-session, PowerDevil and xfce4-power-manager in
tests/desktop/test_meetings_inhibitors.py."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import pytest

from glutecoach.meetings import MeetingsConfig, MeetingSignal, open_meeting_sources
from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import ReadFailed
from glutecoach.meetings.config import (
    DEFAULT_IGNORE_APPS,
    DEFAULT_MEETING_APPS,
    DEFAULT_PRESENTING_APPS,
)
from glutecoach.meetings.inhibitors import CALL_REASONS, IdleInhibitors, Inhibitor

NOW = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)


class FakeList:
    """A list whose answer the test sets: inhibitors, or a failure."""

    def __init__(self, label: str, *held: Inhibitor, error: str | None = None) -> None:
        self.label = label
        self.held = list(held)
        self.error = error

    def inhibitors(self) -> list[Inhibitor]:
        if self.error is not None:
            raise ReadFailed(self.error)
        return self.held


def signal(*lists: FakeList, ignore: list[str] | None = None,
           presenting: list[str] | None = None) -> IdleInhibitors:  # fmt: skip
    return IdleInhibitors(
        lists,
        AppNames(DEFAULT_MEETING_APPS),
        AppNames(DEFAULT_PRESENTING_APPS if presenting is None else presenting),
        AppNames(DEFAULT_IGNORE_APPS if ignore is None else ignore),
    )


def test_the_signal_is_on_by_default_and_can_be_chosen_alone() -> None:
    assert "inhibitor" in MeetingsConfig().enabled()
    config = MeetingsConfig.model_validate({"signals": ["calendar", "inhibitor"],
                                            "calendar": "~/w.ics"})  # fmt: skip
    assert config.enabled() == ["inhibitor", "calendar"]


@pytest.mark.parametrize(
    ("app", "reason", "counts"),
    [
        ("zoom", "", True),  # a meeting app, whatever it says
        ("us.zoom.Zoom", "Playing video", True),
        ("org.gnome.Evince", "Running in presentation mode", True),  # a presenting app
        ("chromium", "WebRTC has active PeerConnections", True),  # a web call, by its reason
        ("firefox", "video-playing", False),
        ("org.gnome.Rhythmbox3", "Playing", False),
        ("vlc", "Playing some media.", False),
        ("mpv", "Recall of the week", False),  # whole words only
        ("org.gnome.Calls", "Call in progress", True),
        ("pavucontrol", "meeting", False),  # an ignored app never counts
        ("", "", False),
    ],
)
def test_which_inhibitors_are_a_meeting(app: str, reason: str, counts: bool) -> None:
    assert signal().counts(Inhibitor(app, reason, "idle")) is counts


def test_ignore_apps_wins_over_the_lists_and_the_reason() -> None:
    zoom_call = Inhibitor("zoom", "Meeting in progress", "idle")
    assert not signal(ignore=["zoom"]).counts(zoom_call)
    assert signal(presenting=["*"]).counts(Inhibitor("vlc", "Playing video", "idle"))


def test_call_words_match_as_words() -> None:
    assert CALL_REASONS.match("Slide show running") == "slide show"
    assert CALL_REASONS.match("callback queue") is None
    assert CALL_REASONS.match("") is None


def test_the_detail_names_the_app_what_it_holds_off_and_why() -> None:
    assert Inhibitor("zoom", "Meeting in progress", "idle").describe() == (
        "zoom inhibits idle: Meeting in progress"
    )
    assert Inhibitor("zoom", "", "power saving").describe() == "zoom inhibits power saving"
    assert Inhibitor("", "", "idle").describe() == "an unnamed app inhibits idle"


def test_off_while_only_players_inhibit() -> None:
    players = FakeList("GNOME session", Inhibitor("vlc", "Playing video", "idle"))
    assert signal(players).read(NOW) == MeetingSignal(False, "inhibitor")


def test_the_first_meeting_is_named_and_the_others_counted_once() -> None:
    zoom = Inhibitor("zoom", "Meeting in progress", "idle")
    teams = Inhibitor("teams", "", "power saving")
    gnome = FakeList("GNOME session", Inhibitor("vlc", "Playing", "idle"), zoom)
    power = FakeList("power manager", zoom, teams)  # the same inhibitor seen twice
    assert signal(gnome, power).read(NOW) == MeetingSignal(
        True, "inhibitor", "zoom inhibits idle: Meeting in progress (and 1 more)"
    )


def test_a_list_that_fails_is_skipped_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    broken = FakeList("KDE PowerDevil", error="did not answer within 1 s")
    working = FakeList("power manager")
    source = signal(broken, working)
    with caplog.at_level(logging.WARNING):
        assert source.read(NOW) == MeetingSignal(False, "inhibitor")
        working.held.append(Inhibitor("zoom", "", "power saving"))
        assert source.read(NOW).on
    assert caplog.text.count("inhibitor (KDE PowerDevil) could not be read") == 1


def test_when_every_list_fails_the_signal_says_why() -> None:
    source = signal(FakeList("GNOME session", error="lost the D-Bus connection"))
    assert source.read(NOW) == MeetingSignal(
        False, "inhibitor", "could not read: GNOME session: lost the D-Bus connection"
    )


@pytest.mark.parametrize(("platform", "words"), [("win32", "powercfg"), ("darwin", "pmset")])
def test_windows_and_macos_say_it_is_not_supported_yet(
    monkeypatch: pytest.MonkeyPatch, platform: str, words: str
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    sources, reasons = open_meeting_sources(MeetingsConfig(signals=["inhibitor"]))
    assert sources == []
    assert reasons[0].startswith("inhibitor: not supported on ")
    assert words in reasons[0]


def test_without_a_session_bus_it_says_so_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/nonexistent")
    _, reasons = open_meeting_sources(MeetingsConfig(signals=["inhibitor"]))
    assert reasons == ["inhibitor: D-Bus: there is no D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS"
                       " is not set and $XDG_RUNTIME_DIR/bus does not exist)"]  # fmt: skip

"""Meeting signals without a desktop: the config, app-name matching, picking and asking the
sources, pactl output recorded from a real PulseAudio server, and the Windows and macOS adapters
with their OS calls stood in for (they cannot run here)."""

from __future__ import annotations

import ctypes
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from glutecoach.meetings import (
    MeetingsConfig,
    MeetingSignal,
    SignalUnavailable,
    any_meeting,
    open_meeting_sources,
)
from glutecoach.meetings import select as meetings_select
from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import FailureLog, MeetingSource, ReadFailed
from glutecoach.meetings.consentstore import CONSENT_STORE, ConsentStoreInUse, app_name
from glutecoach.meetings.dnd import DoNotDisturb, open_do_not_disturb
from glutecoach.meetings.focusassist import QUIET_HOURS_STATE, FocusAssist
from glutecoach.meetings.microphone import (
    PulseMicrophone,
    parse_short_sources,
    parse_source_outputs,
)

DATA = Path(__file__).parent / "data" / "meetings"
NOW = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)


# --- config -----------------------------------------------------------------------------------


def test_default_config_uses_every_signal_but_the_calendar() -> None:
    config = MeetingsConfig()
    assert config.enabled() == ["camera", "microphone", "fullscreen", "inhibitor", "do-not-disturb"]
    assert config.poll_seconds == 20
    assert "zoom" in config.meeting_apps


def test_a_calendar_file_turns_the_calendar_signal_on() -> None:
    config = MeetingsConfig.model_validate({"signals": ["camera"], "calendar": "~/work.ics"})
    assert config.enabled() == ["camera", "calendar"]
    assert config.calendar_path() == Path.home() / "work.ics"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"signals": ["camera", "webcam"]}, "signals.1"),
        ({"signals": ["camera", "camera"]}, "camera listed more than once"),
        ({"signals": ["calendar"]}, "no calendar file is set"),
        ({"calendar": " "}, "calendar is empty"),
        ({"ignore_apps": ["zoom", ""]}, "an app name is empty"),
        ({"poll_seconds": "20"}, "poll_seconds"),  # strict: TOML has real numbers
        ({"poll_seconds": 0}, "poll_seconds"),
        ({"ignored_apps": ["zoom"]}, "Extra inputs are not permitted"),
    ],
)
def test_config_mistakes_are_errors(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        MeetingsConfig.model_validate(data)


# --- app names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("zoom", "zoom", True),
        ("zoom", "ZOOM VoiceEngine", True),
        ("zoom", "zoom.real", True),
        ("zoom", "zoomer", False),
        ("impress", "libreoffice-impress", True),
        ("meet", "meeting-notes", False),
        ("teams for linux", "Teams for Linux", True),
        ("*", "anything", True),
    ],
)
def test_app_patterns_match_whole_words(pattern: str, name: str, matches: bool) -> None:
    assert (AppNames([pattern]).match(name) is not None) is matches


def test_app_names_skip_missing_names() -> None:
    assert AppNames(["*"]).match(None, "") is None
    assert AppNames(["evince", "zoom"]).match(None, "Zoom") == "zoom"


# --- picking and asking -------------------------------------------------------------------------


class FakeSource:
    def __init__(self, name: str, on: bool = False, error: Exception | None = None) -> None:
        self.name = name
        self.on = on
        self.error = error
        self.reads = 0
        self.closed = False

    def read(self, now: datetime) -> MeetingSignal:
        self.reads += 1
        if self.error is not None:
            raise self.error
        return MeetingSignal(self.on, self.name, "fake" if self.on else "")

    def close(self) -> None:
        self.closed = True


def test_a_source_satisfies_the_protocol() -> None:
    assert isinstance(FakeSource("camera"), MeetingSource)


def test_any_meeting_gives_the_first_signal_that_is_on_and_reads_no_further() -> None:
    off, on, later = FakeSource("camera"), FakeSource("microphone", on=True), FakeSource("calendar")
    assert any_meeting([off, on, later], NOW) == MeetingSignal(True, "microphone", "fake")
    assert (off.reads, on.reads, later.reads) == (1, 1, 0)
    assert any_meeting([off], NOW) is None
    assert any_meeting([], NOW) is None


def test_any_meeting_survives_a_source_that_raises(caplog: pytest.LogCaptureFixture) -> None:
    broken = FakeSource("camera", error=RuntimeError("bug"))
    assert any_meeting([broken, FakeSource("fullscreen", on=True)], NOW) is not None
    assert "reading the meeting signal camera failed" in caplog.text


def test_open_sources_gives_the_working_ones_and_a_line_for_each_other(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unavailable(config: MeetingsConfig, zone: Any) -> MeetingSource:
        raise SignalUnavailable("pactl is missing")

    def buggy(config: MeetingsConfig, zone: Any) -> MeetingSource:
        raise KeyError("oops")

    monkeypatch.setattr(meetings_select, "OPENERS", {
        "camera": lambda config, zone: FakeSource("camera"),
        "microphone": unavailable,
        "fullscreen": buggy,
        "inhibitor": lambda config, zone: FakeSource("inhibitor"),
        "do-not-disturb": lambda config, zone: FakeSource("do-not-disturb"),
        "calendar": lambda config, zone: FakeSource("calendar"),
    })  # fmt: skip
    sources, reasons = open_meeting_sources(MeetingsConfig())
    assert [s.name for s in sources] == ["camera", "inhibitor", "do-not-disturb"]
    assert reasons == ["microphone: pactl is missing", "fullscreen: failed to open ('oops')"]


def test_open_sources_opens_only_what_the_config_enables(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def opener(name: str) -> Any:
        return lambda config, zone: opened.append(name) or FakeSource(name)

    monkeypatch.setattr(meetings_select, "OPENERS", {n: opener(n) for n in meetings_select.OPENERS})
    open_meeting_sources(MeetingsConfig(signals=["fullscreen"]))
    assert opened == ["fullscreen"]


def test_the_calendar_opens_through_select(tmp_path: Path) -> None:
    from zoneinfo import ZoneInfo

    config = MeetingsConfig(signals=[], calendar=str(DATA / "work.ics"))
    sources, reasons = open_meeting_sources(config, zone=ZoneInfo("Europe/Berlin"))
    assert reasons == []
    signal = any_meeting(sources, datetime(2025, 1, 7, 9, 5, tzinfo=UTC))
    assert signal == MeetingSignal(True, "calendar", "busy: Standup until 10:15")
    config = MeetingsConfig(signals=[], calendar=str(tmp_path / "gone.ics"))
    assert open_meeting_sources(config)[1] == [
        f"calendar: the calendar file {tmp_path / 'gone.ics'} does not exist"
    ]


def test_macos_says_which_signals_cannot_work_there(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    sources, reasons = open_meeting_sources(MeetingsConfig())
    assert sources == []
    assert [r.split(":")[0] for r in reasons] == [
        "camera", "microphone", "fullscreen", "inhibitor", "do-not-disturb"
    ]  # fmt: skip
    assert "CoreMediaIO" in reasons[0]
    assert "pmset" in reasons[3]
    assert "no public way" in reasons[4]


def test_fullscreen_is_unavailable_in_a_wayland_session(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    _, reasons = open_meeting_sources(MeetingsConfig(signals=["fullscreen"]))
    assert reasons[0].startswith("fullscreen: a Wayland session tells no client")


def test_failures_are_logged_once_per_run(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.meetings")
    failures = FailureLog("microphone", log)
    with caplog.at_level(logging.INFO, logger="test.meetings"):
        for _ in range(3):
            signal = failures.failed(ReadFailed("server restarting"))
        failures.ok(MeetingSignal(False, "microphone"))
        failures.failed("again")
    assert signal == MeetingSignal(False, "microphone", "could not read: server restarting")
    assert [r.getMessage() for r in caplog.records] == [
        "meeting signal microphone could not be read: server restarting",
        "meeting signal microphone reads again",
        "meeting signal microphone could not be read: again",
    ]


# --- microphone: pactl output recorded from a real PulseAudio 16 ------------------------------


def recorded(name: str) -> str:
    return (DATA / name).read_text()


def test_recorded_source_outputs_parse() -> None:
    outputs = parse_source_outputs(recorded("pactl-source-outputs.txt"))
    assert [(o.index, o.source, o.client, o.corked) for o in outputs] == [
        (0, 0, None, False),  # module-loopback: no client
        (1, 1, 1, False),  # pacat recording the sink's monitor
        (2, 0, 2, False),  # parecord recording the microphone
    ]
    assert outputs[2].properties["application.process.binary"] == "pacat"
    assert outputs[2].app == "parecord"
    assert parse_short_sources(recorded("pactl-short-sources.txt")) == {0: "mic", 1: "spk.monitor"}


def test_recorded_pipewire_source_outputs_parse() -> None:
    # The same two recorders on PipeWire 0.3.65 through pipewire-pulse.
    outputs = parse_source_outputs(recorded("pipewire-source-outputs.txt"))
    sources = parse_short_sources(recorded("pipewire-short-sources.txt"))
    assert sources == {45: "mic", 52: "spk.monitor"}
    assert [(o.app, sources[o.source or 0], o.client is not None) for o in outputs] == [
        ("parecord", "mic", True),
        ("obs-monitor", "spk.monitor", True),
    ]
    run = pactl(recorded("pipewire-source-outputs.txt"), recorded("pipewire-short-sources.txt"))
    mic = PulseMicrophone(AppNames([]), run=run)
    assert mic.read(NOW) == MeetingSignal(True, "microphone", "parecord records from mic")


def pactl(outputs: str, sources: str | None = None) -> Any:
    def run(args: list[str]) -> str:
        if args == ["info"]:
            return "Server Name: pulseaudio\n"
        if args == ["list", "short", "sources"]:
            return sources if sources is not None else recorded("pactl-short-sources.txt")
        assert args == ["list", "source-outputs"]
        return outputs

    return run


def test_only_an_app_recording_a_microphone_counts() -> None:
    # Of the three streams recorded, the loopback and the monitor recorder do not count.
    mic = PulseMicrophone(AppNames([]), run=pactl(recorded("pactl-source-outputs.txt")))
    assert mic.read(NOW) == MeetingSignal(True, "microphone", "parecord records from mic")


def test_ignored_apps_match_the_name_or_the_binary() -> None:
    text = recorded("pactl-source-outputs.txt")
    for ignored in ("parecord", "pacat"):
        mic = PulseMicrophone(AppNames([ignored]), run=pactl(text))
        assert not mic.read(NOW).on


def test_a_corked_stream_records_nothing() -> None:
    text = recorded("pactl-source-outputs.txt")
    parecord = text.index("Source Output #2")
    corked = text[:parecord] + text[parecord:].replace("Corked: no", "Corked: yes", 1)
    assert not PulseMicrophone(AppNames([]), run=pactl(corked)).read(NOW).on


def test_no_streams_is_off() -> None:
    assert PulseMicrophone(AppNames([]), run=pactl("")).read(NOW) == MeetingSignal(
        False, "microphone"
    )


def test_a_failing_pactl_reads_off_with_the_reason() -> None:
    calls = {"n": 0}

    def run(args: list[str]) -> str:
        calls["n"] += 1
        if calls["n"] > 1:
            raise ReadFailed("pactl list short sources failed: Connection failure")
        return ""

    signal = PulseMicrophone(AppNames([]), run=run).read(NOW)
    assert signal == MeetingSignal(
        False, "microphone", "could not read: pactl list short sources failed: Connection failure"
    )


def test_microphone_unavailable_without_a_server_or_pactl() -> None:
    def refused(args: list[str]) -> str:
        raise ReadFailed("pactl info failed: Connection failure: Connection refused")

    with pytest.raises(SignalUnavailable, match="no PulseAudio or PipeWire server answers"):
        PulseMicrophone(AppNames([]), run=refused)
    with pytest.raises(SignalUnavailable, match="pactl is missing"):
        PulseMicrophone(AppNames([]), env={"PATH": "/nonexistent"})


# --- Windows: the consent store and Focus Assist, with the OS stood in for --------------------

WEBCAM = CONSENT_STORE + "\\webcam"
MICROPHONE = CONSENT_STORE + "\\microphone"


class FakeRegistry:
    """HKCU as {key path: {value name: int}}; subkeys are the paths one level below."""

    def __init__(self, keys: dict[str, dict[str, int]]) -> None:
        self.keys = keys

    def subkeys(self, path: str) -> list[str]:
        if path not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        prefix = path + "\\"
        return sorted({k[len(prefix) :].split("\\")[0] for k in self.keys if k.startswith(prefix)})

    def value(self, path: str, name: str) -> int | None:
        return self.keys.get(path, {}).get(name)


def consent_keys(root: str, zoom_stop: int, camera_app_stop: int) -> dict[str, dict[str, int]]:
    return {
        root: {},
        f"{root}\\Microsoft.WindowsCamera_8wekyb3d8bbwe": {
            "LastUsedTimeStart": 133800000000000000, "LastUsedTimeStop": camera_app_stop},
        f"{root}\\NonPackaged": {},
        f"{root}\\NonPackaged\\C:#Program Files#Zoom#bin#Zoom.exe": {
            "LastUsedTimeStart": 133800000000000000, "LastUsedTimeStop": zoom_stop},
        f"{root}\\NonPackaged\\C:#Tools#never.exe": {},  # asked once, never used
    }  # fmt: skip


def test_consent_store_app_names_read_well() -> None:
    assert app_name("C:#Program Files#Zoom#bin#Zoom.exe") == "Zoom"
    assert app_name("Microsoft.WindowsCamera_8wekyb3d8bbwe") == "Microsoft.WindowsCamera"


def test_windows_camera_is_on_while_an_apps_last_use_has_not_stopped() -> None:
    registry = FakeRegistry(consent_keys(WEBCAM, zoom_stop=0, camera_app_stop=1338))
    camera = ConsentStoreInUse("camera", AppNames([]), registry)
    assert camera.read(NOW) == MeetingSignal(True, "camera", "Zoom uses the camera")
    registry.keys.update(consent_keys(WEBCAM, zoom_stop=1339, camera_app_stop=1338))
    assert camera.read(NOW) == MeetingSignal(False, "camera")


def test_windows_microphone_reads_its_own_key_and_ignores_apps() -> None:
    registry = FakeRegistry(consent_keys(MICROPHONE, zoom_stop=1, camera_app_stop=0))
    mic = ConsentStoreInUse("microphone", AppNames([]), registry)
    assert mic.read(NOW).detail == "Microsoft.WindowsCamera uses the microphone"
    assert not ConsentStoreInUse("microphone", AppNames(["windowscamera"]), registry).read(NOW).on


def test_windows_consent_store_unavailable_without_the_key_or_off_windows() -> None:
    with pytest.raises(SignalUnavailable, match="keeps no webcam use record"):
        ConsentStoreInUse("camera", AppNames([]), FakeRegistry({}))
    if sys.platform != "win32":
        with pytest.raises(SignalUnavailable, match="not Windows"):
            ConsentStoreInUse("camera", AppNames([]))


def test_a_registry_that_goes_away_reads_off_with_the_reason() -> None:
    registry = FakeRegistry(consent_keys(WEBCAM, zoom_stop=0, camera_app_stop=1))
    camera = ConsentStoreInUse("camera", AppNames([]), registry)
    registry.keys.clear()
    assert camera.read(NOW).detail.startswith("could not read: cannot list")


class FakeNtdll:
    def __init__(self, quiet_hours: int, status: int = 0) -> None:
        self.quiet_hours = quiet_hours
        self.status = status

    def NtQueryWnfStateData(self, name: Any, type_id: Any, scope: Any, stamp: Any, buffer: Any,
                            size: Any) -> int:  # fmt: skip
        assert name._obj.value == QUIET_HOURS_STATE
        assert size._obj.value == ctypes.sizeof(buffer._obj)
        buffer._obj.value = self.quiet_hours
        return self.status


class FakeShell32:
    def __init__(self, state: int = 5) -> None:  # 5: QUNS_ACCEPTS_NOTIFICATIONS
        self.state = state

    def SHQueryUserNotificationState(self, ref: Any) -> int:
        ref._obj.value = self.state
        return 0


@pytest.mark.parametrize(
    ("quiet", "state", "detail"),
    [
        (0, 5, None),
        (1, 5, "Focus Assist is on (priority only)"),
        (2, 5, "Focus Assist is on (alarms only)"),
        (0, 4, "Windows presentation mode is on"),
    ],
)
def test_windows_focus_assist_and_presentation_mode(quiet: int, state: int, detail: str) -> None:
    dnd = DoNotDisturb([FocusAssist(FakeNtdll(quiet), FakeShell32(state))])
    assert dnd.read(NOW) == MeetingSignal(detail is not None, "do-not-disturb", detail or "")


def test_focus_assist_unavailable_when_windows_does_not_publish_it() -> None:
    with pytest.raises(SignalUnavailable, match="does not publish Focus Assist"):
        FocusAssist(FakeNtdll(0, status=0xC0000034), FakeShell32())
    if sys.platform != "win32":
        with pytest.raises(SignalUnavailable, match="not Windows"):
            FocusAssist()


def test_do_not_disturb_on_macos_says_why_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(SignalUnavailable, match="no public way to read its Focus state"):
        open_do_not_disturb()

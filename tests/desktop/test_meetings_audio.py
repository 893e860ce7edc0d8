"""The microphone signal against real sound servers, PulseAudio and PipeWire (each in user mode in
a tmp runtime dir, a null source standing for the microphone), and real recorders (parecord,
pacat); then all the signals opened together through `open_meeting_sources` on this test desktop.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glutecoach.meetings import MeetingsConfig, MeetingSignal, any_meeting, open_meeting_sources
from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import SignalUnavailable
from glutecoach.meetings.microphone import PulseMicrophone
from glutecoach.meetings.select import close_all

from .harness import BusDaemon, Dunst, missing, running, start_bus, stop, wait_for

NOW = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)


# Debian packages of the binaries each sound server needs here.
PACKAGES = {
    "pactl": "pulseaudio-utils",
    "parecord": "pulseaudio-utils",
    "pacat": "pulseaudio-utils",
    "pulseaudio": "pulseaudio",
    "pipewire": "pipewire",
    "pipewire-pulse": "pipewire-pulse",
    "wireplumber": "wireplumber",
}
CLIENTS = ("pactl", "parecord", "pacat")
SERVERS = {"pulseaudio": ("pulseaudio",), "pipewire": ("pipewire", "wireplumber", "pipewire-pulse")}


def need_binaries(*names: str) -> dict[str, str]:
    paths = {name: shutil.which(name) for name in names}
    absent = [name for name, path in paths.items() if path is None]
    if absent:
        packages = sorted({PACKAGES[name] for name in absent})
        missing(f"missing {', '.join(absent)}: apt-get install {' '.join(packages)}")
    return {name: str(path) for name, path in paths.items()}


@dataclass
class Pulse:
    """A running sound server that speaks the PulseAudio protocol, and its clients' env."""

    kind: str
    env: dict[str, str]
    procs: list[subprocess.Popen[bytes]]
    paths: dict[str, str]
    bus: BusDaemon | None = None

    def pactl(self, *args: str) -> str:
        done = subprocess.run([self.paths["pactl"], *args], env=self.env, capture_output=True,
                              text=True, timeout=10, check=True)  # fmt: skip
        return done.stdout

    def record(self, device: str, *extra: str) -> subprocess.Popen[bytes]:
        """A recorder on `device` (parecord, or pacat when `extra` names a client)."""
        binary = self.paths["pacat" if extra else "parecord"]
        args = [binary, "--record", *extra] if extra else [binary]
        return subprocess.Popen([*args, f"--device={device}", "--raw", "/dev/null"], env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def stop(self) -> None:
        for proc in reversed(self.procs):
            stop(proc)
        if self.bus is not None:
            self.bus.stop()


def _spawn(binary: str, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen([binary, *args], env=env, stdout=out, stderr=subprocess.STDOUT)


def _offers_mic(server: Pulse) -> bool:
    sources = server.pactl("list", "short", "sources")
    return "\tmic\t" in sources and "\tspk.monitor\t" in sources


def start_sound_server(kind: str, workdir: Path) -> Pulse:
    """PulseAudio or PipeWire (with WirePlumber and pipewire-pulse) private to `workdir`, with a
    null source "mic" standing for the microphone and a null sink "spk" whose monitor
    "spk.monitor" is what screen recorders record. No sound card is needed."""
    paths = need_binaries(*CLIENTS, *SERVERS[kind])
    runtime = workdir / "runtime"
    runtime.mkdir(parents=True, mode=0o700)
    runtime.chmod(0o700)
    socket = workdir / "pulse.sock" if kind == "pulseaudio" else runtime / "pulse" / "native"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(workdir),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(workdir / "config"),
        "PULSE_SERVER": f"unix:{socket}",
    }
    log = workdir / f"{kind}.log"
    server = Pulse(kind, env, [], paths)
    try:
        if kind == "pulseaudio":
            # -n: no default script (no sound card, no D-Bus, no autospawned extras).
            server.procs.append(_spawn(paths["pulseaudio"], [
                "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
                "--disable-shm=yes",
                "-L", f"module-native-protocol-unix socket={socket} auth-anonymous=1",
                "-L", "module-null-source source_name=mic",
                "-L", "module-null-sink sink_name=spk"], env, log))  # fmt: skip
        else:
            # WirePlumber wants a session bus: one of its own, so nothing leaks between tests.
            server.bus = start_bus(workdir / "bus")
            env["DBUS_SESSION_BUS_ADDRESS"] = server.bus.address
            server.procs.append(_spawn(paths["pipewire"], [], env, log))
            wait_for(lambda: (runtime / "pipewire-0").exists(), "PipeWire's socket")
            server.procs.append(_spawn(paths["wireplumber"], [], env, log))
            server.procs.append(_spawn(paths["pipewire-pulse"], [], env, log))
            wait_for(lambda: server.pactl("info"), "pipewire-pulse to answer")
            server.pactl("load-module", "module-null-sink", "media.class=Audio/Source/Virtual",
                         "sink_name=mic", "channel_map=front-left,front-right")  # fmt: skip
            server.pactl("load-module", "module-null-sink", "sink_name=spk")
        wait_for(lambda: _offers_mic(server), f"{kind} to offer the null microphone")
    except Exception as e:
        server.stop()
        raise RuntimeError(f"{kind} did not start: {e}; log: {log.read_text()[-2000:]}") from e
    return server


@pytest.fixture(scope="module", params=["pulseaudio", "pipewire"])
def pulse(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pulse]:
    server = start_sound_server(request.param, tmp_path_factory.mktemp(request.param))
    try:
        yield server
    finally:
        server.stop()


def microphone(pulse: Pulse, ignore: list[str] | None = None) -> PulseMicrophone:
    return PulseMicrophone(AppNames(ignore or []), env=pulse.env)


def test_off_while_nothing_records(pulse: Pulse) -> None:
    assert microphone(pulse).read(NOW) == MeetingSignal(False, "microphone")


def test_on_while_an_app_records_the_microphone(pulse: Pulse) -> None:
    mic = microphone(pulse)
    with running(pulse.record("mic")):
        signal = wait_for(lambda: mic.read(NOW).on and mic.read(NOW), "the recording to show")
        assert signal == MeetingSignal(True, "microphone", "parecord records from mic")
    wait_for(lambda: not mic.read(NOW).on, "the recording to end")


def test_recording_what_plays_is_not_the_microphone(pulse: Pulse) -> None:
    mic = microphone(pulse)
    with running(pulse.record("spk.monitor", "--client-name=obs")):
        wait_for(lambda: "obs" in pulse.pactl("list", "source-outputs"), "the monitor recording")
        assert not mic.read(NOW).on


def test_a_servers_own_loopback_is_not_an_app(pulse: Pulse) -> None:
    module = pulse.pactl("load-module", "module-loopback", "source=mic", "sink=spk").strip()
    try:
        wait_for(lambda: "loopback" in pulse.pactl("list", "source-outputs").lower(),
                 "the loopback stream")  # fmt: skip
        assert not microphone(pulse).read(NOW).on
    finally:
        pulse.pactl("unload-module", module)


def test_an_ignored_app_does_not_count(pulse: Pulse) -> None:
    with running(pulse.record("mic", "--client-name=PulseAudio Volume Control")):
        mic = microphone(pulse)
        wait_for(lambda: mic.read(NOW).on, "the recording to show")
        assert not microphone(pulse, ignore=["pulseaudio volume control"]).read(NOW).on


@pytest.mark.parametrize("kind", SERVERS)
def test_a_server_that_stops_reads_off_with_the_reason(kind: str, tmp_path: Path) -> None:
    server = start_sound_server(kind, tmp_path)
    mic = microphone(server)
    with running(server.record("mic")):
        wait_for(lambda: mic.read(NOW).on, "the recording to show")
        server.stop()
        signal = mic.read(NOW)
    assert not signal.on
    assert signal.detail.startswith("could not read: pactl list short sources failed: Connection")


def test_unavailable_without_a_server_or_pactl(tmp_path: Path) -> None:
    need_binaries(*CLIENTS)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "PULSE_SERVER": f"unix:{tmp_path / 'none.sock'}"}  # fmt: skip
    with pytest.raises(
        SignalUnavailable, match=r"no PulseAudio or PipeWire server answers \(pactl"
    ):
        PulseMicrophone(AppNames([]), env=env)
    with pytest.raises(SignalUnavailable, match="pactl is missing"):
        PulseMicrophone(AppNames([]), env={**env, "PATH": str(tmp_path)})


# --- every signal at once, as the coach opens them ----------------------------------------------


def test_open_meeting_sources_on_this_desktop(
    monkeypatch: pytest.MonkeyPatch, pulse: Pulse, dunst: Dunst
) -> None:
    for name, value in dunst.env.items():
        if name.startswith(("DISPLAY", "DBUS_", "XDG_")):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("PULSE_SERVER", pulse.env["PULSE_SERVER"])
    monkeypatch.setenv("HOME", pulse.env["HOME"])
    monkeypatch.delenv("XDG_CURRENT_DESKTOP", raising=False)
    sources, reasons = open_meeting_sources(MeetingsConfig())
    try:
        names = [s.name for s in sources]
        assert {"camera", "microphone", "do-not-disturb"} <= set(names)
        # The shared Xvfb runs no window manager, so the fullscreen signal says it cannot work.
        assert "fullscreen" in names or any(r.startswith("fullscreen: ") for r in reasons)
        assert any_meeting(sources, NOW) is None
        try:
            with running(pulse.record("mic")):
                meeting = wait_for(lambda: any_meeting(sources, NOW), "a meeting signal")
                assert meeting == MeetingSignal(True, "microphone", "parecord records from mic")
                dunst.ctl("set-paused", "true")
            paused = MeetingSignal(True, "do-not-disturb", "dunst is paused")
            wait_for(lambda: any_meeting(sources, NOW) == paused, "only do-not-disturb to be on")
        finally:
            dunst.ctl("set-paused", "false")
        assert any_meeting(sources, NOW) is None
    finally:
        close_all(sources)

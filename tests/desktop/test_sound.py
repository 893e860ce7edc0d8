"""The chimes reach a real sound server: PulseAudio, and PipeWire with WirePlumber and
pipewire-pulse, each with a null sink "spk" (tests/desktop/test_meetings_audio.py starts them),
played by the real players (paplay, pw-play) and recorded from the sink's monitor with parecord.
Quieter at volume 0.2 than at 1.0; none in do-not-disturb (the shared dunst paused), none with
`sound = "off"`, none in a meeting; and from a real coach at a `break-now` prompt."""

from __future__ import annotations

import array
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from glutecoach.sound.chimes import Chimes
from glutecoach.sound.player import LINUX_PLAYERS, SoundPlayer

from .harness import Dunst, need, stop, wait_for
from .test_coach_e2e import FAST
from .test_coach_e2e import Coach as CoachProcess
from .test_meetings_audio import Pulse, start_sound_server

PLAYERS = {p.program: p for p in LINUX_PLAYERS}
SILENT_PEAK = 0  # a null sink's monitor carries exact zeros when nothing plays


class Recording:
    """parecord on the null sink's monitor, 16-bit mono at 16 kHz, into a file, with small
    fragments (by default PulseAudio hands a recorder 2 s at a time)."""

    def __init__(self, pulse: Pulse, path: Path) -> None:
        self.pulse, self.path = pulse, path
        self.proc = subprocess.Popen(
            [pulse.paths["parecord"], "--latency-msec=20", "--device=spk.monitor", "--raw",
             "--format=s16le", "--channels=1", "--rate=16000", "--client-name=test-recorder",
             str(path)], env=pulse.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: "test-recorder" in pulse.pactl("list", "source-outputs"),
                 "the recorder to connect")

    def samples(self) -> array.array[int]:
        data = self.path.read_bytes() if self.path.exists() else b""
        return array.array("h", data[: len(data) // 2 * 2])

    def peak(self) -> int:
        return max(map(abs, self.samples()), default=0)

    def stop(self) -> int:
        stop(self.proc)
        return self.peak()


@pytest.fixture(scope="module", params=["pulseaudio", "pipewire"])
def pulse(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pulse]:
    server = start_sound_server(request.param, tmp_path_factory.mktemp(request.param))
    try:
        yield server
    finally:
        server.stop()


def recorded(pulse: Pulse, tmp_path: Path, play: Callable[[], object],
             after: float = 0.5) -> int:
    """The loudest sample on the sink while `play()` runs (and `after` seconds more)."""
    recording = Recording(pulse, tmp_path / f"rec-{time.monotonic_ns()}.raw")
    try:
        play()
        time.sleep(after)
    finally:
        peak = recording.stop()
    return peak


def players_for(kind: str) -> list[str]:
    """The players to try on this server, found or the test skipped (failed in CI). pw-play
    speaks PipeWire's own protocol: it has no server to talk to under PulseAudio."""
    need("paplay")
    if kind != "pipewire":
        return ["paplay"]
    need("pw-play")
    return ["paplay", "pw-play"]


def test_each_player_reaches_the_sink_quieter_at_a_lower_volume(pulse: Pulse,
                                                                tmp_path: Path) -> None:
    for program in players_for(pulse.kind):
        player = SoundPlayer(pulse.env, (PLAYERS[program],))
        loud = recorded(pulse, tmp_path, lambda p=player: p.play_now("prompt", 1.0))
        quiet = recorded(pulse, tmp_path, lambda p=player: p.play_now("prompt", 0.2))
        # The file peaks at 0.45 of full scale; PipeWire's mono-to-stereo-and-back adds 3 dB.
        assert loud > 12000, (program, loud)
        # 0.2 is -42 dB on the desktop's cubic scale: 0.008 of the amplitude.
        assert SILENT_PEAK < quiet < loud * 0.016, (program, quiet, loud)
        assert quiet > loud * 0.004, (program, quiet, loud)


def test_a_playing_chime_is_a_stream_of_the_coach_on_the_server(pulse: Pulse) -> None:
    for program in players_for(pulse.kind):
        player = SoundPlayer(pulse.env, (PLAYERS[program],))
        thread = threading.Thread(target=player.play_now, args=("break-end", 0.7))
        started = time.monotonic()
        thread.start()
        try:
            inputs = wait_for(lambda: (text := pulse.pactl("list", "sink-inputs"))
                              and "GluteCoach" in text and text, f"{program}'s stream")
            latency = time.monotonic() - started
        finally:
            thread.join(10)
        assert 'application.name = "GluteCoach"' in inputs
        assert latency < 1.0, latency
        wait_for(lambda: "GluteCoach" not in pulse.pactl("list", "sink-inputs"),
                 "the stream to end")


def test_a_server_that_is_not_there_is_one_line_not_a_hang(tmp_path: Path) -> None:
    need("paplay")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "PULSE_SERVER": f"unix:{tmp_path / 'none.sock'}"}
    started = time.monotonic()
    why = SoundPlayer(env, (PLAYERS["paplay"],)).play_now("prompt", 1.0)
    assert why is not None and why.startswith("paplay: exit 1: ") and "Connection" in why
    assert time.monotonic() - started < 3


# --- silence, with the real do-not-disturb of the test desktop ---------------------------------


@pytest.fixture
def unpaused_later(dunst: Dunst) -> Iterator[Dunst]:
    try:
        yield dunst
    finally:
        dunst.ctl("set-paused", "false")


def test_none_in_do_not_disturb_and_none_when_off(pulse: Pulse, unpaused_later: Dunst,
                                                  tmp_path: Path) -> None:
    dunst = unpaused_later
    settings = type("S", (), {"sound": "chime", "volume": 1.0})()
    env = {**pulse.env, "XDG_CONFIG_HOME": str(tmp_path / "cfg")}  # no GNOME settings here
    chimes = Chimes(lambda: settings, player=SoundPlayer(pulse.env), env=env,
                    address=dunst.env["DBUS_SESSION_BUS_ADDRESS"])
    try:
        assert recorded(pulse, tmp_path, lambda: chimes.play_now("prompt")) > 12000
        dunst.ctl("set-paused", "true")
        why: list[str | None] = []
        assert recorded(pulse, tmp_path, lambda: why.append(chimes.play_now("prompt")),
                        after=1.5) == SILENT_PEAK
        assert why == ["do-not-disturb (dunst is paused)"]
        dunst.ctl("set-paused", "false")
        settings.sound = "off"
        assert recorded(pulse, tmp_path, lambda: chimes.play_now("prompt"),
                        after=1.5) == SILENT_PEAK
    finally:
        chimes.close()


# --- a real coach ------------------------------------------------------------------------------


def coach_config(sound: str = "chime", volume: float = 1.0, signals: str = "[]") -> str:
    # FAST ends inside [desktop]; no break window (the window's own sounds are in its tests), and
    # meeting signals looked at every second.
    return FAST + f"""break_window = false
sound = "{sound}"
volume = {volume}

[meetings]
signals = {signals}
poll_seconds = 1
"""


@pytest.fixture
def coach_pulse(tmp_path: Path) -> Iterator[Pulse]:
    """PulseAudio for the coach (the players are tried on both servers above)."""
    server = start_sound_server("pulseaudio", tmp_path / "pulse")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sound_coach(desktop_env: dict[str, str], dunst: Dunst, coach_pulse: Pulse,
                tmp_path: Path) -> Iterator[CoachProcess]:
    pulse = coach_pulse
    config = tmp_path / "config.toml"
    config.write_text(coach_config())
    env = dict(desktop_env, PYTHONUNBUFFERED="1", PULSE_SERVER=pulse.env["PULSE_SERVER"],
               XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    coach = CoachProcess(env, tmp_path / "home", config)
    coach.start()
    try:
        yield coach
    finally:
        coach.cli("stop")
        if coach.proc is not None:
            try:
                coach.proc.wait(10)
            except subprocess.TimeoutExpired:
                coach.proc.kill()
                coach.proc.wait(5)


def coach_log(coach: CoachProcess) -> str:
    path = coach.home / "glutecoach.log"
    return path.read_text() if path.exists() else ""


def prompt_sound(pulse: Pulse, coach: CoachProcess, tmp_path: Path,
                 silent_because: str | None = None) -> int:
    """`break-now` on the coach; the loudest sample that reached the sink. With
    `silent_because`, waits for the coach to log why it stayed silent."""
    recording = Recording(pulse, tmp_path / f"coach-{time.monotonic_ns()}.raw")
    try:
        done = coach.cli("break-now")
        assert done.returncode == 0, done.stderr
        if silent_because is None:
            wait_for(lambda: recording.peak() > 12000, "the prompt's chime on the sink",
                     timeout=10)
        else:
            wait_for(lambda: f"sound prompt not played: {silent_because}" in coach_log(coach),
                     "the coach to keep quiet", timeout=10)
            time.sleep(1.5)  # had it played, the whole chime would be on the sink by now
    finally:
        peak = recording.stop()
    answer(coach)
    return peak


def answer(coach: CoachProcess) -> None:
    """Skip the prompt, so that the next break-now shows one (the tiny rules of FAST may have
    closed it already: nobody is at the keyboard)."""
    skipped = coach.cli("skip")
    assert skipped.returncode == 0 or "no prompt is pending" in skipped.stderr, skipped.stderr


def test_a_real_coach_chimes_at_its_prompt_and_keeps_quiet_when_it_should(
        sound_coach: CoachProcess, coach_pulse: Pulse, unpaused_later: Dunst,
        tmp_path: Path) -> None:
    coach, dunst, pulse = sound_coach, unpaused_later, coach_pulse
    loud = prompt_sound(pulse, coach, tmp_path)

    # Do-not-disturb, not a meeting signal here: the prompt shows, silently.
    dunst.ctl("set-paused", "true")
    assert prompt_sound(pulse, coach, tmp_path, "do-not-disturb (dunst is paused)") == 0
    dunst.ctl("set-paused", "false")

    # The volume and the switch apply at the next sound after a save (no restart).
    def save(text: str, changed: str) -> None:
        before = coach_log(coach).count("config applied after a save")
        coach.config.write_text(text)
        wait_for(lambda: coach_log(coach).count("config applied after a save") > before,
                 f"the coach to apply {changed}", timeout=10)

    save(coach_config(volume=0.2), "volume = 0.2")
    recording = Recording(pulse, tmp_path / "quiet.raw")
    try:
        assert coach.cli("break-now").returncode == 0
        wait_for(lambda: recording.peak() > 0, "the quiet chime", timeout=10)
        time.sleep(1.5)
    finally:
        quiet = recording.stop()
    answer(coach)
    assert 0 < quiet < loud * 0.016, (quiet, loud)

    save(coach_config(sound="off"), 'sound = "off"')
    assert prompt_sound(pulse, coach, tmp_path, 'sound = "off"') == 0

    # A meeting (here do-not-disturb as a meeting signal) holds prompts; a break asked for
    # meanwhile shows, without a sound.
    save(coach_config(signals='["do-not-disturb"]'), "do-not-disturb as a meeting signal")
    dunst.ctl("set-paused", "true")
    wait_for(lambda: coach.status()["meeting"], "the coach to see the meeting", timeout=10)
    assert prompt_sound(pulse, coach, tmp_path, "in a meeting (do-not-disturb)") == 0
    log = coach_log(coach)
    assert "applies at the next start" not in log  # sound and volume are live
    assert "Traceback" not in log

"""The sound player and the rules of silence, with stand-in players: real programs on a private
PATH that keep what they were given (the real players against real sound servers are in
tests/desktop/test_sound.py). Windows' winsound is replaced, as it cannot run here."""

from __future__ import annotations

import array
import io
import json
import logging
import sys
import threading
import time
import types
import wave
from dataclasses import dataclass
from pathlib import Path

import pytest

from glutecoach.sound.chimes import Chimes
from glutecoach.sound.player import (
    LINUX_PLAYERS,
    MACOS_PLAYERS,
    RATE,
    SoundPlayer,
    amplitude,
    scaled_frames,
    sound_file,
)

# A player that writes its arguments and what it read on stdin next to itself, then exits with
# the code in its file `<name>.exit` (0 when there is none), after `<name>.sleep` seconds.
STAND_IN = """#!{python}
import json, pathlib, sys, time
me = pathlib.Path(sys.argv[0])
data = sys.stdin.buffer.read()
(me.parent / (me.name + ".runs")).open("a").write(json.dumps([sys.argv[1:], data.hex()]) + "\\n")
sleep = me.parent / (me.name + ".sleep")
if sleep.exists():
    time.sleep(float(sleep.read_text()))
code = me.parent / (me.name + ".exit")
if code.exists():
    print("error: pa_context_connect() failed: Connection refused", file=sys.stderr)
    sys.exit(int(code.read_text()))
"""


class StandIns:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        directory.mkdir(exist_ok=True)
        self.env = {"PATH": str(directory)}

    def add(self, name: str, *, exit_code: int = 0, sleep: float = 0) -> None:
        path = self.dir / name
        path.write_text(STAND_IN.format(python=sys.executable))
        path.chmod(0o755)
        if exit_code:
            (self.dir / f"{name}.exit").write_text(str(exit_code))
        if sleep:
            (self.dir / f"{name}.sleep").write_text(str(sleep))

    def runs(self, name: str) -> list[tuple[list[str], bytes]]:
        path = self.dir / f"{name}.runs"
        if not path.exists():
            return []
        return [(args, bytes.fromhex(data))
                for args, data in map(json.loads, path.read_text().splitlines())]


@pytest.fixture
def players(tmp_path: Path) -> StandIns:
    return StandIns(tmp_path / "bin")


def samples_of_wav(data: bytes) -> array.array[int]:
    with wave.open(io.BytesIO(data), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        return array.array("h", w.readframes(w.getnframes()))


def shipped(name: str) -> array.array[int]:
    return samples_of_wav(sound_file(name).read_bytes())


# --- the player ---------------------------------------------------------------------------------


def test_paplay_gets_the_wav_on_stdin_with_the_volume_in_its_samples(players: StandIns) -> None:
    players.add("paplay")
    assert SoundPlayer(players.env).play_now("prompt", 0.5) is None
    ((args, data),) = players.runs("paplay")
    assert args == ["--client-name=GluteCoach", "--stream-name=prompt",
                    "--property=media.role=event"]
    original, played = shipped("prompt"), samples_of_wav(data)
    assert len(played) == len(original)
    # 0.5 on the desktop's cubic volume scale is 1/8 of the amplitude (about -18 dB).
    assert max(played) == round(max(original) * 0.125)


def test_pw_play_gets_bare_samples_it_is_told_the_format_of(players: StandIns) -> None:
    players.add("pw-play")
    assert SoundPlayer(players.env).play_now("break-end", 1.0) is None
    ((args, data),) = players.runs("pw-play")
    assert args[:4] == ["--rate=16000", "--channels=1", "--format=s16",
                        "--media-role=Notification"]
    assert args[-1] == "-"
    assert array.array("h", data) == shipped("break-end")


def test_afplay_on_macos_opens_the_file_itself(players: StandIns) -> None:
    players.add("afplay")
    player = SoundPlayer(players.env, platform="darwin")
    assert player.players == list(MACOS_PLAYERS)
    assert player.play_now("exercise-end", 0.2) is None
    ((args, data),) = players.runs("afplay")
    assert args == ["-v", "0.008000", str(sound_file("exercise-end"))]
    assert data == b""


def test_volume_follows_the_desktops_cubic_scale() -> None:
    assert [amplitude(v) for v in (0, 0.2, 0.5, 1)] == [0, pytest.approx(0.008), 0.125, 1]
    assert amplitude(1.5) == 1 and amplitude(-1) == 0
    _params, frames = scaled_frames(sound_file("prompt").read_bytes(), 0.0)
    assert not any(array.array("h", frames))


def test_a_failing_player_gives_way_to_the_next_which_goes_first_from_then_on(
        players: StandIns, caplog: pytest.LogCaptureFixture) -> None:
    """PulseAudio's paplay with no server (a PipeWire-only desktop): pw-play plays instead,
    nothing is logged since a sound did play, and pw-play is asked first the next time."""
    players.add("paplay", exit_code=1)
    players.add("pw-play")
    player = SoundPlayer(players.env)
    with caplog.at_level(logging.INFO, "glutecoach.sound"):
        assert player.play_now("prompt", 1.0) is None
        assert player.play_now("prompt", 1.0) is None
    assert len(players.runs("paplay")) == 1
    assert len(players.runs("pw-play")) == 2
    assert [p.program for p in player.players] == ["pw-play", "paplay"]
    assert caplog.records == []


def test_no_player_installed_is_said_once(players: StandIns,
                                          caplog: pytest.LogCaptureFixture) -> None:
    player = SoundPlayer(players.env)
    with caplog.at_level(logging.INFO, "glutecoach.sound"):
        for _ in range(3):
            why = player.play_now("prompt", 1.0)
    assert why == ("no sound player is installed (install one of: paplay (pulseaudio-utils), "
                   "pw-play (pipewire-bin))")
    assert [r.getMessage() for r in caplog.records] == [f"no sound: {why}"]


def test_players_that_fail_are_said_once_with_their_reasons_and_recovery_once(
        players: StandIns, caplog: pytest.LogCaptureFixture) -> None:
    players.add("paplay", exit_code=1)
    player = SoundPlayer(players.env, (LINUX_PLAYERS[0],))
    with caplog.at_level(logging.INFO, "glutecoach.sound"):
        player.play_now("prompt", 1.0)
        player.play_now("prompt", 1.0)
        (players.dir / "paplay.exit").unlink()
        player.play_now("prompt", 1.0)
        player.play_now("prompt", 1.0)
    assert [r.getMessage() for r in caplog.records] == [
        "no sound: paplay: exit 1: error: pa_context_connect() failed: Connection refused",
        "sounds play again"]


def children() -> set[str]:
    """This process's children (running or <defunct>), from every thread's list in /proc."""
    return {pid for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text().split()}


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_a_player_that_hangs_is_stopped_at_the_limit_and_reaped(players: StandIns) -> None:
    players.add("paplay", sleep=30)
    player = SoundPlayer(players.env, (LINUX_PLAYERS[0],), limit=1.0)
    before = children()
    started = time.monotonic()
    assert player.play_now("prompt", 1.0) == "paplay: still playing after 1 s, stopped"
    assert time.monotonic() - started < 5
    assert children() == before  # killed and reaped: not running, not <defunct>


def test_windows_plays_the_scaled_file_from_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    played: list[tuple[bytes, int]] = []
    fake = types.SimpleNamespace(SND_MEMORY=4, SND_NODEFAULT=2,
                                 PlaySound=lambda data, flags: played.append((data, flags)))
    monkeypatch.setitem(sys.modules, "winsound", fake)
    assert SoundPlayer({}, platform="win32").play_now("exercise-end", 0.5) is None
    ((data, flags),) = played
    assert flags == 4 | 2
    assert max(samples_of_wav(data)) == round(max(shipped("exercise-end")) * 0.125)


def test_windows_without_sound_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: bytes, flags: int) -> None:
        raise RuntimeError("Failed to play sound")

    fake = types.SimpleNamespace(SND_MEMORY=4, SND_NODEFAULT=2, PlaySound=refuse)
    monkeypatch.setitem(sys.modules, "winsound", fake)
    assert SoundPlayer({}, platform="win32").play_now("prompt", 1.0) == (
        "Windows could not play it: Failed to play sound")


# --- when a sound stays silent --------------------------------------------------------------


@dataclass
class Settings:
    sound: str = "chime"
    volume: float = 0.7


@dataclass
class Dnd:
    on: bool = False
    detail: str = "dunst is paused"
    reads: int = 0

    def read(self, now: object) -> Dnd:
        self.reads += 1
        return self

    def close(self) -> None:
        pass


def chimes(players: StandIns, settings: Settings, meeting: str | None = None,
           dnd: Dnd | None = None) -> Chimes:
    players.add("paplay")
    return Chimes(lambda: settings, lambda: meeting, player=SoundPlayer(players.env),
                  dnd=lambda: dnd or Dnd())


def test_a_chime_plays_at_the_set_volume(players: StandIns) -> None:
    settings = Settings(volume=0.2)
    c = chimes(players, settings)
    assert c.play_now("prompt") is None
    settings.volume = 1.0  # read at each sound: a saved change applies to the next one
    assert c.play_now("prompt") is None
    quiet, loud = (samples_of_wav(data) for _args, data in players.runs("paplay"))
    assert max(loud) == max(shipped("prompt"))
    assert max(quiet) == round(max(shipped("prompt")) * 0.008)


@pytest.mark.parametrize(("settings", "meeting", "dnd", "why"), [
    (Settings(sound="off"), None, Dnd(), 'sound = "off"'),
    (Settings(volume=0.0), None, Dnd(), "volume = 0"),
    (Settings(), "camera", Dnd(), "in a meeting (camera)"),
    (Settings(), None, Dnd(on=True), "do-not-disturb (dunst is paused)"),
])
def test_silent_when_off_in_a_meeting_or_in_do_not_disturb(
        players: StandIns, settings: Settings, meeting: str | None, dnd: Dnd, why: str,
        caplog: pytest.LogCaptureFixture) -> None:
    c = chimes(players, settings, meeting, dnd)
    with caplog.at_level(logging.INFO, "glutecoach.sound"):
        assert c.play_now("exercise-end") == why
    assert players.runs("paplay") == []
    assert [r.getMessage() for r in caplog.records] == [f"sound exercise-end not played: {why}"]


def test_do_not_disturb_is_read_at_each_sound(players: StandIns) -> None:
    dnd = Dnd()
    c = chimes(players, Settings(), dnd=dnd)
    assert c.play_now("prompt") is None
    dnd.on = True
    assert c.play_now("prompt") == "do-not-disturb (dunst is paused)"
    assert dnd.reads == 2
    assert len(players.runs("paplay")) == 1


def test_a_desktop_whose_do_not_disturb_cannot_be_read_still_chimes_and_says_so_once(
        players: StandIns, caplog: pytest.LogCaptureFixture) -> None:
    from glutecoach.meetings.base import SignalUnavailable

    def unavailable() -> None:
        raise SignalUnavailable("no do-not-disturb switch answers here (D-Bus: no bus)")

    players.add("paplay")
    c = Chimes(Settings, player=SoundPlayer(players.env), dnd=unavailable)
    with caplog.at_level(logging.INFO, "glutecoach.sound"):
        assert c.play_now("prompt") is None
        assert c.play_now("prompt") is None
    assert [r.getMessage() for r in caplog.records] == [
        "sounds cannot see do-not-disturb here (no do-not-disturb switch answers here (D-Bus: "
        "no bus)); they play anyway"]
    assert len(players.runs("paplay")) == 2


def test_play_returns_at_once_and_the_sound_plays_on_its_own_thread(players: StandIns) -> None:
    players.add("paplay", sleep=1.0)
    c = Chimes(Settings, player=SoundPlayer(players.env), dnd=Dnd)
    started = time.monotonic()
    thread = c.play("break-end")
    assert time.monotonic() - started < 0.2
    assert thread is not threading.current_thread() and thread.daemon
    thread.join(10)
    assert len(players.runs("paplay")) == 1


def test_an_unknown_sound_is_a_bug_said_at_once() -> None:
    with pytest.raises(ValueError, match="no sound 'ding'"):
        Chimes(Settings).play("ding")


# --- the coach asks for its chimes --------------------------------------------------------------


def test_the_coach_chimes_at_each_prompt_and_knows_its_meeting_hold(tmp_path: Path) -> None:
    from datetime import timedelta

    from glutecoach.coach.service import Coach
    from glutecoach.config import parse_config
    from glutecoach.store import Store
    from glutecoach.store.writer import StoreWriter
    from tests.test_coach_service import (
        CONFIG,
        MONDAY_9,
        RecordingNotifier,
        ScriptedMeeting,
        ScriptedPresence,
        VirtualClock,
        typing_until,
    )

    clock = VirtualClock(MONDAY_9)
    presence = ScriptedPresence(clock, MONDAY_9)
    store = Store.open(tmp_path / "home")
    meeting = ScriptedMeeting()
    coach = Coach(config=parse_config(CONFIG), config_path=None,
                  writer=StoreWriter(store, "Europe/Berlin"), presence=presence,
                  notifier=RecordingNotifier(), clock=clock,
                  meetings=[meeting])  # type: ignore[arg-type]
    asked: list[str] = []
    coach.chimes = types.SimpleNamespace(play=asked.append)
    try:
        typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=31))
        assert asked == ["prompt"]
        assert coach.in_meeting() is None
        assert coach.handle({"cmd": "answer", "answer": "done"})["ok"]
        meeting.on = True
        typing_until(coach, clock, presence, MONDAY_9 + timedelta(minutes=35))
        assert coach.in_meeting() == "camera"  # what Chimes asks before each sound
        coach.chime("exercise-end")  # the break window's request goes the same way
        assert asked == ["prompt", "exercise-end"]
    finally:
        store.close()


def test_sound_and_volume_apply_without_a_restart(tmp_path: Path) -> None:
    from glutecoach.coach.service import LIVE_DESKTOP_KEYS

    assert {"desktop.sound", "desktop.volume"} <= LIVE_DESKTOP_KEYS

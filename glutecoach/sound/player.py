"""Play one of the shipped sound files through the desktop's sound server.

Linux: `paplay` (PulseAudio's player, which PipeWire desktops serve too through pipewire-pulse),
else `pw-play` (PipeWire's own). macOS: `afplay`. Each runs as a child process: the coach loads no
audio library (its memory stays as it is) and a sound server that hangs holds up a child, not the
coach. Windows: `winsound` from the standard library, on a thread of its own.

The volume is put into the samples (`amplitude`), which go to the player on its stdin.
`play_now` waits for the sound to end (at most `PLAY_LIMIT` seconds, then the child is killed) and
reaps the child, so call it off the coach's threads: chimes.py does. A player that is missing or
fails is logged once, not at every prompt.
"""

from __future__ import annotations

import array
import io
import logging
import os
import shutil
import subprocess
import sys
import threading
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("glutecoach.sound")

SOUND_NAMES = ("prompt", "exercise-end", "break-end")
FILES = Path(__file__).resolve().parent / "files"
# The longest sound is 1.2 s: a player still running after this is stuck (a server that does not
# answer), and is killed.
PLAY_LIMIT = 10.0
CLIENT_NAME = "GluteCoach"
RATE = 16000  # Hz, of every shipped file (16-bit mono): tests/test_sound_files.py checks


def sound_file(name: str) -> Path:
    if name not in SOUND_NAMES:
        raise ValueError(f"no sound {name!r}; sounds: {', '.join(SOUND_NAMES)}")
    return FILES / f"{name}.wav"


def amplitude(volume: float) -> float:
    """`volume` (0..1) on the desktop's volume scale as a factor on the samples.

    PulseAudio's volume (and pavucontrol's slider, and PipeWire's) is cubic: 50 % there is 0.125
    of the amplitude, about -18 dB. `volume` means the same, so 0.2 here sounds like 20 % on the
    desktop's own control. The samples are scaled by it before a player gets them (players'
    own volume options are not used: a PipeWire session manager overrides paplay's)."""
    return max(0.0, min(1.0, volume)) ** 3


@dataclass(frozen=True)
class Player:
    """A command-line player: its program, and its arguments for a file read from stdin (the
    samples already scaled to the volume) or, with `stdin` None, for a file and a volume."""

    program: str
    package: str  # where to get it, for the log line when none is installed
    arguments: Callable[[str, float], list[str]]  # (sound name, volume) -> arguments
    # What it reads on stdin: "wav" (a WAV file), "raw" (bare 16-bit mono samples at RATE, the
    # shipped files' format) or None (nothing: it opens the file itself).
    stdin: str | None = "wav"


def _paplay(name: str, volume: float) -> list[str]:
    # No file: the WAV comes on stdin with the volume in its samples. Not --volume: PipeWire's
    # pulse server lets the session manager's restored stream volume win over it. media.role
    # event: the desktop's "system sounds" volume and routing apply.
    return [f"--client-name={CLIENT_NAME}", f"--stream-name={name}",
            "--property=media.role=event"]


def _pw_play(name: str, volume: float) -> list[str]:
    # From stdin pw-play takes bare samples only, described here.
    return [f"--rate={RATE}", "--channels=1", "--format=s16", "--media-role=Notification",
            f"--properties={{ application.name = {CLIENT_NAME} }}", "-"]


def _afplay(name: str, volume: float) -> list[str]:
    # afplay reads no stdin; its -v is a plain factor on the samples.
    return ["-v", f"{amplitude(volume):.6f}", str(sound_file(name))]


LINUX_PLAYERS = (
    Player("paplay", "pulseaudio-utils", _paplay),
    Player("pw-play", "pipewire-bin", _pw_play, stdin="raw"),
)
MACOS_PLAYERS = (Player("afplay", "macOS", _afplay, stdin=None),)


class SoundPlayer:
    """Plays the shipped sounds with the first player here that works.

    `env`: the environment for finding and running the players (PATH, PULSE_SERVER,
    XDG_RUNTIME_DIR); os.environ by default. `players`: the candidates in order, by default this
    platform's. A player that fails is tried after the others from then on.
    """

    def __init__(self, env: Mapping[str, str] | None = None,
                 players: tuple[Player, ...] | None = None, *,
                 limit: float = PLAY_LIMIT, platform: str = sys.platform) -> None:
        self.env = dict(os.environ if env is None else env)
        self.platform = platform
        if players is None:
            players = MACOS_PLAYERS if platform == "darwin" else LINUX_PLAYERS
        self.players = list(players)
        self.limit = limit
        self._lock = threading.Lock()
        self._told: str | None = None  # the last failure logged: each is said once

    def play_now(self, name: str, volume: float) -> str | None:
        """Play sound `name` at `volume` and wait for it to end. None when it played, else why
        not (also logged, once per distinct reason)."""
        path = sound_file(name)
        if self.platform == "win32":
            problem = self._winsound(path, volume)
        else:
            problem = self._run_players(path, volume)
        with self._lock:
            if problem is None:
                if self._told is not None:
                    log.info("sounds play again")
                self._told = None
            elif problem != self._told:
                self._told = problem
                log.warning("no sound: %s", problem)
        return problem

    def _run_players(self, path: Path, volume: float) -> str | None:
        found = [(p, exe) for p in list(self.players)
                 if (exe := shutil.which(p.program, path=self.env.get("PATH"))) is not None]
        if not found:
            wanted = ", ".join(f"{p.program} ({p.package})" for p in self.players)
            return f"no sound player is installed (install one of: {wanted})"
        problems = []
        # Scaled once (a pure-Python pass over every sample), whichever players get to try it.
        scaled = (scaled_frames(path.read_bytes(), amplitude(volume))
                  if any(p.stdin is not None for p, _exe in found) else None)
        for player, executable in found:
            data = None
            if player.stdin is not None and scaled is not None:
                params, frames = scaled
                data = frames if player.stdin == "raw" else wav_file(params, frames)
            problem = self._run([executable, *player.arguments(path.stem, volume)], data)
            if problem is None:
                with self._lock:  # the one that works goes first next time
                    self.players.remove(player)
                    self.players.insert(0, player)
                return None
            problems.append(f"{player.program}: {problem}")
        return "; ".join(problems)

    def _run(self, command: list[str], data: bytes | None) -> str | None:
        try:
            # Stdin is the sound or nothing: a player never reads the coach's. Its own session:
            # a Ctrl+C meant for a coach run in a terminal is not its business.
            proc = subprocess.Popen(command, env=self.env,
                                    stdin=subprocess.DEVNULL if data is None else subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    start_new_session=True)
        except OSError as exc:
            return f"cannot start it: {exc}"
        try:
            _out, err = proc.communicate(data, timeout=self.limit)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()  # reaped: no <defunct> child is left behind
            return f"still playing after {self.limit:g} s, stopped"
        if proc.returncode != 0:
            lines = [s for s in err.decode(errors="replace").splitlines() if s.strip()]
            return f"exit {proc.returncode}" + (f": {lines[-1].strip()}" if lines else "")
        return None

    def _winsound(self, path: Path, volume: float) -> str | None:
        try:
            import winsound
        except ImportError as exc:
            return f"winsound is not available: {exc}"
        try:
            data = scaled_wav(path.read_bytes(), amplitude(volume))
            # From memory, since the volume is in the samples; SND_MEMORY cannot be asynchronous,
            # which is why this runs on a thread of its own (chimes.py).
            winsound.PlaySound(data, winsound.SND_MEMORY | winsound.SND_NODEFAULT)  # type: ignore[attr-defined]
        except (OSError, RuntimeError, wave.Error) as exc:
            return f"Windows could not play it: {exc}"
        return None


def scaled_frames(data: bytes, factor: float) -> tuple[wave._wave_params, bytes]:
    """The samples of a 16-bit WAV file, each multiplied by `factor`, and the file's format."""
    with wave.open(io.BytesIO(data), "rb") as r:
        if r.getsampwidth() != 2:
            raise wave.Error("only 16-bit sound files can be scaled")
        params = r.getparams()
        samples = array.array("h", r.readframes(r.getnframes()))
    if sys.byteorder == "big":  # WAV is little-endian
        samples.byteswap()
    samples = array.array("h", (round(s * factor) for s in samples))
    if sys.byteorder == "big":
        samples.byteswap()
    return params, samples.tobytes()


def wav_file(params: wave._wave_params, frames: bytes) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams(params)
        w.writeframes(frames)
    return out.getvalue()


def scaled_wav(data: bytes, factor: float) -> bytes:
    """A 16-bit WAV file with every sample multiplied by `factor` (winsound has no volume)."""
    return wav_file(*scaled_frames(data, factor))

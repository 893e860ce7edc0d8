"""Make the coach's chimes in glutecoach/sound/files/ (run after changing a tone below;
tests/test_sound_files.py fails while the files are stale).

Each sound is a few soft bell-like tones: a sine with two quiet overtones, a 10 ms rise (no click)
and an exponential fall, written as 16-bit mono WAV with the standard library's `wave`. Nothing
is sampled or taken from elsewhere: the files are ours, under the project's licence
(GPL-3.0-or-later, see glutecoach/sound/files/README.md). The output is the same bytes on every
run, so the test can compare.

Usage:  python tools/make_sounds.py
"""

from __future__ import annotations

import io
import math
import struct
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# 16 kHz, the player's (it hands bare samples at this rate to pw-play): the partials stay far
# below its 8 kHz limit, and the files stay small.
from glutecoach.sound.player import RATE

PEAK = 0.45  # of full scale: soft at the desktop's own volume, never clipping when notes overlap
RISE = 0.010  # seconds: a linear fade-in, so a tone starts without a click
OVERTONES = ((2.0, 0.25), (3.0, 0.08))  # (multiple of the note, loudness): a soft bell

OUT = Path(__file__).resolve().parent.parent / "glutecoach" / "sound" / "files"


@dataclass(frozen=True)
class Note:
    start: float  # seconds from the start of the sound
    hz: float
    decay: float  # seconds for the note to fall to 1/e
    level: float = 1.0


# C5 523.25, E5 659.26, G5 783.99, B5 987.77, C6 1046.50: a major chord (the prompt's B5 a
# leading note up to it), friendly rather than alarming.
SOUNDS: dict[str, tuple[float, tuple[Note, ...]]] = {
    # The prompt: two notes up, "ding-dong" the other way round, asking rather than alarming.
    "prompt": (0.9, (Note(0.0, 659.26, 0.16), Note(0.18, 987.77, 0.22))),
    # One exercise's countdown ran out: a single short high note, a tick to look up.
    "exercise-end": (0.35, (Note(0.0, 1046.50, 0.07, 0.8),)),
    # The whole plan is done: three notes up, the same chord resolving.
    "break-end": (1.2, (Note(0.0, 523.25, 0.18), Note(0.15, 659.26, 0.18),
                        Note(0.30, 783.99, 0.30))),
}


def samples(length: float, notes: tuple[Note, ...]) -> list[float]:
    count = round(length * RATE)
    out = [0.0] * count
    for note in notes:
        first = round(note.start * RATE)
        for i in range(first, count):
            t = (i - first) / RATE
            envelope = min(1.0, t / RISE) * math.exp(-t / note.decay) * note.level
            if t > RISE and envelope < 1e-4:  # faded out: the rest of the note adds nothing
                break
            wave_ = math.sin(2 * math.pi * note.hz * t)
            for multiple, loudness in OVERTONES:
                wave_ += loudness * math.sin(2 * math.pi * note.hz * multiple * t)
            out[i] += envelope * wave_
    # The last 20 ms fade to zero: the file never ends on a step.
    tail = round(0.02 * RATE)
    for k in range(tail):
        out[count - 1 - k] *= k / tail
    return out


def render(name: str) -> bytes:
    """The WAV file of sound `name`, byte for byte."""
    length, notes = SOUNDS[name]
    raw = samples(length, notes)
    loudest = max(abs(s) for s in raw) or 1.0
    frames = b"".join(struct.pack("<h", round(s / loudest * PEAK * 32767)) for s in raw)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
    return buffer.getvalue()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in SOUNDS:
        path = OUT / f"{name}.wav"
        path.write_bytes(render(name))
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

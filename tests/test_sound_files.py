"""The shipped sounds: made by tools/make_sounds.py (the files are what it writes today), in the
format the players are told (16-bit mono at 16 kHz), audible, short, without a click at either end,
and with their licence beside them."""

from __future__ import annotations

import array
import importlib.util
import sys
import wave
from pathlib import Path
from types import ModuleType

import pytest

from glutecoach.sound.player import FILES, RATE, SOUND_NAMES, sound_file

TOOL = Path(__file__).resolve().parent.parent / "tools" / "make_sounds.py"


def make_sounds() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sounds", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sounds"] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", SOUND_NAMES)
def test_each_file_is_what_the_tool_makes(name: str) -> None:
    assert sound_file(name).read_bytes() == make_sounds().render(name), (
        f"{name}.wav is stale: run python tools/make_sounds.py")


def test_the_tool_makes_exactly_the_sounds_the_coach_plays() -> None:
    assert tuple(make_sounds().SOUNDS) == SOUND_NAMES
    assert sorted(p.name for p in FILES.glob("*.wav")) == sorted(f"{n}.wav" for n in SOUND_NAMES)


@pytest.mark.parametrize("name", SOUND_NAMES)
def test_each_file_is_short_soft_audible_and_starts_and_ends_at_zero(name: str) -> None:
    with wave.open(str(sound_file(name)), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, RATE)
        seconds = w.getnframes() / RATE
        samples = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    assert 0.2 <= seconds <= 1.5
    peak = max(abs(s) for s in samples)
    # Audible (a bug once wrote silence), yet soft: under half of full scale.
    assert 0.3 * 32767 < peak < 0.5 * 32767
    assert samples[0] == 0 and samples[-1] == 0  # no click at either end
    assert sound_file(name).stat().st_size < 40_000


def test_the_licence_is_stated_beside_the_files() -> None:
    note = (FILES / "README.md").read_text()
    assert "GPL-3.0-or-later" in note
    assert "tools/make_sounds.py" in note
    for name in SOUND_NAMES:
        assert f"`{name}.wav`" in note


def test_an_unknown_sound_is_refused() -> None:
    with pytest.raises(ValueError, match="no sound 'bell'; sounds: prompt, exercise-end"):
        sound_file("bell")

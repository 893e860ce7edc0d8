"""The coach's sounds and when they stay silent.

A chime plays at a prompt, and for the break window at the end of each exercise's countdown and of
the whole plan, unless `[desktop] sound = "off"`, a meeting holds prompts back (the coach's meeting
hold), or the desktop is in do-not-disturb (read with meetings/dnd.py at that moment, whether or
not do-not-disturb is one of the `[meetings]` signals). The volume is `[desktop] volume`. Both
settings are read at each sound, so a saved change applies to the next one.

`play` returns at once: the checks (a D-Bus question) and the player run on a short thread that
also waits for the player, so nothing here can hold up the coach.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

from glutecoach.sound.player import SOUND_NAMES, SoundPlayer

log = logging.getLogger("glutecoach.sound")


class SoundSettings(Protocol):
    sound: str
    volume: float


class Chimes:
    """`settings()` gives the [desktop] settings in force; `meeting()` the meeting holding
    prompts (its signal's name) or None. `dnd` opens the desktop's do-not-disturb (by default
    meetings/dnd.py's, for `env` and the session bus `address`)."""

    def __init__(self, settings: Callable[[], SoundSettings],
                 meeting: Callable[[], str | None] = lambda: None, *,
                 player: SoundPlayer | None = None,
                 dnd: Callable[[], Any] | None = None,
                 env: Mapping[str, str] | None = None, address: str | None = None) -> None:
        self.settings = settings
        self.meeting = meeting
        self.player = player or SoundPlayer(env)
        self._open_dnd = dnd or (lambda: _open_dnd(env, address))
        self._dnd: Any = None
        self._dnd_tried = False
        self._dnd_lock = threading.Lock()

    def play(self, name: str) -> threading.Thread:
        """Play sound `name` unless something says silence; returns at once (the thread is
        returned for tests to wait on)."""
        if name not in SOUND_NAMES:
            raise ValueError(f"no sound {name!r}; sounds: {', '.join(SOUND_NAMES)}")
        thread = threading.Thread(target=self._play, args=(name,), name="glutecoach-sound",
                                  daemon=True)
        thread.start()
        return thread

    def _play(self, name: str) -> None:
        try:
            self.play_now(name)
        except Exception:  # a bug here must not reach the coach's thread: it is not there
            log.exception("playing the %s sound failed", name)

    def play_now(self, name: str) -> str | None:
        """Play `name` and wait for it: None when it played, else why not."""
        why = self.silence()
        if why is not None:
            log.info("sound %s not played: %s", name, why)
            return why
        volume = float(self.settings().volume)
        problem = self.player.play_now(name, volume)
        if problem is None:
            log.debug("sound %s played at volume %g", name, volume)
        return problem

    def silence(self) -> str | None:
        """Why no sound may play now, or None."""
        settings = self.settings()
        if settings.sound == "off":
            return 'sound = "off"'
        if settings.volume <= 0:
            return "volume = 0"
        meeting = self.meeting()
        if meeting is not None:
            return f"in a meeting ({meeting})"
        dnd = self.do_not_disturb()
        if dnd is not None:
            return f"do-not-disturb ({dnd})"
        return None

    def do_not_disturb(self) -> str | None:
        """What says the desktop is in do-not-disturb, or None (also when it cannot be read
        here: said once in the log, and sounds play)."""
        with self._dnd_lock:
            if not self._dnd_tried:
                self._dnd_tried = True
                try:
                    self._dnd = self._open_dnd()
                except Exception as exc:  # SignalUnavailable, or a bus that is not there
                    log.info("sounds cannot see do-not-disturb here (%s); they play anyway", exc)
            if self._dnd is None:
                return None
            signal = self._dnd.read(datetime.now(UTC))  # never raises: failures read as off
        return signal.detail if signal.on else None

    def close(self) -> None:
        with self._dnd_lock:
            dnd, self._dnd = self._dnd, None
        if dnd is not None:
            dnd.close()


def _open_dnd(env: Mapping[str, str] | None, address: str | None) -> Any:
    from glutecoach.meetings.dnd import open_do_not_disturb

    return open_do_not_disturb(env, address)

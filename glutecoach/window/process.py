"""The break window in a process of its own, for the coach.

Tk costs a running interpreter about 14 MB that it never gives back, and its countdown wakes the
process ten times a second. The coach runs all day and shows a window for a few minutes now and
then, so it starts `python -OO -m glutecoach.window` for each break instead: the window's memory
and wake-ups end with the window.

The child reads the plan as one JSON line on stdin and says what happens as JSON lines on stdout:
{"shown": true}, {"unavailable": reason}, {"answer": "done"}, {"feedback": "easy"},
{"sound": "exercise-end"} (a countdown ran out: the coach plays a chime, or not). The coach
closes it by closing the child's stdin, which the child also sees when the coach dies, so a
window never outlives its coach.
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from typing import IO, Any

from glutecoach.window.model import ScreenOptions, WindowItem, WindowPlan, WindowUnavailable

log = logging.getLogger(__name__)


def plan_to_json(plan: WindowPlan, snooze_offered: bool, rateable: bool,
                 options: ScreenOptions | None = None) -> str:
    # The options' strict, break_screen and break_seconds go in as keys of their own, beside
    # the plan (ScreenOptions says what each means).
    return json.dumps({"plan": asdict(plan), "snooze_offered": snooze_offered,
                       "rateable": rateable, **asdict(options or ScreenOptions())},
                      ensure_ascii=False)


def _options(data: dict[str, Any]) -> ScreenOptions:
    """How to show the break (absent from a coach older than issue 14: today's window)."""
    screen = "fullscreen" if data.get("break_screen") == "fullscreen" else "window"
    seconds = data.get("break_seconds")
    return ScreenOptions(screen, bool(data.get("strict", False)),
                         None if seconds is None else float(seconds))


def plan_from_json(text: str) -> tuple[WindowPlan, bool, bool, ScreenOptions]:
    """The request `plan_to_json` wrote: plan, snooze_offered, rateable and the options."""
    data = json.loads(text)
    plan = data["plan"]
    items = [WindowItem(**item) for item in plan["items"]]
    return (WindowPlan(plan["title"], plan["minutes"], items), bool(data["snooze_offered"]),
            bool(data["rateable"]), _options(data))


def window_command() -> list[str]:
    """The child's command line: the coach's own interpreter, run as lean as the coach (and so
    sharing its bytecode caches), with -P where the coach runs with it (coach/launch.py)."""
    from glutecoach.coach.launch import LEAN, safe_path

    return [sys.executable, *LEAN, *safe_path(), "-m", "glutecoach.window"]


class WindowProcess:
    """One break's window, shown by a child process. The same calls as the in-process window:
    `show()` returns once it is up (WindowUnavailable if it cannot be), `close()` takes it down,
    `on_answer` and `on_feedback` are called at most once each, on this object's reader thread."""

    def __init__(self, plan: WindowPlan, on_answer: Callable[[str], None],
                 on_feedback: Callable[[str], None], snooze_offered: bool, *,
                 rateable: bool = True, command: list[str] | None = None,
                 options: ScreenOptions | None = None,
                 on_sound: Callable[[str], None] | None = None) -> None:
        self._request = plan_to_json(plan, snooze_offered, rateable, options)
        self._callbacks = {"answer": on_answer, "feedback": on_feedback}
        if on_sound is not None:  # {"sound": "exercise-end"}: a countdown ran out
            self._callbacks["sound"] = on_sound
        self._command = command or window_command()
        self._proc: subprocess.Popen[str] | None = None
        self._started = threading.Event()
        self._unavailable: str | None = None
        self._reader: threading.Thread | None = None

    def show(self, timeout: float = 15.0) -> None:
        try:
            self._proc = subprocess.Popen(self._command, stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, text=True, encoding="utf-8",
                                          start_new_session=True)
        except OSError as exc:
            raise WindowUnavailable(f"cannot start the window's process: {exc}") from exc
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(self._request + "\n")
        self._proc.stdin.flush()
        self._reader = threading.Thread(target=self._read, args=(self._proc.stdout,),
                                        name="glutecoach-break-window", daemon=True)
        self._reader.start()
        if not self._started.wait(timeout):
            self.close()
            raise WindowUnavailable(f"the window did not come up within {timeout:g} s")
        if self._unavailable is not None:
            raise WindowUnavailable(self._unavailable)

    def close(self, timeout: float = 5.0) -> None:
        """Take the window down without an answer: safe from any thread and more than once."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(OSError, ValueError):
            proc.stdin.close()  # type: ignore[union-attr]
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("the break window did not close; ending its process")
            proc.kill()
            proc.wait(timeout)

    @property
    def is_open(self) -> bool:
        return self._proc is not None and self._proc.poll() is None and self._started.is_set() \
            and self._unavailable is None

    def _read(self, stdout: IO[str]) -> None:
        for line in stdout:
            try:
                event: dict[str, Any] = json.loads(line)
            except ValueError:
                log.warning("the break window said something unexpected: %r", line[:200])
                continue
            if "shown" in event:
                self._started.set()
            elif "unavailable" in event:
                self._unavailable = str(event["unavailable"])
                self._started.set()
            for kind, callback in self._callbacks.items():
                if kind in event:
                    try:
                        callback(str(event[kind]))
                    except Exception:
                        log.exception("the break window's %s callback failed", kind)
        # The child ended (closed, answered and rated, or crashed): reap it.
        if self._proc is not None:
            code = self._proc.wait()
            if not self._started.is_set():
                self._unavailable = f"the window's process ended at once (exit {code})"
                self._started.set()

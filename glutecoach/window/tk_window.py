"""The break window on screen: its thread, its requests and its callbacks.

Tk may only be touched from the thread that created it, so `BreakWindow` owns one thread that
creates the Tk root, builds the view (`tk_view.BreakView`) and runs the main loop; every other
thread talks to it through a queue that the Tk thread polls (`root.after`) together with the
countdown. Calling into Tk from another thread is not used: it depends on how Tcl was built and
fails while the loop is not running.

What the window looks like (widgets, layout, colours, fonts) lives in `tk_view`; this module only
decides when it is built, polled and taken down.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from glutecoach.window.model import (
    BreakModel,
    Event,
    ScreenOptions,
    WindowPlan,
    WindowState,
    WindowUnavailable,
)
from glutecoach.window.monitors import find_desktop

# The palette and SAFETY_LINE are re-exported: callers and tests have imported them from here.
from glutecoach.window.tk_view import ACCENT as ACCENT
from glutecoach.window.tk_view import BG as BG
from glutecoach.window.tk_view import BUTTONS, BreakView, Rect
from glutecoach.window.tk_view import CAUTION_BG as CAUTION_BG
from glutecoach.window.tk_view import SAFETY_LINE as SAFETY_LINE

log = logging.getLogger(__name__)

POLL_MS = 100  # how often the Tk thread looks at the queue and moves the countdown

# A request from another thread: run on the Tk thread with the view, its result set on the future.
Command = Callable[[BreakView], Any]


def _needs_x_display() -> bool:
    # Tk draws through X11 everywhere except macOS (Aqua) and Windows; under Wayland it needs
    # XWayland, which sets DISPLAY too.
    return sys.platform not in ("darwin", "win32")


class BreakWindow:
    """One break's window. `show()` opens it on its own thread; `close()` takes it down.

    `on_answer("done" | "snooze" | "skip")` is called at most once, and
    `on_feedback("easy" | "right" | "hard")` at most once, both on the window's thread: keep them
    short. Closing the window without an answer calls neither.
    """

    def __init__(
        self,
        plan: WindowPlan,
        on_answer: Callable[[str], None],
        on_feedback: Callable[[str], None],
        snooze_offered: bool,
        *,
        rateable: bool = True,
        display: str | None = None,
        on_sound: Callable[[str], None] | None = None,
        options: ScreenOptions | None = None,
    ) -> None:
        # break_screen and strict ([desktop], issue 14); strict offers no Snooze whatever the
        # prompt allows: decided here, once, for the buttons and the keys.
        self._options = options or ScreenOptions()
        self._model = BreakModel(plan, snooze_offered and not self._options.strict, rateable)
        self._on_answer = on_answer
        self._on_feedback = on_feedback
        # A countdown ran out: "exercise-end" or "break-end" (the coach decides whether it plays).
        self._on_sound = on_sound
        self._display = display
        self._commands: queue.SimpleQueue[tuple[Command, Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._closed = threading.Event()
        self._error: str | None = None
        self._lock = threading.Lock()

    # --- from any thread -------------------------------------------------------------------

    def show(self, timeout: float = 10.0) -> None:
        """Open the window and return once it is up; WindowUnavailable when it cannot be."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("a BreakWindow is shown once; make a new one")
            display = self._display or os.environ.get("DISPLAY") or None
            if _needs_x_display() and not display:
                raise WindowUnavailable("there is no X display (DISPLAY is not set)")
            try:
                import tkinter  # noqa: F401  (only to fail here, with a reason, not on the thread)
            except ImportError as e:
                raise WindowUnavailable(f"Tk is not available to this Python: {e}") from e
            self._thread = threading.Thread(
                target=self._run, args=(display,), name="glutecoach-break-window", daemon=True
            )
            self._thread.start()
        if not self._ready.wait(timeout):
            self.close()
            raise WindowUnavailable(f"the window did not come up within {timeout:g} s")
        if self._error is not None:
            self._thread.join(timeout)
            raise WindowUnavailable(self._error)

    def close(self, timeout: float = 5.0) -> None:
        """Take the window down (no answer is given). Safe from any thread, also from inside
        the callbacks, and more than once."""
        thread = self._thread
        if thread is None or self._closed.is_set():
            return
        self._commands.put((BreakView.close, Future()))
        if threading.current_thread() is not thread:
            thread.join(timeout)

    @property
    def is_open(self) -> bool:
        return self._ready.is_set() and self._error is None and not self._closed.is_set()

    def wait_closed(self, timeout: float | None = None) -> bool:
        """Block until the window is gone (answered and rated, skipped, snoozed or closed)."""
        return self._closed.wait(timeout)

    def state(self) -> WindowState:
        """Where the break stands: item, countdowns, answer and rating."""
        if not self.is_open:
            return self._model.state()  # the Tk thread has ended: nobody else touches it
        return self._call(lambda view: view.model.state())  # type: ignore[no-any-return]

    def button_geometry(self, name: str) -> Rect | None:
        """Where a button is on the screen as (x, y, width, height), or None when it is not
        shown: for tests that click it with xdotool, and for the coach to log."""
        if name not in BUTTONS:
            raise ValueError(f"no button {name!r}; buttons: {', '.join(BUTTONS)}")
        if not self.is_open:
            return None
        return self._call(lambda view: view.button_geometry(name))  # type: ignore[no-any-return]

    def layout(self) -> dict[str, Any] | None:
        """Where the window is and what it shows around the plan: its monitor, scale, the dimmed
        screens' monitors and the hint line; for tests and the log."""
        if not self.is_open:
            return None
        return self._call(lambda view: view.layout())  # type: ignore[no-any-return]

    def _call(self, command: Command, timeout: float = 5.0) -> Any:
        """Run `command(view)` on the Tk thread and return what it returns."""
        future: Future[Any] = Future()
        self._commands.put((command, future))
        deadline = time.monotonic() + timeout
        while True:
            try:
                return future.result(0.05)
            except TimeoutError:
                if self._closed.is_set():
                    return None
                if time.monotonic() > deadline:
                    raise

    # --- on the window's thread ------------------------------------------------------------

    def _run(self, display: str | None) -> None:
        import tkinter as tk

        try:
            root = tk.Tk(screenName=display, className="GluteCoach")
        except tk.TclError as e:
            self._error = f"cannot open a window on display {display}: {e}"
            self._ready.set()
            self._closed.set()
            return
        view: BreakView | None = None
        try:
            view = BreakView(root, self._model, self._dispatch, self._options,
                             find_desktop(root, display))
            view.poll_id = root.after(POLL_MS, self._poll, view)
            root.after_idle(self._ready.set)
            root.mainloop()
        except Exception as e:
            log.error("the break window failed:\n%s", "".join(traceback.format_exception(e)))
            self._error = self._error or f"the window failed: {e}"
        finally:
            with contextlib.suppress(tk.TclError):
                root.destroy()
            # Tcl aborts the process when an interpreter is freed on another thread, so every Tk
            # object made here is dropped and collected here, before the thread ends.
            del view, root
            gc.collect()
            self._ready.set()
            self._closed.set()

    def _dispatch(self, events: list[Event]) -> None:
        for event in events:
            callback = {"answer": self._on_answer, "feedback": self._on_feedback,
                        "sound": self._on_sound}.get(event.kind)
            if callback is None:
                continue
            try:
                callback(event.value)
            except Exception as e:
                # The caller's bug must not take the window down with it; the traceback goes out
                # as text, so no frame (holding Tk objects) outlives this thread.
                log.error("the break window's %s callback failed:\n%s", event.kind,
                          "".join(traceback.format_exception(e)))  # fmt: skip

    def _poll(self, view: BreakView) -> None:
        """Every POLL_MS: answer the other threads' requests, then move the countdown."""
        self._run_commands(view)
        if not view.alive:
            return
        view.tick()
        view.poll_id = view.root.after(POLL_MS, self._poll, view)

    def _run_commands(self, view: BreakView) -> None:
        while view.alive:
            try:
                command, future = self._commands.get_nowait()
            except queue.Empty:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(command(view))
            except Exception as e:
                # A fresh exception without a traceback: frames that hold Tk objects must not
                # travel to the caller's thread.
                future.set_exception(RuntimeError(f"{type(e).__name__}: {e}"))

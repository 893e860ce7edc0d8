"""What the break window looks like and how it reacts to clicks, drawn with Tk.

`BreakView` builds the widgets (plan list, exercise, countdown, answer and rating buttons), keeps
them in step with the `BreakModel`, and turns clicks into model calls. It is made and used only on
the Tk thread that `tk_window.BreakWindow` owns; that module does the threading, the request queue
and the poll loop, and calls `tick()` here to move the countdown.

Tk's fullscreen does nothing without a window manager (measured), so the window takes explicit
geometry, centred on the monitor with the pointer, and asks to stay on top. With
`break_screen = "fullscreen"` it covers that monitor (and asks the window manager for fullscreen
too), and every other monitor gets a dimmed screen with the time left (`screens.DimScreen`).
Strict mode, the keys and the held Esc are decided in `keys`; this module only wires them to Tk.

Nothing here imports tkinter at import time (only inside `BreakView`), so importing the window
package stays free of Tk.
"""

from __future__ import annotations

import contextlib
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from glutecoach.window.keys import HOLD_SECONDS, KEY_GRACE_SECONDS, HoldTimer, KeyPolicy
from glutecoach.window.model import (
    BreakModel,
    Event,
    Rating,
    ScreenOptions,
    WindowItem,
    clock_text,
)
from glutecoach.window.monitors import Desktop, Monitor

if TYPE_CHECKING:
    import tkinter as tk

log = logging.getLogger(__name__)

SAFETY_LINE = ("Coaching, not medical advice — with pain or a gluteal condition, "
               "see a physical therapist.")  # fmt: skip

CLOSE_AFTER_RATING_MS = 1200  # long enough to read "Thanks", short enough not to linger

# A calm palette: warm paper, deep green-grey text, one muted teal for what matters now, and a
# soft amber for cautions (noticeable without alarming).
BG = "#f5f2eb"
PANEL = "#e9e4d8"
TEXT = "#2f3b37"
MUTED = "#6d7672"
ACCENT = "#3d7a6b"
ACCENT_ACTIVE = "#336a5c"
BUTTON_BG = "#dfe5e1"
BUTTON_ACTIVE = "#d2dad5"
CAUTION_BG = "#f7e8c9"
CAUTION_TEXT = "#6a4a14"
# Around the plan on a fullscreen break screen: a shade darker than the plan's paper.
SCREEN_BG = "#e2dccf"

SIDEBAR_WIDTH = 250
FAMILIES = ("Cantarell", "Noto Sans", "DejaVu Sans", "Segoe UI", "Helvetica Neue", "Helvetica")
BUTTONS = ("start", "next", "done", "snooze", "skip", "easy", "right", "hard", "close")
RATING_LABELS: dict[Rating, str] = {"easy": "Easy", "right": "Just right", "hard": "Hard"}

Rect = tuple[int, int, int, int]  # x, y (screen coordinates), width, height


@dataclass(frozen=True)
class _Fonts:
    heading: tuple[str, int, str]
    name: tuple[str, int, str]
    clock: tuple[str, int, str]
    body: tuple[str, int]
    strong: tuple[str, int, str]
    small: tuple[str, int]
    italic: tuple[str, int, str]
    button: tuple[str, int, str]


def _fonts(root: tk.Tk) -> _Fonts:
    # Plain (family, size) tuples, not tkinter.font.Font objects: those are Tk objects too and
    # would have to be freed on this thread.
    available = set(root.tk.splitlist(root.tk.call("font", "families")))
    family = next((f for f in FAMILIES if f in available), None)
    if family is None:
        family = str(root.tk.call("font", "actual", "TkDefaultFont", "-family"))
    return _Fonts(
        heading=(family, 15, "bold"),
        name=(family, 20, "bold"),
        clock=(family, 44, "bold"),
        body=(family, 11),
        strong=(family, 11, "bold"),
        small=(family, 9),
        italic=(family, 10, "italic"),
        button=(family, 11, "bold"),
    )


def window_size(monitor: Monitor, scale: float) -> tuple[int, int]:
    """860×660 at 96 DPI, larger by the monitor's scale, never larger than the monitor."""
    return (min(round(860 * scale), monitor.width - 40),
            min(round(660 * scale), monitor.height - 60))


def _geometry(monitor: Monitor, scale: float) -> str:
    """Centred on the monitor: no window manager is needed for the size or the place to take
    effect."""
    width, height = window_size(monitor, scale)
    x = monitor.x + (monitor.width - width) // 2
    y = monitor.y + (monitor.height - height) // 2
    return f"{width}x{height}+{x}+{y}"


def _dose_line(item: WindowItem) -> str:
    """The dose and its time, "5 reps, each side · about 1:00"; a timed dose is its own time."""
    dose = item.dose_text()
    if not dose:
        return f"for {clock_text(item.seconds)}"
    if item.reps is None:
        return dose
    return f"{dose} · about {clock_text(item.seconds)}"


class BreakView:
    """The widgets of one window, built and used on the Tk thread only.

    `dispatch` gets the model's events (answer, feedback) so the owner can call its callbacks;
    `poll_id` is the owner's pending poll, cancelled here when the window closes.
    """

    def __init__(
        self,
        root: tk.Tk,
        model: BreakModel,
        dispatch: Callable[[list[Event]], None],
        options: ScreenOptions,
        desktop: Desktop,
    ) -> None:
        import tkinter as tk

        self.root = root
        self.model = model
        self.options = options
        self.desktop = desktop
        self.scale = self.desktop.scale
        self.fullscreen = self.options.break_screen == "fullscreen"
        self.started = time.monotonic()
        self.break_seconds = self.options.break_length(model.plan)
        self.keys = KeyPolicy(self.options.strict, self.break_seconds)
        self.hold = HoldTimer()
        self.dims: list[Any] = []  # the dimmed screens of the other monitors
        self._close_when_free = False  # answered under strict mode: close once its time is up
        self._refused_at = -1e9  # when strict mode last refused a close or an Esc
        self._tk = tk
        self._dispatch = dispatch
        self.alive = True
        self.poll_id: str | None = None
        self._closing = False
        self._last_tick = time.monotonic()
        self._shown_index = -1
        self._buttons: dict[str, tk.Button] = {}
        # Tkinter's default keeps the last traceback in sys.last_traceback, whose frames would
        # hold Tk objects past this thread; log it as text instead.
        root.report_callback_exception = self._report  # type: ignore[method-assign]

        # Fonts are in points: Tk's scaling (pixels per point) makes them readable on HiDPI;
        # the pixel sizes below go through `px`.
        root.tk.call("tk", "scaling", 96 * self.scale / 72)
        self.fonts = _fonts(root)
        root.title(f"GluteCoach — {model.plan.title}")
        main = self.desktop.main
        root.attributes("-topmost", True)
        root.protocol("WM_DELETE_WINDOW", self._on_wm_close)
        self.frame = tk.Frame(root, bg=BG)
        if self.fullscreen:
            root.configure(bg=SCREEN_BG)
            root.geometry(main.geometry())
            # With a window manager, fullscreen on the monitor the window is on (without one
            # the explicit geometry above does it).
            with contextlib.suppress(tk.TclError):
                root.attributes("-fullscreen", True)
            width, height = window_size(main, self.scale)
            self.frame.place(relx=0.5, rely=0.5, anchor="center", width=width, height=height)
        else:
            root.configure(bg=BG)
            root.geometry(_geometry(main, self.scale))
            root.columnconfigure(0, weight=1)
            root.rowconfigure(0, weight=1)
            self.frame.grid(row=0, column=0, sticky="nsew")
        self._build()
        self._bind_keys()
        if self.fullscreen:
            from glutecoach.window.screens import DimScreen

            self.dims = [DimScreen(root, m, self.fonts.heading[0], self._on_wm_close)
                         for m in self.desktop.monitors if m != main]
            # The screen covers the monitor: it takes the keyboard, so Enter and Esc reach it.
            root.after(50, self._take_focus)
        self.render()

    def px(self, pixels: int) -> int:
        """A size drawn for 96 DPI, at this monitor's scale."""
        return round(pixels * self.scale)

    def _take_focus(self) -> None:
        with contextlib.suppress(self._tk.TclError):
            self.root.focus_force()

    # --- building --------------------------------------------------------------------------

    def _button(self, parent: tk.Misc, name: str, text: str, command: Callable[[], Any],
                primary: bool = False) -> tk.Button:  # fmt: skip
        # No keyboard focus: a window that pops up on top must not turn the Space or Enter the
        # user was typing elsewhere into an answer.
        button = self._tk.Button(
            parent, text=text, command=command, font=self.fonts.button, takefocus=0,
            relief="flat", bd=0, highlightthickness=0, padx=self.px(16), pady=self.px(7),
            cursor="hand2",
            bg=ACCENT if primary else BUTTON_BG, fg="white" if primary else TEXT,
            activebackground=ACCENT_ACTIVE if primary else BUTTON_ACTIVE,
            activeforeground="white" if primary else TEXT, disabledforeground=MUTED,
        )  # fmt: skip
        self._buttons[name] = button
        return button

    def _label(self, parent: tk.Misc, font: Any, fg: str = TEXT, bg: str = BG,
               **options: Any) -> tk.Label:  # fmt: skip
        return self._tk.Label(parent, font=font, fg=fg, bg=bg, anchor="w", justify="left",
                              **options)  # fmt: skip

    def _build(self) -> None:
        tk, root, fonts, plan = self._tk, self.frame, self.fonts, self.model.plan
        root.columnconfigure(0, weight=1)
        root.rowconfigure(1, weight=1)

        header = tk.Frame(root, bg=BG)
        header.grid(row=0, column=0, sticky="ew", padx=self.px(24), pady=(self.px(18), 10))
        header.columnconfigure(0, weight=1)
        self._label(header, fonts.heading, text=plan.heading()).grid(row=0, column=0, sticky="w")
        self.progress = self._label(header, fonts.body, fg=MUTED)
        self.progress.grid(row=0, column=1, sticky="e")

        body = tk.Frame(root, bg=BG)
        body.grid(row=1, column=0, sticky="nsew", padx=self.px(24))
        body.columnconfigure(1, weight=1)
        body.rowconfigure(0, weight=1)
        self._build_plan_list(body)
        self._build_exercise(body)
        self._build_answers(root)

        # What the keys do now (and strict mode's hold), above the safety line.
        width = window_size(self.desktop.main, self.scale)[0] - 2 * self.px(24)
        self.hint = self._label(root, fonts.small, fg=MUTED, wraplength=width)
        self.hint.grid(row=3, column=0, sticky="ew", padx=self.px(24), pady=(2, 0))
        self._label(root, fonts.small, fg=MUTED, text=SAFETY_LINE).grid(
            row=4, column=0, sticky="ew", padx=self.px(24), pady=(4, 12)
        )

    def _build_plan_list(self, body: tk.Frame) -> None:
        # A fixed width: the bold current item must not nudge the exercise column sideways.
        side = self._tk.Frame(body, bg=PANEL, padx=self.px(14), pady=self.px(12),
                              width=self.px(SIDEBAR_WIDTH))
        side.grid(row=0, column=0, sticky="nsw", padx=(0, 20))
        side.grid_propagate(False)
        side.columnconfigure(1, weight=1)
        self._label(side, self.fonts.small, fg=MUTED, bg=PANEL, text="THE PLAN").grid(
            row=0, column=0, columnspan=3, sticky="w", pady=(0, 6)
        )
        # Mark, name and time in columns of their own, so a long name wraps under itself.
        self.item_labels: list[tuple[tk.Label, tk.Label, tk.Label]] = []
        for row, item in enumerate(self.model.plan.items, start=1):
            mark = self._label(side, self.fonts.body, bg=PANEL, width=2)
            # The sidebar's padding, the mark and the widest time ("10:00") leave this much.
            name = self._label(side, self.fonts.body, bg=PANEL,
                               wraplength=self.px(SIDEBAR_WIDTH - 115), text=item.name)
            time_label = self._label(side, self.fonts.body, bg=PANEL, fg=MUTED,
                                     text=clock_text(item.seconds))  # fmt: skip
            mark.grid(row=row, column=0, sticky="nw", pady=3)
            name.grid(row=row, column=1, sticky="nw", pady=3)
            time_label.grid(row=row, column=2, sticky="ne", padx=(10, 0), pady=3)
            self.item_labels.append((mark, name, time_label))
        # Why this exercise, under the plan: the sidebar has the room, and the steps and the
        # cautions keep the main column to themselves.
        row = len(self.item_labels) + 1
        side.rowconfigure(row, weight=1)
        self._label(side, self.fonts.small, fg=MUTED, bg=PANEL, text="WHY THIS ONE").grid(
            row=row + 1, column=0, columnspan=3, sticky="w", pady=(0, 4)
        )
        self.why = self._label(side, self.fonts.italic, fg=MUTED, bg=PANEL,
                               wraplength=self.px(SIDEBAR_WIDTH - 30))  # fmt: skip
        self.why.grid(row=row + 2, column=0, columnspan=3, sticky="w")

    def _build_exercise(self, body: tk.Frame) -> None:
        tk, fonts = self._tk, self.fonts
        main = tk.Frame(body, bg=BG)
        main.grid(row=0, column=1, sticky="nsew")
        main.columnconfigure(0, weight=1)
        main.rowconfigure(3, weight=1)
        self.name = self._label(main, fonts.name)
        self.name.grid(row=0, column=0, sticky="w")
        self.dose = self._label(main, fonts.body, fg=MUTED)
        self.dose.grid(row=1, column=0, sticky="w")

        clock_row = tk.Frame(main, bg=BG)
        clock_row.grid(row=2, column=0, sticky="w", pady=(2, 6))
        # As wide as the longest time of the plan, so the buttons beside it stay put while it
        # counts down ("10:00" needs a fifth digit's room).
        longest = max(item.seconds for item in self.model.plan.items)
        self.clock = self._label(clock_row, fonts.clock, fg=ACCENT, width=len(clock_text(longest)))
        self.clock.grid(row=0, column=0, padx=(0, 14))
        self._button(clock_row, "start", "Start", self._on_start).grid(row=0, column=1, padx=4)
        self._button(clock_row, "next", "Next", self._on_next).grid(row=0, column=2, padx=4)

        # A Text widget, not labels: it wraps, styles the caution box and scrolls when an
        # exercise says more than fits.
        self.details = tk.Text(
            main, wrap="word", font=fonts.body, fg=TEXT, bg=BG, relief="flat", bd=0,
            highlightthickness=0, padx=0, pady=0, cursor="arrow", takefocus=0, height=8,
            width=40, spacing3=3,
        )  # fmt: skip
        self.details.grid(row=3, column=0, sticky="nsew")
        self.scrollbar = tk.Scrollbar(main, command=self.details.yview, width=10, bd=0,
                                      relief="flat", troughcolor=BG, bg=PANEL)  # fmt: skip
        self.details.configure(yscrollcommand=self._scrolled)
        text = self.details
        text.tag_configure("heading", font=fonts.strong, spacing1=8, spacing3=4)
        text.tag_configure("item", lmargin1=4, lmargin2=22)
        text.tag_configure("caution", background=CAUTION_BG, foreground=CAUTION_TEXT,
                           lmargin1=12, lmargin2=12, rmargin=12, lmargincolor=CAUTION_BG,
                           rmargincolor=CAUTION_BG, spacing1=4, spacing3=4)  # fmt: skip
        text.tag_configure("caution-heading", font=fonts.strong)

    def _build_answers(self, root: tk.Misc) -> None:
        bar = self._tk.Frame(root, bg=BG)
        bar.grid(row=2, column=0, sticky="ew", padx=self.px(24), pady=(10, 4))
        bar.columnconfigure(0, weight=1)
        left = self._tk.Frame(bar, bg=BG)
        left.grid(row=0, column=0, sticky="w")
        self.status = self._label(left, self.fonts.strong)
        self.status.grid(row=0, column=0, sticky="w", padx=(0, 12))
        self.feedback = self._tk.Frame(left, bg=BG)
        self.feedback.grid(row=0, column=1, sticky="w")
        for column, (rating, label) in enumerate(RATING_LABELS.items()):
            button = self._button(self.feedback, rating, label, partial(self._on_rating, rating))
            button.grid(row=0, column=column, padx=3)

        right = self._tk.Frame(bar, bg=BG)
        right.grid(row=0, column=1, sticky="e")
        # Strict mode offers neither Skip nor Snooze: the break is meant to be taken (the model
        # offers no snooze under it: tk_window).
        if not self.options.strict:
            self._button(right, "skip", "Skip", self._on_skip).grid(row=0, column=0, padx=3)
        if self.model.snooze_offered:
            self._button(right, "snooze", "Snooze", self._on_snooze).grid(row=0, column=1, padx=3)
        self._button(right, "done", "Done", self._on_done, primary=True).grid(
            row=0, column=2, padx=(3, 0)
        )
        # Close after Done is held by strict mode as the window manager's close is.
        self._button(right, "close", "Close", self._on_wm_close).grid(row=0, column=3,
                                                                      padx=(3, 0))

    # --- showing the model -----------------------------------------------------------------

    def render(self) -> None:
        model, item = self.model, self.model.current
        count = len(model.plan.items)
        self.progress.configure(text="Plan complete" if model.finished
                                else f"Exercise {model.index + 1} of {count}")  # fmt: skip
        for i, (mark, name, time_label) in enumerate(self.item_labels):
            done = i < model.index or model.finished
            current = i == model.index and not model.finished
            colour = MUTED if done else (ACCENT if current else TEXT)
            mark.configure(text="✓" if done else ("▸" if current else ""), fg=colour)
            name.configure(fg=colour, font=self.fonts.strong if current else self.fonts.body)
            time_label.configure(fg=ACCENT if current else MUTED)
        if self._shown_index != model.index:
            self._shown_index = model.index
            self.name.configure(text=item.name)
            self.dose.configure(text=_dose_line(item))
            self.why.configure(text=item.why)
            self._show_details()
        self.render_clock()
        self._render_answers()

    def render_clock(self) -> None:
        model = self.model
        left = model.seconds_left[model.index]
        text = clock_text(left)
        if self.clock.cget("text") != text:
            self.clock.configure(text=text)
        untouched = left == model.current.seconds
        start = "Pause" if model.running else ("Start" if untouched else "Resume")
        active = not model.finished and left > 0 and model.answer in (None, "done")
        self._set(self._buttons["start"], text=start, state="normal" if active else "disabled")
        self._set(self._buttons["next"], text="Finish" if model.is_last else "Next",
                  state="disabled" if model.finished else "normal")  # fmt: skip

    def _render_answers(self) -> None:
        model = self.model
        if model.rating is not None:
            status = "Thanks — noted."
        elif model.answer == "done":
            status = "Well done. How did that feel?" if model.rateable else "Well done."
        elif model.finished:
            status = "All done. How did it feel?" if model.rateable else "All done."
        else:
            status = ""
        self.status.configure(text=status)
        self._shown(self.feedback, model.feedback_offered)
        unanswered = model.answer is None
        self._shown(self._buttons["done"], unanswered)
        if "skip" in self._buttons:
            self._shown(self._buttons["skip"], unanswered)
        if "snooze" in self._buttons:
            # Once the plan has run out there is nothing left to put off.
            self._shown(self._buttons["snooze"], unanswered and not model.finished)
        self._shown(self._buttons["close"], model.answer == "done" and model.rating is None)

    def _show_details(self) -> None:
        item, text = self.model.current, self.details
        text.configure(state="normal")
        text.delete("1.0", "end")
        text.insert("end", "Steps\n", "heading")
        for n, step in enumerate(item.steps, start=1):
            text.insert("end", f"{n}.  {step}\n", "item")
        if item.cautions:
            text.insert("end", "\n")
            text.insert("end", "Take care\n", ("caution", "caution-heading"))
            for caution in item.cautions:
                text.insert("end", f"{caution}\n", "caution")
        if item.cues:
            text.insert("end", "\n")
            text.insert("end", "Keep in mind\n", "heading")
            for cue in item.cues:
                text.insert("end", f"•  {cue}\n", "item")
        # The last newline would leave an empty line below, and a scrollbar for it.
        text.delete("end-2c")
        text.configure(state="disabled")
        text.yview_moveto(0)

    def _scrolled(self, first: str, last: str) -> None:
        # The scrollbar only when the exercise does not fit: calmer than an empty trough.
        self.scrollbar.set(first, last)
        fits = float(first) <= 0.0 and float(last) >= 1.0
        if fits:
            self.scrollbar.grid_remove()
        else:
            self.scrollbar.grid(row=3, column=1, sticky="ns", padx=(6, 0))

    @staticmethod
    def _set(widget: tk.Button, **options: str) -> None:
        # Reconfigure only what changed: the countdown calls this ten times a second.
        changed = {k: v for k, v in options.items() if str(widget.cget(k)) != v}
        if changed:
            widget.configure(**changed)  # type: ignore[arg-type]

    @staticmethod
    def _shown(widget: tk.Widget, shown: bool) -> None:
        if shown:
            widget.grid()
        else:
            widget.grid_remove()

    # --- what the user does ----------------------------------------------------------------

    def _handle(self, events: list[Event]) -> None:
        self._dispatch(events)
        self.render()
        if self.model.over and not self._closing:
            if self.model.answer != "skip" and self.keys.held_in(self.elapsed()):
                # Strict mode: answered, but the screen stays until the break's time is up
                # (only the emergency exit, a skip, leaves early).
                self._close_when_free = True
                return
            self._closing = True
            delay = CLOSE_AFTER_RATING_MS if self.model.rating is not None else 0
            self.root.after(delay, self.close)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    # --- the keyboard and the window manager's close ---------------------------------------

    def _bind_keys(self) -> None:
        # bind_all: the dimmed screens are other toplevels, and a key there counts the same.
        for sequence in ("<KeyPress-Return>", "<KeyPress-KP_Enter>"):
            self.root.bind_all(sequence, self._on_enter)
        self.root.bind_all("<KeyPress-Escape>", self._on_escape)
        self.root.bind_all("<KeyRelease-Escape>", self._on_escape_release)

    def _keys_live(self) -> bool:
        return self.elapsed() >= KEY_GRACE_SECONDS

    def _on_enter(self, _event: Any = None) -> None:
        if not self._keys_live():
            return
        action = self.keys.enter(self.model)
        if action == "start":
            self._on_start()
        elif action == "finish":
            self._on_next()

    def _on_escape(self, _event: Any = None) -> None:
        if not self._keys_live():
            return
        action = self.keys.escape(self.model, self.elapsed())
        if action == "hold":
            self._refused_at = time.monotonic()
            self.hold.press(self._refused_at)
            self._render_hint()
        elif action == "snooze":
            self._on_snooze()
        elif action == "close":
            self.close()

    def _on_escape_release(self, _event: Any = None) -> None:
        self.hold.release(time.monotonic())

    def _on_wm_close(self) -> None:
        """The window manager's close button (or Alt+F4), and the Close button after Done:
        ignored while strict mode holds the screen, which says how to leave instead."""
        if self.keys.held_in(self.elapsed()):
            self._refused_at = time.monotonic()
            self._render_hint()
            return
        self.close()

    def _render_hint(self) -> None:
        text, urgent = self.hint_text()
        if self.hint.cget("text") != text:
            # While Esc is held, or a close was refused, the line must be seen: caution colours.
            self.hint.configure(text=text, fg=CAUTION_TEXT if urgent else MUTED,
                                font=self.fonts.strong if urgent else self.fonts.small)
        left = clock_text(max(0.0, self.break_seconds - self.elapsed()))
        for dim in self.dims:
            dim.show(left)

    def hint_text(self) -> tuple[str, bool]:
        """The hint line, and whether it is urgent (Esc held, or a close just refused)."""
        now = time.monotonic()
        progress = self.hold.progress(now)
        answered = self.model.answer is not None  # then the held Esc only closes the screen
        if progress is not None:
            bars = round(progress * 12)
            what = "Closing the screen" if answered else "Leaving the break (it counts as skipped)"
            return f"{what}: keep holding Esc  " + "■" * bars + "□" * (12 - bars), True
        hold = f"{HOLD_SECONDS:g} s"
        if self.model.answer is not None and self._close_when_free:
            left = clock_text(self.break_seconds - self.elapsed())
            return (f"Strict mode: this screen closes when the break is over, in {left} "
                    f"(hold Esc for {hold} to close it now)."), False
        if self.keys.held_in(self.elapsed()):
            left = clock_text(self.break_seconds - self.elapsed())
            if now - self._refused_at < 4:
                leave = ("to close it now, hold Esc for {hold}" if answered else
                         "to leave, hold Esc for {hold}: it counts as skipped").format(hold=hold)
                return f"This screen stays for the break ({left} left); {leave}.", True
            return (f"Strict mode: {left} left. Enter starts or finishes an exercise. "
                    f"Emergency exit: hold Esc for {hold} (counts as skipped)."), False
        esc = ("Esc closes" if self.options.strict else
               "Esc snoozes" if self.model.snooze_offered and not self.model.finished else "")
        return "Enter starts or finishes an exercise" + (f" · {esc}" if esc else "") + ".", False

    def _on_start(self) -> None:
        self._last_tick = time.monotonic()  # the clock starts now, not at the last tick
        self._handle(self.model.toggle())

    def _on_next(self) -> None:
        self._handle(self.model.next_item())

    def _on_done(self) -> None:
        self._handle(self.model.done())

    def _on_snooze(self) -> None:
        self._handle(self.model.snooze())

    def _on_skip(self) -> None:
        self._handle(self.model.skip())

    def _on_rating(self, rating: Rating) -> None:
        self._handle(self.model.feedback(rating))

    # --- called by the owner's poll loop ---------------------------------------------------

    def tick(self) -> None:
        """Move the countdown on by the time since the last tick (or since Start); follow
        strict mode's held Esc and its end."""
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        if self.model.running:
            events = self.model.tick(elapsed)
            if events:
                self._handle(events)
            else:
                self.render_clock()
        if not self.alive:
            return
        progress = self.hold.progress(now)
        if progress is not None and progress >= 1.0:
            # The emergency exit: the same answer, through the same channel, as a Skip button;
            # after Done (the screen held for the break's time) just the way out.
            self.hold.reset()
            if self.model.answer is None:
                self._on_skip()
            else:
                self.close()
            return
        if self._close_when_free and not self.keys.held_in(self.elapsed()):
            self._close_when_free = False
            self._handle([])
            return
        self._render_hint()

    def layout(self) -> dict[str, Any]:
        self.root.update_idletasks()
        return {"main": self.desktop.main, "monitors": self.desktop.monitors,
                "scale": self.scale, "tk_scaling": float(self.root.tk.call("tk", "scaling")),
                "dims": [dim.monitor for dim in self.dims], "hint": self.hint.cget("text"),
                # Plan items whose name is cut off: shown narrower than it asks to be.
                "clipped": [name.cget("text") for _mark, name, _time in self.item_labels
                            if name.winfo_reqwidth() > name.winfo_width()],
                "window": (self.root.winfo_rootx(), self.root.winfo_rooty(),
                           self.root.winfo_width(), self.root.winfo_height())}

    def button_geometry(self, name: str) -> Rect | None:
        button = self._buttons.get(name)
        self.root.update_idletasks()
        if button is None or not button.winfo_ismapped():
            return None
        return (button.winfo_rootx(), button.winfo_rooty(), button.winfo_width(),
                button.winfo_height())  # fmt: skip

    def close(self) -> None:
        if not self.alive:
            return
        self.alive = False
        self.dims = []
        with contextlib.suppress(self._tk.TclError):
            if self.poll_id is not None:
                self.root.after_cancel(self.poll_id)
            self.root.destroy()

    def _report(self, exc: type[BaseException], value: BaseException, tb: Any) -> None:
        log.error("error in the break window:\n%s",
                  "".join(traceback.format_exception(exc, value, tb)))  # fmt: skip

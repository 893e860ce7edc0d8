"""The dimmed screens of a fullscreen break: one on each monitor but the one with the plan.

They darken the monitor and say how long the break has left, big enough to read from across the
room, and point to the plan. They take no input of their own: the keys work on them as on the
plan's screen (bound for the whole application), and the window manager's close does what it
does on the plan's screen (nothing while strict mode holds the break).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from glutecoach.window.monitors import Monitor

if TYPE_CHECKING:
    import tkinter as tk

DIM_BG = "#1f2523"  # the palette's deep green-grey, near black: dimmed, not a black void
DIM_TEXT = "#c8d2cd"
DIM_MUTED = "#7f8a85"


class DimScreen:
    """A toplevel covering one monitor with the time left of the break."""

    def __init__(self, root: tk.Tk, monitor: Monitor, family: str,
                 on_close: Callable[[], None]) -> None:
        import tkinter as tk

        self.monitor = monitor
        self.window = tk.Toplevel(root, bg=DIM_BG, cursor="arrow")
        self.window.title("GluteCoach — break")
        self.window.geometry(monitor.geometry())
        self.window.attributes("-topmost", True)
        self.window.protocol("WM_DELETE_WINDOW", on_close)
        # A window manager makes it fullscreen on its monitor; without one the geometry does.
        with contextlib.suppress(tk.TclError):
            self.window.attributes("-fullscreen", True)
        box = tk.Frame(self.window, bg=DIM_BG)
        box.place(relx=0.5, rely=0.5, anchor="center")
        tk.Label(box, text="Glute break", font=(family, 20), fg=DIM_MUTED,
                 bg=DIM_BG).pack()
        self.left = tk.Label(box, text="", font=(family, 64, "bold"), fg=DIM_TEXT, bg=DIM_BG)
        self.left.pack()
        tk.Label(box, text="left · the plan is on your other screen", font=(family, 14),
                 fg=DIM_MUTED, bg=DIM_BG).pack()

    def show(self, left: str) -> None:
        """The time left, "2:41"; changed only when it changes (called ten times a second)."""
        if self.left.cget("text") != left:
            self.left.configure(text=left)

"""The break window: the plan of a break, the current exercise with its cautions, a countdown,
and Done / Snooze / Skip and Easy / Right / Hard buttons.

`model` is pure (no Tk, no clock); `tk_window` draws it with Tk on a thread of its own. Importing
this package is cheap: tkinter is imported only when a window is shown.
"""

from glutecoach.window.model import (
    ANSWERS,
    RATINGS,
    BreakModel,
    Event,
    WindowItem,
    WindowPlan,
    WindowState,
    clock_text,
    window_item,
)
from glutecoach.window.tk_window import SAFETY_LINE, BreakWindow, WindowUnavailable

__all__ = [
    "ANSWERS",
    "RATINGS",
    "SAFETY_LINE",
    "BreakModel",
    "BreakWindow",
    "Event",
    "WindowItem",
    "WindowPlan",
    "WindowState",
    "WindowUnavailable",
    "clock_text",
    "window_item",
]

"""The break window: the plan of a break, the current exercise with its cautions, a countdown,
and Done / Snooze / Skip and Easy / Right / Hard buttons.

`model` is pure (no Tk, no clock); `tk_window` draws it with Tk on a thread of its own, in the
window's own process (`process`, `__main__`). Importing this package is cheap: the Tk side is
imported only when `BreakWindow` is asked for, which the coach never does.
"""

from typing import Any

from glutecoach.window.model import (
    ANSWERS,
    RATINGS,
    BreakModel,
    Event,
    WindowItem,
    WindowPlan,
    WindowState,
    WindowUnavailable,
    clock_text,
    window_item,
    window_plan,
)


def __getattr__(name: str) -> Any:
    if name in ("BreakWindow", "SAFETY_LINE"):
        from glutecoach.window import tk_window

        return getattr(tk_window, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
    "window_plan",
]

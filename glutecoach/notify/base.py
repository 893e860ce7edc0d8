"""What every notifier offers the coach: a prompt with answer buttons, a plain message, withdrawal.

The coach must never wait on the desktop: each backend bounds its calls in time and reports a
failed delivery as a value (`Delivery`), never as an exception, so a prompt is recorded as shown or
not shown and the coach goes on.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

# The answers a prompt can offer, in the order of its buttons: to a break prompt, and to the
# "how did that feel?" that follows a break done.
PROMPT_ANSWERS: tuple[str, ...] = ("done", "snooze", "skip")
FEEDBACK_ANSWERS: tuple[str, ...] = ("easy", "right", "hard")
ANSWERS: tuple[str, ...] = PROMPT_ANSWERS + FEEDBACK_ANSWERS

# Called with one of ANSWERS when the user presses a button; may run on any thread.
AnswerCallback = Callable[[str], None]


@dataclass(frozen=True)
class PromptMessage:
    title: str
    body: str
    # A subset of ANSWERS in button order; snooze is left out once the snooze limit is reached.
    answers: tuple[str, ...]

    def __post_init__(self) -> None:
        unknown = [a for a in self.answers if a not in ANSWERS]
        if unknown:
            raise ValueError(f"unknown prompt answers {unknown}; expected some of {ANSWERS}")


# The buttons of the heads-up before a prompt (issue 14), in order.
HEADS_UP_ANSWERS: tuple[str, ...] = ("postpone", "break-now")


@dataclass(frozen=True)
class HeadsUpMessage:
    """The quiet notice shortly before a prompt falls due: (answer, button label) pairs, a
    subset of HEADS_UP_ANSWERS (no Postpone when no snooze is left, or in strict mode)."""

    title: str
    body: str
    buttons: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        unknown = [a for a, _label in self.buttons if a not in HEADS_UP_ANSWERS]
        if unknown:
            raise ValueError(f"unknown heads-up answers {unknown}; expected some of "
                             f"{HEADS_UP_ANSWERS}")


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    backend: str  # "freedesktop", "plyer" or "terminal"
    detail: str = ""  # why it was not delivered, or what was missing (e.g. no buttons)


class Notifier(Protocol):
    name: str

    def show_prompt(self, msg: PromptMessage, on_answer: AnswerCallback) -> Delivery: ...

    def withdraw_prompt(self) -> None: ...

    def info(self, title: str, body: str) -> Delivery: ...

    def close(self) -> None: ...


class Backend(Protocol):
    """A Notifier that can share a time budget (a monotonic deadline) with the ones after it."""

    name: str

    def show_prompt(
        self, msg: PromptMessage, on_answer: AnswerCallback, *, deadline: float | None = None
    ) -> Delivery: ...

    def withdraw_prompt(self) -> None: ...

    def info(self, title: str, body: str, *, deadline: float | None = None) -> Delivery: ...

    def close(self) -> None: ...


def uses_dbus(platform: str | None = None) -> bool:
    """Whether desktop notifications here go through org.freedesktop.Notifications on D-Bus."""
    return (platform or sys.platform).startswith(("linux", "freebsd", "openbsd", "netbsd"))


def deadline_after(seconds: float) -> float:
    """A point on the monotonic clock, so that a chain of backends can share one time budget."""
    return time.monotonic() + seconds


def seconds_left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())

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

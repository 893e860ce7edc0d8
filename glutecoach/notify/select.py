"""Picking the notifier: the best this desktop offers, then the fallbacks, within one time budget.

On Linux and the BSDs: org.freedesktop.Notifications over D-Bus (buttons), then plyer
(notify-send, no buttons), then the terminal. On macOS and Windows: plyer, then the terminal. Each
call tries the backends in that order until one delivers, and the whole call shares one time
budget, so a frozen notification server costs at most `timeout_seconds`, not that much for each
backend.
"""

from __future__ import annotations

import importlib.util
import logging

from glutecoach.errors import InputError
from glutecoach.notify.base import (
    AnswerCallback,
    Backend,
    Delivery,
    HeadsUpMessage,
    Notifier,
    PromptMessage,
    deadline_after,
    uses_dbus,
)

log = logging.getLogger(__name__)

CHOICES = ("auto", "freedesktop", "desktop-notifier", "plyer", "terminal")
# The name of the D-Bus backend before it spoke the spec itself; configs that say it still work.
OLD_NAMES = {"desktop-notifier": "freedesktop"}


class FallbackNotifier:
    """Tries its backends in order; the Delivery of the first that delivers (or of the last).

    The terminal, always last, takes no time, so the prompt reaches at least the log even when a
    frozen server used up the whole budget.
    """

    def __init__(self, backends: list[Backend], timeout_seconds: float) -> None:
        self.backends = backends
        self.name = " > ".join(b.name for b in backends)
        self._timeout = timeout_seconds

    def show_prompt(self, msg: PromptMessage, on_answer: AnswerCallback) -> Delivery:
        # Each backend replaces its own earlier prompt; the first is always tried, so a bubble it
        # showed before can never stay up beside a prompt shown by a later one.
        deadline = deadline_after(self._timeout)
        failures: list[str] = []
        for backend in self.backends:
            delivery = backend.show_prompt(msg, on_answer, deadline=deadline)
            if delivery.delivered:
                return _explained(delivery, failures)
            failures.append(f"{backend.name}: {delivery.detail}")
            log.info("prompt not delivered by %s: %s", backend.name, delivery.detail)
        return _explained(delivery, failures[:-1])

    def withdraw_prompt(self) -> None:
        # All of them: a prompt one gave up on may still arrive late from a server that woke up,
        # and must then go too. Those with nothing on screen return at once.
        for backend in self.backends:
            backend.withdraw_prompt()

    def show_heads_up(self, msg: HeadsUpMessage, on_answer: AnswerCallback) -> Delivery:
        """The quiet notice before a prompt, by the first backend that has one (D-Bus: a
        notification that can be withdrawn and has buttons). plyer's bubbles can be neither
        withdrawn nor pressed, and a heads-up in the terminal would only be noise: none there."""
        deadline = deadline_after(self._timeout)
        failures: list[str] = []
        for backend in self.backends:
            show = getattr(backend, "show_heads_up", None)
            if show is None:
                continue
            delivery: Delivery = show(msg, on_answer, deadline=deadline)
            if delivery.delivered:
                return _explained(delivery, failures)
            failures.append(f"{backend.name}: {delivery.detail}")
        return Delivery(False, self.name, "; ".join(failures) or "no notifier here shows one")

    def withdraw_heads_up(self) -> None:
        for backend in self.backends:
            withdraw = getattr(backend, "withdraw_heads_up", None)
            if withdraw is not None:
                withdraw()

    def info(self, title: str, body: str) -> Delivery:
        deadline = deadline_after(self._timeout)
        failures: list[str] = []
        for backend in self.backends:
            delivery = backend.info(title, body, deadline=deadline)
            if delivery.delivered:
                return _explained(delivery, failures)
            failures.append(f"{backend.name}: {delivery.detail}")
        return _explained(delivery, failures[:-1])

    def close(self) -> None:
        for backend in self.backends:
            try:
                backend.close()
            except Exception:  # closing one must not keep the others open
                log.exception("closing the %s notifier failed", backend.name)


def _explained(delivery: Delivery, failures: list[str]) -> Delivery:
    """The final Delivery, telling also why the better backends did not deliver."""
    if not failures:
        return delivery
    parts = [*failures, f"{delivery.backend}: {delivery.detail or 'delivered'}"]
    return Delivery(delivery.delivered, delivery.backend, "; ".join(parts))


def open_notifier(preferred: str = "auto", timeout_seconds: float = 5.0) -> Notifier:
    """The notifier for `[desktop] notifier` in the config; never fails for a missing backend."""
    if preferred not in CHOICES:
        raise InputError(f"unknown notifier {preferred!r}; choose one of {', '.join(CHOICES)}")
    from glutecoach.notify.terminal import TerminalNotifier

    names = _order(preferred)
    backends: list[Backend] = []
    for name in names:
        if name == "freedesktop":
            if not uses_dbus():
                log.warning("D-Bus notifications are used on Linux and the BSDs only; here it is "
                            "plyer's job")
                continue
            if importlib.util.find_spec("jeepney") is None:
                log.warning("jeepney is not installed: prompts will have no buttons")
                continue
            from glutecoach.notify.fdo import FreedesktopNotifier

            backends.append(FreedesktopNotifier(timeout_seconds))
        elif name == "plyer":
            from glutecoach.notify.plyer_backend import PlyerNotifier

            backends.append(PlyerNotifier(timeout_seconds))
    backends.append(TerminalNotifier())  # always last: the prompt reaches at least the log
    return FallbackNotifier(backends, timeout_seconds)


def _order(preferred: str) -> list[str]:
    preferred = OLD_NAMES.get(preferred, preferred)
    if preferred == "auto":
        return ["freedesktop", "plyer"] if uses_dbus() else ["plyer"]
    if preferred == "terminal":
        return []
    return [preferred]

"""Notifications through plyer: the backend on macOS and Windows, a fallback on Linux.

plyer cannot show buttons, so prompts carry a line on how to answer from the tray or the CLI.

On Linux, plyer (without dbus-python, which needs compiling) runs `notify-send` through
`subprocess.call`, with no timeout, ignoring its exit status and sending expire time 0 (never
expires). So on Linux this backend runs the same `notify-send` itself, bounded in time and with its
exit status checked, which is the only way to know whether the message got through. Elsewhere it
calls plyer in a worker thread so that a hung platform call cannot hold the coach.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from glutecoach.notify.base import (
    AnswerCallback,
    Delivery,
    PromptMessage,
    deadline_after,
    seconds_left,
    uses_dbus,
)
from glutecoach.notify.texts import answer_hint

log = logging.getLogger(__name__)

APP_NAME = "GluteCoach"
PlyerNotify = Callable[..., Any]


def _plyer_notify(**kwargs: Any) -> Any:
    from plyer import notification  # lazy: plyer picks its platform module on first use

    return notification.notify(**kwargs)


class PlyerNotifier:
    name = "plyer"

    def __init__(
        self,
        timeout_seconds: float = 5.0,
        *,
        platform: str | None = None,
        prompt_seconds: int = 600,
        info_seconds: int = 15,
        plyer_notify: PlyerNotify = _plyer_notify,
    ) -> None:
        self._timeout = timeout_seconds
        self._linux = uses_dbus(platform)  # notify-send there; plyer's own code elsewhere
        # A bubble without buttons cannot be withdrawn, so it must expire on its own; the coach's
        # response window is about this long.
        self._prompt_seconds = prompt_seconds
        self._info_seconds = info_seconds
        self._plyer_notify = plyer_notify

    def show_prompt(
        self, msg: PromptMessage, on_answer: AnswerCallback, *, deadline: float | None = None
    ) -> Delivery:
        body = f"{msg.body}\n{answer_hint(msg.answers)}"
        return self._send(msg.title, body, self._prompt_seconds, deadline)

    def withdraw_prompt(self) -> None:
        # Neither notify-send nor plyer can close a bubble; it expires after prompt_seconds.
        pass

    def info(self, title: str, body: str, *, deadline: float | None = None) -> Delivery:
        return self._send(title, body, self._info_seconds, deadline)

    def close(self) -> None:
        pass

    def _send(self, title: str, body: str, seconds: int, deadline: float | None) -> Delivery:
        budget = seconds_left(deadline if deadline is not None else deadline_after(self._timeout))
        if budget <= 0:
            return Delivery(False, self.name, "no time left to try plyer")
        if self._linux:
            return self._notify_send(title, body, seconds, budget)
        return self._plyer(title, body, seconds, budget)

    def _notify_send(self, title: str, body: str, seconds: int, budget: float) -> Delivery:
        exe = shutil.which("notify-send")
        if exe is None:
            return Delivery(False, self.name, "notify-send is not installed (libnotify-bin)")
        expire_ms = str(seconds * 1000)
        args = [exe, "--app-name", APP_NAME, "--expire-time", expire_ms, "--", title, body]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=budget, check=False)
        except subprocess.TimeoutExpired:
            return Delivery(
                False, self.name, f"notify-send did not return within {budget:.1f} s "
                "(is the notification server frozen?)",
            )
        except OSError as exc:
            return Delivery(False, self.name, f"could not run notify-send: {exc}")
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no message"])[-1]
            return Delivery(False, self.name, f"notify-send failed ({done.returncode}): {why}")
        return Delivery(True, self.name, "no buttons with notify-send")

    def _plyer(self, title: str, body: str, seconds: int, budget: float) -> Delivery:
        outcome: list[BaseException | None] = []

        def call() -> None:
            try:
                self._plyer_notify(title=title, message=body, app_name=APP_NAME, timeout=seconds)
            except BaseException as exc:  # report anything plyer raises, e.g. a missing pyobjus
                outcome.append(exc)
            else:
                outcome.append(None)

        # A daemon thread, because a platform call that never returns must not keep the coach
        # from exiting either.
        worker = threading.Thread(target=call, name="glutecoach-plyer", daemon=True)
        worker.start()
        worker.join(budget)
        if not outcome:
            return Delivery(False, self.name, f"plyer did not return within {budget:.1f} s")
        exc = outcome[0]
        if exc is not None:
            log.debug("plyer failed", exc_info=exc)
            return Delivery(False, self.name, f"plyer failed: {type(exc).__name__}: {exc}")
        return Delivery(True, self.name, "no buttons with plyer")

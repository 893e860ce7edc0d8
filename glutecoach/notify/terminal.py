"""The last resort: the prompt printed to the terminal and written to the log.

It cannot take answers (the CLI and the tray do that) and it only reaches a person when the coach
runs in a terminal, so it reports itself delivered only when stderr is one.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from glutecoach.notify.base import AnswerCallback, Delivery, PromptMessage
from glutecoach.notify.texts import answer_hint

log = logging.getLogger(__name__)


class TerminalNotifier:
    name = "terminal"

    def __init__(self, stream: TextIO | None = None) -> None:
        # None: sys.stderr at the time of the call, so that capture and redirections apply.
        self._stream = stream

    def show_prompt(
        self, msg: PromptMessage, on_answer: AnswerCallback, *, deadline: float | None = None
    ) -> Delivery:
        log.info("prompt: %s | %s", msg.title, msg.body.replace("\n", " "))
        return self._print(f"{msg.title}\n{msg.body}\n{answer_hint(msg.answers)}")

    def withdraw_prompt(self) -> None:
        log.info("prompt resolved")

    def info(self, title: str, body: str, *, deadline: float | None = None) -> Delivery:
        log.info("%s | %s", title, body.replace("\n", " "))
        return self._print(f"{title}\n{body}")

    def close(self) -> None:
        pass

    def _print(self, text: str) -> Delivery:
        stream = self._stream or sys.stderr
        try:
            print(f"\n[GluteCoach] {text}\n", file=stream, flush=True)
            seen = stream.isatty()
        except (OSError, ValueError) as exc:  # closed or broken stderr under a service manager
            return Delivery(False, self.name, f"could not write to the terminal: {exc}")
        if seen:
            return Delivery(True, self.name, "printed to the terminal only (no buttons)")
        return Delivery(False, self.name, "no terminal to print to; written to the log only")

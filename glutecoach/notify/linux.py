"""Prompts with Done / Snooze / Skip buttons through desktop-notifier over D-Bus (Linux and BSDs).

desktop-notifier is asyncio based and needs a running loop to hear button presses, while the coach
is threaded (APScheduler, the control socket). So this notifier owns one event loop in a daemon
thread; every public call submits a coroutine to it and waits at most its time budget. When the
notification server is frozen the wait ends and the call reports `Delivery(delivered=False)`: the
coach is never held by the desktop. The coroutine itself goes on for a while (LATE_LIMIT), because
a server that wakes up again still shows what it was sent: a late prompt bubble is kept if its
prompt is still current (its buttons work) and closed if not, so no dead bubble is left behind.

desktop-notifier logs and swallows every failure of a send, so this module asks the bus itself
whether anybody serves org.freedesktop.Notifications (to say "no notification server" plainly),
and learns whether the send worked from the notification's on_dispatched callback.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from glutecoach.notify.base import (
    FEEDBACK_ANSWERS,
    PROMPT_ANSWERS,
    AnswerCallback,
    Delivery,
    PromptMessage,
    deadline_after,
    seconds_left,
)
from glutecoach.notify.texts import ANSWER_LABELS, DEFAULT_ACTION_LABELS, answer_hint

log = logging.getLogger(__name__)

APP_NAME = "GluteCoach"
NOTIFICATIONS = "org.freedesktop.Notifications"
NO_SERVER = (
    "no notification server: nobody owns org.freedesktop.Notifications on the session bus "
    "and the bus cannot start one (run a notification daemon such as dunst or mako, or your "
    "desktop's own)"
)
# How long a call the caller gave up on may still finish in the background before it is cancelled
# and the D-Bus connection is started afresh.
LATE_LIMIT_SECONDS = 120.0


class _Stage:
    """What one call is waiting for, so that a timeout can say who did not answer."""

    def __init__(self) -> None:
        self.text = "waiting for the notifier's event loop"


Job = Callable[[_Stage], Coroutine[Any, Any, Delivery | None]]


class _FailureCatcher(logging.Handler):
    """The last failure desktop-notifier logged from our loop thread: it explains a non-send."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread_id: int | None = None
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread_id:
            return
        exc = record.exc_info[1] if record.exc_info else None
        self.last = f"{type(exc).__name__}: {exc}" if exc else record.getMessage()

    def take(self) -> str | None:
        last, self.last = self.last, None
        return last


class DesktopNotifierBackend:
    name = "desktop-notifier"

    def __init__(self, timeout_seconds: float = 5.0, app_name: str = APP_NAME) -> None:
        self._timeout = timeout_seconds
        self._app_name = app_name
        self._lock = threading.Lock()  # one caller at a time: the coach has several threads
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        # Answers run outside the loop thread, so that a callback which calls back into this
        # notifier (e.g. withdraw_prompt) cannot deadlock the loop; one worker keeps them in order.
        self._answers = concurrent.futures.ThreadPoolExecutor(1, "glutecoach-answer")
        self._failures = _FailureCatcher()
        # Touched only on the loop thread:
        self._notifier: Any = None  # desktop_notifier.DesktopNotifier, created lazily
        self._bus: Any = None  # dbus_fast MessageBus used to ask the bus daemon about the server
        self._prompt_id: str | None = None  # desktop-notifier's id of the prompt on screen
        self._prompt_nid: int | None = None  # the server's id of the same bubble
        # Bumped whenever a prompt is shown, answered or withdrawn: a press on an older bubble is
        # ignored and a late older bubble is closed, so nothing can answer the wrong prompt.
        self._prompt_token = 0
        self._running: set[asyncio.Task[Any]] = set()  # calls on the loop, late ones included
        self._server = "the notification server"  # named by the probe, with its command and pid

    # -- the Notifier interface -------------------------------------------------------------

    def show_prompt(
        self, msg: PromptMessage, on_answer: AnswerCallback, *, deadline: float | None = None
    ) -> Delivery:
        return self._call(lambda stage: self._show_prompt(stage, msg, on_answer), deadline)

    def withdraw_prompt(self, *, deadline: float | None = None) -> None:
        delivery = self._call(self._withdraw, deadline)
        if not delivery.delivered:
            log.warning("could not withdraw the prompt bubble: %s", delivery.detail)

    def info(self, title: str, body: str, *, deadline: float | None = None) -> Delivery:
        return self._call(lambda stage: self._info(stage, title, body), deadline)

    def close(self) -> None:
        if self._closed:
            return
        deadline = deadline_after(self._timeout)
        if self._loop is not None:
            self._call(self._shutdown, deadline)
        self._closed = True
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(max(0.1, seconds_left(deadline)))
            if not self._thread.is_alive():
                self._loop.close()
        logging.getLogger("desktop_notifier").removeHandler(self._failures)
        self._answers.shutdown(wait=False)

    # -- running coroutines on the loop thread, within the time budget ----------------------

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            started = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(loop)
                self._failures.thread_id = threading.get_ident()
                started.set()
                loop.run_forever()

            # A daemon thread: a loop stuck on a dead bus must not keep the coach from exiting.
            self._thread = threading.Thread(target=run, name="glutecoach-notify", daemon=True)
            self._thread.start()
            started.wait()
            logging.getLogger("desktop_notifier").addHandler(self._failures)
            self._loop = loop
        return self._loop

    def _call(self, job: Job, deadline: float | None) -> Delivery:
        started = time.monotonic()
        deadline = deadline if deadline is not None else deadline_after(self._timeout)
        if self._closed:
            return Delivery(False, self.name, "the notifier is closed")
        if threading.get_ident() == self._failures.thread_id:
            # Waiting on the loop from inside it would deadlock (answers run elsewhere for this).
            return Delivery(False, self.name, "called from the notifier's own thread")
        if not self._lock.acquire(timeout=seconds_left(deadline)):
            return Delivery(False, self.name, "an earlier notification call is still waiting")
        try:
            stage = _Stage()
            future = asyncio.run_coroutine_threadsafe(
                self._bounded(job(stage)), self._ensure_loop()
            )
            try:
                result = future.result(seconds_left(deadline))
            except TimeoutError:
                waited = time.monotonic() - started
                return Delivery(
                    False,
                    self.name,
                    f"gave up after {waited:.1f} s {stage.text}: it is not answering (frozen?)",
                )
            except Exception as exc:  # a bug or an unexpected library error: report, don't raise
                log.warning("desktop-notifier call failed", exc_info=exc)
                return Delivery(False, self.name, f"{type(exc).__name__}: {exc}")
            return result if result is not None else Delivery(True, self.name)
        finally:
            self._lock.release()

    async def _bounded(self, coro: Coroutine[Any, Any, Delivery | None]) -> Delivery | None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            async with asyncio.timeout(LATE_LIMIT_SECONDS):
                return await coro
        except Exception:
            # An error, or still no answer long after the caller gave up: the connection is
            # suspect (server gone or restarted, bus dropped), so the next call starts afresh.
            self._reset()
            raise
        finally:
            self._running.discard(task)

    def _reset(self) -> None:
        notifier, self._notifier = self._notifier, None
        self._prompt_id = self._prompt_nid = None
        # desktop-notifier keeps its D-Bus connection on its backend; close it rather than leak it.
        old_bus = getattr(getattr(notifier, "_backend", None), "bus", None)
        for bus in (old_bus, self._bus):
            if bus is not None:
                bus.disconnect()
        self._bus = None

    # -- coroutines (loop thread) -----------------------------------------------------------

    async def _show_prompt(
        self, stage: _Stage, msg: PromptMessage, on_answer: AnswerCallback
    ) -> Delivery:
        from desktop_notifier import Button, Capability, Notification

        self._prompt_token += 1
        token = self._prompt_token
        problem = await self._server_problem(stage)
        if problem:
            return Delivery(False, self.name, problem)
        await self._withdraw_bubble(stage)  # at most one prompt on screen
        notifier = self._ensure_notifier()
        stage.text = f"waiting for {self._server}'s capabilities"
        can_button = Capability.BUTTONS in await notifier.get_capabilities()
        body = msg.body if can_button else f"{msg.body}\n{answer_hint(msg.answers)}"
        buttons = tuple(
            Button(
                ANSWER_LABELS[answer],
                on_pressed=functools.partial(self._pressed, token, answer, on_answer),
                identifier=answer,  # the action key the server sees, e.g. [id,snooze] in dunst
            )
            for answer in msg.answers
        )
        # on_dispatched is the only sign of success: send_notification never raises.
        sent: list[bool] = []
        # timeout 0: the prompt stays until answered or withdrawn by the coach.
        notification = Notification(
            msg.title, body, buttons=buttons, timeout=0, on_dispatched=lambda: sent.append(True),
            on_clicked=functools.partial(self._clicked, token),
        )
        ident = await self._send(stage, notifier, notification)
        if not sent:
            return self._not_sent()
        if token != self._prompt_token:
            # Shown late, after the prompt was answered, withdrawn or replaced: take it away.
            log.info("a late prompt bubble arrived after its prompt ended; closing it")
            with contextlib.suppress(Exception):
                await notifier.clear(ident)
            return Delivery(False, self.name, "shown late, after the prompt had ended")
        self._prompt_id = ident
        self._prompt_nid = _server_id(notifier, ident)
        if not can_button:
            return Delivery(True, self.name, "the notification server shows no buttons")
        return Delivery(True, self.name)

    async def _info(self, stage: _Stage, title: str, body: str) -> Delivery:
        from desktop_notifier import Notification

        problem = await self._server_problem(stage)
        if problem:
            return Delivery(False, self.name, problem)
        notifier = self._ensure_notifier()
        sent: list[bool] = []
        nid: list[int] = []  # the server's id, once sent: its "Close" action closes it

        def clicked() -> None:
            if nid:
                self._spawn(self._close_on_server(nid[0]))

        # timeout -1: the server's usual expiry, as for any other passing message.
        notification = Notification(
            title, body, timeout=-1, on_dispatched=lambda: sent.append(True), on_clicked=clicked
        )
        ident = await self._send(stage, notifier, notification)
        if not sent:
            return self._not_sent()
        if (server_id := _server_id(notifier, ident)) is not None:
            nid.append(server_id)
        return Delivery(True, self.name)

    async def _withdraw(self, stage: _Stage) -> None:
        self._prompt_token += 1
        await self._withdraw_bubble(stage)

    async def _shutdown(self, stage: _Stage) -> None:
        try:
            await self._withdraw(stage)
        finally:
            # Calls still waiting on a frozen server end here, before their connection goes.
            others = [t for t in self._running if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
            self._reset()

    async def _withdraw_bubble(self, stage: _Stage) -> None:
        ident, self._prompt_id = self._prompt_id, None
        nid, self._prompt_nid = self._prompt_nid, None
        if ident is None or self._notifier is None:
            return
        stage.text = f"waiting for {self._server} to close the prompt"
        if nid is not None:
            await self._close_on_server(nid)
            return
        # KeyError: the server closed it already (answered or dismissed by the user).
        with contextlib.suppress(KeyError):
            await self._notifier.clear(ident)

    async def _close_on_server(self, nid: int) -> None:
        """CloseNotification by the server's id, through our own connection.

        desktop-notifier forgets a bubble's id once one of its buttons is pressed, but dunst 1.9
        leaves the bubble up after an action chosen from its context menu: only this closes it.
        An error (already closed) is fine; the server's NotificationClosed tidies desktop-notifier.
        """
        from dbus_fast import Message

        if self._bus is None or not self._bus.connected:
            return
        await self._bus.call(
            Message(
                destination=NOTIFICATIONS,
                path="/org/freedesktop/Notifications",
                interface=NOTIFICATIONS,
                member="CloseNotification",
                signature="u",
                body=[nid],
            )
        )

    async def _send(self, stage: _Stage, notifier: Any, notification: Any) -> str:
        stage.text = f"waiting for {self._server} to take the message"
        self._failures.take()  # forget an older failure, so that _not_sent explains this one
        ident: str = await notifier.send_notification(notification)
        return ident

    def _not_sent(self) -> Delivery:
        why = self._failures.take() or "see the log"
        self._reset()  # the connection may be broken (server restarted, bus gone): start afresh
        return Delivery(False, self.name, f"the notification server did not take it: {why}")

    def _pressed(self, token: int, answer: str, on_answer: AnswerCallback) -> None:
        if token != self._prompt_token:
            log.info("ignored %r pressed on a prompt that is no longer current", answer)
            return
        self._prompt_token += 1
        self._prompt_id = None
        nid, self._prompt_nid = self._prompt_nid, None
        if nid is not None:
            self._spawn(self._close_on_server(nid))
        try:
            self._answers.submit(_answer_safely, on_answer, answer)
        except RuntimeError:  # closed meanwhile
            log.warning("answer %r arrived after the notifier was closed", answer)

    def _clicked(self, token: int) -> None:
        """The prompt's default action: a click on its body, or "Close (answer later)" in
        dunst's menu. It closes the bubble and answers nothing: the prompt still waits for an
        answer from the tray or the command line (or is taken by getting up)."""
        if token != self._prompt_token:
            return
        self._prompt_id = None
        nid, self._prompt_nid = self._prompt_nid, None
        if nid is not None:  # dunst leaves the bubble up after an action from its menu
            self._spawn(self._close_on_server(nid))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run a coroutine on the loop without a caller waiting (bounded like the others)."""
        task = asyncio.ensure_future(self._bounded(coro))
        task.add_done_callback(_log_failure)

    def _ensure_notifier(self) -> Any:
        if self._notifier is None:
            from desktop_notifier import DesktopNotifier

            notifier = DesktopNotifier(app_name=self._app_name, app_icon=None)
            _label_default_action(notifier)
            self._notifier = notifier
        return self._notifier

    async def _server_problem(self, stage: _Stage) -> str | None:
        """Why no notification can be shown now, or None if a server is there (or startable)."""
        try:
            import desktop_notifier  # noqa: F401
        except ImportError:
            return "desktop-notifier is not installed (pip install desktop-notifier)"
        stage.text = "connecting to the session bus"
        try:
            if self._bus is None or not self._bus.connected:
                from dbus_fast.aio import MessageBus

                self._bus = await MessageBus().connect()
        except Exception as exc:  # no address, no socket, refused, bad auth: all mean "no bus"
            self._bus = None
            address = os.environ.get("DBUS_SESSION_BUS_ADDRESS") or "DBUS_SESSION_BUS_ADDRESS unset"
            return f"cannot reach the D-Bus session bus ({address}): {type(exc).__name__}: {exc}"
        stage.text = "waiting for the session bus daemon"
        if await self._ask_bus("NameHasOwner", "s", NOTIFICATIONS):
            pid = await self._ask_bus("GetConnectionUnixProcessID", "s", NOTIFICATIONS)
            self._server = _describe_server(pid)
            return None
        if NOTIFICATIONS in (await self._ask_bus("ListActivatableNames") or []):
            # The bus starts the server on the first call; the time budget covers a failed start.
            self._server = "the notification server the bus is starting"
            return None
        return NO_SERVER

    async def _ask_bus(self, member: str, signature: str = "", *body: Any) -> Any:
        """One call to the bus daemon itself; None if it answers with an error."""
        from dbus_fast import Message, MessageType

        reply = await self._bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member=member,
                signature=signature,
                body=list(body),
            )
        )
        if reply.message_type == MessageType.ERROR:
            return None
        return reply.body[0]


def _describe_server(pid: int | None) -> str:
    """A frozen server is easier to find by name and pid: "... (dunst, pid 4242)"."""
    if pid is None:
        return "the notification server"
    try:
        command = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
    except OSError:  # no /proc (BSD) or the process is gone
        command = ""
    return f"the notification server ({command}, pid {pid})" if command else (
        f"the notification server (pid {pid})"
    )


def _label_default_action(notifier: Any) -> None:
    """Give the "default" action a label.

    desktop-notifier adds a "default" action (a click on the bubble's body) to every
    notification with an empty label, and dunst lists it so, as a blank first line of its
    context menu (issue 11, 4.7). Its D-Bus backend builds the action list inside its send, so
    the label is put in where that list leaves: in the Notify call of the proxy interface it
    makes on first use. Another backend, or a later version without these attributes, is left
    as it is (a blank label is ugly, not broken)."""
    backend = getattr(notifier, "_backend", None)
    init_dbus = getattr(backend, "_init_dbus", None)
    if backend is None or init_dbus is None:
        return

    async def labelled_init() -> Any:
        interface = await init_dbus()
        notify = getattr(interface, "call_notify", None)
        if notify is not None:

            async def call_notify(app: str, replaces: int, icon: str, summary: str, body: str,
                                  actions: list[str], *rest: Any, **kwargs: Any) -> Any:
                return await notify(app, replaces, icon, summary, body, label_actions(actions),
                                    *rest, **kwargs)

            interface.call_notify = call_notify
        return interface

    backend._init_dbus = labelled_init


def label_actions(actions: list[str]) -> list[str]:
    """[key, label, key, label, ...] with an empty label of "default" filled in, by what the
    notification is: a prompt, a "how did it feel?" question or a plain message."""
    keys = set(actions[0::2])
    kind = ("prompt" if keys & set(PROMPT_ANSWERS)
            else "question" if keys & set(FEEDBACK_ANSWERS) else "info")
    out = list(actions)
    for i in range(0, len(out) - 1, 2):
        if out[i] == "default" and not out[i + 1]:
            out[i + 1] = DEFAULT_ACTION_LABELS[kind]
    return out


def _server_id(notifier: Any, ident: str) -> int | None:
    """The server's id of a bubble desktop-notifier sent. It is kept only in a private mapping
    of its D-Bus backend, hence the careful lookups: None if a later version moves it."""
    backend = getattr(notifier, "_backend", None)
    ids = getattr(backend, "_platform_to_interface_notification_identifier", None)
    try:
        nid = ids.inverse.get(ident) if ids is not None else None
    except AttributeError:
        return None
    return nid if isinstance(nid, int) else None


def _log_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("a background notification call failed", exc_info=task.exception())


def _answer_safely(on_answer: AnswerCallback, answer: str) -> None:
    try:
        on_answer(answer)
    except Exception:  # the coach's bug must not kill the answer worker
        log.exception("answering %r failed", answer)

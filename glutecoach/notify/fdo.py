"""Prompts with Done / Snooze / Skip buttons through org.freedesktop.Notifications (Linux, BSDs).

The coach speaks the notification spec itself over jeepney, which it loads anyway: Notify,
CloseNotification, GetCapabilities and GetServerInformation, and the ActionInvoked and
NotificationClosed signals, heard by the connection's own listener thread (notify/dbus_link.py).
No event loop, no second D-Bus library.

Every public call shares one time budget. When the notification server is frozen the wait ends
and the call reports `Delivery(delivered=False)`: the coach is never held by the desktop. A
server that wakes up later still shows what it was sent: a late prompt bubble is kept if its
prompt is still current (its buttons work) and closed if not, so no dead bubble is left behind.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glutecoach.notify.base import (
    PROMPT_ANSWERS,
    AnswerCallback,
    Delivery,
    HeadsUpMessage,
    PromptMessage,
    deadline_after,
    seconds_left,
)
from glutecoach.notify.dbus_link import BusLink, LinkLost, error_text
from glutecoach.notify.texts import ANSWER_LABELS, DEFAULT_ACTION_LABELS, answer_hint

log = logging.getLogger(__name__)

APP_NAME = "GluteCoach"
NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
NO_SERVER = (
    "no notification server: nobody owns org.freedesktop.Notifications on the session bus "
    "and the bus cannot start one (run a notification daemon such as dunst or mako, or your "
    "desktop's own)"
)
# "default" is the action of a click on the bubble's body. It only closes the bubble; it gets a
# label, by the kind of notification, because servers such as dunst list it in their menu.
DEFAULT_ACTION = "default"
# xfce4-notifyd shows "default" as one more button rather than as the body's click.
NO_DEFAULT_ACTION = frozenset({"Xfce Notify Daemon"})
URGENCY_NORMAL = ("y", 1)
# The heads-up before a prompt is quiet (issue 14): low urgency, and no sound from the server.
URGENCY_LOW = ("y", 0)
QUIET_HINTS: dict[str, tuple[str, Any]] = {"urgency": URGENCY_LOW, "suppress-sound": ("b", True)}
TIMEOUT_STAYS = 0  # a prompt stays until answered or withdrawn by the coach
TIMEOUT_SERVERS_OWN = -1  # a passing message expires as the server's others do
MAX_BUBBLES = 64  # remembered ids of bubbles on screen; servers that never say "closed" exist


@dataclass
class _Bubble:
    """A notification of ours on screen. Servers number them from 1 again when they restart,
    so a bubble is known by the server's unique bus name and its id there."""

    server: str  # the unique bus name of the server that showed it (":1.42")
    nid: int
    answers: tuple[str, ...] = ()
    on_answer: AnswerCallback | None = None
    token: int = 0  # the prompt it belongs to (see FreedesktopNotifier._token)
    heads_up: bool = False  # the heads-up before a prompt: its token counts heads-ups instead


@dataclass
class _Server:
    """The notification server on the bus now, and what it can do (asked once per server)."""

    owner: str | None  # its unique bus name; None while the bus is still starting it
    label: str  # "the notification server (dunst, pid 4242)", for messages
    actions: bool | None = None  # GetCapabilities lists "actions" (buttons)
    default_action: bool = True


class _Budget:
    """One public call's deadline, and what it waits for now (so a timeout can say who)."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.started = time.monotonic()
        self.text = "waiting for an earlier notification call"

    def left(self) -> float:
        return seconds_left(self.deadline)


class FreedesktopNotifier:
    name = "freedesktop"

    def __init__(self, timeout_seconds: float = 5.0, app_name: str = APP_NAME) -> None:
        self._timeout = timeout_seconds
        self._app_name = app_name
        self._calls = threading.Lock()  # one caller at a time: the coach has several threads
        # Guards what the listener thread shares with callers: the fields below.
        self._state = threading.Lock()
        self._link: BusLink | None = None
        self._server: _Server | None = None
        # Bumped whenever a prompt is shown, answered or withdrawn: a press on an older bubble is
        # ignored and a late older bubble is closed, so nothing can answer the wrong prompt.
        self._token = 0
        self._prompt: _Bubble | None = None  # the prompt's bubble on screen
        # The heads-up before a prompt, a slot of its own beside the prompt's (issue 14): bumped
        # whenever one is shown, pressed or withdrawn, as _token is for prompts.
        self._heads_up: _Bubble | None = None
        self._heads_up_token = 0
        self._bubbles: dict[tuple[str, int], _Bubble] = {}  # ours on screen, prompts and others
        self._closed = False
        # Answers run outside the listener thread, so that a callback which calls back into this
        # notifier (e.g. withdraw_prompt) waits for a reply that thread can still read; one
        # worker keeps them in order.
        self._answers = concurrent.futures.ThreadPoolExecutor(1, "glutecoach-answer")

    # -- the Notifier interface -----------------------------------------------------------------

    def show_prompt(
        self, msg: PromptMessage, on_answer: AnswerCallback, *, deadline: float | None = None
    ) -> Delivery:
        return self._call(lambda budget: self._show_prompt(budget, msg, on_answer), deadline)

    def withdraw_prompt(self, *, deadline: float | None = None) -> None:
        delivery = self._call(self._withdraw, deadline)
        if not delivery.delivered:
            log.warning("could not withdraw the prompt bubble: %s", delivery.detail)

    def info(self, title: str, body: str, *, deadline: float | None = None) -> Delivery:
        return self._call(lambda budget: self._info(budget, title, body), deadline)

    def show_heads_up(self, msg: HeadsUpMessage, on_answer: AnswerCallback, *,
                      deadline: float | None = None) -> Delivery:
        """The quiet notice before a prompt, with its buttons; replaces an earlier one."""
        return self._call(lambda budget: self._show_heads_up(budget, msg, on_answer), deadline)

    def withdraw_heads_up(self, *, deadline: float | None = None) -> None:
        delivery = self._call(self._withdraw_heads_up, deadline)
        if not delivery.delivered:
            log.warning("could not withdraw the heads-up: %s", delivery.detail)

    def close(self) -> None:
        if self._closed:
            return
        deadline = deadline_after(self._timeout)
        self.withdraw_prompt(deadline=deadline)  # returns at once when no bubble is up
        self.withdraw_heads_up(deadline=deadline)
        self._closed = True
        link, self._link = self._link, None
        if link is not None:
            link.close(max(0.1, seconds_left(deadline)))
        self._answers.shutdown(wait=False)

    @property
    def listener(self) -> threading.Thread | None:
        """The thread that hears the server's signals, while connected."""
        return self._link.thread if self._link is not None else None

    # -- one bounded call -----------------------------------------------------------------------

    def _call(self, job: Callable[[_Budget], Delivery | None], deadline: float | None) -> Delivery:
        budget = _Budget(deadline if deadline is not None else deadline_after(self._timeout))
        if self._closed:
            return Delivery(False, self.name, "the notifier is closed")
        if self._link is not None and threading.current_thread() is self._link.thread:
            # Waiting for a reply on the thread that reads replies would never end.
            return Delivery(False, self.name, "called from the notifier's own thread")
        if not self._calls.acquire(timeout=budget.left()):
            return Delivery(False, self.name, "an earlier notification call is still waiting")
        try:
            return job(budget) or Delivery(True, self.name)
        except TimeoutError:
            waited = time.monotonic() - budget.started
            return Delivery(False, self.name, f"gave up after {waited:.1f} s {budget.text}: "
                                              "it is not answering (frozen?)")
        except LinkLost as exc:
            self._drop_link()  # the next call connects afresh
            return Delivery(False, self.name, str(exc))
        except Exception as exc:  # a bug or an unexpected reply: report, don't raise
            log.warning("notification call failed", exc_info=exc)
            return Delivery(False, self.name, f"{type(exc).__name__}: {exc}")
        finally:
            self._calls.release()

    def _ask(self, budget: _Budget, message: Any, waiting_for: str,
             on_reply: Callable[[Any], Any] | None = None) -> Any:
        """A method call within the budget; by default the reply itself is the answer."""
        assert self._link is not None
        budget.text = waiting_for
        return self._link.call(message, budget.left(), on_reply or (lambda reply: reply))

    # -- the jobs ---------------------------------------------------------------------------------

    def _show_prompt(self, budget: _Budget, msg: PromptMessage,
                     on_answer: AnswerCallback) -> Delivery:
        with self._state:
            self._token += 1
            token = self._token
        problem = self._connect(budget) or self._find_server(budget)
        with self._state:
            old = self._prompt
            if problem in (None, NO_SERVER):  # else kept, for a withdrawal that can reach it
                self._prompt = None
        if old is not None and not problem:
            # At most one prompt on screen. Not replaced in place (replaces_id): the new bubble
            # gets an id of its own, so a press on the old one can never answer the new prompt.
            self._close_quietly(old)
        if problem:
            return Delivery(False, self.name, problem)
        server = self._capabilities(budget)
        kind = "prompt" if set(msg.answers) & set(PROMPT_ANSWERS) else "question"
        actions = [DEFAULT_ACTION, DEFAULT_ACTION_LABELS[kind]] if server.default_action else []
        if server.actions:
            for answer in msg.answers:
                actions += [answer, ANSWER_LABELS[answer]]
            body = msg.body
        else:
            body = f"{msg.body}\n{answer_hint(msg.answers)}"

        def shown(reply: Any) -> Delivery:
            """On the listener thread, before any signal about the new bubble is read."""
            if (why := error_text(reply)) is not None:
                return Delivery(False, self.name, f"the notification server did not take it: {why}")
            bubble = _Bubble(_sender(reply), int(reply.body[0]), msg.answers, on_answer, token)
            with self._state:
                current = token == self._token
                if current:
                    self._prompt = bubble
                    self._remember(bubble)
            if not current:
                # Shown late, after the prompt was answered, withdrawn or replaced: take it away.
                log.info("a late prompt bubble arrived after its prompt ended; closing it")
                self._close_quietly(bubble)
                return Delivery(False, self.name, "shown late, after the prompt had ended")
            if not server.actions:
                return Delivery(True, self.name, "the notification server shows no buttons")
            return Delivery(True, self.name)

        delivery: Delivery = self._ask(
            budget, self._notify(msg.title, body, actions, TIMEOUT_STAYS),
            f"waiting for {server.label} to take the message", shown)
        return delivery

    def _info(self, budget: _Budget, title: str, body: str) -> Delivery:
        problem = self._connect(budget) or self._find_server(budget)
        if problem:
            return Delivery(False, self.name, problem)
        server = self._capabilities(budget)
        actions = [DEFAULT_ACTION, DEFAULT_ACTION_LABELS["info"]] if server.default_action else []

        def shown(reply: Any) -> Delivery:
            if (why := error_text(reply)) is not None:
                return Delivery(False, self.name, f"the notification server did not take it: {why}")
            with self._state:
                self._remember(_Bubble(_sender(reply), int(reply.body[0])))  # "Close" closes it
            return Delivery(True, self.name)

        delivery: Delivery = self._ask(
            budget, self._notify(title, body, actions, TIMEOUT_SERVERS_OWN),
            f"waiting for {server.label} to take the message", shown)
        return delivery

    def _show_heads_up(self, budget: _Budget, msg: HeadsUpMessage,
                       on_answer: AnswerCallback) -> Delivery:
        with self._state:
            self._heads_up_token += 1
            token = self._heads_up_token
        problem = self._connect(budget) or self._find_server(budget)
        with self._state:
            old = self._heads_up
            if problem in (None, NO_SERVER):  # else kept, for a withdrawal that can reach it
                self._heads_up = None
        if old is not None and not problem:
            self._close_quietly(old)  # at most one heads-up on screen, as with prompts
        if problem:
            return Delivery(False, self.name, problem)
        server = self._capabilities(budget)
        actions = ([DEFAULT_ACTION, DEFAULT_ACTION_LABELS["info"]] if server.default_action
                   else [])
        if server.actions:
            for answer, label in msg.buttons:
                actions += [answer, label]

        def shown(reply: Any) -> Delivery:
            if (why := error_text(reply)) is not None:
                return Delivery(False, self.name, f"the notification server did not take it: {why}")
            bubble = _Bubble(_sender(reply), int(reply.body[0]),
                             tuple(a for a, _label in msg.buttons), on_answer, token,
                             heads_up=True)
            with self._state:
                current = token == self._heads_up_token
                if current:
                    self._heads_up = bubble
                    self._remember(bubble)
            if not current:  # withdrawn before the server took it
                self._close_quietly(bubble)
                return Delivery(False, self.name, "shown late, after it was withdrawn")
            return Delivery(True, self.name)

        delivery: Delivery = self._ask(
            budget, self._notify(msg.title, msg.body, actions, TIMEOUT_STAYS, QUIET_HINTS),
            f"waiting for {server.label} to take the heads-up", shown)
        return delivery

    def _withdraw_heads_up(self, budget: _Budget) -> Delivery | None:
        with self._state:
            self._heads_up_token += 1
        return self._take_down(budget, "_heads_up", "heads-up")

    def _withdraw(self, budget: _Budget) -> Delivery | None:
        with self._state:
            self._token += 1
        return self._take_down(budget, "_prompt", "prompt")

    def _take_down(self, budget: _Budget, slot: str, what: str) -> Delivery | None:
        """Close the bubble kept in `slot` ("_prompt" or "_heads_up"), if one is up."""
        with self._state:
            bubble: _Bubble | None = getattr(self, slot)
        if bubble is None:
            return None
        # The bubble outlives a lost connection: close it through a new one. But a server that
        # is gone took its bubbles along, and one started since numbers its own from 1 again.
        problem = self._connect(budget) or self._find_server(budget)
        gone = problem == NO_SERVER or (
            problem is None and self._server is not None and self._server.owner != bubble.server)
        with self._state:
            if getattr(self, slot) is bubble and (gone or problem is None):
                setattr(self, slot, None)  # else kept, for a withdrawal that can reach it
                self._bubbles.pop((bubble.server, bubble.nid), None)
        if gone:
            return None
        if problem:
            return Delivery(False, self.name, problem)
        label = self._server.label if self._server else "the notification server"
        # An error reply means it was closed already (answered or dismissed): nothing to do.
        self._ask(budget, _close(bubble.nid), f"waiting for {label} to close the {what}")
        return None

    # -- connection and server ------------------------------------------------------------------

    def _connect(self, budget: _Budget) -> str | None:
        """Connect to the session bus and subscribe to the server's signals; None, or why not."""
        if self._link is not None and self._link.alive:
            return None
        self._drop_link()
        from glutecoach.presence.base import PresenceUnavailable
        from glutecoach.presence.freedesktop import session_bus_address

        try:
            address = session_bus_address()
        except PresenceUnavailable as exc:
            return str(exc)
        budget.text = "connecting to the session bus"
        try:
            link = BusLink(address, budget.left(), self._on_signal, name="glutecoach-notify")
        except (OSError, RuntimeError, ValueError, StopIteration, LinkLost) as exc:
            # TimeoutError is an OSError: a bus that does not finish the handshake in time.
            return f"cannot reach the D-Bus session bus ({address}): {type(exc).__name__}: {exc}"
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus

        # Signals from whoever owns the server's name now (the bus checks the sender), for any
        # of its bubbles: ActionInvoked and NotificationClosed, matched to ours by id.
        rule = MatchRule(type="signal", sender=NOTIFICATIONS, interface=NOTIFICATIONS,
                         path=NOTIFICATIONS_PATH)
        budget.text = "waiting for the session bus daemon"
        try:
            reply = link.call(message_bus.AddMatch(rule), budget.left(), lambda reply: reply)
        except BaseException:
            link.close(0.5)
            raise
        if (why := error_text(reply)) is not None:
            link.close(0.5)
            return f"the session bus refused to pass on the notification server's signals: {why}"
        self._link = link  # only now: a link is never kept without its signals
        return None

    def _drop_link(self) -> None:
        link, self._link = self._link, None
        self._server = None
        if link is not None:
            link.close(0.5)

    def _find_server(self, budget: _Budget) -> str | None:
        """Who serves notifications now; None if somebody does (or the bus can start one)."""
        from jeepney.bus_messages import message_bus

        waiting = "waiting for the session bus daemon"
        reply = self._ask(budget, message_bus.GetNameOwner(NOTIFICATIONS), waiting)
        if error_text(reply) is None:
            owner = str(reply.body[0])
            if self._server is None or self._server.owner != owner:  # new, or restarted
                pid = self._ask(budget, message_bus.GetConnectionUnixProcessID(owner), waiting)
                self._server = _Server(owner, _describe_server(
                    None if error_text(pid) else int(pid.body[0])))
            return None
        activatable = self._ask(budget, message_bus.ListActivatableNames(), waiting)
        if error_text(activatable) is None and NOTIFICATIONS in activatable.body[0]:
            # The bus starts the server on the first call; the time budget covers a failed start.
            self._server = _Server(None, "the notification server the bus is starting")
            return None
        self._server = None
        return NO_SERVER

    def _capabilities(self, budget: _Budget) -> _Server:
        """Whether the server shows buttons, and its name (asked once for each server)."""
        server = self._server
        assert server is not None
        if server.actions is None:
            caps = self._ask(budget, self._method("GetCapabilities"),
                             f"waiting for {server.label}'s capabilities")
            info = self._ask(budget, self._method("GetServerInformation"),
                             f"waiting for {server.label}'s name")
            if error_text(info) is None:
                server.default_action = str(info.body[0]) not in NO_DEFAULT_ACTION
            server.actions = error_text(caps) is None and "actions" in caps.body[0]
        return server

    # -- messages -------------------------------------------------------------------------------

    @staticmethod
    def _method(member: str, signature: str | None = None, body: tuple[Any, ...] = ()) -> Any:
        from jeepney import DBusAddress, new_method_call

        server = DBusAddress(NOTIFICATIONS_PATH, NOTIFICATIONS, NOTIFICATIONS)
        return new_method_call(server, member, signature, body)

    def _notify(self, title: str, body: str, actions: list[str], timeout_ms: int,
                hints: dict[str, tuple[str, Any]] | None = None) -> Any:
        # app name, replaces_id, icon, summary, body, actions, hints, expire timeout (ms).
        return self._method("Notify", "susssasa{sv}i",
                            (self._app_name, 0, "", title, body, actions,
                             hints or {"urgency": URGENCY_NORMAL}, timeout_ms))

    def _close_quietly(self, bubble: _Bubble) -> None:
        """CloseNotification without waiting for the reply (never blocks the listener thread);
        not sent to a server that has restarted since (its ids are other bubbles)."""
        link, server = self._link, self._server
        if link is not None and (server is None or server.owner in (None, bubble.server)):
            link.send(_close(bubble.nid))

    def _remember(self, bubble: _Bubble) -> None:
        """(State lock held.)"""
        self._bubbles[(bubble.server, bubble.nid)] = bubble
        while len(self._bubbles) > MAX_BUBBLES:
            del self._bubbles[next(iter(self._bubbles))]

    # -- signals (listener thread) --------------------------------------------------------------

    def _on_signal(self, msg: Any) -> None:
        from jeepney import HeaderFields

        fields = msg.header.fields
        if fields.get(HeaderFields.interface) != NOTIFICATIONS or not msg.body:
            return
        member = fields.get(HeaderFields.member)
        key = (_sender(msg), int(msg.body[0]))
        if member == "ActionInvoked" and len(msg.body) >= 2:
            self._action(key, str(msg.body[1]))
        elif member == "NotificationClosed":
            with self._state:
                # Closed by the user, by expiry or by us: it answers nothing. The prompt itself
                # still waits for an answer from the tray or the command line.
                bubble = self._bubbles.pop(key, None)
                if bubble is not None and self._prompt is bubble:
                    self._prompt = None
                if bubble is not None and self._heads_up is bubble:
                    self._heads_up = None

    def _action(self, key: tuple[str, int], action: str) -> None:
        with self._state:
            bubble = self._bubbles.get(key)
            if bubble is None:
                return  # another application's bubble, or one of ours already gone
            answer: str | None = None
            if action == DEFAULT_ACTION:
                # A click on the body, or "Close (answer later)" in dunst's menu: it closes the
                # bubble and answers nothing; the prompt still waits for the tray or the CLI.
                pass
            elif action in bubble.answers and bubble.on_answer is not None:
                if bubble.token != (self._heads_up_token if bubble.heads_up else self._token):
                    log.info("ignored %r pressed on a prompt that is no longer current", action)
                    return
                if bubble.heads_up:
                    self._heads_up_token += 1
                else:
                    self._token += 1
                answer = action
            else:
                return
            del self._bubbles[key]
            if self._prompt is bubble:
                self._prompt = None
            if self._heads_up is bubble:
                self._heads_up = None
        # dunst 1.9 leaves the bubble up after an action chosen from its context menu.
        self._close_quietly(bubble)
        if answer is not None and bubble.on_answer is not None:
            try:
                self._answers.submit(_answer_safely, bubble.on_answer, answer)
            except RuntimeError:  # closed meanwhile
                log.warning("answer %r arrived after the notifier was closed", answer)


def _close(nid: int) -> Any:
    return FreedesktopNotifier._method("CloseNotification", "u", (nid,))


def _sender(msg: Any) -> str:
    """The unique bus name a reply or signal came from (the bus daemon fills it in)."""
    from jeepney import HeaderFields

    return str(msg.header.fields.get(HeaderFields.sender, ""))


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


def _answer_safely(on_answer: AnswerCallback, answer: str) -> None:
    try:
        on_answer(answer)
    except Exception:  # the coach's bug must not kill the answer worker
        log.exception("answering %r failed", answer)

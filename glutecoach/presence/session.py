"""Session events from the D-Bus desktop services: screen lock and suspend, as signals.

The screensavers announce `ActiveChanged` on the session bus; logind announces `PrepareForSleep`
and changes of this session's `LockedHint` on the system bus. The buses, service names and
timeouts are those of `glutecoach.presence.freedesktop`.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from glutecoach.presence.base import PresenceUnavailable
from glutecoach.presence.freedesktop import (
    CALL_TIMEOUT,
    GNOME_SCREENSAVER,
    LOGIND,
    LOGIND_MANAGER,
    SCREENSAVER,
    session_bus_address,
    system_bus_address,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionEvent:
    kind: Literal["locked", "unlocked", "sleeping", "woke"]
    source: str  # which service said so


_Rule = tuple[Any, Callable[[Any], "SessionEvent | None"]]


def _screensaver_rules(conn: Any) -> list[_Rule]:
    from jeepney import MatchRule

    rules: list[_Rule] = []
    for bus_name, path in (SCREENSAVER, GNOME_SCREENSAVER):
        rule = MatchRule(type="signal", interface=bus_name, member="ActiveChanged", path=path)

        def event(msg: Any, source: str = bus_name) -> SessionEvent:
            return SessionEvent("locked" if msg.body[0] else "unlocked", source)

        rules.append((rule, event))
    return rules


def _logind_rules(conn: Any) -> list[_Rule]:
    from jeepney import DBusAddress, MatchRule, new_method_call
    from jeepney.wrappers import unwrap_msg

    sleep = MatchRule(
        type="signal",
        interface="org.freedesktop.login1.Manager",
        member="PrepareForSleep",
        path=LOGIND_MANAGER,
    )
    rules: list[_Rule] = [
        (sleep, lambda msg: SessionEvent("sleeping" if msg.body[0] else "woke", "logind"))
    ]
    # LockedHint changes are announced on the session's real path, not on ".../auto", and other
    # users' sessions announce theirs too: ask logind which path is ours.
    manager = DBusAddress(LOGIND_MANAGER, LOGIND, "org.freedesktop.login1.Manager")
    try:
        reply = conn.send_and_get_reply(
            new_method_call(manager, "GetSession", "s", ("auto",)), timeout=CALL_TIMEOUT
        )
        (session_path,) = unwrap_msg(reply)
    except Exception:  # no logind, or no session for this user: sleep signals alone
        return rules
    props = MatchRule(
        type="signal",
        interface="org.freedesktop.DBus.Properties",
        member="PropertiesChanged",
        path=session_path,
    )

    def locked_hint(msg: Any) -> SessionEvent | None:
        interface, changed = msg.body[0], msg.body[1]
        if interface != "org.freedesktop.login1.Session" or "LockedHint" not in changed:
            return None
        return SessionEvent("locked" if changed["LockedHint"][1] else "unlocked", "logind")

    rules.append((props, locked_hint))
    return rules


class SessionWatcher:
    """Calls `on_event` from a background thread when the screen locks or the machine suspends.

    Polling catches both eventually; the signals let the coach react at once (a prompt waiting
    while the user locks the screen) and know the true start of a suspend. A bus that is missing
    is skipped: `watching` names the ones heard.
    """

    # Seconds between checks of the stop flag, a safety net only: close() wakes the listeners by
    # shutting their sockets, and signals arrive at once. Long, so an idle coach sleeps.
    POLL = 30.0

    def __init__(
        self,
        on_event: Callable[[SessionEvent], None],
        session_address: str | None = None,
        system_address: str | None = None,
    ) -> None:
        self._on_event = on_event
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: list[Any] = []
        self.watching: list[str] = []
        if session_address is None:
            with contextlib.suppress(PresenceUnavailable):
                session_address = session_bus_address()
        if session_address is not None:
            self._start(session_address, "screensaver", _screensaver_rules)
        self._start(system_address or system_bus_address(), "logind", _logind_rules)

    def _start(self, address: str, label: str, make_rules: Callable[[Any], list[_Rule]]) -> None:
        try:
            from jeepney.bus_messages import message_bus
            from jeepney.io.blocking import open_dbus_connection

            conn = open_dbus_connection(address, auth_timeout=CALL_TIMEOUT)
        except (ImportError, OSError, RuntimeError, ValueError, StopIteration):
            return  # no such bus here: these signals are simply not heard
        try:
            rules = make_rules(conn)
            for rule, _ in rules:
                conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT)
        except (OSError, TimeoutError):
            conn.close()
            return
        thread = threading.Thread(
            target=self._listen, args=(conn, rules), name=f"presence-{label}", daemon=True
        )
        self.watching.append(label)
        self._threads.append(thread)
        self._conns.append(conn)
        thread.start()

    def _listen(self, conn: Any, rules: list[_Rule]) -> None:
        queue: deque[Any] = deque()
        with contextlib.ExitStack() as stack:
            stack.callback(conn.close)
            for rule, _ in rules:
                stack.enter_context(conn.filter(rule, queue=queue))
            while not self._stop.is_set():
                try:
                    msg = conn.recv_until_filtered(queue, timeout=self.POLL)
                except TimeoutError:
                    continue
                except OSError:
                    return  # the bus went away; polling still covers lock and sleep
                for rule, to_event in rules:
                    if rule.matches(msg) and (event := to_event(msg)) is not None:
                        self._deliver(event)
                        break

    def _deliver(self, event: SessionEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # a bug in the listener must not silence later events
            log.exception("presence event handler failed on %s", event)

    def close(self) -> None:
        self._stop.set()
        for conn in self._conns:  # a blocked recv returns at once
            with contextlib.suppress(OSError, AttributeError):
                conn.sock.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)

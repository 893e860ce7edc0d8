"""Presence from the D-Bus desktop services: org.freedesktop.ScreenSaver and logind.

KDE, Xfce, Cinnamon and others own `org.freedesktop.ScreenSaver` on the session bus: it answers
the session idle time and whether the locker is up. logind on the system bus knows `LockedHint`
(set by GNOME and KDE) and announces suspend with `PrepareForSleep`. All calls go through jeepney
(pure Python, blocking, with a timeout) so that a frozen peer costs seconds, never the coach.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from glutecoach.presence.base import PresenceError, PresenceReading, PresenceUnavailable

log = logging.getLogger(__name__)

CALL_TIMEOUT = 2.0  # seconds; a desktop service answers in milliseconds or is stuck

SCREENSAVER = ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver")
GNOME_SCREENSAVER = ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver")
LOGIND = "org.freedesktop.login1"
LOGIND_MANAGER = "/org/freedesktop/login1"
# "auto" is logind's alias for the caller's session, or the user's graphical one when the caller
# (a systemd user unit, say) is in none.
LOGIND_SESSION = "/org/freedesktop/login1/session/auto"


def session_bus_address() -> str:
    """The session bus as libdbus finds it: $DBUS_SESSION_BUS_ADDRESS, else $XDG_RUNTIME_DIR/bus."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime, "bus").is_socket():
        return f"unix:path={Path(runtime, 'bus')}"
    raise PresenceUnavailable(
        "there is no D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS is not set"
        " and $XDG_RUNTIME_DIR/bus does not exist)"
    )


def system_bus_address() -> str:
    return os.environ.get("DBUS_SYSTEM_BUS_ADDRESS", "") or "unix:path=/run/dbus/system_bus_socket"


class Bus:
    """One blocking jeepney connection with a lock and a timeout on every call.

    Opening fails with PresenceUnavailable; a call fails with PresenceError, and a broken
    connection is reopened on the next call, so a restarted bus heals.
    """

    def __init__(self, address: str, timeout: float = CALL_TIMEOUT) -> None:
        self.address = address
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn: Any = None
        try:
            self._conn = self._open()
        except PresenceError as e:
            raise PresenceUnavailable(str(e)) from e

    def _open(self) -> Any:
        try:
            from jeepney.io.blocking import open_dbus_connection
        except ImportError as e:
            raise PresenceUnavailable("jeepney is not installed (pip install jeepney)") from e
        try:
            return open_dbus_connection(self.address, auth_timeout=self.timeout)
        except (OSError, RuntimeError, ValueError, StopIteration) as e:
            # OSError covers a missing socket, a refused connection and an auth timeout.
            raise PresenceError(f"cannot connect to the D-Bus bus at {self.address}: {e}") from e

    def call(
        self,
        bus_name: str,
        path: str,
        interface: str,
        method: str,
        signature: str | None = None,
        body: tuple[Any, ...] = (),
    ) -> tuple[Any, ...]:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        msg = new_method_call(DBusAddress(path, bus_name, interface), method, signature, body)
        reply = self._send(msg, f"{bus_name} {method}")
        try:
            return tuple(unwrap_msg(reply))
        except Exception as e:  # DBusErrorResponse: the peer said no
            raise PresenceError(f"{bus_name} {method} failed: {e}") from e

    def get_property(self, bus_name: str, path: str, interface: str, name: str) -> Any:
        (variant,) = self.call(
            bus_name, path, "org.freedesktop.DBus.Properties", "Get", "ss", (interface, name)
        )
        return variant[1]  # jeepney gives a variant as (signature, value)

    def has_owner(self, bus_name: str) -> bool:
        (owned,) = self.call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameHasOwner",
            "s",
            (bus_name,),
        )
        return bool(owned)

    def _send(self, msg: Any, what: str) -> Any:
        with self._lock:
            if self._conn is None:
                self._conn = self._open()
            try:
                return self._conn.send_and_get_reply(msg, timeout=self.timeout)
            except TimeoutError as e:
                raise PresenceError(f"{what} did not answer within {self.timeout:g} s") from e
            except OSError as e:
                self._drop()
                raise PresenceError(f"lost the D-Bus connection during {what}: {e}") from e

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        with self._lock:
            self._drop()


def _open_checked(address: str, timeout: float, bus_name: str, bus_label: str) -> Bus:
    """A connection to a bus where `bus_name` is owned, or PresenceUnavailable saying which part is
    missing."""
    bus = Bus(address, timeout)
    try:
        owned = bus.has_owner(bus_name)
    except PresenceError as e:
        bus.close()
        raise PresenceUnavailable(str(e)) from e
    if not owned:
        bus.close()
        raise PresenceUnavailable(f"nothing owns {bus_name} on the {bus_label} bus")
    return bus


class FreedesktopIdle:
    """Idle time and lock state from org.freedesktop.ScreenSaver (KDE, Xfce, Cinnamon, ...)."""

    name = "freedesktop"

    def __init__(self, address: str | None = None, timeout: float = CALL_TIMEOUT) -> None:
        self._bus = _open_checked(
            address or session_bus_address(), timeout, SCREENSAVER[0], "session"
        )
        try:
            self._idle_ms()
        except PresenceError as e:
            # GNOME Shell owns this name too but refuses GetSessionIdleTime: Mutter is for GNOME.
            self._bus.close()
            raise PresenceUnavailable(f"GetSessionIdleTime does not work here ({e})") from e

    def _idle_ms(self) -> int:
        (ms,) = self._bus.call(*SCREENSAVER, SCREENSAVER[0], "GetSessionIdleTime")
        return int(ms)

    def read(self) -> PresenceReading:
        idle = self._idle_ms() / 1000.0
        try:
            (active,) = self._bus.call(*SCREENSAVER, SCREENSAVER[0], "GetActive")
            locked: bool | None = bool(active)
        except PresenceError:
            locked = None  # idle time alone is still worth a reading
        return PresenceReading(idle_seconds=idle, locked=locked)

    def close(self) -> None:
        self._bus.close()


class ScreenSaverLock:
    """Lock state from a screensaver service's GetActive (org.freedesktop or org.gnome)."""

    def __init__(
        self,
        service: tuple[str, str] = SCREENSAVER,
        address: str | None = None,
        timeout: float = CALL_TIMEOUT,
    ) -> None:
        self.name, self._path = service
        self._bus = _open_checked(address or session_bus_address(), timeout, self.name, "session")
        self.locked()  # one answer now, or PresenceError: the caller drops this probe

    def locked(self) -> bool:
        (active,) = self._bus.call(self.name, self._path, self.name, "GetActive")
        return bool(active)

    def close(self) -> None:
        self._bus.close()


class LogindLock:
    """Lock state from logind's LockedHint of this user's session (set by GNOME, KDE, ...)."""

    name = "logind"

    def __init__(self, address: str | None = None, timeout: float = CALL_TIMEOUT) -> None:
        self._bus = _open_checked(address or system_bus_address(), timeout, LOGIND, "system")
        self.locked()

    def locked(self) -> bool:
        value = self._bus.get_property(
            LOGIND, LOGIND_SESSION, "org.freedesktop.login1.Session", "LockedHint"
        )
        return bool(value)

    def close(self) -> None:
        self._bus.close()


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

"""Presence from the D-Bus desktop services: org.freedesktop.ScreenSaver and logind.

KDE, Xfce, Cinnamon and others own `org.freedesktop.ScreenSaver` on the session bus: it answers
the session idle time and whether the locker is up. logind on the system bus knows `LockedHint`
(set by GNOME and KDE) and announces suspend with `PrepareForSleep`. All calls go through jeepney
(pure Python, blocking, with a timeout) so that a frozen peer costs seconds, never the coach.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

from glutecoach.presence.base import PresenceError, PresenceReading, PresenceUnavailable

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

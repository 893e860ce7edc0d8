"""A small D-Bus service on one jeepney connection: exported objects answered from a thread of
their own, signals sent from any thread, calls to other services with a timeout.

The tray exports two objects (the StatusNotifierItem and its dbusmenu) and calls the watcher and
the bus. jeepney's blocking connection is enough for that and is already loaded by the coach
(presence, session signals); its threading flavour would add a module and a pipe for nothing. One
thread receives, blocking without a timeout, so an idle coach is never woken by its tray; every
send (replies from that thread, signals from the coach's) goes through one lock. close() shuts
the socket, which wakes the receiving thread at once, as in presence.session.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)

# (signature, body) of a method's reply; a method raises BusError to answer with an error.
Reply = tuple[str | None, tuple[Any, ...]]
Method = Callable[[tuple[Any, ...]], Reply]
Properties = Callable[[], Mapping[str, tuple[str, Any]]]

PROPERTIES = "org.freedesktop.DBus.Properties"
INTROSPECTABLE = "org.freedesktop.DBus.Introspectable"
PEER = "org.freedesktop.DBus.Peer"
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"
INVALID_ARGS = "org.freedesktop.DBus.Error.InvalidArgs"

_STANDARD_XML = """  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/>
      <arg type="v" direction="out"/></method>
    <method name="GetAll"><arg type="s" direction="in"/><arg type="a{sv}" direction="out"/>
    </method>
  </interface>
  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect"><arg type="s" direction="out"/></method>
  </interface>
  <interface name="org.freedesktop.DBus.Peer">
    <method name="Ping"/>
  </interface>
"""


class BusError(Exception):
    """A D-Bus error: raised by a method to answer with it, or by call() for an error reply."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class _Waiter:
    """A call in flight: its reply is handed over by the receiving thread."""

    def __init__(self, on_reply: Callable[[Any], None] | None = None) -> None:
        self.done = threading.Event()
        self.reply: Any = None
        self.on_reply = on_reply
        self.serial = 0


class BusService:
    """One connection to a bus, objects exported on it, and the thread that serves them.

    Build it, `export()` the objects, then `start()`; `close()` ends it all (the bus then drops
    the names the connection owns). Opening raises OSError (or a jeepney error) when the bus
    cannot be reached.
    """

    def __init__(self, address: str, *, timeout: float = 2.0, name: str = "dbus") -> None:
        from jeepney.io.blocking import open_dbus_connection

        self.timeout = timeout
        self._conn = open_dbus_connection(address, auth_timeout=timeout)
        self.unique_name: str = self._conn.unique_name
        self._thread_name = name
        self._send_lock = threading.Lock()
        self._methods: dict[tuple[str, str, str], Method] = {}
        self._properties: dict[tuple[str, str], Properties] = {}
        self._xml: dict[str, list[str]] = {}
        self._signals: list[tuple[Any, Callable[[Any], None]]] = []
        self._pending: dict[int, _Waiter] = {}
        self._after: list[Callable[[], None]] = []
        self._thread: threading.Thread | None = None
        self._closing = False
        self.on_lost: Callable[[], None] = lambda: None  # the bus went away under us

    # -- what it serves --------------------------------------------------------------------------

    def export(self, path: str, interface: str, methods: Mapping[str, Method],
               properties: Properties | None = None, xml: str = "") -> None:
        """Serve `interface` at `path`: its methods, its read-only properties and its
        introspection data (`xml`, the <interface> element)."""
        for member, method in methods.items():
            self._methods[(path, interface, member)] = method
        if properties is not None:
            self._properties[(path, interface)] = properties
        self._xml.setdefault(path, []).append(xml)

    def on_signal(self, rule: Any, callback: Callable[[Any], None]) -> None:
        """Ask the bus for the signals matching `rule` (a jeepney MatchRule); `callback` gets
        each one on the service's thread."""
        from jeepney.bus_messages import message_bus

        self._signals.append((rule, callback))
        self.call(message_bus.AddMatch(rule))

    # -- the thread ------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name=self._thread_name, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """End the thread and the connection; safe from the service's own thread and twice."""
        self._closing = True
        with contextlib.suppress(OSError):
            self._conn.sock.shutdown(socket.SHUT_RDWR)  # a blocked receive returns at once
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        with contextlib.suppress(OSError, ValueError):
            self._conn.close()
        self._fail_pending()

    def _serve(self) -> None:
        from jeepney import MessageType

        while not self._closing:
            try:
                msg = self._conn.receive()
            except Exception as exc:  # OSError from a bus that went away; anything at close
                if not self._closing:  # on_lost says what it means to the user
                    log.debug("the D-Bus connection closed (%s)", exc)
                    self._fail_pending()
                    self.on_lost()
                return
            kind = msg.header.message_type
            try:
                if kind is MessageType.method_call:
                    self._answer(msg)
                elif kind in (MessageType.method_return, MessageType.error):
                    self._replied(msg)
                elif kind is MessageType.signal:
                    self._signalled(msg)
            except Exception:  # one bad message must not end the service
                if not self._closing:  # (a reply cut off by close() is no news)
                    log.exception("handling a D-Bus message failed")

    def _answer(self, msg: Any) -> None:
        from jeepney import HeaderFields, MessageFlag, new_error, new_method_return

        fields = msg.header.fields
        path = fields.get(HeaderFields.path, "")
        interface = fields.get(HeaderFields.interface, "")
        member = fields.get(HeaderFields.member, "")
        try:
            signature, body = self._dispatch(path, interface, member, tuple(msg.body))
            reply = new_method_return(msg, signature, body)
        except BusError as exc:
            reply = new_error(msg, exc.name, "s", (exc.message,))
        except Exception as exc:
            log.exception("answering %s.%s on %s failed", interface, member, path)
            reply = new_error(msg, "org.freedesktop.DBus.Error.Failed", "s", (str(exc),))
        try:
            if not msg.header.flags & MessageFlag.no_reply_expected:
                self.send(reply)
        finally:
            after, self._after = self._after, []
            for work in after:
                try:
                    work()
                except Exception:
                    log.exception("work after answering %s.%s failed", interface, member)

    def after_reply(self, work: Callable[[], None]) -> None:
        """Run `work` once the method being answered has had its reply (from a method only): a
        menu click answers the host first, then runs the command, which may stop the service."""
        self._after.append(work)

    def _dispatch(self, path: str, interface: str, member: str, body: tuple[Any, ...]) -> Reply:
        if interface == PROPERTIES and member in ("Get", "GetAll"):
            return self._get_properties(path, member, body)
        if interface == INTROSPECTABLE and member == "Introspect":
            return "s", (self._introspect(path),)
        if interface == PEER and member == "Ping":
            return None, ()
        method = self._methods.get((path, interface, member))
        if method is None and not interface:  # the interface is optional in a call
            method = next((m for (p, _i, n), m in self._methods.items()
                           if p == path and n == member), None)  # fmt: skip
        if method is None:
            raise BusError(UNKNOWN_METHOD, f"no method {interface}.{member} on {path}")
        return method(body)

    def _get_properties(self, path: str, member: str, body: tuple[Any, ...]) -> Reply:
        interface = body[0] if body else ""
        getter = self._properties.get((path, interface))
        if getter is None:
            raise BusError(INVALID_ARGS, f"no interface {interface} with properties on {path}")
        values = getter()
        if member == "GetAll":
            return "a{sv}", (dict(values),)
        name = body[1] if len(body) > 1 else ""
        if name not in values:
            raise BusError("org.freedesktop.DBus.Error.UnknownProperty",
                           f"no property {name} in {interface}")
        return "v", (values[name],)

    def _introspect(self, path: str) -> str:
        prefix = path.rstrip("/") + "/"
        children = sorted({p[len(prefix):].split("/")[0] for p in self._xml
                           if p.startswith(prefix) and p != path})  # fmt: skip
        parts = ['<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"'
                 ' "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">', "<node>"]
        if path in self._xml:
            parts += [_STANDARD_XML, *self._xml[path]]
        parts += [f'  <node name="{child}"/>' for child in children]
        parts.append("</node>")
        return "\n".join(parts)

    def _replied(self, msg: Any) -> None:
        from jeepney import HeaderFields

        waiter = self._pending.pop(msg.header.fields.get(HeaderFields.reply_serial, -1), None)
        if waiter is None:
            return
        waiter.reply = msg
        waiter.done.set()
        if waiter.on_reply is not None:
            waiter.on_reply(msg)

    def _signalled(self, msg: Any) -> None:
        for rule, callback in self._signals:
            if rule.matches(msg):
                callback(msg)

    def _fail_pending(self) -> None:
        pending, self._pending = self._pending, {}
        for waiter in pending.values():
            waiter.done.set()  # reply None: the connection is gone

    # -- talking to others -----------------------------------------------------------------------

    def send(self, msg: Any) -> None:
        """Send a message (a reply, a signal) from any thread; OSError when the bus is gone."""
        with self._send_lock:
            self._conn.send(msg)

    def emit(self, path: str, interface: str, member: str, signature: str | None = None,
             body: tuple[Any, ...] = ()) -> None:
        from jeepney import DBusAddress, new_signal

        self.send(new_signal(DBusAddress(path, interface=interface), member, signature, body))

    def call(self, msg: Any, timeout: float | None = None) -> tuple[Any, ...]:
        """Call a method and wait for its reply's body; BusError for an error reply,
        TimeoutError when none comes. Not from the service's thread (it delivers the reply)."""
        from jeepney import HeaderFields, MessageType

        if threading.current_thread() is self._thread:
            raise RuntimeError("call() would wait for itself: use call_nowait() here")
        waiter = self._send_call(msg, _Waiter())
        if not waiter.done.wait(self.timeout if timeout is None else timeout):
            self._pending.pop(waiter.serial, None)  # a late reply is dropped
            raise TimeoutError(f"no answer to {msg.header.fields.get(HeaderFields.member)}")
        reply = waiter.reply
        if reply is None:
            raise OSError("the D-Bus connection closed")
        if reply.header.message_type is MessageType.error:
            text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
            raise BusError(reply.header.fields.get(HeaderFields.error_name, "?"), text)
        return tuple(reply.body)

    def call_nowait(self, msg: Any, on_reply: Callable[[Any], None] | None = None) -> None:
        """Call a method without waiting; `on_reply` gets the reply (or error) message on the
        service's thread."""
        self._send_call(msg, _Waiter(on_reply))

    def _send_call(self, msg: Any, waiter: _Waiter) -> _Waiter:
        with self._send_lock:  # the serial and the send in one step: replies come in order
            serial = waiter.serial = next(self._conn.outgoing_serial)
            self._pending[serial] = waiter
            try:
                self._conn.send(msg, serial=serial)
            except OSError:
                self._pending.pop(serial, None)
                raise
        return waiter

"""One D-Bus connection with a listener thread of its own, over jeepney: every call bounded.

The notifier has to wait for replies (within a time budget) and hear signals (a button pressed)
at any time, from the coach's threads. So one thread reads the connection: it hands each reply
to the call that waits for it and each signal to a handler. A call's `on_reply` runs on that
thread as the reply arrives, even when the caller has given up waiting (a frozen server that
wakes up later): that is how a late answer is still acted on, and before any later signal about
it. Nothing here blocks on the peer except a caller's own bounded wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# How long the reply to a call its caller gave up on is still waited for: a frozen server may
# wake up and answer; after that its reply is dropped.
LATE_LIMIT_SECONDS = 120.0


class LinkLost(Exception):
    """The connection to the bus closed (bus gone, or the link was closed)."""


class _Pending:
    """A call waiting for its reply; `on_reply` turns the reply into the caller's result."""

    def __init__(self, on_reply: Callable[[Any], Any]) -> None:
        self.on_reply = on_reply
        self.event = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.abandoned_at: float | None = None  # when the caller stopped waiting


class BusLink:
    """A connection to the bus at `address`, opened within `timeout` seconds.

    `on_signal(message)` is called on the listener thread for every signal the bus routes to us
    (see AddMatch); it must not wait for a reply (it may `send`).
    """

    def __init__(self, address: str, timeout: float, on_signal: Callable[[Any], None],
                 name: str = "glutecoach-dbus") -> None:
        from jeepney.bus import get_bus
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import prep_socket
        from jeepney.io.threading import DBusConnection

        deadline = time.monotonic() + timeout
        # OSError (no socket, refused), TimeoutError (no auth in time), ValueError or
        # StopIteration (an address we cannot use), RuntimeError (auth rejected): all "no bus".
        sock = prep_socket(get_bus(address), timeout=max(0.01, timeout))
        self._conn = DBusConnection(sock)
        self._on_signal = on_signal
        self._lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._lost: str | None = None
        self._thread = threading.Thread(target=self._listen, name=name, daemon=True)
        self._thread.start()
        try:
            # The bus expects Hello first; its reply names us. Bounded like every other call.
            self.unique_name: str = self.call(message_bus.Hello(),
                                              max(0.0, deadline - time.monotonic()),
                                              lambda reply: reply.body[0])
        except TimeoutError as exc:
            self.close(0.5)
            raise TimeoutError(f"the bus did not answer Hello within {timeout:.1f} s") from exc
        except BaseException:
            self.close(0.5)
            raise

    @property
    def alive(self) -> bool:
        return self._lost is None and self._thread.is_alive()

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    # -- calls ----------------------------------------------------------------------------------

    def call(self, message: Any, timeout: float, on_reply: Callable[[Any], Any]) -> Any:
        """Send a method call and wait at most `timeout` s for what `on_reply(reply)` returns.

        `on_reply` runs on the listener thread when the reply (or error reply) arrives, also
        after this call has given up with TimeoutError. LinkLost if the connection closes.
        """
        pending = _Pending(on_reply)
        with self._lock:
            if self._lost is not None:
                raise LinkLost(self._lost)
            self._forget_old(time.monotonic())
            serial = next(self._conn.outgoing_serial)
            self._pending[serial] = pending
        try:
            self._conn.send(message, serial=serial)
        except OSError as exc:
            with self._lock:
                self._pending.pop(serial, None)
            raise LinkLost(f"cannot send on the session bus: {exc}") from exc
        if not pending.event.wait(timeout):
            with self._lock:
                if not pending.event.is_set():
                    pending.abandoned_at = time.monotonic()
                    raise TimeoutError
        if pending.error is not None:
            raise pending.error
        return pending.result

    def send(self, message: Any) -> None:
        """Send a method call whose reply nobody waits for (flagged so: the peer sends none)."""
        from jeepney import MessageFlag

        message.header.flags |= MessageFlag.no_reply_expected
        try:
            self._conn.send(message)
        except OSError as exc:
            log.info("could not send %s: %s", message.header.fields, exc)

    def _forget_old(self, now: float) -> None:
        """Drop replies waited for too long after their caller gave up (lock held)."""
        stale = [serial for serial, p in self._pending.items()
                 if p.abandoned_at is not None and now - p.abandoned_at > LATE_LIMIT_SECONDS]
        for serial in stale:
            del self._pending[serial]

    # -- the listener thread --------------------------------------------------------------------

    def _listen(self) -> None:
        from jeepney import HeaderFields, MessageType
        from jeepney.io.threading import ReceiveStopped

        why = "the notifier closed its connection"
        try:
            while True:
                try:
                    msg = self._conn.receive()
                except ReceiveStopped:
                    return
                except (OSError, ValueError) as exc:  # the bus went away, or sent garbage
                    why = f"the session bus connection was lost: {type(exc).__name__}: {exc}"
                    return
                kind = msg.header.message_type
                if kind in (MessageType.method_return, MessageType.error):
                    self._reply(msg.header.fields.get(HeaderFields.reply_serial, -1), msg)
                elif kind is MessageType.signal:
                    try:
                        self._on_signal(msg)
                    except Exception:  # a bug in a handler must not deafen the notifier
                        log.exception("handling a D-Bus signal failed")
        finally:
            with self._lock:
                self._lost = why
                pending, self._pending = self._pending, {}
            for p in pending.values():
                p.error = LinkLost(why)
                p.event.set()

    def _reply(self, serial: int, msg: Any) -> None:
        with self._lock:
            pending = self._pending.pop(serial, None)
        if pending is None:
            return  # a reply we did not ask for, or one given up on long ago
        try:
            pending.result = pending.on_reply(msg)
        except Exception as exc:
            pending.error = exc
            if pending.abandoned_at is not None:
                log.warning("handling a late D-Bus reply failed", exc_info=exc)
        pending.event.set()

    # -- closing ----------------------------------------------------------------------------------

    def close(self, timeout: float = 2.0) -> None:
        """Stop the listener thread (it wakes at once) and close the connection."""
        self._conn.interrupt()
        if self._thread is not threading.current_thread():
            self._thread.join(max(0.0, timeout))
        self._conn.close()


def error_text(reply: Any) -> str | None:
    """"<error name>: <message>" of an error reply; None for a method return."""
    from jeepney import HeaderFields, MessageType

    if reply.header.message_type is not MessageType.error:
        return None
    name = reply.header.fields.get(HeaderFields.error_name, "an error")
    detail = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
    return f"{name}: {detail}" if detail else str(name)

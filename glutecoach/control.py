"""The control socket: how the CLI and the tray talk to the running coach.

A Unix socket under the home (user-only, and the peer's uid checked where the OS tells it), one
JSON object per line each way. No network listener anywhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from glutecoach.errors import GlutecoachError

SOCKET_NAME = "control.sock"
MAX_LINE = 64 * 1024
DRAIN_LIMIT = 16 * MAX_LINE  # the most of a refused request read so that its reply arrives
TIMEOUT_S = 5.0
IDLE_POLL_S = 30.0  # how often the idle server loop wakes by itself

Dispatch = Callable[[dict[str, Any]], dict[str, Any]]


def socket_path(home: Path) -> Path:
    return home / SOCKET_NAME


def peer_uid(sock: socket.socket) -> int | None:
    """The uid of the process at the other end, where the OS tells it (Linux)."""
    opt = getattr(socket, "SO_PEERCRED", None)
    if opt is None:
        return None  # elsewhere the 0700 home directory keeps others out
    creds = sock.getsockopt(socket.SOL_SOCKET, opt, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


class _Handler(socketserver.StreamRequestHandler):
    server: ControlServer

    def handle(self) -> None:
        self.request.settimeout(TIMEOUT_S)
        uid = peer_uid(self.request)
        if uid is not None and uid != os.getuid():
            self._reply({"ok": False, "error": "permission denied: not the coach's user"})
            self._drain()  # unread, the request would reset the connection and lose the reply
            return
        try:
            line = self.rfile.readline(MAX_LINE + 1)
        except OSError:
            return
        if len(line) > MAX_LINE:
            self._reply({"ok": False, "error": "request too long"})
            self._drain()
            return
        try:
            request = json.loads(line)
        except (ValueError, UnicodeDecodeError, RecursionError):  # "[[[[...": too deep to read
            self._reply({"ok": False, "error": "not a JSON request"})
            return
        if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
            self._reply({"ok": False, "error": 'a request is a JSON object with a "cmd" string'})
            return
        try:
            reply = self.server.dispatch(request)
        except Exception as exc:  # one bad request must never stop the coach
            self.server.on_error(exc)
            reply = {"ok": False, "error": f"internal error: {exc}"}
        self._reply(reply)

    def _drain(self) -> None:
        """Read the rest of a refused request before closing: a Unix socket closed with unread
        data resets the connection, and the client would lose the reply."""
        left = DRAIN_LIMIT
        with contextlib.suppress(OSError):
            while left > 0 and (chunk := self.rfile.read1(65536)):
                left -= len(chunk)
                if b"\n" in chunk:
                    break

    def _reply(self, reply: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            self.wfile.write(json.dumps(reply).encode() + b"\n")


class ControlServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    # socketserver's default of 5 waiting connections turns a burst of CLI calls (scripts, the
    # tray, a status bar polling) into EAGAIN at connect.
    request_queue_size = 128

    def __init__(self, path: Path, dispatch: Dispatch,
                 on_error: Callable[[Exception], None] = lambda e: None) -> None:
        if len(os.fsencode(path)) > 100:
            raise GlutecoachError(f"{path}: the home path is too long for a control socket; "
                                  "choose a shorter --home")
        # Only the instance holding the lock gets here, so a socket file left behind is stale.
        path.unlink(missing_ok=True)
        self.dispatch = dispatch
        self.on_error = on_error
        super().__init__(str(path), _Handler)
        os.chmod(path, 0o600)
        self.path = path
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        # A long poll interval: an idle coach should not wake twice a second to look at a stop
        # flag; stop() wakes the loop with a connection instead.
        self._thread = threading.Thread(target=self.serve_forever, args=(IDLE_POLL_S,),
                                        name="control", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            stopper = threading.Thread(target=self.shutdown, daemon=True)
            stopper.start()
            while stopper.is_alive():  # until the loop has seen its stop flag
                with contextlib.suppress(OSError), \
                        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(1)
                    s.connect(str(self.path))
                stopper.join(0.05)
        self.server_close()
        self.path.unlink(missing_ok=True)


class CoachNotRunning(GlutecoachError):
    """No coach answers for this home (no socket, or one left behind by a coach that is gone)."""

    def __init__(self, home: Path) -> None:
        super().__init__(f"no coach is running for {home} (start it with: glutecoach run)")


def send(home: Path, request: dict[str, Any], timeout: float = TIMEOUT_S) -> dict[str, Any]:
    """Send one request to the coach running for `home` and return its reply; CoachNotRunning
    when none runs."""
    path = socket_path(home)
    if not path.exists():
        raise CoachNotRunning(home)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            _connect(s, path, timeout)
            s.sendall(json.dumps(request).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionRefusedError, FileNotFoundError):
            raise CoachNotRunning(home) from None
        except TimeoutError:
            raise GlutecoachError(f"the coach for {home} did not answer within {timeout:g} s") \
                from None
        except OSError as exc:
            raise GlutecoachError(f"cannot reach the coach for {home} ({exc.strerror})") from None
    try:
        reply = json.loads(data)
    except ValueError:
        raise GlutecoachError("the coach sent an unreadable reply") from None
    if not isinstance(reply, dict):
        raise GlutecoachError("the coach sent an unreadable reply")
    return reply


def _connect(s: socket.socket, path: Path, timeout: float) -> None:
    """Connect, waiting while the coach's queue of waiting connections is full (EAGAIN: a Unix
    socket with a timeout does not wait by itself)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            s.connect(str(path))
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise TimeoutError from None
            time.sleep(0.01)

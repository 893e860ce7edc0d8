"""A real Wayland compositor for the tests, headless: KWin 5.27 in --virtual mode, with synthetic
input over org_kde_kwin_fake_input from a second Wayland connection.

What works here, measured on Debian 12 (see ../shared/notes/wayland-idle-testing.md):
- `/usr/bin/kwin_wayland` carries the file capability cap_sys_resource, which a container cannot
  grant ("Operation not permitted"): a plain copy runs, and the copy must still be named
  `kwin_wayland` or its Qt platform plugin does not load.
- KWin runs without D-Bus (warnings only): it gets a dead bus address, so it can never join a bus
  of the tests or of the developer's desktop, and no dbus-run-session (killing the wrapper would
  leave KWin running). Its config and caches go to the test's folder, its socket to a private
  XDG_RUNTIME_DIR. It answers within ~0.25 s; a plain kill stops it.
- It offers ext_idle_notifier_v1 version 1 only, and org_kde_kwin_fake_input only with
  KWIN_WAYLAND_NO_PERMISSION_CHECKS=1. There is no /dev/uinput here, so ydotool cannot work.
- Idle notifications that exist when KWin gets its first input device (the first fake-input
  client) never fire again; later ones are fine. A real session has its devices before any client,
  so `start_kwin` makes one fake-input client at once and keeps it for the compositor's life.
- With a 2 s notification, `idled` came 1.92-2.11 s after the last input (KWin's timers are
  coarse, 5 %) and `resumed` within ~1 ms of the input: assertions allow 10 % + 100 ms.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from .harness import missing, need_module, stop, wait_for

SOCKET = "wayland-test"
# The measured tolerance of KWin's idle notifications, for assertions on derived input times.
TOLERANCE = 0.10  # of the timeout
SLACK = 0.10  # seconds
KEY_A = 30  # evdev KEY_A


def tolerance(timeout: float) -> float:
    return timeout * TOLERANCE + SLACK


def need_kwin() -> str:
    """The path of kwin_wayland, or skip (fail in CI) naming the Debian package."""
    path = shutil.which("kwin_wayland")
    if path is None:
        missing("missing kwin_wayland: apt-get install --no-install-recommends kwin-wayland"
                " (see .ci/desktop-packages.txt)")  # fmt: skip
    need_module("pywayland")
    assert path is not None
    return path


def kwin_copy(directory: Path, binary: str) -> Path:
    """A copy of kwin_wayland without its file capability, still named kwin_wayland."""
    directory.mkdir(parents=True, exist_ok=True)
    copy = directory / "kwin_wayland"
    if not copy.exists():
        shutil.copyfile(binary, copy)
        copy.chmod(0o755)
    return copy


@dataclass
class Compositor:
    proc: subprocess.Popen[bytes]
    runtime_dir: Path
    socket: str
    log: Path
    first_device: FakeInput | None = None  # see the module's notes

    @property
    def env(self) -> dict[str, str]:
        """What a client of this compositor needs: a Wayland session on it, no X display."""
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(XDG_RUNTIME_DIR=str(self.runtime_dir), WAYLAND_DISPLAY=self.socket,
                   XDG_SESSION_TYPE="wayland")  # fmt: skip
        return env

    def offers(self) -> dict[str, int]:
        """The globals it offers (interface -> version), once it answers; an error before."""
        from pywayland.client import Display

        display = Display(str(self.runtime_dir / self.socket))
        display.connect()  # ValueError while the socket is not there yet
        found: dict[str, int] = {}

        def on_global(_registry: Any, _gid: int, interface: str, version: int) -> None:
            found[interface] = version  # pywayland needs None back

        try:
            registry = display.get_registry()
            registry.dispatcher["global"] = on_global
            roundtrip(display)
        finally:
            display.disconnect()
        return found

    def stop(self) -> None:
        self._forget_device()
        stop(self.proc)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        self._forget_device()

    def _forget_device(self) -> None:
        device, self.first_device = self.first_device, None
        if device is not None:
            device.close()


def start_kwin(
    directory: Path, socket: str = SOCKET, runtime_dir: Path | None = None
) -> Compositor:
    """KWin on `socket` in a private runtime dir (or `runtime_dir`, to restart one on its socket),
    once it answers."""
    kwin_wayland = need_kwin()
    directory.mkdir(parents=True, exist_ok=True)
    if runtime_dir is None:
        runtime_dir = directory / "runtime"
        runtime_dir.mkdir(mode=0o700, exist_ok=True)
        runtime_dir.chmod(0o700)  # mkdir's mode is filtered by the umask
    home = directory / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        XDG_RUNTIME_DIR=str(runtime_dir),
        KWIN_WAYLAND_NO_PERMISSION_CHECKS="1",  # fake input for any client
        KWIN_COMPOSE="Q",  # QPainter: no GPU here
        KWIN_XKB_DEFAULT_KEYMAP="1",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        DBUS_SESSION_BUS_ADDRESS=f"unix:path={directory / 'no-bus'}",
    )
    binary = kwin_copy(directory.parent / "kwin-binary", kwin_wayland)
    log = directory / f"kwin-{socket}.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(binary), "--virtual", "--no-lockscreen", "--no-global-shortcuts",
             "--no-kactivities", "--socket", socket, "--width", "1024", "--height", "768"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    compositor = Compositor(proc, runtime_dir, socket, log)
    try:
        wait_for(lambda: proc.poll() is None and compositor.offers(), f"KWin on {socket}",
                 timeout=20)  # fmt: skip
        compositor.first_device = FakeInput(compositor)
    except Exception as e:
        compositor.stop()
        raise RuntimeError(f"KWin did not start: {e}; log: {log.read_text()[-2000:]}") from e
    return compositor


@contextlib.contextmanager
def kwin_running(directory: Path, socket: str = SOCKET) -> Iterator[Compositor]:
    compositor = start_kwin(directory, socket)
    try:
        yield compositor
    finally:
        compositor.stop()


# --- synthetic input -----------------------------------------------------------------------------


def roundtrip(display: Any, timeout: float = 5.0) -> None:
    """wl_display_roundtrip with a deadline: a stuck compositor fails the test, never hangs it."""
    done: list[bool] = []
    callback = display.sync()
    callback.dispatcher["done"] = lambda *_: done.append(True)
    display.flush()
    deadline = time.monotonic() + timeout
    while not done:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the compositor did not answer within {timeout:g} s")
        poller = select.poll()
        poller.register(display.get_fd(), select.POLLIN)
        if poller.poll(int(left * 1000)):
            display.read()
        display.dispatch(block=False)


class FakeInput:
    """A client that moves the pointer and presses keys through org_kde_kwin_fake_input.

    Each call returns once KWin has handled the request (a roundtrip after it), so the caller
    knows when the input happened. Use it from one thread at a time.
    """

    def __init__(self, compositor: Compositor) -> None:
        from pywayland.client import Display

        from .wayland_protocols.fake_input import OrgKdeKwinFakeInput

        self.display = Display(str(compositor.runtime_dir / compositor.socket))
        self.display.connect()
        found: dict[str, tuple[int, int]] = {}

        def on_global(_registry: Any, gid: int, interface: str, version: int) -> None:
            found[interface] = (gid, version)  # pywayland needs None back

        registry = self.display.get_registry()
        registry.dispatcher["global"] = on_global
        roundtrip(self.display)
        if OrgKdeKwinFakeInput.name not in found:
            self.display.disconnect()
            raise RuntimeError("KWin offers no org_kde_kwin_fake_input (is "
                               "KWIN_WAYLAND_NO_PERMISSION_CHECKS=1 set?)")  # fmt: skip
        gid, version = found[OrgKdeKwinFakeInput.name]
        self.fake = registry.bind(gid, OrgKdeKwinFakeInput, min(version, 4))
        self.fake.authenticate("glutecoach tests", "synthetic input for the idle-time tests")
        roundtrip(self.display)
        self._step = 1.0

    def move(self) -> float:
        """Moves the pointer by one pixel (back and forth); the time.monotonic() it was done."""
        self.fake.pointer_motion(self._step, 0.0)
        self._step = -self._step
        roundtrip(self.display)
        return time.monotonic()

    def key(self, code: int = KEY_A) -> float:
        """Presses and releases a key; the time.monotonic() it was done."""
        self.fake.keyboard_key(code, 1)
        self.fake.keyboard_key(code, 0)
        roundtrip(self.display)
        return time.monotonic()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.display.disconnect()


class Typist:
    """A user at work: moves the pointer every 0.3 s while `typing` is set, from its own thread and
    its own connection. `last_input` is the wall-clock time of the last move."""

    def __init__(self, compositor: Compositor) -> None:
        self.typing = threading.Event()
        self.last_input: datetime | None = None
        self._stop = threading.Event()
        self._input = FakeInput(compositor)
        self._thread = threading.Thread(target=self._run, name="wayland-typist", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.typing.is_set():
                self._input.move()
                self.last_input = datetime.now(UTC)
            self._stop.wait(0.3)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._input.close()


# --- a compositor that offers ext-idle-notify version 2 -------------------------------------------


class IdleNotifierV2:
    """The smallest Wayland server that offers wl_seat and ext_idle_notifier_v1 version 2, spoken
    on the wire: no compositor in Debian 12 offers version 2 (KWin 5.27 has 1, sway 1.7 none), and
    the adapter's choice of `get_input_idle_notification` must be seen by something. It records the
    requests it got and sends `idled` on each notification when told.
    """

    SEAT, NOTIFIER = 1, 2  # global names

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.requests: list[tuple[str, int]] = []  # (request, timeout ms)
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(1)
        self._conn: socket.socket | None = None
        self._notifications: list[int] = []
        self._types: dict[int, str] = {1: "wl_display"}
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _send(self, obj: int, opcode: int, payload: bytes = b"") -> None:
        assert self._conn is not None
        self._conn.sendall(struct.pack("<II", obj, (8 + len(payload)) << 16 | opcode) + payload)

    @staticmethod
    def _string(text: str) -> bytes:
        raw = text.encode() + b"\0"
        return struct.pack("<I", len(raw)) + raw + b"\0" * (-len(raw) % 4)

    def _serve(self) -> None:
        conn, _ = self._listener.accept()
        self._conn = conn
        buffer = b""
        while chunk := conn.recv(4096):
            buffer += chunk
            while len(buffer) >= 8:
                obj, word = struct.unpack_from("<II", buffer)
                size = word >> 16
                if len(buffer) < size:
                    break
                self._request(obj, word & 0xFFFF, buffer[8:size])
                buffer = buffer[size:]

    def _request(self, obj: int, opcode: int, args: bytes) -> None:
        kind = self._types.get(obj)
        if kind == "wl_display" and opcode == 1:  # get_registry
            (registry,) = struct.unpack("<I", args)
            self._types[registry] = "wl_registry"
            for name, interface, version in ((self.SEAT, "wl_seat", 1),
                                             (self.NOTIFIER, "ext_idle_notifier_v1", 2)):
                payload = (struct.pack("<I", name) + self._string(interface)
                           + struct.pack("<I", version))
                self._send(registry, 0, payload)  # global
        elif kind == "wl_display" and opcode == 0:  # sync
            (callback,) = struct.unpack("<I", args)
            self._send(callback, 0, struct.pack("<I", 0))  # done
            self._send(1, 1, struct.pack("<I", callback))  # delete_id
        elif kind == "wl_registry" and opcode == 0:  # bind
            (length,) = struct.unpack_from("<I", args, 4)
            interface = args[8:8 + length - 1].decode()
            _version, new = struct.unpack_from("<II", args, 8 + length + (-length % 4))
            self._types[new] = interface
        elif kind == "ext_idle_notifier_v1" and opcode in (1, 2):
            new, timeout, _seat = struct.unpack("<III", args)
            self._types[new] = "ext_idle_notification_v1"
            self._notifications.append(new)
            self.requests.append((("get_idle_notification", "get_input_idle_notification")
                                  [opcode - 1], timeout))

    def idled(self) -> None:
        for notification in self._notifications:
            self._send(notification, 0)

    def close(self) -> None:
        for sock in (self._conn, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        self._thread.join(5)


# --- fixtures (a test module takes them with `kwin = wayland_harness.kwin`) -----------------------


@pytest.fixture(scope="module")
def kwin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Compositor]:
    """KWin for one test module; each test makes its own notifications, so they do not mix."""
    with kwin_running(tmp_path_factory.mktemp("kwin")) as compositor:
        yield compositor


@pytest.fixture
def fake_input(kwin: Compositor) -> Iterator[FakeInput]:
    client = FakeInput(kwin)
    try:
        yield client
    finally:
        client.close()

"""The coach's own X requests (glutecoach.xprotocol) against a real Xvfb: atoms, properties set
by a real client, MIT-SCREEN-SAVER's idle time under xdotool input, Xauthority cookies, errors,
a server that dies in the middle of a request, and what a connection loads.

The test side sets windows and properties up with python-xlib's full Display, as any X client
would; the coach's side uses only the connection under test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from Xlib import X, Xatom
from Xlib import display as xdisplay
from Xlib.error import BadWindow, ConnectionClosedError

from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.fullscreen import X11Fullscreen
from glutecoach.presence.base import PresenceError, PresenceUnavailable
from glutecoach.presence.x11 import X11Idle
from glutecoach.xconnection import XConnectionError, open_display
from glutecoach.xprotocol import ANY_PROPERTY_TYPE, STRING, XConnection

from .harness import XServer, need, running, start_xvfb, wait_for


def xdotool(display: str, *args: str) -> None:
    paths = need("xdotool")
    subprocess.run([paths["xdotool"], *args], env={"DISPLAY": display}, check=True, timeout=10)


@pytest.fixture
def conn(xvfb: str) -> Iterator[XConnection]:
    connection = open_display(xvfb)
    yield connection
    connection.close()


@pytest.fixture
def client(xvfb: str) -> Iterator[Any]:
    """Another X client on the same server: python-xlib's full Display, as an app would be."""
    d = xdisplay.Display(xvfb)
    yield d
    d.close()


def new_window(client: Any) -> Any:
    screen = client.screen()
    window = screen.root.create_window(0, 0, 10, 10, 0, screen.root_depth)
    client.sync()
    return window


def test_an_atom_round_trip(conn: XConnection, client: Any) -> None:
    name = f"GLUTECOACH_TEST_{uuid.uuid4().hex.upper()}"
    assert conn.intern_atom(name, only_if_exists=True) == 0  # nobody made it yet
    atom = conn.intern_atom(name)
    assert atom > 0 and conn.intern_atom(name) == atom
    assert conn.intern_atom(name, only_if_exists=True) == atom
    assert client.get_atom_name(atom) == name  # the server knows it under that name
    assert conn.intern_atom("STRING") == Xatom.STRING == STRING  # a predefined atom
    assert X.AnyPropertyType == ANY_PROPERTY_TYPE


def test_properties_read_in_full(conn: XConnection, client: Any) -> None:
    window = new_window(client)
    utf8 = client.intern_atom("UTF8_STRING")
    numbers, wm_class, title, long_list, missing = (
        client.intern_atom(f"GLUTECOACH_TEST_{n}") for n in range(5)
    )
    window.change_property(numbers, Xatom.CARDINAL, 32, [1, 2, 0xFFFFFFFF])
    window.change_property(wm_class, Xatom.STRING, 8, "zoom\0Café\0".encode("latin-1"))
    window.change_property(title, utf8, 8, "Réunion ☕".encode())
    # 4,000 bytes: more than the first read takes, so the rest comes in a second request.
    window.change_property(long_list, Xatom.ATOM, 32, list(range(1, 1001)))
    client.sync()

    prop = conn.get_property(window.id, numbers)
    assert prop is not None
    assert (prop.type, prop.format, prop.numbers()) == (Xatom.CARDINAL, 32, [1, 2, 0xFFFFFFFF])
    prop = conn.get_property(window.id, wm_class)
    assert prop is not None and prop.text() == "zoom\0Café\0" and prop.numbers() == []
    prop = conn.get_property(window.id, title)
    assert prop is not None and prop.text() == "Réunion ☕"
    prop = conn.get_property(window.id, long_list)
    assert prop is not None and prop.numbers() == list(range(1, 1001))
    assert conn.get_property(window.id, missing) is None
    window.destroy()
    client.sync()


def test_a_property_of_the_root_window(conn: XConnection, client: Any) -> None:
    root = client.screen().root
    assert conn.root == root.id
    atom = client.intern_atom("GLUTECOACH_TEST_ROOT")
    root.change_property(atom, Xatom.WINDOW, 32, [0x1234567])
    client.sync()
    try:
        prop = conn.get_property(conn.root, conn.intern_atom("GLUTECOACH_TEST_ROOT"))
        assert prop is not None and prop.type == Xatom.WINDOW and prop.numbers() == [0x1234567]
    finally:
        root.delete_property(atom)
        client.sync()
    assert conn.get_property(conn.root, atom) is None


def test_idle_grows_while_nothing_happens_and_drops_after_input(xvfb: str) -> None:
    conn = open_display(xvfb)
    try:
        # `--sync` waits for a motion, so start from a corner: another test on this display may
        # have left the pointer at (300, 200) already.
        xdotool(xvfb, "mousemove", "0", "0", "mousemove", "--sync", "300", "200")
        first = conn.idle_ms()
        time.sleep(0.5)
        second = conn.idle_ms()
        assert second - first >= 490  # the server counts in ms
        time.sleep(0.3)
        before_input = time.monotonic()
        xdotool(xvfb, "mousemove", "--sync", "40", "30")
        after = conn.idle_ms()
        assert after <= (time.monotonic() - before_input) * 1000 + 10
        assert after < second  # dropped, where it would have grown by the 0.3 s and more
    finally:
        conn.close()


def test_a_destroyed_window_is_one_clean_bad_window(
    conn: XConnection, client: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    window = new_window(client)
    wid = window.id
    window.destroy()
    client.sync()
    atom = conn.intern_atom("_NET_WM_STATE")
    capfd.readouterr()
    with pytest.raises(BadWindow) as caught:
        conn.get_property(wid, atom)
    assert caught.value.resource_id == wid
    assert capfd.readouterr().err == ""  # no "X protocol error" printed besides
    assert conn.intern_atom("STRING") == STRING  # and the connection goes on


def test_a_server_without_the_screensaver_extension(tmp_path: Path) -> None:
    server = start_xvfb(tmp_path, args=("-extension", "MIT-SCREEN-SAVER"))
    try:
        conn = open_display(server.display)
        assert conn.extension_opcode("MIT-SCREEN-SAVER") is None
        assert conn.extension_opcode("BIG-REQUESTS") is not None  # the question itself works
        with pytest.raises(ValueError, match="no MIT-SCREEN-SAVER extension"):
            conn.idle_ms()
        conn.close()
        with pytest.raises(PresenceUnavailable, match="has no XScreenSaver extension"):
            X11Idle(server.display)
    finally:
        server.stop()


def xauthority(path: Path, cookie: bytes) -> Path:
    """An Xauthority file with one MIT-MAGIC-COOKIE-1 for this host, any display number."""

    def field(data: bytes) -> bytes:
        return struct.pack(">H", len(data)) + data

    family_local = 256
    path.write_bytes(struct.pack(">H", family_local) + field(socket.gethostname().encode())
                     + field(b"") + field(b"MIT-MAGIC-COOKIE-1") + field(cookie))  # fmt: skip
    return path


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_xauthority_cookie_and_a_refused_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that wants a cookie (as a desktop's Xorg does): the connection finds it through
    $XAUTHORITY; without one the refusal is one line in the server's words, and its socket is
    closed at once (python-xlib leaves it to the garbage collector)."""
    cookie = xauthority(tmp_path / "cookie", os.urandom(16))
    monkeypatch.setenv("XAUTHORITY", str(cookie))
    server = start_xvfb(tmp_path, args=("-auth", str(cookie)))
    try:
        conn = open_display(server.display)
        assert conn.idle_ms() >= 0
        conn.close()
        monkeypatch.setenv("XAUTHORITY", str(tmp_path / "no-such-file"))
        before = open_fds()
        for _ in range(20):
            with pytest.raises(XConnectionError) as refused:
                open_display(server.display)
        assert str(refused.value) == (f"cannot connect to the X server on {server.display}:"
                                      " Authorization required, but no authorization protocol"
                                      " specified")  # fmt: skip
        assert open_fds() == before
    finally:
        server.stop()


def test_no_server_is_one_plain_error() -> None:
    with pytest.raises(XConnectionError, match=r"^cannot connect to the X server on :987: "):
        open_display(":987")


def test_threads_sharing_a_connection_get_their_own_answers(
    conn: XConnection, client: Any
) -> None:
    names = {t: [f"GLUTECOACH_TEST_T{t}_{i}" for i in range(40)] for t in range(4)}
    expected = {name: client.intern_atom(name) for batch in names.values() for name in batch}
    wrong: list[tuple[str, Any]] = []

    def ask(batch: list[str]) -> None:
        for _ in range(10):
            for name in batch:
                try:
                    atom = conn.intern_atom(name)
                except Exception as e:
                    wrong.append((name, e))
                    return
                if atom != expected[name]:
                    wrong.append((name, atom))

    # Daemons: without a lock round the round trips they interleave on the wire and hang.
    threads = [threading.Thread(target=ask, args=(b,), daemon=True) for b in names.values()]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "threads stuck on the shared connection"
    assert wrong == []


def freeze_then_kill(server: XServer, request: Any) -> Any:
    """Run `request` while the server is stopped, then kill the server under it: the request is
    in flight, its answer never comes. What the request returned or raised."""
    server.proc.send_signal(signal.SIGSTOP)
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(request())
        except BaseException as e:
            outcome.append(e)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.3)
    assert not outcome, "the request should wait for the frozen server"
    server.proc.kill()
    server.proc.wait(5)
    thread.join(5)
    assert not thread.is_alive(), "a dead server must not leave the request hanging"
    return outcome[0]


def test_a_server_dying_mid_request_is_a_presence_error(tmp_path: Path) -> None:
    server = start_xvfb(tmp_path)
    try:
        raw = open_display(server.display)
        source = X11Idle(server.display)
        source.read()
        outcome = freeze_then_kill(server, source.read)
        assert isinstance(outcome, PresenceError), outcome
        assert str(outcome).startswith(f"the X server on {server.display} did not answer")
        with pytest.raises(PresenceError, match="cannot connect"):  # then, at once, no hang
            source.read()
        source.close()
        # The connection underneath: python-xlib's closed-connection error, for every request.
        with pytest.raises(ConnectionClosedError):
            raw.idle_ms()
        with pytest.raises(ConnectionClosedError):
            raw.intern_atom("STRING")
    finally:
        server.stop()


def test_a_server_dying_mid_request_turns_the_fullscreen_signal_off(tmp_path: Path) -> None:
    paths = need("openbox")
    server = start_xvfb(tmp_path)
    try:
        wm = subprocess.Popen([paths["openbox"], "--sm-disable"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL,
                              env={"DISPLAY": server.display, "HOME": str(tmp_path)})  # fmt: skip
        with running(wm):

            def ready() -> X11Fullscreen:
                return X11Fullscreen(AppNames(["zoom"]), AppNames([]), AppNames([]),
                                     display=server.display)  # fmt: skip

            signal_ = wait_for(ready, "openbox to publish _NET_ACTIVE_WINDOW")
            now = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)
            assert not signal_.read(now).on
            outcome = freeze_then_kill(server, lambda: signal_.read(now))
            assert not outcome.on
            assert outcome.detail.startswith(
                f"could not read: the X server on {server.display} failed"
            )
            assert signal_.read(now).detail.startswith("could not read: cannot connect")
            signal_.close()
    finally:
        server.stop()


# Run in a fresh interpreter: the test process itself has python-xlib's full Display loaded.
LOADS = """
import json, sys
from glutecoach.xconnection import open_display
conn = open_display(sys.argv[1])
conn.idle_ms()
conn.get_property(conn.root, conn.intern_atom("_NET_ACTIVE_WINDOW"))
conn.close()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("Xlib", "six"))))
"""


def test_a_connection_loads_only_python_xlibs_protocol_core(xvfb: str) -> None:
    done = subprocess.run([sys.executable, "-c", LOADS, xvfb], capture_output=True, text=True,
                          check=True, timeout=30)  # fmt: skip
    loaded = json.loads(done.stdout)
    assert "Xlib.protocol.display" in loaded and "Xlib.protocol.rq" in loaded
    # Not the full Display, not its 120 core requests, not its window/pixmap/GC object layer,
    # and no extension module (Xlib.ext.ge comes with the protocol core: generic events).
    assert [m for m in loaded if m == "Xlib.display" or m.startswith("Xlib.xobject")] == []
    assert "Xlib.protocol.request" not in loaded
    assert [m for m in loaded if m.startswith("Xlib.ext.")] == ["Xlib.ext.ge"]

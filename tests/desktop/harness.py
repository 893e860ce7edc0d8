"""Helpers to start real desktop pieces (Xvfb, a private D-Bus, dunst, trayer) and wait on them.

The fixtures in conftest.py use these; tests may too, e.g. to start a second X server they can
kill. A missing binary skips the test on a developer's machine and fails it in CI (CI=true), so a
broken install can never pass as a green run of skipped tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

T = TypeVar("T")

# Debian packages that provide each binary, for the message when one is missing.
PACKAGE_OF = {
    "Xvfb": "xvfb",
    "xdotool": "xdotool",
    "xdpyinfo": "x11-utils",
    "dbus-daemon": "dbus",
    "dbus-monitor": "dbus-bin",
    "dbus-send": "dbus-bin",
    "busctl": "systemd",
    "dunst": "dunst",
    "dunstctl": "dunst",
    "notify-send": "libnotify-bin",
    "trayer": "trayer",
    "import": "imagemagick",
    "paplay": "pulseaudio-utils",
    "pw-play": "pipewire-bin",
}


def missing(reason: str) -> None:
    """Skip, or fail when CI=true: CI must not go green by skipping the desktop tests."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def need(*binaries: str) -> dict[str, str]:
    """Paths of the binaries, or skip/fail naming the Debian packages to install."""
    paths = {name: shutil.which(name) for name in binaries}
    absent = [name for name, path in paths.items() if path is None]
    if absent:
        packages = sorted({PACKAGE_OF.get(name, name) for name in absent})
        missing(
            f"missing {', '.join(absent)}: apt-get install {' '.join(packages)}"
            " (see .ci/desktop-packages.txt)"
        )
    return {name: path for name, path in paths.items() if path is not None}


def need_module(name: str) -> None:
    try:
        __import__(name)
    except ImportError:
        missing(f"the Python module {name} is not installed in this environment")


def wait_for(
    check: Callable[[], T | None], what: str, timeout: float = 10.0, interval: float = 0.02
) -> T:
    """Call `check` until it returns something truthy; TimeoutError naming `what` otherwise.

    Exceptions from `check` count as "not yet" (a socket not there, a name not owned yet); the
    last one is chained to the TimeoutError so a failure says what went wrong.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            result = check()
            if result:
                return result
        except Exception as e:
            last_error = e
        if time.monotonic() >= deadline:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}") from last_error
        time.sleep(interval)


def stop(proc: subprocess.Popen[Any], timeout: float = 5.0) -> None:
    """Terminate a process we started, and kill it if it does not go in time."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


def _read_line(fd: int, timeout: float, what: str) -> str:
    """One line from a pipe, with a deadline: a server that dies early must not hang the run."""
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError(f"gave up after {timeout:g} s waiting for {what}")
        chunk = os.read(fd, 256)
        if not chunk:
            raise RuntimeError(f"{what}: the process exited before saying it")
        data += chunk
    return data.decode().strip()


# --- X ---------------------------------------------------------------------------------------


def x_answers(display: str) -> bool:
    """True when an X client can connect to `display` now."""
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    d.close()
    return True


@dataclass
class XServer:
    display: str
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        stop(self.proc)


def start_xvfb(log_dir: Path, size: str = "1280x800x24", args: Sequence[str] = ()) -> XServer:
    """Start Xvfb on a display it picks itself and wait until it accepts clients.

    `-displayfd` lets the server take the first free display number and write it back, which is
    race-free where a scan of /tmp/.X11-unix is not (two test runs side by side). `-noreset`
    keeps the idle counter from resetting each time the last client disconnects. `args` go to
    Xvfb as well (`-extension MIT-SCREEN-SAVER` turns an extension off).
    """
    paths = need("Xvfb")
    need_module("Xlib")
    read_end, write_end = os.pipe()
    log = log_dir / "xvfb.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [paths["Xvfb"], "-displayfd", str(write_end), "-noreset", "-nolisten", "tcp",
             "-screen", "0", size, *args],
            pass_fds=(write_end,), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    os.close(write_end)
    try:
        number = _read_line(read_end, 10.0, "Xvfb to print its display number")
        display = f":{number}"
        wait_for(lambda: x_answers(display), f"Xvfb on {display} to accept clients")
    except Exception as e:
        stop(proc)
        raise RuntimeError(f"Xvfb did not start: {e}; log: {log.read_text()[-2000:]}") from e
    finally:
        os.close(read_end)
    return XServer(display, proc, log)


def tray_owner(display: str) -> int:
    """The window owning the system-tray selection of screen 0, or 0 when no tray host runs."""
    from Xlib import display as xdisplay

    d = xdisplay.Display(display)
    try:
        owner = d.get_selection_owner(d.intern_atom("_NET_SYSTEM_TRAY_S0"))
        return int(owner.id) if hasattr(owner, "id") else int(owner)
    finally:
        d.close()


# --- D-Bus -----------------------------------------------------------------------------------

# A session-type bus with no service directories: nothing is activated behind a test's back
# (Debian's own session.conf would start the system's dunst when a test wants no server).
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass
class BusDaemon:
    address: str
    proc: subprocess.Popen[bytes]
    own_folder: Path | None = None  # a short socket folder of its own, removed at stop

    def stop(self) -> None:
        stop(self.proc)
        if self.own_folder is not None:
            shutil.rmtree(self.own_folder, ignore_errors=True)


def start_bus(directory: Path) -> BusDaemon:
    """A private dbus-daemon listening in `directory`; its address once it accepts clients."""
    paths = need("dbus-daemon")
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "bus.conf"
    # A socket path is at most 107 bytes: a deep test folder (pytest-xdist adds one level) gets
    # its socket in a short folder of its own under /tmp instead.
    sockets = directory if len(str(directory)) <= 60 else Path(
        tempfile.mkdtemp(prefix="gc-bus-"))
    config.write_text(BUS_CONFIG.format(dir=sockets))
    with open(directory / "dbus.log", "wb") as err:
        proc = subprocess.Popen(
            [paths["dbus-daemon"], f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=err,
        )
    assert proc.stdout is not None
    try:
        address = _read_line(proc.stdout.fileno(), 10.0, "dbus-daemon to print its address")
        wait_for(lambda: bus_names(address) is not None, f"the bus at {address} to answer")
    except Exception:
        stop(proc)
        raise
    return BusDaemon(address, proc, None if sockets == directory else sockets)


def bus_names(address: str) -> list[str]:
    """The names owned on the bus now (each call opens and closes its own connection)."""
    need_module("jeepney")
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    with open_dbus_connection(address) as conn:
        reply = conn.send_and_get_reply(message_bus.ListNames(), timeout=5)
        return list(reply.body[0])


def wait_for_name(address: str, name: str, timeout: float = 10.0) -> None:
    wait_for(lambda: name in bus_names(address), f"{name} on the bus", timeout=timeout)


class StubError(Exception):
    """Raised by a stub handler: the stub answers with this D-Bus error."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


Handler = Callable[[tuple[Any, ...]], tuple[str | None, tuple[Any, ...]]]


class BusStub:
    """A stand-in service on a real bus: owns names, answers methods, emits signals.

    GNOME Shell, KDE or logind cannot run here, so a test exports their few methods itself; the
    code under test still talks real D-Bus through a real dbus-daemon. Handlers are keyed by
    (path, interface, member) and return (signature, body) or raise StubError. `properties` are
    answered through org.freedesktop.DBus.Properties.Get. Set `frozen` to stop answering (a hung
    peer); `calls` records the members called.
    """

    def __init__(
        self,
        address: str,
        names: Sequence[str],
        handlers: Mapping[tuple[str, str, str], Handler] | None = None,
        properties: Mapping[tuple[str, str, str], tuple[str, Any]] | None = None,
    ) -> None:
        need_module("jeepney")
        from jeepney.bus_messages import DBusNameFlags, message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.handlers: dict[tuple[str, str, str], Handler] = dict(handlers or {})
        self.properties: dict[tuple[str, str, str], tuple[str, Any]] = dict(properties or {})
        self.frozen = False
        self.calls: list[str] = []
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        self._conn = open_dbus_connection(address)
        for name in names:
            reply = self._conn.send_and_get_reply(
                message_bus.RequestName(name, DBusNameFlags.do_not_queue), timeout=5
            )
            if reply.body[0] != 1:  # 1: DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
                raise RuntimeError(f"could not own {name} on {address}")
        self._thread = threading.Thread(target=self._serve, name="bus-stub", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        from jeepney import MessageType

        while not self._stop.is_set():
            try:
                msg = self._conn.receive(timeout=0.05)
            except TimeoutError:
                continue
            except OSError:
                return
            if msg.header.message_type is MessageType.method_call and not self.frozen:
                self._answer(msg)

    def _answer(self, msg: Any) -> None:
        from jeepney import HeaderFields, new_error, new_method_return

        fields = msg.header.fields
        key = (fields.get(HeaderFields.path), fields.get(HeaderFields.interface),
               fields.get(HeaderFields.member))  # fmt: skip
        self.calls.append(str(key[2]))
        try:
            if key[1:] == ("org.freedesktop.DBus.Properties", "Get"):
                interface, prop = msg.body
                if (key[0], interface, prop) not in self.properties:
                    raise StubError("org.freedesktop.DBus.Error.UnknownProperty", prop)
                signature, body = "v", (self.properties[(key[0], interface, prop)],)
            elif key in self.handlers:
                signature, body = self.handlers[key](tuple(msg.body))
            else:
                raise StubError("org.freedesktop.DBus.Error.UnknownMethod", f"no {key}")
            reply = new_method_return(msg, signature, body)
        except StubError as e:
            reply = new_error(msg, e.name, "s", (str(e),))
        with self._send_lock:
            self._conn.send(reply)

    def emit(
        self, path: str, interface: str, member: str, signature: str | None, body: tuple[Any, ...]
    ) -> None:
        from jeepney import DBusAddress, new_signal

        with self._send_lock:
            self._conn.send(new_signal(DBusAddress(path, interface=interface), member,
                                       signature, body))  # fmt: skip

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._conn.close()  # the bus drops the names with the connection

    def __enter__(self) -> BusStub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class BusMonitor:
    """dbus-monitor on a bus, its output in a file: to check what reached a service."""

    log: Path
    proc: subprocess.Popen[bytes]

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_text(self, needle: str, timeout: float = 5.0) -> str:
        return wait_for(lambda: self.text() if needle in self.text() else None,
                        f"{needle!r} in dbus-monitor output", timeout)  # fmt: skip

    def stop(self) -> None:
        stop(self.proc)


def start_monitor(address: str, log: Path, rules: Sequence[str] = ()) -> BusMonitor:
    paths = need("dbus-monitor")
    with open(log, "wb") as out:
        proc = subprocess.Popen([paths["dbus-monitor"], "--address", address, *rules],
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    # dbus-monitor prints its own NameAcquired once it is listening: from then on nothing is lost.
    monitor = BusMonitor(log, proc)
    try:
        monitor.wait_for_text("NameAcquired")
    except TimeoutError:
        monitor.stop()
        raise
    return monitor


# --- dunst -----------------------------------------------------------------------------------

DUNSTRC = """[global]
    font = Monospace 8
    # dunst's own idle check would keep notifications up while the (fake) user idles.
    idle_threshold = 0
    history_length = 100
    sticky_history = yes
    show_indicators = no
    dmenu = {dmenu}
    browser = /bin/true
    mouse_left_click = do_action, close_current
"""

# Stand-in for dmenu: dunst pipes its context-menu lines in; record them and answer the line that
# contains the text the test chose, or nothing (a cancelled menu) when none was chosen.
# The menu is written aside and renamed, so a test never reads it half written.
FAKE_DMENU = """#!/bin/sh
cat > "{dir}/offered.part"
mv "{dir}/offered.part" "{dir}/offered"
[ -f "{dir}/choice" ] || exit 0
grep -F -m1 -- "$(cat "{dir}/choice")" "{dir}/offered"
"""


def _unwrap(value: Any) -> Any:
    """busctl --json gives every value as {"type": ..., "data": ...}: keep the data."""
    if isinstance(value, dict) and set(value) == {"type", "data"}:
        return _unwrap(value["data"])
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


class _Keep:
    """The default of `choose=` arguments: keep what `Dunst.choose()` set last."""


KEEP = _Keep()


@dataclass
class Dunst:
    """A running dunst with helpers around dunstctl; `env` is what its clients need."""

    env: dict[str, str]
    proc: subprocess.Popen[bytes]
    workdir: Path
    log: Path
    _dunstctl: str = field(default="dunstctl", repr=False)

    def ctl(self, *args: str) -> str:
        done = subprocess.run([self._dunstctl, *args], env=self.env, capture_output=True,
                              text=True, timeout=10, check=True)  # fmt: skip
        return done.stdout

    def history(self) -> list[dict[str, Any]]:
        """Closed and expired notifications, newest first, as {field: value} dicts.

        Fields include appname, summary, body, id, urgency, timeout (ms), icon_path, progress.
        Notifications still on screen are not here: `close_all()` moves them to the history.
        """
        data = _unwrap(json.loads(self.ctl("history")))
        return list(data[0]) if data else []

    def count(self, which: str = "displayed") -> int:
        """How many notifications are displayed, waiting or in history."""
        return int(self.ctl("count", which).strip())

    def close_all(self) -> None:
        self.ctl("close-all")

    def action(self, position: int = 0, choose: str | _Keep | None = KEEP) -> None:
        """`dunstctl action`: run the action of the notification shown at `position` when it has
        one, or open its context menu, where the dmenu stand-in picks `choose` (None: cancel;
        left out: what `choose()` set last)."""
        self._menu_call(choose, "action", str(position))

    def context(self, choose: str | _Keep | None = KEEP) -> None:
        """Open dunst's context menu (every shown notification's actions); the dmenu stand-in
        records the lines (see `offered`) and picks the first containing `choose` (None: cancel;
        left out: what `choose()` set last)."""
        self._menu_call(choose, "context")

    def choose(self, text: str | None) -> None:
        """What the dmenu stand-in picks at the next menu: the first line containing `text`."""
        choice = self.workdir / "choice"
        if text is None:
            choice.unlink(missing_ok=True)
        else:
            choice.write_text(text)

    def _menu_call(self, choose: str | _Keep | None, *args: str) -> None:
        # dunst refuses a new menu while one is open and for 50 ms after it closed (menu.c), and
        # says so only in its log (the D-Bus call succeeds): retry until the log shows no refusal.
        if not isinstance(choose, _Keep):
            self.choose(choose)
        for _ in range(100):
            (self.workdir / "offered").unlink(missing_ok=True)
            before = self._refusals()
            self.ctl(*args)
            if self._refusals() == before:
                return
            time.sleep(0.05)
        raise RuntimeError("dunst kept refusing to open its context menu")

    def _refusals(self) -> int:
        return self.log.read_text(errors="replace").count("Context menu already running")

    def offered(self, timeout: float = 5.0) -> list[str]:
        """The lines dunst put in the last context menu, once the stand-in has seen them."""
        path = self.workdir / "offered"
        wait_for(path.exists, "dunst to open its context menu", timeout)
        return path.read_text().splitlines()

    def wait_for_notification(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> dict[str, Any]:
        """Close what is shown and return the first history entry that `match`es."""

        def found() -> dict[str, Any] | None:
            if self.count("displayed") or self.count("waiting"):
                self.close_all()
            return next((n for n in self.history() if match(n)), None)

        return wait_for(found, "a matching notification in dunst's history", timeout)

    def stop(self) -> None:
        stop(self.proc)


def start_dunst(env: dict[str, str], workdir: Path) -> Dunst:
    paths = need("dunst", "dunstctl", "busctl", "dbus-send")
    workdir.mkdir(parents=True, exist_ok=True)
    dmenu = workdir / "dmenu"
    dmenu.write_text(FAKE_DMENU.format(dir=workdir))
    dmenu.chmod(0o755)
    rc = workdir / "dunstrc"
    rc.write_text(DUNSTRC.format(dmenu=dmenu))
    log = workdir / "dunst.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([paths["dunst"], "-config", str(rc)], env=env, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_for_name(env["DBUS_SESSION_BUS_ADDRESS"], "org.freedesktop.Notifications")
    except Exception as e:
        stop(proc)
        raise RuntimeError(f"dunst did not start: {e}; log: {log.read_text()[-2000:]}") from e
    return Dunst(env, proc, workdir, log, paths["dunstctl"])


@contextlib.contextmanager
def running(proc: subprocess.Popen[Any]) -> Iterator[subprocess.Popen[Any]]:
    """Stop `proc` when the block ends, however it ends."""
    try:
        yield proc
    finally:
        stop(proc)

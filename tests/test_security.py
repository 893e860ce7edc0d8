"""Security properties that need no desktop: the control socket checks its peer's uid, and the
source runs no shell and talks to no network. (Files and sockets of a running coach:
tests/desktop/test_coach_hardening.py.)"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from glutecoach.control import ControlServer, socket_path

SOURCE = Path(__file__).resolve().parent.parent / "glutecoach"
NOBODY = 65534


def python_files() -> list[Path]:
    files = sorted(SOURCE.rglob("*.py"))
    assert len(files) > 30
    return files


def calls(tree: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    """Every call with the dotted name it was made by (`subprocess.run`, `os.system`, `run`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            parts: list[str] = []
            f: ast.expr = node.func
            while isinstance(f, ast.Attribute):
                parts.append(f.attr)
                f = f.value
            if isinstance(f, ast.Name):
                parts.append(f.id)
            yield ".".join(reversed(parts)), node


SHELL_ALWAYS = {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
                "asyncio.create_subprocess_shell", "getoutput", "getstatusoutput", "system",
                "popen", "create_subprocess_shell"}


def test_no_shell_anywhere_in_the_source() -> None:
    found = []
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for name, call in calls(tree):
            where = f"{path.relative_to(SOURCE.parent)}:{call.lineno} {name}"
            if name in SHELL_ALWAYS:
                found.append(where)
            for kw in call.keywords:
                literal_false = isinstance(kw.value, ast.Constant) and kw.value.value is False
                if kw.arg == "shell" and not literal_false:
                    found.append(f"{where}(shell=...)")
                # **kwargs could smuggle shell=True into a subprocess call
                spawns = "subprocess" in name or name in ("run", "Popen", "check_output")
                if kw.arg is None and spawns:
                    found.append(f"{where}(**...)")
    assert found == []


NETWORK_MODULES = ("urllib.request", "http.client", "http.server", "requests", "httpx", "aiohttp",
                   "smtplib", "ftplib", "telnetlib", "xmlrpc", "socketserver.TCPServer",
                   "websocket", "urllib3")


def test_nothing_in_the_source_can_reach_the_network() -> None:
    """Health data stays on the machine: no HTTP or mail client is imported, and the only
    sockets are Unix sockets (the control socket)."""
    found = []
    for path in python_files():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if any(name == m or name.startswith(m + ".") for m in NETWORK_MODULES):
                    found.append(f"{path.name}:{node.lineno} imports {name}")
            if isinstance(node, ast.Attribute) and node.attr in ("AF_INET", "AF_INET6",
                                                                  "TCPServer", "UDPServer"):
                found.append(f"{path.name}:{node.lineno} uses {node.attr}")
    assert found == []


# --- the control socket's peer check -------------------------------------------------------------


@pytest.fixture
def reachable_home() -> Iterator[Path]:
    """A home that user nobody can reach (pytest's tmp_path is root's alone)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to act as another user")
    base = Path(tempfile.mkdtemp(prefix="glutecoach-peer-"))
    base.chmod(0o755)
    home = base / "home"
    home.mkdir()
    home.chmod(0o755)
    try:
        yield home
    finally:
        shutil.rmtree(base, ignore_errors=True)


CLIENT = """
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b'{"cmd": "stop"}\\n')
data = b""
while chunk := s.recv(4096):
    data += chunk
print(data.decode())
"""


def test_socket_refuses_a_peer_of_another_uid(reachable_home: Path) -> None:
    seen: list[dict[str, Any]] = []

    def dispatch(request: dict[str, Any]) -> dict[str, Any]:
        seen.append(request)
        return {"ok": True}

    server = ControlServer(socket_path(reachable_home), dispatch)
    server.start()
    try:
        # Open the socket file itself, as a careless chmod would: the uid check must still hold.
        socket_path(reachable_home).chmod(0o666)
        done = subprocess.run(
            ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
             sys.executable, "-I", "-c", CLIENT, str(socket_path(reachable_home))],
            capture_output=True, text=True, timeout=30, cwd="/")
        assert done.returncode == 0, done.stderr
        reply = json.loads(done.stdout)
        assert reply == {"ok": False, "error": "permission denied: not the coach's user"}
        assert seen == [], "the request of another user reached the coach"
        # the coach's own user still gets through
        from glutecoach.control import send

        assert send(reachable_home, {"cmd": "status"}) == {"ok": True}
    finally:
        server.stop()

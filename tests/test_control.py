"""The control socket for real: a Unix socket under a temporary home."""

from __future__ import annotations

import json
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from glutecoach.cli.main import main
from glutecoach.control import ControlServer, send, socket_path
from glutecoach.errors import GlutecoachError


@pytest.fixture
def server(tmp_path: Path):
    home = tmp_path / "h"
    home.mkdir(mode=0o700)
    seen: list[dict[str, Any]] = []

    def dispatch(req: dict[str, Any]) -> dict[str, Any]:
        seen.append(req)
        if req["cmd"] == "boom":
            raise RuntimeError("kaputt")
        return {"ok": True, "echo": req["cmd"]}

    srv = ControlServer(socket_path(home), dispatch)
    srv.start()
    yield home, seen
    srv.stop()


def raw(home: Path, payload: bytes) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(socket_path(home)))
        s.sendall(payload)
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


def test_request_and_reply_roundtrip(server) -> None:
    home, seen = server
    assert send(home, {"cmd": "status"}) == {"ok": True, "echo": "status"}
    assert seen == [{"cmd": "status"}]


def test_socket_is_user_only(server) -> None:
    home, _ = server
    assert stat.S_IMODE(socket_path(home).stat().st_mode) == 0o600


@pytest.mark.parametrize("payload, error", [
    (b"not json\n", "not a JSON request"),
    (b"[1, 2]\n", 'a request is a JSON object with a "cmd" string'),
    (b'{"cmd": 5}\n', 'a request is a JSON object with a "cmd" string'),
    (b"\xff\xfe\n", "not a JSON request"),
    (b"x" * 70_000 + b"\n", "request too long"),
])
def test_bad_requests_get_an_error_and_the_server_keeps_going(server, payload, error) -> None:
    home, seen = server
    assert raw(home, payload) == {"ok": False, "error": error}
    assert seen == []
    assert send(home, {"cmd": "status"})["ok"] is True


def test_a_failing_command_does_not_stop_the_server(server) -> None:
    home, _ = server
    reply = send(home, {"cmd": "boom"})
    assert reply["ok"] is False and "kaputt" in reply["error"]
    assert send(home, {"cmd": "status"})["ok"] is True


def test_stale_socket_file_is_replaced(tmp_path: Path) -> None:
    home = tmp_path / "h"
    home.mkdir()
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(socket_path(home)))
    stale.close()  # the file stays, nobody listens: what a killed coach leaves
    with pytest.raises(GlutecoachError, match="no coach is running"):
        send(home, {"cmd": "status"})
    srv = ControlServer(socket_path(home), lambda r: {"ok": True})
    srv.start()
    try:
        assert send(home, {"cmd": "status"}) == {"ok": True}
    finally:
        srv.stop()
    assert not socket_path(home).exists()


@pytest.mark.parametrize("argv", [["status"], ["done"], ["stop"], ["pause", "30m"]])
def test_cli_without_a_coach_says_so_and_exits_1(tmp_path: Path, capsys, argv) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--home", str(tmp_path / "nohome"), *argv])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no coach is running" in err


def test_cli_bad_pause_duration_is_exit_2(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--home", str(tmp_path), "pause", "later"])
    assert exc.value.code == 2
    assert "not a duration" in capsys.readouterr().err

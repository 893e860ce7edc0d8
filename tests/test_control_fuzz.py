"""Fuzzing the control socket: a real ControlServer wired to a real Coach on a virtual clock, fed
random bytes, huge lines, deep JSON and wrong types for every field of every command. The server
answers every request with one JSON line, never an internal error, keeps answering, and the
coach's rules and its database agree after each request."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_coach_service import (
    CONFIG,
    MONDAY_9,
    RecordingNotifier,
    ScriptedPresence,
    VirtualClock,
    prompts,
)

from glutecoach.coach.service import Coach
from glutecoach.config import parse_config
from glutecoach.control import MAX_LINE, ControlServer, socket_path
from glutecoach.store import Store
from glutecoach.store.writer import StoreWriter

COMMANDS = ("status", "stop", "reload", "answer", "pause", "resume", "break-now")
FIELDS = ("cmd", "answer", "duration")
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


class Wired:
    def __init__(self, tmp: Path) -> None:
        self.home = tmp / "home"
        self.clock = VirtualClock(MONDAY_9)
        self.presence = ScriptedPresence(self.clock, MONDAY_9)
        self.store = Store.open(self.home)
        config = tmp / "config.toml"
        config.write_text(CONFIG)
        self.coach = Coach(
            config=parse_config(CONFIG),
            config_path=config,
            writer=StoreWriter(self.store, "Europe/Berlin"),
            presence=self.presence,
            notifier=RecordingNotifier(),
            clock=self.clock,
        )  # type: ignore[arg-type]
        self.server = ControlServer(socket_path(self.home), self.coach.handle)
        self.server.start()

    def exchange(self, payload: bytes) -> dict[str, Any]:
        """Send raw bytes, end the request side, read everything the server says."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(str(socket_path(self.home)))
            try:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server stopped reading (a line too long) and has answered already
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        lines = data.splitlines()
        assert len(lines) == 1, data[:300]
        reply = json.loads(lines[0])
        assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool), reply
        if not reply["ok"]:
            assert isinstance(reply.get("error"), str), reply
            assert "internal error" not in reply["error"], reply
        return reply

    def time_passes(self, seconds: float, typing: bool) -> None:
        self.clock.advance(seconds)
        if typing:
            self.presence.last_input = self.clock.t

    def check_consistent(self) -> None:
        """The server still answers, and the engine and the database tell one story."""
        status = self.exchange(b'{"cmd": "status"}\n')["status"]
        assert status["state"] in ("active", "paused", "outside-hours", "away")
        engine = self.coach.engine
        rows = prompts(self.store)
        assert self.coach.writer.backlog == []
        assert len(rows) == engine.prompt_count  # every prompt shown was written, once
        pending = [r for r in rows if r.outcome == "pending"]
        if engine.pending is None:
            assert pending == []
        else:
            assert engine.pending.number == engine.prompt_count
            assert [r.id for r in pending] == [rows[-1].id]
            assert status["pending_prompt"] is not None

    def close(self) -> None:
        self.server.stop()
        self.store.close()


@pytest.fixture
def wired(tmp_path: Path) -> Iterator[Wired]:
    w = Wired(tmp_path)
    yield w
    w.close()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(payload=st.binary(max_size=3000), typing=st.booleans())
def test_random_bytes_get_an_answer(wired: Wired, payload: bytes, typing: bool) -> None:
    wired.time_passes(7, typing)
    wired.exchange(payload + b"\n")
    wired.check_consistent()


@FUZZ
@given(
    cmd=st.sampled_from(COMMANDS),
    field=st.sampled_from(FIELDS),
    value=json_values,
    extra=st.dictionaries(st.text(max_size=10), json_values, max_size=3),
    typing=st.booleans(),
    minutes=st.floats(0, 20),
)
def test_wrong_types_for_every_field_of_every_command(
    wired: Wired,
    cmd: str,
    field: str,
    value: Any,
    extra: dict[str, Any],
    typing: bool,
    minutes: float,
) -> None:
    wired.time_passes(minutes * 60, typing)
    request = {**extra, "cmd": cmd, field: value}
    wired.exchange(json.dumps(request).encode() + b"\n")
    wired.check_consistent()


@FUZZ
@given(
    cmd=st.sampled_from(COMMANDS),
    answer=st.sampled_from(["done", "snooze", "skip", "", "DONE", "done\n", "later"]),
    duration=st.sampled_from(
        [
            "30m",
            "2h",
            "1h30m",
            "until-tomorrow",
            "0m",
            "-5m",
            "8d",
            "9" * 400 + "h",
            "1e400",
            "99999999999999h",
            " ",
            "nan",
        ]
    ),
    typing=st.booleans(),
    minutes=st.floats(0, 40),
)
def test_valid_shapes_with_odd_values_keep_the_rules_consistent(
    wired: Wired, cmd: str, answer: str, duration: str, typing: bool, minutes: float
) -> None:
    wired.time_passes(minutes * 60, typing)
    wired.exchange(
        json.dumps({"cmd": cmd, "answer": answer, "duration": duration}).encode() + b"\n"
    )
    wired.check_consistent()


HOSTILE = {
    "deep, longer than a line": b"[" * 100_000 + b"\n",
    "deep array": b"[" * 60_000 + b"\n",
    "deep cmd": b'{"cmd": ' + b"[" * 30_000 + b"]" * 30_000 + b"}\n",
    "huge field": b'{"cmd": "status", "x": "' + b"a" * (MAX_LINE + 10) + b'"}\n',
    "no newline": b"x" * (4 * MAX_LINE),
    "not UTF-8": b"\xff\xfe\x00\x01\n",
    "lone surrogate": b'{"cmd": "\\ud800"}\n',
    "empty line": b"\n",
    "nothing": b"",
    "null": b"null\n",
    "a string": b'"cmd"\n',
    "cmd null": b'{"cmd": null}\n',
    "answer missing": b'{"cmd": "answer"}\n',
    "infinite duration": b'{"cmd": "pause", "duration": 1e999}\n',
}


def test_hostile_requests_get_one_clear_answer(wired: Wired) -> None:
    for name, payload in HOSTILE.items():
        reply = wired.exchange(payload)
        assert reply["ok"] is False, name
        wired.check_consistent()


def test_many_clients_at_once_all_get_answers(wired: Wired) -> None:
    from concurrent.futures import ThreadPoolExecutor

    wired.time_passes(31 * 60, typing=True)
    payloads = [
        b'{"cmd": "status"}\n',
        b'{"cmd": "break-now"}\n',
        b'{"cmd": "answer", "answer": "snooze"}\n',
        b"[" * 50_000 + b"\n",
        b'{"cmd": "pause", "duration": "5m"}\n',
        b'{"cmd": "resume"}\n',
    ] * 20
    with ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(wired.exchange, payloads))
    assert len(replies) == len(payloads)
    wired.check_consistent()
    wired.time_passes(timedelta(minutes=1).total_seconds(), typing=True)
    wired.check_consistent()

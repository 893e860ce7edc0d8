"""A real Coach behind its real control socket, on a virtual clock, with a real SQLite file: what
the command line talks to in tests/test_coach_answers.py and tests/test_heads_up.py. The caller
brings the clock, presence, notifier and meeting signals it scripts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import Run, run_cli

from glutecoach.coach.service import Coach
from glutecoach.config import parse_config
from glutecoach.control import ControlServer, socket_path
from glutecoach.store import Store
from glutecoach.store.writer import StoreWriter


@dataclass
class Served:
    coach: Coach
    store: Store
    home: Path
    config: Path


@contextmanager
def served_coach(tmp_path: Path, config_text: str, *, clock: Any, presence: Any, notifier: Any,
                 meetings: Sequence[Any] = (), planner: Any = None) -> Iterator[Served]:
    """`config_text` written to tmp_path/config.toml and in force; the home in tmp_path/home.
    `planner(config, store)` makes the coach's planner (None: the coach's default)."""
    home = tmp_path / "home"
    store = Store.open(home)
    config_path = tmp_path / "config.toml"
    config_path.write_text(config_text)
    config = parse_config(config_text)
    coach = Coach(config=config, config_path=config_path,
                  writer=StoreWriter(store, config.schedule.zone().key), presence=presence,
                  notifier=notifier, clock=clock, meetings=list(meetings),
                  planner=planner(config, store) if planner else None)
    server = ControlServer(socket_path(home), coach.handle)
    server.start()
    try:
        yield Served(coach, store, home, config_path)
    finally:
        server.stop()
        store.close()


@dataclass
class CoachRig:
    """A served coach with what the test scripts it with, and the command line to talk to it."""

    coach: Coach
    clock: Any
    presence: Any
    notifier: Any
    store: Store
    home: Path
    config: Path
    capsys: pytest.CaptureFixture[str]

    def cli(self, *args: str) -> Run:
        return run_cli(self.capsys, "--home", self.home, "--config", self.config, *args)

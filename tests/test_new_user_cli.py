"""What a new user reads first: `glutecoach --help`'s "Start here" begins with starting the coach
and making it start at login (issue 11, 4.8), and every line there is a command that exists."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def glutecoach(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "glutecoach", *args], capture_output=True,
                          text=True, timeout=60, env=env)


def start_here() -> list[list[str]]:
    """The commands listed under "Start here:", as argument lists (placeholders included)."""
    done = glutecoach("--help")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip() == "Start here:")
    commands = []
    for line in lines[first + 1:]:
        if not line.strip():
            break
        command, _, what = line.strip().partition("  ")
        assert command.startswith("glutecoach ") and what.strip(), line
        assert len(line) <= 80, line  # fits the terminal it was asked for
        commands.append(command.split()[1:])
    return commands


def test_start_here_begins_with_run_and_autostart() -> None:
    commands = start_here()
    assert commands[:2] == [["run"], ["autostart", "enable"]]
    assert len(commands) <= 8  # a short list, not the whole command table


@pytest.mark.parametrize("command", start_here())
def test_every_start_here_line_is_a_real_command(command: list[str]) -> None:
    words = [w for w in command if "." not in w]  # without file arguments such as day.csv
    done = glutecoach(*words, "--help")
    assert done.returncode == 0, (command, done.stderr)
    assert done.stdout.startswith("Usage: glutecoach " + " ".join(words)), done.stdout[:80]

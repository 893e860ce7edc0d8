"""The command line starts light: `--version` and the commands that talk to the coach import
neither the config models (pydantic) nor the store (SQLAlchemy) nor rich; every command is still
found (cli/lazy.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from glutecoach.cli import coach_cmd
from glutecoach.cli.main import COMMANDS, cli

HEAVY = ("pydantic", "sqlalchemy", "sqlmodel", "rich", "apscheduler", "glutecoach.config")
PROBE = """
import sys
from glutecoach.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print("heavy:", *(m for m in {heavy!r} if m in sys.modules))
"""


def test_every_command_is_named_for_lazy_loading() -> None:
    ctx = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name, name
    assert {c.name for c in coach_cmd.COMMANDS} <= set(COMMANDS)
    assert cli.list_commands(ctx) == sorted(COMMANDS)


@pytest.mark.parametrize("args", [["--version"], ["status"], ["done"], ["resume"], ["stop"]],
                         ids=lambda a: " ".join(a))
def test_quick_commands_import_nothing_heavy(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), "--home",
                           str(tmp_path / "home"), *args], capture_output=True, text=True,
                          timeout=30)
    assert done.stdout.splitlines()[-1] == "heavy:", done.stdout

"""The README's two fresh-machine commands: one installs and starts the coach (and makes it start
at login), the other is exactly what `.ci/run` runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_machine_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Fresh machine", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def test_there_are_exactly_two_commands() -> None:
    assert len(fresh_machine_commands()) == 2


def test_the_install_command_enables_autostart_then_starts_the_coach() -> None:
    install, _ = fresh_machine_commands()
    steps = [step.strip() for step in install.split("&&")]
    assert steps[1].endswith("pip install .")
    assert steps[-2].endswith("glutecoach autostart enable")
    assert steps[-1].endswith("glutecoach run")


def test_ci_runs_the_test_command_verbatim() -> None:
    _, tests = fresh_machine_commands()
    assert tests in (ROOT / ".ci" / "run").read_text().splitlines()

"""`glutecoach autostart` through the CLI, writing into a temporary XDG config dir."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from glutecoach.cli.main import main


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return int(exc.value.code or 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG autostart is Linux's")
def test_enable_status_disable_with_home_and_config(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    home, config = tmp_path / "my home", tmp_path / "c.toml"
    assert run(["--home", str(home), "--config", str(config), "autostart", "enable"]) == 0
    entry = tmp_path / "xdg" / "autostart" / "glutecoach.desktop"
    exec_line = next(line for line in entry.read_text().splitlines()
                     if line.startswith("Exec="))
    argv = shlex.split(exec_line.removeprefix("Exec="))
    assert argv[1:] == ["-m", "glutecoach", "--home", str(home), "--config", str(config), "run"]
    assert entry.stat().st_mode & 0o077 == 0
    out = capsys.readouterr().out
    # Options given on the command line are not in the shell: the hint repeats them.
    assert f"To start it now: {shlex.join(['glutecoach', *argv[3:-1], 'run'])}\n" in out
    assert run(["autostart", "status"]) == 0
    assert str(entry) in capsys.readouterr().out
    assert run(["autostart", "disable"]) == 0
    assert not entry.exists()
    assert run(["autostart", "status"]) == 0
    assert "off" in capsys.readouterr().out


def test_unknown_kind_is_a_usage_error(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert run(["autostart", "enable", "--kind", "cron"]) == 2
    assert "cron" in capsys.readouterr().err
    assert not (tmp_path / "xdg" / "autostart").exists()

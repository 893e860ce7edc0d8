"""Running the CLI in-process for tests: exit code, stdout and stderr."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from glutecoach.cli.main import main


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)  # stdout holds one JSON document and nothing else


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    """main() in-process; its umask is undone so the test process stays as it was."""
    old = os.umask(0o022)
    os.umask(old)
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.umask(old)
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err
    return Run(code, cap.out, cap.err)


def isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No GLUTECOACH_* from outside; the platform dirs point into tmp_path."""
    for var in ("GLUTECOACH_HOME", "GLUTECOACH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def example_config_in_force(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A copy of config.example.toml as the config in force ($GLUTECOACH_CONFIG), with a home
    of its own: what the writing commands (`config set`, `off add`) change."""
    isolate(monkeypatch, tmp_path)
    path = tmp_path / "config.toml"
    path.write_bytes(EXAMPLE.read_bytes())
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(path))
    monkeypatch.setenv("GLUTECOACH_HOME", str(tmp_path / "home"))
    return path

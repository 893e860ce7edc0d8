"""`glutecoach run` hands over to a lean coach process (coach/launch.py): what it execs, when it
stays in its own process instead, and how the coach's process reports a bad start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from glutecoach.coach import launch
from glutecoach.coach import runner as coach_runner
from tests.cli_helpers import isolate, run_cli


class Exec(Exception):
    """Raised instead of replacing the test process."""


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """run_coach calls, recorded instead of running a coach."""
    calls: list[dict[str, Any]] = []

    def fake_run_coach(config: Any, path: Path | None, home: Path, **kw: Any) -> None:
        calls.append(dict(config=config, path=path, home=home, **kw))

    monkeypatch.setattr(coach_runner, "run_coach", fake_run_coach)
    return calls


def test_the_coach_argv_names_the_checked_config_by_absolute_path(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    argv = launch.coach_argv(Path("home"), Path("conf.toml"), headless=True, verbose=True)
    start = argv.index("-m")
    assert argv[0] == sys.executable and "-OO" in argv[1:start]
    assert argv[start + 1:start + 2] == ["glutecoach.coach"]
    assert argv[start + 2:] == ["--home", str(tmp_path / "home"),
                                "--config", str(tmp_path / "conf.toml"), "--headless", "--verbose"]
    assert "--config" not in launch.coach_argv(Path("h"), None, headless=False, verbose=False)


def test_run_from_the_command_line_execs_the_coach(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, started: list[dict[str, Any]]) -> None:
    isolate(monkeypatch, tmp_path)
    seen: list[list[str]] = []

    def fake_execv(path: str, argv: list[str]) -> None:
        seen.append(argv)
        raise Exec

    monkeypatch.setattr(launch.os, "execv", fake_execv)
    monkeypatch.setattr(sys, "argv", ["glutecoach", "--home", str(tmp_path / "h"), "run"])
    from glutecoach.cli.main import main

    with pytest.raises(Exec):
        main()
    from glutecoach.config import default_config_path
    from glutecoach.library import user_exercises_dir

    # No config file yet: the coach is told where the default one will be, to apply it once saved.
    assert seen == [launch.coach_argv(tmp_path / "h", None, headless=False, verbose=False,
                                      exercises_dir=user_exercises_dir(None),
                                      watch=default_config_path())]
    assert seen[0][-2:] == ["--watch", str(default_config_path())]
    assert started == []


def test_when_exec_fails_the_coach_runs_in_the_command_process(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, started: list[dict[str, Any]]) -> None:
    isolate(monkeypatch, tmp_path)

    def refused(path: str, argv: list[str]) -> None:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(launch.os, "execv", refused)
    monkeypatch.setattr(sys, "argv", ["glutecoach", "--home", str(tmp_path / "h"), "run",
                                      "--headless"])
    from glutecoach.cli.main import main

    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == 0
    assert [(c["home"], c["headless"]) for c in started] == [(tmp_path / "h", True)]


def test_main_called_with_arguments_never_replaces_the_caller(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        started: list[dict[str, Any]]) -> None:
    """Tests and programs that call main([...]) keep their process."""
    isolate(monkeypatch, tmp_path)

    def forbidden(path: str, argv: list[str]) -> None:
        raise AssertionError("main([...]) must not exec")

    monkeypatch.setattr(launch.os, "execv", forbidden)
    r = run_cli(capsys, "--home", tmp_path / "h", "run", "--headless")
    assert r.code == 0, r.err
    assert len(started) == 1


def test_the_coach_process_reports_a_bad_start_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(SystemExit) as ended:
        launch.main(["--home", str(tmp_path / "h"), "--config", str(missing)])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err == f"glutecoach: error: {missing}: no such config file\n"


def test_a_glutecoach_folder_where_the_user_stands_is_not_what_the_coach_runs(
        tmp_path: Path) -> None:
    """The installed script started in a folder holding another `glutecoach` package: the coach's
    process must still run the installed one (-P), not the folder's."""
    script = Path(sys.executable).parent / "glutecoach"
    if not script.exists():
        pytest.skip("no installed glutecoach script beside this interpreter")
    decoy = tmp_path / "glutecoach" / "coach"
    decoy.mkdir(parents=True)
    (tmp_path / "glutecoach" / "__init__.py").write_text("")
    (decoy / "__init__.py").write_text("")
    (decoy / "__main__.py").write_text("import sys\nprint('decoy ran')\nsys.exit(3)\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "XDG_RUNTIME_DIR": str(tmp_path / "run"),
           "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}",
           "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}"}
    done = subprocess.run([str(script), "--home", str(tmp_path / "home"), "run", "--headless"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    # Without a display or a bus the real coach stops at once, saying why in one line.
    assert "decoy" not in done.stdout
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("glutecoach: error: cannot tell when you are at the keyboard")


def test_the_coach_reads_the_command_line_run_writes(tmp_path: Path) -> None:
    argv = launch.coach_argv(tmp_path / "h", tmp_path / "c.toml", headless=True, verbose=False,
                             exercises_dir=tmp_path / "ex")
    opts = launch.parse_coach_args(argv[argv.index("glutecoach.coach") + 1:])
    assert opts == launch.CoachArgs(tmp_path / "h", tmp_path / "c.toml", tmp_path / "ex",
                                    headless=True, verbose=False)
    argv = launch.coach_argv(tmp_path / "h", None, headless=False, verbose=False,
                             watch=tmp_path / "later.toml")
    opts = launch.parse_coach_args(argv[argv.index("glutecoach.coach") + 1:])
    assert opts == launch.CoachArgs(tmp_path / "h", watch=tmp_path / "later.toml")


@pytest.mark.parametrize("argv", [[], ["--home"], ["--home", "h", "--colour"], ["--config", "c"]])
def test_a_coach_command_line_it_cannot_read_is_one_line(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        launch.main(argv)
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("glutecoach: error: the coach's process") and err.count("\n") == 1

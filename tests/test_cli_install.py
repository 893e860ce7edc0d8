"""The wheel works when installed, from another directory: it carries its data files (the exercise
library, the example config), `glutecoach --version`, `simulate` and `config init` work.

The wheel is built without network (the build backend from this environment) and installed with
--no-deps into a target directory; the dependencies come from this environment's site-packages,
and `python -S` keeps the editable install of the checkout out of the way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import glutecoach

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built wheel installed into a fresh target directory; returns that directory."""
    root = tmp_path_factory.mktemp("install")
    wheels = root / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "-w", str(wheels), str(REPO)],
                   check=True, capture_output=True, text=True, timeout=300)
    (wheel,) = wheels.glob("glutecoach-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "glutecoach/config.example.toml" in names
    assert any(n.startswith("glutecoach/exercises/") for n in names)
    # The chimes and their licence note (issue 14).
    sounds = ("prompt.wav", "exercise-end.wav", "break-end.wav", "README.md")
    assert {f"glutecoach/sound/files/{name}" for name in sounds} <= set(names)

    target = root / "target"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                    "--target", str(target), str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    return target


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -S -c ...` with only the installed package and the dependencies on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLUTECOACH_", "PYTHON"))}
    env["PYTHONPATH"] = os.pathsep.join([str(target), sysconfig.get_paths()["purelib"],
                                         sysconfig.get_paths()["platlib"]])
    env["XDG_CONFIG_HOME"] = str(cwd / "xdg-config")
    env["XDG_DATA_HOME"] = str(cwd / "xdg-data")
    return subprocess.run([sys.executable, "-S", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path,
                                                             tmp_path: Path) -> None:
    done = run_installed(installed, tmp_path, "-c",
                         "import glutecoach, pathlib; print(pathlib.Path(glutecoach.__file__))")
    assert done.returncode == 0, done.stderr
    where = Path(done.stdout.strip())
    assert where.is_relative_to(installed)
    assert not where.is_relative_to(REPO)


def test_the_wheel_carries_its_data(installed: Path) -> None:
    pkg = installed / "glutecoach"
    assert (pkg / "exercises").is_dir()
    assert (pkg / "config.example.toml").read_text(encoding="utf-8") == \
        (REPO / "config.example.toml").read_text(encoding="utf-8")
    shipped = {p.name for p in (pkg / "exercises").iterdir()}
    in_repo = {p.name for p in (REPO / "exercises").iterdir()}
    assert shipped == in_repo
    assert (installed / "bin" / "glutecoach").exists()  # the console script


def test_installed_version_and_console_script(installed: Path, tmp_path: Path) -> None:
    done = run_installed(installed, tmp_path, "-m", "glutecoach", "--version")
    assert (done.returncode, done.stdout) == (0, f"glutecoach {glutecoach.__version__}\n")
    script = installed / "bin" / "glutecoach"
    done = run_installed(installed, tmp_path, str(script), "--version")
    assert (done.returncode, done.stdout) == (0, f"glutecoach {glutecoach.__version__}\n")


def test_installed_simulate_from_another_directory(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "day.csv").write_bytes((DATA / "worked_example.csv").read_bytes())
    (work / "c.toml").write_bytes((DATA / "berlin.toml").read_bytes())
    done = run_installed(installed, work, "-m", "glutecoach", "simulate", "day.csv",
                         "--config", "c.toml", "--json", "--record", "--home", "state")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert [(p["at"], p["outcome"]) for p in doc["prompts"]] == [
        ("2026-11-23T09:30:00+01:00", "done"), ("2026-11-23T10:04:30+01:00", "missed")]
    assert doc["days"][0]["sitting_minutes"] == 76.5
    assert (work / "state" / "glutecoach.db").exists()


def test_installed_config_init_from_another_directory(installed: Path, tmp_path: Path) -> None:
    target = tmp_path / "cfg" / "config.toml"
    done = run_installed(installed, tmp_path, "-m", "glutecoach", "config", "init",
                         "--config", str(target))
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8") == \
        (REPO / "config.example.toml").read_text(encoding="utf-8")
    done = run_installed(installed, tmp_path, "-m", "glutecoach", "config", "check", str(target))
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_installed_exercises_and_plan_from_another_directory(installed: Path,
                                                              tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "c.toml").write_bytes((DATA / "berlin.toml").read_bytes())
    done = run_installed(installed, work, "-m", "glutecoach", "exercises", "list", "--json",
                         "--config", "c.toml")
    assert done.returncode == 0, done.stderr
    ids = {e["id"] for e in json.loads(done.stdout)}
    assert len(ids) >= 40 and "single-leg-bridge" in ids
    done = run_installed(installed, work, "-m", "glutecoach", "exercises", "show", "clamshell",
                         "--config", "c.toml")
    assert done.returncode == 0 and "Distefano 2009" in done.stdout, done.stderr
    done = run_installed(installed, work, "-m", "glutecoach", "plan", "--json",
                         "--config", "c.toml", "--home", "state")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["items"] and all(i["exercise"] in ids for i in plan["items"])
    assert abs(sum(i["seconds"] for i in plan["items"]) - plan["minutes"] * 60) < 1

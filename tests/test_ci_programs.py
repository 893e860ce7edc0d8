"""`.ci/check-programs`: every program the tests start is listed, installed by `.ci/run`, and
checked by really running it, so a missing library is one clear line before the suite starts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / ".ci" / "check-programs"
LIST = ROOT / ".ci" / "programs.txt"
# Packages every Debian system has (Essential: yes): .ci/run need not install them.
ESSENTIAL = {"util-linux", "mount"}
# The harness's own test of a missing program, and the shell every system has.
NOT_PROGRAMS = {"no-such-tool", "bash"}


def listed() -> dict[str, str]:
    """program -> Debian package, from .ci/programs.txt."""
    out = {}
    for line in LIST.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, package, *_ = line.split()
            out[name] = package
    return out


def started_by_tests() -> set[str]:
    """Programs the test sources look up or start by name."""
    names: set[str] = set()
    quoted = r'"([A-Za-z][\w.+-]*)"'
    for path in ROOT.joinpath("tests").rglob("*.py"):
        text = path.read_text()
        for call in re.finditer(r"\b(?:need|need_binaries)\(([^)]*)\)", text):
            args = call.group(1)
            names |= set(re.findall(quoted, args))
            names |= set(re.findall(r"(\w[\w-]*)=", args))
        names |= set(re.findall(r"shutil\.which\(" + quoted, text))
        names |= set(re.findall(r"subprocess\.(?:run|Popen)\(\[" + quoted, text))
        for group in re.finditer(r"^(?:CLIENTS|SERVERS) = (.*)$", text, re.MULTILINE):
            names |= set(re.findall(quoted, group.group(1)))
        if "xfconfd_binary" in text:
            names.add("xfconfd")
    return names - NOT_PROGRAMS


def test_every_program_the_tests_start_is_checked() -> None:
    found = started_by_tests()
    assert {"Xvfb", "dunst", "xfconf-query", "pactl", "openbox"} <= found  # the scan works
    missing = sorted(found - set(listed()))
    assert not missing, f"add these to .ci/programs.txt: {missing}"


def test_every_checked_program_is_installed_by_ci() -> None:
    wanted = {line.strip() for line in (ROOT / ".ci" / "desktop-packages.txt").read_text()
              .splitlines() if line.strip() and not line.lstrip().startswith("#")}
    absent = sorted({package for package in listed().values()} - wanted - ESSENTIAL)
    assert not absent, f"add these to .ci/desktop-packages.txt: {absent}"


def test_ci_run_checks_programs_before_the_suite() -> None:
    run = (ROOT / ".ci" / "run").read_text()
    assert run.index("apt-get install") < run.index(".ci/check-programs") < run.index("pytest")


def _check(tmp_path: Path, line: str, path_dir: Path) -> subprocess.CompletedProcess[str]:
    programs = tmp_path / "programs.txt"
    programs.write_text(f"# one program\n{line}\n")
    env = {**os.environ, "PATH": f"{path_dir}:{os.environ['PATH']}"}
    return subprocess.run(["bash", str(CHECK), str(programs)], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.fixture
def xdotool() -> Path:
    found = shutil.which("xdotool")
    if found is None or b"libxdo.so.3" not in Path(found).read_bytes():
        pytest.skip("needs Debian's xdotool (linked against libxdo.so.3)")
    return Path(found)


def test_a_program_missing_a_library_is_one_clear_line(tmp_path: Path, xdotool: Path) -> None:
    # A real ELF whose loader cannot find a library: xdotool with its libxdo renamed.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    broken = bin_dir / "xdotool"
    broken.write_bytes(xdotool.read_bytes().replace(b"libxdo.so.3", b"libxdq.so.3"))
    broken.chmod(0o755)
    done = _check(tmp_path, "xdotool xdotool 0 --version", bin_dir)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert "xdotool (Debian package xdotool) does not run" in lines[0]
    assert "libxdq.so.3" in lines[0]
    assert "1 of 2 programs" in lines[-1]


def test_a_missing_program_names_its_package(tmp_path: Path) -> None:
    done = _check(tmp_path, "glutecoach-no-such-program some-package 0 --version", tmp_path)
    assert done.returncode == 1
    assert "glutecoach-no-such-program is missing: apt-get install some-package" in done.stderr


def test_a_working_program_passes(tmp_path: Path, xdotool: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "xdotool").symlink_to(xdotool)
    done = _check(tmp_path, "xdotool xdotool 0 --version", bin_dir)
    assert done.returncode == 0, done.stderr
    assert "all 2 programs the tests start run" in done.stdout

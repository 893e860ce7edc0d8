"""Bad input never gets a traceback: the corpus under tests/data/bad/ (broken configs, traces and
exercise files) through the real command line, and damaged databases under `run`.

Configs and traces: one line on stderr naming the file, the line and the key, exit 2 (a config
with several mistakes: one such line for each). Exercise
files in a user's exercises.d: a warning line each, and everything else still loads."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tomllib
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import isolate, run_cli

from glutecoach.history import History, Prompt, Stretch
from glutecoach.store import Store
from glutecoach.store.database import DB_NAME

BAD = Path(__file__).parent / "data" / "bad"
EXPECTED = tomllib.loads((BAD / "expected.toml").read_text())
WORKED = Path(__file__).parent / "data" / "worked_example.csv"
BERLIN = '[schedule]\ntimezone = "Europe/Berlin"\n'


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def one_error_line(err: str, *words: str) -> None:
    assert err.count("\n") == 1 and err.startswith("glutecoach: error: "), err
    assert not [c for c in err[:-1] if unicodedata.category(c) in ("Cc", "Cf")], \
        f"a raw control character in {err!r}"
    for word in words:
        assert word in err, f"{word!r} not in {err!r}"


def error_lines(err: str, expected: list[str] | list[list[str]]) -> None:
    """One line per problem: `expected` is one list of words, or one list per line."""
    per_line = expected if isinstance(expected[0], list) else [expected]
    lines = err.splitlines(keepends=True)
    assert len(lines) == len(per_line), err
    for line, words in zip(lines, per_line, strict=True):
        one_error_line(line, *words)


@pytest.mark.parametrize("kind", ["config", "trace", "exercises"])
def test_every_file_of_the_corpus_has_an_expectation(kind: str) -> None:
    assert sorted(p.name for p in (BAD / kind).iterdir()) == sorted(
        [*EXPECTED[kind], *(["calf-raise.toml"] if kind == "exercises" else [])])


@pytest.mark.parametrize("name", sorted(EXPECTED["config"]))
def test_broken_config_is_one_line_per_problem_naming_file_line_and_key(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    path = BAD / "config" / name
    checked = run_cli(capsys, "config", "check", path)
    assert checked.code == 2
    assert checked.out == ""
    error_lines(checked.err, EXPECTED["config"][name])
    assert checked.err.count(f"glutecoach: error: {path}") == checked.err.count("\n")
    # Every command reads the config the same way: simulate and run refuse it alike.
    for args in (["simulate", WORKED], ["run", "--headless"]):
        r = run_cli(capsys, "--config", path, "--home", tmp_path / "home", *args)
        assert r.code == 2, args
        assert r.err == checked.err


@pytest.mark.parametrize("name", sorted(EXPECTED["trace"]))
def test_broken_trace_is_one_line_naming_file_and_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(BERLIN)
    path = BAD / "trace" / name
    home = tmp_path / "home"
    r = run_cli(capsys, "--config", config, "--home", home, "simulate", path, "--record")
    assert r.code == 2
    one_error_line(r.err, str(path), *EXPECTED["trace"][name])
    assert r.out == ""
    assert not (home / DB_NAME).exists(), "a rejected trace must write nothing"


def test_broken_exercise_files_are_warnings_and_the_rest_load(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shipped = run_cli(capsys, "exercises", "list", "--json")
    assert shipped.code == 0 and shipped.err == ""
    config = tmp_path / "config.toml"
    config.write_text(BERLIN)
    shutil.copytree(BAD / "exercises", tmp_path / "exercises.d")

    r = run_cli(capsys, "--config", config, "exercises", "list", "--json")
    assert r.code == 0
    lines = r.err.splitlines()
    assert len(lines) == len(EXPECTED["exercises"]), r.err
    for name, words in EXPECTED["exercises"].items():
        (line,) = [ln for ln in lines if f"exercises.d/{name}" in ln]
        assert line.startswith("glutecoach: warning: ")
        for word in words:
            assert word in line, f"{word!r} not in {line!r}"
    by_id = {e["id"]: e for e in r.json()}
    assert set(by_id) == {e["id"] for e in shipped.json()}, "every shipped exercise still loads"
    assert by_id["calf-raise"]["difficulty"] == 4, "the good override beside them applies"
    shown = run_cli(capsys, "--config", config, "exercises", "show", "clamshell")
    assert shown.code == 0 and "Clamshell" in shown.out


# --- damaged databases ---------------------------------------------------------------------------


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def a_year_of_history(home: Path) -> Path:
    """A database as the coach leaves it (WAL mode, folded back), with many pages."""
    store = Store.open(home)
    t = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    h = History()
    for day in range(300):
        start = t + timedelta(days=day)
        h.stretches.append(Stretch(start, start + timedelta(minutes=40)))
        h.prompts.append(Prompt(day, start + timedelta(minutes=30), start + timedelta(minutes=30),
                                0, "done", True, start + timedelta(minutes=33)))
    store.record(h, "Europe/Berlin", source="simulate")
    store.close()
    db = home / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    return db


def run_headless(home: Path) -> subprocess.CompletedProcess[str]:
    """`glutecoach run` in a process of its own, with no display: a damaged database must stop
    it before it looks for one."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run([sys.executable, "-m", "glutecoach", "--home", str(home), "run",
                           "--headless"], env=env, capture_output=True, text=True, timeout=60)


def damage_a_page(db: Path, page: int) -> None:
    data = bytearray(db.read_bytes())
    size = int.from_bytes(data[16:18], "big") or 65536
    assert len(data) > (page + 1) * size
    data[page * size:(page + 1) * size] = random.Random(page).randbytes(size)
    db.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["random bytes", "a bad page inside"])
def test_run_refuses_a_damaged_database_and_leaves_it_alone(tmp_path: Path, how: str) -> None:
    home = tmp_path / "home"
    if how == "random bytes":
        home.mkdir(mode=0o700)
        db = home / DB_NAME
        db.write_bytes(random.Random(3).randbytes(16384))
    else:
        db = a_year_of_history(home)
        damage_a_page(db, 5)
    before = digest(db)
    done = run_headless(home)
    assert done.returncode == 1
    one_error_line(done.stderr, str(db), "cannot be read", "untouched", ".recover")
    assert digest(db) == before
    # Once the user moves it away, a new history begins.
    db.rename(home / "damaged.db")
    store = Store.open(home)
    assert store.load().prompts == []
    store.close()


def test_history_names_the_way_out_for_a_bad_page(capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    home = tmp_path / "home"
    db = a_year_of_history(home)
    damage_a_page(db, 5)
    before = digest(db)
    r = run_cli(capsys, "--home", home, "history", "--json")
    assert r.code == 1
    one_error_line(r.err, str(db), "cannot be read", ".recover")
    assert digest(db) == before

"""A real `glutecoach run` under pressure: every file it makes is the user's alone, it has no
network socket of any kind, and a crowd of CLI calls (history, status, answers, a second writer)
against the busy coach never meets "database is locked"."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .harness import Dunst, need, need_module, wait_for
from .test_coach_e2e import FAST, Coach, Typist

# The e2e test's rules with a prompt after 1.8 s of sitting instead of 6.
QUICK = FAST.replace("sit_minutes = 0.1", "sit_minutes = 0.03")
NET_TABLES = ("tcp", "tcp6", "udp", "udp6", "raw", "raw6", "udplite", "udplite6")


@pytest.fixture
def busy_coach(desktop_env: dict[str, str], dunst: Dunst, tmp_path: Path) -> Iterator[Coach]:
    """The coach with the rules in seconds and a user typing all the time: it writes at every
    poll (twice a second or so)."""
    need("xdotool")
    need_module("jeepney")
    config = tmp_path / "config.toml"
    config.write_text(QUICK)
    coach = Coach(dict(desktop_env, PYTHONUNBUFFERED="1"), tmp_path / "home", config)
    typist = Typist(coach.env)
    typist.typing.set()
    try:
        yield coach
    finally:
        typist.stop()
        if coach.proc is not None and coach.proc.poll() is None:
            coach.proc.kill()
            coach.proc.wait(5)


def start_with_umask(coach: Coach, umask: int) -> None:
    """Start the coach from a parent with a careless umask: its files must be private anyway."""
    out = open(coach.log, "wb")  # noqa: SIM115 - closed with the process
    coach.proc = subprocess.Popen(
        [sys.executable, "-m", "glutecoach", "--home", str(coach.home), "--config",
         str(coach.config), "run", "--headless"], env=coach.env, stdout=out,
        stderr=subprocess.STDOUT, umask=umask)
    wait_for(lambda: coach.cli("status").returncode == 0 or coach.proc.poll() is not None,
             "the coach to answer", timeout=20)
    assert coach.proc.poll() is None, coach.log.read_text()


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink()
        except OSError:
            continue  # closed meanwhile
        m = re.fullmatch(r"socket:\[(\d+)\]", str(target))
        if m:
            inodes.add(int(m.group(1)))
    return inodes


def table_inodes(name: str) -> set[int]:
    path = Path("/proc/net") / name
    if not path.exists():
        return set()
    lines = path.read_text().splitlines()
    if name == "unix":  # Num RefCount Protocol Flags Type St Inode Path
        return {int(line.split()[6]) for line in lines[1:]}
    # The header has two words for the fields "tx_queue:rx_queue" and "tr:tm->when".
    column = lines[0].split().index("inode") - 2
    return {int(line.split()[column]) for line in lines[1:]}


def test_reading_the_ip_socket_tables_finds_a_listener() -> None:
    """The check below is only as good as this parser: a listener of our own shows up."""
    import os
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        assert socket_inodes(os.getpid()) & table_inodes("tcp")


def test_coach_files_are_private_and_it_has_no_network_socket(busy_coach: Coach) -> None:
    coach = busy_coach
    start_with_umask(coach, 0o000)
    pid = coach.proc.pid  # type: ignore[union-attr]
    coach.wait_pending()
    assert coach.cli("done").returncode == 0

    # Sockets: a Unix socket or more (the control socket, D-Bus), nothing in any IP table.
    ours = socket_inodes(pid)
    assert ours & table_inodes("unix"), "the control socket should be among the coach's fds"
    for table in NET_TABLES:
        assert not ours & table_inodes(table), f"the coach has a socket in /proc/net/{table}"

    # Make the log rotate: fill it past its 1 MB, then make the coach write a line.
    log = coach.home / "glutecoach.log"
    with open(log, "a") as f:
        f.write(("x" * 99 + "\n") * 10_500)
    assert coach.cli("reload").returncode == 0
    wait_for(lambda: (coach.home / "glutecoach.log.1").exists(), "the log to rotate")

    expected = {"glutecoach.db", "glutecoach.db-wal", "glutecoach.db-shm", "glutecoach.log",
                "glutecoach.log.1", "control.sock", "coach.lock", "coach.pid", "welcomed"}
    present = {p.name for p in coach.home.iterdir()}
    assert expected <= present, f"missing: {expected - present}"
    for path in coach.home.iterdir():
        mode = path.lstat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}: others may read it"
    assert coach.home.stat().st_mode & 0o777 == 0o700

    assert coach.cli("stop").returncode == 0
    assert coach.proc.wait(15) == 0  # type: ignore[union-attr]


def test_crowd_of_cli_calls_never_meets_a_locked_database(busy_coach: Coach,
                                                          tmp_path: Path) -> None:
    coach = busy_coach
    coach.start()
    assert coach.cli("break-now").returncode == 0  # a prompt for the first answers
    traces = []
    for day in (7, 14):  # a second writer: simulations recorded into the same database
        trace = tmp_path / f"day{day}.csv"
        trace.write_text(f"at,until,event\n2026-12-{day:02d}T09:00:00,2026-12-{day:02d}"
                         "T11:00:00,active\n")
        traces.append(["simulate", str(trace), "--record", "--json"])
    # As many at once as two cores start in a few seconds (each is a Python start-up).
    calls = ([["history", "--json"]] * 5 + [["status", "--json"]] * 5
             + [["done"], ["break-now"], ["skip"], ["break-now"], ["snooze"]] + traces)
    started = time.monotonic()
    with ThreadPoolExecutor(len(calls)) as pool:
        results = list(pool.map(lambda args: (args, coach.cli(*args, timeout=60)), calls))
    elapsed = time.monotonic() - started
    for args, done in results:
        assert "locked" not in done.stderr and "busy" not in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        if args[0] in ("done", "skip", "snooze"):
            assert done.returncode == 0 or "no prompt is pending" in done.stderr, done.stderr
        else:
            assert done.returncode == 0, (args, done.stderr)
    assert elapsed < 60
    assert coach.status()["state"] in ("active", "away")
    assert coach.cli("stop").returncode == 0
    assert coach.proc is not None and coach.proc.wait(15) == 0
    assert "cannot save the history" not in (coach.home / "glutecoach.log").read_text()

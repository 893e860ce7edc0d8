"""The real `glutecoach run` becomes a lean coach process (coach/launch.py): the same process id,
running `python -OO -m glutecoach.coach`, and none of the libraries that only commands, the tray,
notifications or reports use are in its memory while it waits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .harness import wait_for

# Loaded by the coach's interpreter from PYTHONPATH: at a clean exit it writes what it imported.
RECORDER = """
import atexit, json, os, sys

def _record():
    with open(os.environ["GLUTECOACH_TEST_MODULES"], "w") as f:
        json.dump({"optimize": sys.flags.optimize, "xoptions": sorted(sys._xoptions),
                   # a None entry is a module refused to the process (launch.refuse_tls)
                   "modules": sorted(k for k, v in sys.modules.items() if v is not None)}, f)

atexit.register(_record)
"""

# Imported by commands, the tray, notifications and reports; an idle headless coach needs none.
NOT_IN_AN_IDLE_COACH = ("click", "rich", "matplotlib", "pystray", "desktop_notifier", "plyer",
                        "tkinter", "icalendar", "glutecoach.cli", "glutecoach.report.build",
                        "glutecoach.report.html", "glutecoach.simulate",
                        # no network code: OpenSSL is refused (launch.refuse_tls)
                        "ssl", "_ssl", "_hashlib")

# python-xlib's full Display, its 120 core requests and its window/GC/colormap object layer: the
# coach's X connection (idle time, fullscreen windows) is the protocol core alone.
NOT_IN_THE_COACH_ON_X11 = ("Xlib.display", "Xlib.protocol.request", "Xlib.xobject")


def test_run_becomes_the_lean_coach_process(desktop_env: dict[str, str], tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(RECORDER)
    record = tmp_path / "modules.json"
    env = dict(desktop_env, PYTHONPATH=str(probe), GLUTECOACH_TEST_MODULES=str(record))
    home = tmp_path / "home"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "glutecoach", "--home", str(home), *args],
                              env=env, capture_output=True, text=True, timeout=20)

    log = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, "-m", "glutecoach", "--home", str(home), "run",
                             "--headless"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: cli("status").returncode == 0 or proc.poll() is not None,
                 "the coach to answer", timeout=30)
        assert proc.poll() is None, (tmp_path / "run.log").read_text()
        # The process that `run` started is the coach: replaced in place, not a child.
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")[:-1]
        args = [a.decode() for a in cmdline]
        assert "-OO" in args and args[args.index("-m") + 1] == "glutecoach.coach"
        # No OpenSSL mapped into it: the coach has no network code (launch.refuse_tls).
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "libcrypto" not in maps and "libssl" not in maps
        assert cli("stop").returncode == 0
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        log.close()
    seen = json.loads(record.read_text())
    assert seen["optimize"] == 2
    assert "no_debug_ranges" in seen["xoptions"]  # code objects without column tables
    loaded = [m for m in seen["modules"]
              if any(m == name or m.startswith(name + ".") for name in NOT_IN_AN_IDLE_COACH)]
    assert loaded == []
    assert "glutecoach.engine" in seen["modules"]  # the record is the coach's own
    # It asked this X server for idle time (an X11 session), and loaded no more of X than that.
    assert {"glutecoach.presence.x11", "glutecoach.xprotocol"} <= set(seen["modules"])
    x_extra = [m for m in seen["modules"]
               if any(m == name or m.startswith(name + ".") for name in NOT_IN_THE_COACH_ON_X11)]
    assert x_extra == []

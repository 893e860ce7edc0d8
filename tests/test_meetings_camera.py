"""The Linux camera signal against real processes holding a (fake) video device open.

A real /dev/video* cannot be made here (no v4l2loopback), so the device pattern points at files in
tmp; everything else is the real thing: a child process that names itself like a meeting app,
opens the file and keeps it open, found through /proc/<pid>/fd like any camera user.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import MeetingSignal, SignalUnavailable
from glutecoach.meetings.camera import LinuxCamera

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")

NOW = datetime(2025, 1, 7, 9, 0, tzinfo=UTC)

# Rename the process (its comm, as `ps` shows it), open the device, say so, and hold it.
HOLDER = """
import sys, time
with open("/proc/self/comm", "w") as comm:
    comm.write(sys.argv[1])
device = open(sys.argv[2], "rb")
print("holding", flush=True)
time.sleep(60)
"""

Holder = Callable[[str, Path], subprocess.Popen[str]]


@pytest.fixture
def devices(tmp_path: Path) -> Path:
    folder = tmp_path / "dev"
    folder.mkdir()
    for name in ("video0", "video1", "audio0"):
        (folder / name).write_bytes(b"")
    return folder


@pytest.fixture
def hold() -> Iterator[Holder]:
    procs: list[subprocess.Popen[str]] = []

    def start(app: str, device: Path) -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, app, str(device)],
                                stdout=subprocess.PIPE, text=True)  # fmt: skip
        procs.append(proc)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "holding"
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def camera(devices: Path, ignore: list[str] | None = None) -> LinuxCamera:
    return LinuxCamera(AppNames(ignore or []), devices=str(devices / "video*"))


def test_off_when_no_process_holds_a_video_device(devices: Path) -> None:
    assert camera(devices).read(NOW) == MeetingSignal(False, "camera")


def test_on_while_an_app_holds_a_video_device(devices: Path, hold: Holder) -> None:
    source = camera(devices)
    proc = hold("zoom", devices / "video1")
    assert source.read(NOW) == MeetingSignal(True, "camera", f"zoom holds {devices}/video1")
    proc.kill()
    proc.wait()
    assert source.read(NOW) == MeetingSignal(False, "camera")


def test_other_devices_do_not_count(devices: Path, hold: Holder) -> None:
    hold("zoom", devices / "audio0")
    assert not camera(devices).read(NOW).on


def test_an_ignored_app_does_not_count(devices: Path, hold: Holder) -> None:
    hold("guvcview", devices / "video0")
    assert not camera(devices, ignore=["guvcview"]).read(NOW).on
    hold("teams", devices / "video0")
    signal = camera(devices, ignore=["guvcview"]).read(NOW)
    assert signal == MeetingSignal(True, "camera", f"teams holds {devices}/video0")


def test_several_holders_are_counted_in_the_detail(devices: Path, hold: Holder) -> None:
    hold("zoom", devices / "video0")
    hold("obs", devices / "video1")
    assert camera(devices).read(NOW).detail.endswith("(and 1 more)")


def test_only_this_users_processes_are_scanned(devices: Path, hold: Holder) -> None:
    hold("zoom", devices / "video0")
    other_user = LinuxCamera(AppNames([]), devices=str(devices / "video*"), uid=54321)
    assert not other_user.read(NOW).on


def test_unavailable_without_proc(tmp_path: Path) -> None:
    with pytest.raises(SignalUnavailable, match="is not mounted"):
        LinuxCamera(AppNames([]), proc=tmp_path)


def test_a_scan_of_this_machine_is_cheap() -> None:
    # The coach asks every ~20 s all day; the real /dev/video* pattern over every process here.
    import time

    source = LinuxCamera(AppNames([]))
    started = time.perf_counter()
    for _ in range(5):
        source.read(NOW)
    assert (time.perf_counter() - started) / 5 < 0.25


def test_without_a_video_device_no_process_is_read(tmp_path: Path) -> None:
    """A fake /proc whose one process "holds" dev/video0: while that device node does not exist
    the scan is skipped (off); once it exists, the same /proc is read (on)."""
    proc = tmp_path / "proc"
    (proc / "self" / "fd").mkdir(parents=True)
    (proc / "4242" / "fd").mkdir(parents=True)
    (proc / "4242" / "comm").write_text("zoom\n")
    dev = tmp_path / "dev"
    dev.mkdir()
    (proc / "4242" / "fd" / "7").symlink_to(dev / "video0")
    source = LinuxCamera(AppNames([]), devices=str(dev / "video*"), proc=proc)
    assert source.read(NOW) == MeetingSignal(False, "camera")
    (dev / "video0").write_bytes(b"")
    assert source.read(NOW) == MeetingSignal(True, "camera", f"zoom holds {dev}/video0")

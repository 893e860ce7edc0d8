"""Camera in use on Linux: some process of this user holds a video device (/dev/video*) open.

V4L2 has no "in use" flag, but a process that streams from a camera keeps its device node open, so
the holders are found the way `fuser` finds them: each process's /proc/<pid>/fd symlinks. Only
this user's processes are looked at (the others' fd folders are unreadable anyway), which keeps a
scan to a few milliseconds, and none at all while no video device exists (no camera plugged in):
then nothing can hold one, and the idle coach spends nothing on it. Apps reaching the camera
through PipeWire show up as `pipewire`, the process that really holds the device.
"""

from __future__ import annotations

import fnmatch
import glob
import logging
import os
import re
import sys
from datetime import datetime
from pathlib import Path

from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import FailureLog, MeetingSignal, SignalUnavailable

log = logging.getLogger(__name__)

VIDEO_DEVICES = "/dev/video*"


def process_names(proc: Path, pid: str) -> tuple[str, str]:
    """(comm, executable's file name) of a process; comm is cut to 15 characters by the kernel, so
    the executable's name helps matching longer app names. Either may be "" when unreadable."""
    try:
        comm = (proc / pid / "comm").read_text().strip()
    except OSError:
        comm = ""
    try:
        exe = os.path.basename(os.readlink(proc / pid / "exe")).removesuffix(" (deleted)")
    except OSError:
        exe = ""
    return comm, exe


class LinuxCamera:
    name = "camera"

    def __init__(
        self,
        ignore: AppNames,
        devices: str = VIDEO_DEVICES,
        proc: Path = Path("/proc"),
        uid: int | None = None,
    ) -> None:
        if not sys.platform.startswith("linux"):
            raise SignalUnavailable("this is not Linux (no /dev/video devices to watch)")
        if not (proc / "self" / "fd").is_dir():
            raise SignalUnavailable(f"{proc} is not mounted, so open devices cannot be seen")
        self._ignore = ignore
        self._pattern = devices
        self._devices = re.compile(fnmatch.translate(devices))
        self._proc = proc
        self._uid = os.getuid() if uid is None else uid
        self._failures = FailureLog(self.name, log)

    def holders(self) -> list[tuple[str, str]]:
        """(app name, device) for each process of this user holding a matching device."""
        found: list[tuple[str, str]] = []
        if not glob.glob(self._pattern):
            return found  # no device node, so no holder: skip reading every process's fds
        with os.scandir(self._proc) as entries:
            for entry in entries:
                if not entry.name.isdigit():
                    continue
                try:
                    if entry.stat().st_uid != self._uid:
                        continue
                    device = self._held_device(entry.path)
                except OSError:
                    continue  # the process ended during the scan, or is not ours to read
                if device is not None:
                    comm, exe = process_names(self._proc, entry.name)
                    if self._ignore.match(comm, exe) is None:
                        found.append((comm or exe or f"process {entry.name}", device))
        return found

    def _held_device(self, pid_dir: str) -> str | None:
        with os.scandir(os.path.join(pid_dir, "fd")) as fds:
            for fd in fds:
                try:
                    target = os.readlink(fd.path)
                except OSError:
                    continue  # closed between listing and reading
                if self._devices.match(target):
                    return target
        return None

    def read(self, now: datetime) -> MeetingSignal:
        try:
            holders = self.holders()
        except OSError as e:
            return self._failures.failed(f"cannot scan {self._proc}: {e}")
        if not holders:
            return self._failures.ok(MeetingSignal(False, self.name))
        app, device = holders[0]
        more = f" (and {len(holders) - 1} more)" if len(holders) > 1 else ""
        return self._failures.ok(MeetingSignal(True, self.name, f"{app} holds {device}{more}"))

    def close(self) -> None:
        pass

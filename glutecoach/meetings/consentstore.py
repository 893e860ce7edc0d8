"""Camera and microphone in use on Windows, from the privacy consent store in the registry.

Windows 10 (1903) and later note, per app, when it last started and stopped using the camera or
microphone (the data behind the taskbar's "in use" icon), under
HKCU\\...\\CapabilityAccessManager\\ConsentStore\\<webcam|microphone>: one subkey per Store app
and one per desktop program below `NonPackaged` (its path with `#` for `\\`). While an app uses
the device its LastUsedTimeStop is 0. Reading a few registry keys per poll is cheap.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from datetime import datetime
from typing import Protocol

from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import FailureLog, MeetingSignal, ReadFailed, SignalUnavailable

log = logging.getLogger(__name__)

CONSENT_STORE = r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"
CAPABILITIES = {"camera": "webcam", "microphone": "microphone"}


class Registry(Protocol):
    """The little of HKEY_CURRENT_USER this needs; OSError when a key is missing."""

    def subkeys(self, path: str) -> list[str]: ...

    def value(self, path: str, name: str) -> int | None: ...


class CurrentUserRegistry:
    """HKEY_CURRENT_USER through the standard library's winreg (Windows only)."""

    def __init__(self) -> None:
        import winreg  # type: ignore[import-not-found,unused-ignore]  # Windows only

        self._winreg = winreg

    def subkeys(self, path: str) -> list[str]:
        names: list[str] = []
        with self._winreg.OpenKey(self._winreg.HKEY_CURRENT_USER, path) as key:
            count = self._winreg.QueryInfoKey(key)[0]
            names.extend(self._winreg.EnumKey(key, i) for i in range(count))
        return names

    def value(self, path: str, name: str) -> int | None:
        try:
            with self._winreg.OpenKey(self._winreg.HKEY_CURRENT_USER, path) as key:
                data, _kind = self._winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return int(data)


def app_name(subkey: str) -> str:
    """A readable app name from a consent-store subkey: "C:#Program Files#Zoom#bin#Zoom.exe" ->
    "Zoom", "Microsoft.WindowsCamera_8wekyb3d8bbwe" -> "Microsoft.WindowsCamera"."""
    if "#" in subkey:
        return subkey.rsplit("#", 1)[-1].removesuffix(".exe").removesuffix(".EXE")
    return subkey.split("_", 1)[0]


class ConsentStoreInUse:
    """One capability ("camera" or "microphone") from the consent store."""

    def __init__(self, name: str, ignore: AppNames, registry: Registry | None = None) -> None:
        self.name = name
        self._root = f"{CONSENT_STORE}\\{CAPABILITIES[name]}"
        if registry is None:
            if sys.platform != "win32":
                raise SignalUnavailable("this is not Windows")
            registry = CurrentUserRegistry()
        self._registry = registry
        self._ignore = ignore
        self._failures = FailureLog(name, log)
        try:
            self._registry.subkeys(self._root)
        except OSError as e:
            raise SignalUnavailable(
                f"Windows keeps no {CAPABILITIES[name]} use record here (needs Windows 10 1903"
                f" or later): {e}"
            ) from e

    def users(self) -> list[str]:
        """Names of the apps using the device now, ignored ones left out."""
        found: list[str] = []
        for path in self._app_keys():
            start = self._registry.value(path, "LastUsedTimeStart") or 0
            stop = self._registry.value(path, "LastUsedTimeStop")
            if start and stop == 0:
                name = app_name(path.rsplit("\\", 1)[-1])
                if self._ignore.match(name) is None:
                    found.append(name)
        return found

    def _app_keys(self) -> list[str]:
        try:
            keys = [f"{self._root}\\{k}" for k in self._registry.subkeys(self._root)]
        except OSError as e:
            raise ReadFailed(f"cannot list {self._root}: {e}") from e
        desktop = f"{self._root}\\NonPackaged"
        if desktop in keys:
            keys.remove(desktop)
            with contextlib.suppress(OSError):  # no desktop program has asked yet
                keys.extend(f"{desktop}\\{k}" for k in self._registry.subkeys(desktop))
        return keys

    def read(self, now: datetime) -> MeetingSignal:
        try:
            users = self.users()
        except (OSError, ReadFailed) as e:
            return self._failures.failed(e)
        if not users:
            return self._failures.ok(MeetingSignal(False, self.name))
        return self._failures.ok(MeetingSignal(True, self.name, f"{users[0]} uses the {self.name}"))

    def close(self) -> None:
        pass

"""The desktop's do-not-disturb, from whichever of its switches this desktop has.

Each desktop keeps the switch somewhere else, so one adapter asks every place that answers here,
in this order, and is on when any of them is:
- the notification server's `Inhibited` property (org.freedesktop.Notifications, spec 1.3; KDE
  Plasma has it);
- dunst's own pause (`dunstctl set-paused true`: property `paused` of org.dunstproject.cmd0);
- GNOME's "Do Not Disturb", which is `show-banners = false` in org.gnome.desktop.notifications,
  read with `gsettings` (only in a GNOME session: elsewhere the schema lies around unused);
- Xfce's notifyd do-not-disturb (xfconf channel xfce4-notifyd, /do-not-disturb) over D-Bus;
- Windows Focus Assist and presentation mode (focusassist.py).
The D-Bus questions share one connection with a timeout on every call (presence's `Bus`).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from glutecoach.meetings.base import FailureLog, MeetingSignal, ReadFailed, SignalUnavailable
from glutecoach.presence.base import PresenceError, PresenceUnavailable

log = logging.getLogger(__name__)

NOTIFICATIONS = ("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
DUNST_INTERFACE = "org.dunstproject.cmd0"
XFCONF = ("org.xfce.Xfconf", "/org/xfce/Xfconf")
GNOME_SCHEMA = "org.gnome.desktop.notifications"
GSETTINGS_TIMEOUT = 2.0


class DndProbe(Protocol):
    label: str

    def check(self) -> str | None:
        """What says do-not-disturb is on, or None when it is off; ReadFailed when it cannot
        tell right now."""
        ...

    def close(self) -> None: ...


def _desktops(env: Mapping[str, str]) -> list[str]:
    # XDG_CURRENT_DESKTOP is a colon-separated list, e.g. "ubuntu:GNOME".
    return [d.lower() for d in env.get("XDG_CURRENT_DESKTOP", "").split(":") if d]


class _OnBus:
    """A probe asking the session bus; it does not own the connection."""

    label = ""

    def __init__(self, bus: Any) -> None:
        self._bus = bus
        try:
            self.check()
        except ReadFailed as e:
            raise SignalUnavailable(str(e)) from e

    def _property(self, bus_name: str, path: str, interface: str, name: str) -> Any:
        try:
            return self._bus.get_property(bus_name, path, interface, name)
        except PresenceError as e:
            raise ReadFailed(str(e)) from e

    def check(self) -> str | None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class NotificationsInhibited(_OnBus):
    label = "notification server"

    def check(self) -> str | None:
        inhibited = self._property(*NOTIFICATIONS, NOTIFICATIONS[0], "Inhibited")
        return "the notification server holds notifications back (Inhibited)" if inhibited else None


class DunstPaused(_OnBus):
    label = "dunst"

    def check(self) -> str | None:
        paused = self._property(NOTIFICATIONS[0], NOTIFICATIONS[1], DUNST_INTERFACE, "paused")
        return "dunst is paused" if paused else None


class XfceDoNotDisturb(_OnBus):
    label = "Xfce"

    def __init__(self, bus: Any, env: Mapping[str, str], server: str) -> None:
        if "xfce" not in _desktops(env) and server != "Xfce Notify Daemon":
            raise SignalUnavailable("this is not an Xfce session")
        super().__init__(bus)

    def check(self) -> str | None:
        try:
            (value,) = self._bus.call(*XFCONF, XFCONF[0], "GetProperty", "ss",
                                      ("xfce4-notifyd", "/do-not-disturb"))  # fmt: skip
        except PresenceError as e:
            if "PropertyNotFound" in str(e):
                return None  # never switched on: xfconf keeps no default
            raise ReadFailed(str(e)) from e
        return "Xfce's do-not-disturb is on" if value[1] else None  # a variant: (signature, value)


class GnomeBanners:
    label = "GNOME"

    def __init__(self, env: Mapping[str, str], server: str) -> None:
        if "gnome" not in _desktops(env) and server != "gnome-shell":
            raise SignalUnavailable("this is not a GNOME session")
        gsettings = shutil.which("gsettings", path=env.get("PATH"))
        if gsettings is None:
            raise SignalUnavailable("gsettings is missing (install libglib2.0-bin)")
        self._args = [gsettings, "get", GNOME_SCHEMA, "show-banners"]
        self._env = dict(env)
        try:
            self.check()
        except ReadFailed as e:
            raise SignalUnavailable(str(e)) from e

    def check(self) -> str | None:
        try:
            done = subprocess.run(self._args, env=self._env, capture_output=True, text=True,
                                  timeout=GSETTINGS_TIMEOUT, check=False)  # fmt: skip
        except (OSError, subprocess.SubprocessError) as e:
            raise ReadFailed(f"gsettings failed: {e}") from e
        if done.returncode != 0:
            raise ReadFailed(f"gsettings: {done.stderr.strip() or done.returncode}")
        return "GNOME's do-not-disturb is on" if done.stdout.strip() == "false" else None

    def close(self) -> None:
        pass


class DoNotDisturb:
    """On when any probe says so; a probe that fails one read is skipped for that read."""

    name = "do-not-disturb"

    def __init__(self, probes: Sequence[DndProbe], bus: Any = None) -> None:
        self.probes = list(probes)
        self._bus = bus
        self._failures = FailureLog(self.name, log)
        self._probe_failures = {id(p): FailureLog(f"{self.name} ({p.label})", log) for p in probes}

    def read(self, now: datetime) -> MeetingSignal:
        failed: list[str] = []
        for probe in self.probes:
            try:
                detail = probe.check()
            except ReadFailed as e:
                self._probe_failures[id(probe)].failed(e)
                failed.append(f"{probe.label}: {e}")
                continue
            self._probe_failures[id(probe)].ok(MeetingSignal(False, self.name))
            if detail:
                return self._failures.ok(MeetingSignal(True, self.name, detail))
        if failed and len(failed) == len(self.probes):
            return self._failures.failed("; ".join(failed))
        return self._failures.ok(MeetingSignal(False, self.name))

    def close(self) -> None:
        for probe in self.probes:
            probe.close()
        if self._bus is not None:
            self._bus.close()


def _server_name(bus: Any) -> str:
    """The notification server's name ("dunst", "gnome-shell", "Plasma"...), or "" if none."""
    try:
        name, _vendor, _version, _spec = bus.call(
            *NOTIFICATIONS, NOTIFICATIONS[0], "GetServerInformation"
        )
        return str(name)
    except PresenceError:
        return ""


def _open_linux(env: Mapping[str, str], address: str | None) -> DoNotDisturb:
    from glutecoach.presence.freedesktop import Bus, session_bus_address

    probes: list[DndProbe] = []
    reasons: list[str] = []
    bus: Any = None
    server = ""
    try:
        bus = Bus(address or session_bus_address())
        server = _server_name(bus)
    except PresenceUnavailable as e:
        reasons.append(f"D-Bus: {e}")
    if bus is not None:
        for probe in (NotificationsInhibited, DunstPaused):
            try:
                probes.append(probe(bus))
            except SignalUnavailable as e:
                reasons.append(f"{probe.label}: {e}")
    try:
        probes.append(GnomeBanners(env, server))
    except SignalUnavailable as e:
        reasons.append(f"GNOME: {e}")
    if bus is not None:
        try:
            probes.append(XfceDoNotDisturb(bus, env, server))
        except SignalUnavailable as e:
            reasons.append(f"Xfce: {e}")
    if not probes:
        if bus is not None:
            bus.close()
        raise SignalUnavailable(f"no do-not-disturb switch answers here ({'; '.join(reasons)})")
    if not any(isinstance(p, _OnBus) for p in probes) and bus is not None:
        bus.close()
        bus = None
    return DoNotDisturb(probes, bus)


def open_do_not_disturb(
    env: Mapping[str, str] | None = None, address: str | None = None
) -> DoNotDisturb:
    """The do-not-disturb of this desktop; SignalUnavailable saying why when none can be read.

    `env` stands for os.environ (XDG_CURRENT_DESKTOP, and gsettings' environment); `address` is
    the session bus, by default the one libdbus would use.
    """
    if sys.platform == "win32":
        from glutecoach.meetings.focusassist import FocusAssist

        return DoNotDisturb([FocusAssist()])
    if sys.platform == "darwin":
        raise SignalUnavailable("macOS offers no public way to read its Focus state")
    return _open_linux(os.environ if env is None else env, address)

"""Idle inhibitors: an app asking the desktop to keep the screen awake, as calls and slide shows do.

A Wayland session tells no client which window is fullscreen, but call and presentation apps ask
the desktop not to blank the screen, and the desktop's session or power manager keeps the list
on the session bus. This adapter reads every list this desktop has:
- GNOME: gnome-session's org.gnome.SessionManager. `IsInhibited(idle | suspend)` first (one call
  while nothing is inhibited, and it is in every fork: MATE's and Cinnamon's session managers own
  the same name), then `GetInhibitors` and each org.gnome.SessionManager.Inhibitor's `GetAppId`,
  `GetReason` and `GetFlags`. GTK's `gtk_application_inhibit`, the inhibit portal and
  mate-screensaver's own Inhibit all end up here.
- KDE Plasma: PowerDevil's org.kde.Solid.PowerManagement.PolicyAgent, which receives the session's
  org.freedesktop.ScreenSaver and org.freedesktop.PowerManagement inhibitions: the
  `ActiveInhibitions` property (Plasma 6), else the older `ListInhibitions` (Plasma 5). PowerDevil
  makes an inhibition active 5 s after it is asked for, so a call shows that much later.
- Xfce: xfce4-power-manager's org.freedesktop.PowerManagement.Inhibit, `HasInhibit` then
  `GetInhibitors` (app names; it keeps no reasons).
org.freedesktop.ScreenSaver itself has Inhibit but no way to list inhibitors, and wlroots
compositors (sway, Hyprland) take inhibitors through a Wayland protocol no other client can read.

Not every inhibitor is a meeting: video and music players inhibit idle for hours. One counts when
its app is a meeting or presenting app from the config, or its reason names a call or a
presentation ("WebRTC has active PeerConnections" is what Chromium says during a web call), and
never when its app is in `ignore_apps`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import FailureLog, MeetingSignal, ReadFailed, SignalUnavailable
from glutecoach.presence.base import PresenceError, PresenceUnavailable

log = logging.getLogger(__name__)

# A session manager answers in milliseconds; a stuck one must not hold up the coach's poll.
CALL_TIMEOUT = 1.0

GNOME = ("org.gnome.SessionManager", "/org/gnome/SessionManager")
GNOME_INHIBITOR = "org.gnome.SessionManager.Inhibitor"
# gnome-session's inhibit flags: 1 logout, 2 switch user, 4 suspend, 8 idle, 16 automount. A call
# keeps the screen on (idle); a browser's web call may only keep the machine awake (suspend).
GNOME_SUSPEND, GNOME_IDLE = 4, 8
KDE = ("org.kde.Solid.PowerManagement.PolicyAgent", "/org/kde/Solid/PowerManagement/PolicyAgent")
KDE_COUNTED = {"idle", "sleep"}  # "what" in ActiveInhibitions: screen dimming/locking, suspend
POWER = ("org.freedesktop.PowerManagement", "/org/freedesktop/PowerManagement/Inhibit")
POWER_INHIBIT = "org.freedesktop.PowerManagement.Inhibit"

# Words in an inhibitor's reason that mean a call or a presentation, matched as whole words like
# app names. Players say "Playing video", "video-playing" or "Playing"; none of these.
CALL_REASONS = AppNames(["webrtc", "call", "meeting", "conference", "presentation",
                         "presenting", "slideshow", "slide show"])  # fmt: skip


@dataclass(frozen=True)
class Inhibitor:
    app: str  # the name the app gave: "zoom", "org.gnome.Evince", "/usr/bin/chromium"
    reason: str  # "" when the service keeps none
    what: str  # what it holds off, in words: "idle", "suspend", "power saving"

    def describe(self) -> str:
        text = f"{self.app or 'an unnamed app'} inhibits {self.what}"
        return f"{text}: {self.reason}" if self.reason else text


class InhibitorList(Protocol):
    label: str

    def inhibitors(self) -> list[Inhibitor]:
        """The inhibitors held now; ReadFailed when the service cannot tell right now."""
        ...


class _OnBus:
    """A list kept by a service on the session bus; it does not own the connection."""

    label = ""
    service = ""

    def __init__(self, bus: Any) -> None:
        self._bus = bus
        try:
            owned = bus.has_owner(self.service)
        except PresenceError as e:
            raise SignalUnavailable(str(e)) from e
        if not owned:
            # Asked by name only once owned: calling it would start an activatable service.
            raise SignalUnavailable(f"nothing owns {self.service} on the session bus")
        try:
            self._check()
        except ReadFailed as e:
            raise SignalUnavailable(str(e)) from e

    def _check(self) -> None:
        """One read at opening: a service that owns the name but does not answer this way is
        no use here."""
        self.inhibitors()

    def _call(self, path: str, interface: str, method: str, signature: str | None = None,
              body: tuple[Any, ...] = ()) -> tuple[Any, ...]:  # fmt: skip
        try:
            return self._bus.call(self.service, path, interface, method, signature, body)
        except PresenceError as e:
            raise ReadFailed(str(e)) from e

    def inhibitors(self) -> list[Inhibitor]:
        raise NotImplementedError


class GnomeSession(_OnBus):
    label = "GNOME session"
    service = GNOME[0]

    def __init__(self, bus: Any) -> None:
        # An inhibitor's app, reason and flags never change, and gnome-session never reuses an
        # object path in a session: each is asked once, not at every poll.
        self._known: dict[str, Inhibitor | None] = {}
        super().__init__(bus)

    def inhibitors(self) -> list[Inhibitor]:
        (held,) = self._call(GNOME[1], GNOME[0], "IsInhibited", "u", (GNOME_IDLE | GNOME_SUSPEND,))
        if not held:
            self._known.clear()
            return []
        (paths,) = self._call(GNOME[1], GNOME[0], "GetInhibitors")
        known = {path: self._known[path] if path in self._known else self._describe(path)
                 for path in paths}  # fmt: skip
        self._known = known
        return [inhibitor for inhibitor in known.values() if inhibitor is not None]

    def _describe(self, path: str) -> Inhibitor | None:
        """The inhibitor at `path`, None when it holds neither idle nor suspend (logout only,
        say), or when it went away since GetInhibitors."""
        try:
            (flags,) = self._call(path, GNOME_INHIBITOR, "GetFlags")
            if not flags & (GNOME_IDLE | GNOME_SUSPEND):
                return None
            (app,) = self._call(path, GNOME_INHIBITOR, "GetAppId")
            (reason,) = self._call(path, GNOME_INHIBITOR, "GetReason")
        except ReadFailed:
            return None
        what = "idle" if flags & GNOME_IDLE else "suspend"
        return Inhibitor(str(app), str(reason), what)


class KdePolicyAgent(_OnBus):
    label = "KDE PowerDevil"
    service = KDE[0]

    def __init__(self, bus: Any) -> None:
        self._property = True  # ActiveInhibitions until the agent shows it has none (Plasma 5)
        super().__init__(bus)

    def inhibitors(self) -> list[Inhibitor]:
        if self._property:
            try:
                (variant,) = self._call(KDE[1], "org.freedesktop.DBus.Properties", "Get", "ss",
                                        (KDE[0], "ActiveInhibitions"))  # fmt: skip
            except ReadFailed as e:
                if "UnknownProperty" not in str(e) and "InvalidArgs" not in str(e):
                    raise
                self._property = False
            else:
                found = []
                for what, who, why, *_rest in variant[1]:
                    held = sorted(KDE_COUNTED & set(str(what).split(":")))
                    if held:
                        found.append(Inhibitor(str(who), str(why), " and ".join(held)))
                return found
        # Introspection says a{ss}; PowerDevil 5.27 sends a(ss) of (who, why). Take either.
        (listed,) = self._call(KDE[1], KDE[0], "ListInhibitions")
        pairs = listed.items() if isinstance(listed, dict) else listed
        return [Inhibitor(str(pair[0]), str(pair[1]) if len(pair) > 1 else "", "power management")
                for pair in pairs if len(pair)]  # fmt: skip


class PowerManagement(_OnBus):
    label = "power manager"
    service = POWER[0]

    def _check(self) -> None:
        # HasInhibit alone cannot tell a call from a film: without GetInhibitors (xfce4-power-
        # manager has it; the specification does not) this list is no use.
        self._call(POWER[1], POWER_INHIBIT, "GetInhibitors")

    def inhibitors(self) -> list[Inhibitor]:
        (held,) = self._call(POWER[1], POWER_INHIBIT, "HasInhibit")
        if not held:
            return []
        (apps,) = self._call(POWER[1], POWER_INHIBIT, "GetInhibitors")
        return [Inhibitor(str(app), "", "power saving") for app in dict.fromkeys(apps)]


class IdleInhibitors:
    """On while an inhibitor of a meeting or presenting app is held; a list that fails one read
    is skipped for that read."""

    name = "inhibitor"

    def __init__(
        self,
        lists: Sequence[InhibitorList],
        meeting_apps: AppNames,
        presenting_apps: AppNames,
        ignore_apps: AppNames,
        bus: Any = None,
    ) -> None:
        self.lists = list(lists)
        self._meeting, self._presenting, self._ignore = meeting_apps, presenting_apps, ignore_apps
        self._bus = bus
        self._failures = FailureLog(self.name, log)
        self._list_failures = {id(x): FailureLog(f"{self.name} ({x.label})", log) for x in lists}

    def counts(self, inhibitor: Inhibitor) -> bool:
        """A meeting or presenting app, or a reason naming a call or a presentation; an ignored
        app never. ("*" in presenting_apps: every inhibitor counts, as for fullscreen.)"""
        if self._ignore.match(inhibitor.app) is not None:
            return False
        return (self._meeting.match(inhibitor.app) is not None
                or self._presenting.match(inhibitor.app) is not None
                or CALL_REASONS.match(inhibitor.reason) is not None)  # fmt: skip

    def read(self, now: datetime) -> MeetingSignal:
        failed: list[str] = []
        meetings: list[Inhibitor] = []
        for source in self.lists:
            try:
                held = source.inhibitors()
            except ReadFailed as e:
                self._list_failures[id(source)].failed(e)
                failed.append(f"{source.label}: {e}")
                continue
            self._list_failures[id(source)].ok(MeetingSignal(False, self.name))
            meetings += [i for i in held if self.counts(i) and i not in meetings]
        if meetings:
            more = f" (and {len(meetings) - 1} more)" if len(meetings) > 1 else ""
            return self._failures.ok(MeetingSignal(True, self.name, meetings[0].describe() + more))
        if failed and len(failed) == len(self.lists):
            return self._failures.failed("; ".join(failed))
        return self._failures.ok(MeetingSignal(False, self.name))

    def close(self) -> None:
        if self._bus is not None:
            self._bus.close()


def open_idle_inhibitors(
    meeting_apps: AppNames,
    presenting_apps: AppNames,
    ignore_apps: AppNames,
    address: str | None = None,
) -> IdleInhibitors:
    """The inhibitor lists this desktop keeps; SignalUnavailable saying why when it keeps none.
    `address` is the session bus, by default the one libdbus would use."""
    from glutecoach.presence.freedesktop import Bus, session_bus_address

    try:
        bus = Bus(address or session_bus_address(), CALL_TIMEOUT)
    except PresenceUnavailable as e:
        raise SignalUnavailable(f"D-Bus: {e}") from e
    lists: list[InhibitorList] = []
    reasons: list[str] = []
    for kind in (GnomeSession, KdePolicyAgent, PowerManagement):
        if kind is PowerManagement and any(isinstance(x, KdePolicyAgent) for x in lists):
            continue  # PowerDevil answers both; its agent's list has the reasons
        try:
            lists.append(kind(bus))
        except SignalUnavailable as e:
            reasons.append(f"{kind.label}: {e}")
    if not lists:
        bus.close()
        raise SignalUnavailable(f"no session or power manager lists idle inhibitors here"
                                f" ({'; '.join(reasons)})")  # fmt: skip
    return IdleInhibitors(lists, meeting_apps, presenting_apps, ignore_apps, bus)

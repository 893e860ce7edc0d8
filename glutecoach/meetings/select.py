"""Open the meeting signals the config asks for, and ask them whether the user is in a meeting."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable
from datetime import datetime, tzinfo

from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import MeetingSignal, MeetingSource, SignalUnavailable
from glutecoach.meetings.config import MeetingsConfig

log = logging.getLogger(__name__)

Opener = Callable[[MeetingsConfig, "tzinfo | None"], MeetingSource]


def _camera(config: MeetingsConfig, zone: tzinfo | None) -> MeetingSource:
    ignore = AppNames(config.ignore_apps)
    if sys.platform == "win32":
        from glutecoach.meetings.consentstore import ConsentStoreInUse

        return ConsentStoreInUse("camera", ignore)
    if sys.platform == "darwin":
        raise SignalUnavailable(
            "not supported on macOS yet (camera use is known to CoreMediaIO, which this coach"
            " does not call)"
        )
    from glutecoach.meetings.camera import LinuxCamera

    return LinuxCamera(ignore)


def _microphone(config: MeetingsConfig, zone: tzinfo | None) -> MeetingSource:
    ignore = AppNames(config.ignore_apps)
    if sys.platform == "win32":
        from glutecoach.meetings.consentstore import ConsentStoreInUse

        return ConsentStoreInUse("microphone", ignore)
    if sys.platform == "darwin":
        raise SignalUnavailable(
            "not supported on macOS yet (microphone use is known to CoreAudio, which this coach"
            " does not call)"
        )
    from glutecoach.meetings.microphone import PulseMicrophone

    return PulseMicrophone(ignore)


def _fullscreen(config: MeetingsConfig, zone: tzinfo | None) -> MeetingSource:
    if sys.platform in ("win32", "darwin"):
        raise SignalUnavailable("only X11 desktops are supported so far")
    if os.environ.get("XDG_SESSION_TYPE") == "wayland" or os.environ.get("WAYLAND_DISPLAY"):
        raise SignalUnavailable(
            "a Wayland session tells no client which window is fullscreen (X11 would see only"
            " XWayland windows)"
        )
    from glutecoach.meetings.fullscreen import X11Fullscreen

    return X11Fullscreen(AppNames(config.meeting_apps), AppNames(config.presenting_apps),
                         AppNames(config.ignore_apps))  # fmt: skip


def _inhibitor(config: MeetingsConfig, zone: tzinfo | None) -> MeetingSource:
    if sys.platform == "win32":
        raise SignalUnavailable(
            "not supported on Windows yet (powercfg /requests, which lists them, needs an"
            " administrator)"
        )
    if sys.platform == "darwin":
        raise SignalUnavailable("not supported on macOS yet (pmset -g assertions is not read)")
    from glutecoach.meetings.inhibitors import open_idle_inhibitors

    return open_idle_inhibitors(AppNames(config.meeting_apps), AppNames(config.presenting_apps),
                                AppNames(config.ignore_apps))  # fmt: skip


def _do_not_disturb(config: MeetingsConfig, zone: tzinfo | None) -> MeetingSource:
    from glutecoach.meetings.dnd import open_do_not_disturb

    return open_do_not_disturb()


def _calendar(config: MeetingsConfig, zone: tzinfo | None) -> MeetingSource:
    from glutecoach.meetings.ics import IcsCalendar

    path = config.calendar_path()
    if path is None:  # the config's validator makes this unreachable; say it plainly anyway
        raise SignalUnavailable('no calendar file is set (calendar = "path/to/file.ics")')
    return IcsCalendar(path, zone)


OPENERS: dict[str, Opener] = {
    "camera": _camera,
    "microphone": _microphone,
    "fullscreen": _fullscreen,
    "inhibitor": _inhibitor,
    "do-not-disturb": _do_not_disturb,
    "calendar": _calendar,
}


def open_meeting_sources(
    config: MeetingsConfig, zone: tzinfo | None = None, names: Iterable[str] | None = None
) -> tuple[list[MeetingSource], list[str]]:
    """The enabled signals that work here, and one line per enabled signal that cannot (for the
    coach to log once). `zone` is the user's time zone for calendar times without one (the
    schedule's zone; the system's when None). `names`: only these of the enabled signals."""
    sources: list[MeetingSource] = []
    reasons: list[str] = []
    for name in config.enabled() if names is None else names:
        try:
            sources.append(OPENERS[name](config, zone))
        except SignalUnavailable as e:
            reasons.append(f"{name}: {e}")
        except Exception as e:  # a bug in one adapter must not keep the coach from starting
            log.exception("opening the meeting signal %s failed", name)
            reasons.append(f"{name}: failed to open ({e})")
    return sources, reasons


def any_meeting(sources: Iterable[MeetingSource], now: datetime) -> MeetingSignal | None:
    """The first signal that is on, or None. Later sources are not read once one is on: the
    answer is the same and the poll stays cheap."""
    for source in sources:
        try:
            signal = source.read(now)
        except Exception:  # read() must not raise; if a bug makes it, that source says nothing
            log.exception("reading the meeting signal %s failed", source.name)
            continue
        if signal.on:
            return signal
    return None


def close_all(sources: Iterable[MeetingSource]) -> None:
    for source in sources:
        try:
            source.close()
        except Exception:
            log.exception("closing the meeting signal %s failed", source.name)

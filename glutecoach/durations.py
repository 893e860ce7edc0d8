"""Durations and moments as people type and read them: pauses typed as 30m, 2h, 1h30m, 90
(minutes) or until-tomorrow; sitting time and moments as every view of the coach shows them."""

from __future__ import annotations

import math
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from glutecoach.errors import InputError

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|m|min|s)?", re.IGNORECASE)


def pause_until(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """When a pause of `text` that starts `now` ends."""
    t = text.strip().lower()
    if t in ("until-tomorrow", "tomorrow"):
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(0), zone)
    return now + parse_duration(t)


def parse_duration(text: str) -> timedelta:
    pos, total = 0, timedelta()
    text = text.replace(" ", "")
    if not text:
        raise InputError('empty duration; use e.g. "30m", "2h" or "until-tomorrow"')
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m or m.end() == pos:
            raise InputError(f'"{text}" is not a duration like "30m", "2h", "1h30m" '
                             'or "until-tomorrow"')
        value, unit = float(m.group(1)), (m.group(2) or "m").lower()
        try:
            total += {"h": timedelta(hours=value), "s": timedelta(seconds=value)}.get(
                unit, timedelta(minutes=value))
        except OverflowError:  # "99999999999h": far past the limit below
            total = timedelta.max
        pos = m.end()
    if total <= timedelta(0) or total > timedelta(days=7):
        raise InputError(f'"{text}": a pause lasts more than 0 and at most 7 days')
    return total


# Fixed English names: the rest of the interface is English, whatever the locale says.
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def sitting_text(seconds: float) -> str:
    """How long someone has sat, the one way every view says it (the prompt bubble, `status`,
    the tray, `break-now`, the break window): whole minutes rounded down, so that no two views
    disagree by a minute and a prompt never claims a minute not yet sat; "under a minute"
    instead of "0 min". 45 -> "45 min", 95 -> "1 h 35 min": hours read faster in a bubble."""
    # The epsilon: minutes that went through a float division (the tray's) must not lose one.
    total = max(0, math.floor(seconds / 60 + 1e-6))
    if total == 0:
        return "under a minute"
    hours, rest = divmod(total, 60)
    if hours == 0:
        return f"{rest} min"
    return f"{hours} h" if rest == 0 else f"{hours} h {rest:02d} min"


def break_in_text(seconds: float) -> str:
    """The time left before a break comes, the one way the heads-up bubble and the tray say
    it: whole minutes from a minute on ("1 min", "2 min"), seconds below ("45 s"), never
    "0 min". A wake-up a moment late leaves 59.8 s: that is still the "1 min" asked for."""
    whole = max(1, round(seconds))
    return f"{round(whole / 60)} min" if whole >= 60 else f"{whole} s"


def when_text(moment: datetime, now: datetime) -> str:
    """A moment as HH:MM in the zone of `now`, with its day named unless it is today:
    "14:15", "tomorrow, Fri 4 Dec 00:00", "Mon 7 Dec 09:00". A pause "until 00:00" alone
    does not say which midnight."""
    moment = moment.astimezone(now.tzinfo)
    clock = moment.strftime("%H:%M")
    days = (moment.date() - now.date()).days
    if days == 0:
        return clock
    day = f"{_WEEKDAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]}"
    return f"tomorrow, {day} {clock}" if days == 1 else f"{day} {clock}"

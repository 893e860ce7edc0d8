"""Pause durations as people type them: 30m, 2h, 1h30m, 90 (minutes), until-tomorrow."""

from __future__ import annotations

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

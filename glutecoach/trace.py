"""Trace files (spec: "Trace files"): strict CSV reading, every bad row named by file and line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from glutecoach.days import HANDLED_RANGE, handled
from glutecoach.errors import InputError

INTERVAL_EVENTS = ("active", "locked", "suspended", "paused")
ANSWER_EVENTS = ("done", "snooze", "skip")
HEADER = ["at", "until", "event"]
MAX_SPAN_DAYS = 3660


@dataclass(frozen=True)
class TraceRow:
    line: int
    at: datetime
    until: datetime | None
    event: str


def parse_instant(text: str, zone: ZoneInfo) -> datetime:
    """ISO 8601; without an offset it is a local time in `zone` (an ambiguous one: the first).

    Returned in UTC: Python compares and subtracts datetimes that share a tzinfo by wall clock,
    so local times around a DST change would sort, and check until >= at, out of order."""
    t = datetime.fromisoformat(text.strip())
    if t.tzinfo is None:
        t = t.replace(tzinfo=zone)
    return t.astimezone(UTC)


def read_trace(path: Path, zone: ZoneInfo) -> list[TraceRow]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return parse_trace(f.read(), zone, str(path))
    except FileNotFoundError:
        raise InputError(f"{path}: no such trace file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the trace ({exc.strerror})") from None


def parse_trace(text: str, zone: ZoneInfo, name: str = "<trace>") -> list[TraceRow]:
    # line_num, not a row count: a quoted field may span lines, and errors name the file's line.
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[TraceRow] = []
    header_seen = False
    for fields in _fields(reader, name):
        number = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if not header_seen:
            if [f.strip().lower() for f in fields] != HEADER:
                raise InputError(f'{name}:{number}: the header must be "at,until,event", '
                                 f'not "{",".join(fields)}"')
            header_seen = True
            continue
        rows.append(_row(fields, number, zone, name))
    if not header_seen:
        raise InputError(f'{name}: empty file; a trace starts with the header "at,until,event"')
    if not rows:
        raise InputError(f"{name}: no events after the header")
    _check_span(rows, name)
    return rows


def _fields(reader: Any, name: str) -> Iterator[list[str]]:
    """The csv reader's rows; its own errors (a field over its size limit, say) name the line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"{name}:{reader.line_num}: not a readable CSV row ({exc})") \
                from None


def _check_span(rows: list[TraceRow], name: str) -> None:
    """A trace of decades is a typo in a year, and would keep the rules busy for minutes."""
    first = min(r.at for r in rows)
    last_row = max(rows, key=lambda r: r.until or r.at)
    days = ((last_row.until or last_row.at) - first).days
    if days > MAX_SPAN_DAYS:
        raise InputError(f"{name}:{last_row.line}: the trace spans {days} days; at most "
                         f"{MAX_SPAN_DAYS} (ten years) are simulated. A typo in a year?")


def _row(fields: list[str], number: int, zone: ZoneInfo, name: str) -> TraceRow:
    where = f"{name}:{number}"
    if len(fields) != 3:
        raise InputError(f"{where}: expected 3 fields (at,until,event), found {len(fields)}")
    at_text, until_text, event = (f.strip() for f in fields)
    if event not in INTERVAL_EVENTS + ANSWER_EVENTS:
        known = ", ".join(INTERVAL_EVENTS + ANSWER_EVENTS)
        raise InputError(f'{where}: unknown event "{event}" (known: {known})')
    at = _instant(at_text, "at", where, zone)
    until = None
    if event in INTERVAL_EVENTS:
        if not until_text:
            raise InputError(f'{where}: "{event}" needs an end time in "until"')
        until = _instant(until_text, "until", where, zone)
        if until < at:
            raise InputError(f"{where}: until ({until_text}) is before at ({at_text})")
    elif until_text:
        raise InputError(f'{where}: "{event}" is a moment; leave "until" empty')
    return TraceRow(number, at, until, event)


def _instant(text: str, column: str, where: str, zone: ZoneInfo) -> datetime:
    if not text:
        raise InputError(f'{where}: "{column}" is empty')
    try:
        t = parse_instant(text, zone)
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00 is in the year 10000 in UTC
        t = None
    except ValueError:
        raise InputError(f'{where}: "{column}" is not an ISO 8601 time: "{text}"') from None
    if t is None or not handled(t):
        raise InputError(f'{where}: "{column}" {text} is outside the times GluteCoach handles '
                         f"({HANDLED_RANGE}); a typo in a year?")
    return t

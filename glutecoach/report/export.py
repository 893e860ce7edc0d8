"""`report --json` (spec/cli.md) and `report --csv FILE`, and writing files for the user alone.

JSON: `{"week", "from", "to", "days": [DAY x 7, Monday first], "totals", "previous_week",
"muscles"}` exactly as cli.md says; figures that cli.md does not name live under `"extra"` only.

CSV (one file, UTF-8, a header row, one row per prompt and per sitting stretch of the week,
in time order; times are ISO 8601 local times with their UTC offset, as everywhere):

    kind       "prompt" or "stretch"
    date       the local date the row counts on (a prompt: when shown; a stretch: see below)
    start      prompt: when it was shown; stretch: its first input (or local midnight)
    end        prompt: when it ended (answered, auto-done or missed), empty while pending;
               stretch: its last input (or local midnight; now for a stretch still going on)
    minutes    prompt: minutes from shown to end; stretch: its sitting minutes
    outcome    prompt: done, snoozed, skipped, missed or pending; stretch: empty
    auto       prompt: true when it ended by itself (a break taken without answering); else false
    snoozes    prompt: snoozes in a row before it
    exercise   prompt: the exercise offered (id), if any
    over_limit stretch: true when it was longer than schedule.sit_minutes
    ongoing    stretch: true when it has not ended yet (counted up to now)

A stretch across local midnight is two rows, one per date, as in the day table, so the stretch
minutes of a date add up to that day's `sitting_minutes`.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from glutecoach.errors import GlutecoachError, InputError
from glutecoach.report.build import WeekReport
from glutecoach.report.figures import GOAL_SOURCE

CSV_COLUMNS = ("kind", "date", "start", "end", "minutes", "outcome", "auto", "snoozes",
               "exercise", "over_limit", "ongoing")


def _iso(t: datetime | None, r: WeekReport) -> str:
    return "" if t is None else t.astimezone(r.zone).isoformat(timespec="seconds")


def _round(minutes: float) -> float:
    return round(minutes, 2)


def report_json(r: WeekReport) -> dict[str, Any]:
    movement, counted = r.goal_days
    return {
        "week": str(r.week),
        "from": r.week.monday.isoformat(),
        "to": r.week.sunday.isoformat(),
        "days": [d.as_json() for d in r.days],
        "totals": r.totals(),
        "previous_week": r.previous_totals(),
        "muscles": dict(r.muscles),
        "extra": {
            "zone": r.zone.key,
            "deferred_by_meetings": r.deferred,
            "generated_at": _iso(r.now, r),
            "sit_limit_minutes": r.sit_limit_minutes,
            "movement_goal_minutes": r.goal_minutes,
            "movement_goal_source": GOAL_SOURCE,
            "days": [{
                "date": f.date.isoformat(),
                "status": f.status,  # past | today | future, by the wall clock's local date
                "stretches_over_limit": f.over_limit,
                "movement_minutes": _round(f.movement_seconds / 60),
                "work_minutes": _round(f.work_seconds / 60),
                "goal_met": f.goal_met,  # null: a day off, today so far, or the future
                # A day off (no work windows): its note or holiday name ("" for none), else null.
                "day_off": f.day_off,
                "sitting_minutes_by_hour": [_round(s / 60) for s in f.heat],
            } for f in r.figures],
            "totals": {
                "stretches_over_limit": r.over_limit,
                "movement_minutes": _round(r.movement_minutes),
                "goal_days_met": movement,
                "goal_days": counted,
            },
            "previous_week": {
                "stretches_over_limit": r.previous_over_limit,
                "movement_minutes": _round(r.previous_movement_minutes),
            },
            "goal_streak_days": r.streak,
            "unknown_exercises": dict(r.unknown_exercises),
        },
    }


def report_csv(r: WeekReport) -> str:
    rows: list[tuple[datetime, int, list[object]]] = []
    limit = r.sit_limit_minutes * 60
    for p in r.parts:
        rows.append((p.start, 0, [
            "stretch", p.date.isoformat(), _iso(p.start, r), _iso(p.end, r),
            _round(p.seconds / 60), "", "", "", "", _bool(p.seconds > limit), _bool(p.ongoing)]))
    for q in r.prompts:
        minutes = "" if q.answered_at is None else _round((q.answered_at - q.at).total_seconds()
                                                           / 60)
        rows.append((q.at, 1, [
            "prompt", q.at.astimezone(r.zone).date().isoformat(), _iso(q.at, r),
            _iso(q.answered_at, r), minutes, q.outcome, _bool(q.auto), q.snoozes,
            q.exercise or "", "", ""]))
    rows.sort(key=lambda row: (row[0], row[1]))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    w.writerows(row for _t, _k, row in rows)
    return out.getvalue()


def _bool(x: bool) -> str:
    return "true" if x else "false"


def write_private(path: Path, data: str) -> Path:
    """Write `data` to `path` readable by the user alone (health data), replacing it whole: a
    reader never sees half a file, and an existing file's looser permissions do not survive."""
    path = path.expanduser()
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a file name")
    parent = path.parent
    if not parent.is_dir():
        raise InputError(f"{path}: the folder {parent} does not exist")
    try:
        # mkstemp creates the file with mode 0600 whatever the umask.
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    except PermissionError:
        raise InputError(f"{path}: no permission to write in {parent}") from None
    except OSError as exc:
        raise GlutecoachError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise GlutecoachError(f"{path}: cannot write ({exc.strerror})") from None
    return path

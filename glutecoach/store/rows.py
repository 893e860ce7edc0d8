"""Reading history back when some rows are damaged: a time that is not a time, text that is not
UTF-8, a plan that is not JSON. Each damaged row is named (its table and id) and the rest is read;
one bad row must not hide, or fail, a whole history.

The queries are plain SQL: the ORM turns the first undecodable text into an error for the whole
query, and a garbage time (text that sorts after every real one) silently drops out of a range.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from glutecoach.days import handled
from glutecoach.history import Break, History, Prompt, Stretch

OUTCOMES = ("done", "snoozed", "skipped", "missed", "pending")
KINDS = ("natural", "prompted")
REASONS = ("idle", "lock", "suspend")

# Stored instants sort as text ("2026-11-23 08:30:00.000000", SQLAlchemy's DATETIME on SQLite), so
# a range query simply never meets a row whose time sorts outside the years the rules handle:
# garbage text (after them), a number (before), a blob (after). One scan per table finds those
# rows; garbage that sorts inside the years is met, and named, when its range is read. The bounds
# must not look like numbers: the columns have NUMERIC affinity, which would compare '1900' as
# the number 1900, below any text.
_OUTSIDE = "({c} < '1900-01-01' OR {c} >= '9999-01-01')"


def _outside(column: str, optional: bool = False) -> str:
    test = _OUTSIDE.format(c=column)
    return f"({column} IS NOT NULL AND {test})" if optional else f"({column} IS NULL OR {test})"


def stored(t: datetime) -> str:
    """An instant as the store writes it (naive UTC text), for comparisons in SQL."""
    u = t.astimezone(UTC) if t.tzinfo else t
    return (f"{u.year:04d}-{u.month:02d}-{u.day:02d} {u.hour:02d}:{u.minute:02d}:"
            f"{u.second:02d}.{u.microsecond:06d}")


class Damaged(ValueError):
    """A row that cannot be read as it is: what is wrong with it."""


def instant(value: Any, column: str) -> datetime:
    """A stored instant as an aware UTC datetime, or Damaged."""
    if not isinstance(value, str):
        raise Damaged(f"{column} holds {_show(value)}, not a time")
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        raise Damaged(f"{column} holds {_show(value)}, not a time") from None
    t = t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC)
    if not handled(t):
        raise Damaged(f"{column} holds {_show(value)}, outside the times GluteCoach handles")
    return t


def text(value: Any, column: str, allowed: Sequence[str] | None = None) -> str | None:
    """A text column read as bytes (CAST AS BLOB), or Damaged when it is not UTF-8 text."""
    if value is None:
        return None
    try:
        s = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    except UnicodeDecodeError:
        raise Damaged(f"{column} is not UTF-8 text") from None
    if allowed is not None and s not in allowed:
        raise Damaged(f"{column} holds {_show(s)}, not one of {', '.join(allowed)}")
    return s


def _show(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


@dataclass
class Reader:
    """Reads one range of history through `conn`; `problem(table, id, what)` hears of each
    damaged row."""

    conn: Connection
    problem: Callable[[str, int, str], None]

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[Any]:
        yield from self.conn.exec_driver_sql(sql, params)

    def scan_garbage(self, table: str, required: Sequence[str], optional: Sequence[str]) -> None:
        """Name every row with a time that sorts outside the years handled (_OUTSIDE)."""
        bad = " OR ".join([*(_outside(c) for c in required),
                           *(_outside(c, optional=True) for c in optional)])
        columns = [*required, *optional]
        for row_id, *values in self.rows(f"SELECT id, {', '.join(columns)} FROM {table} "
                                         f"WHERE {bad} ORDER BY id"):
            try:
                for column, value in zip(columns, values, strict=True):
                    if value is not None or column in required:
                        instant(value, column)
            except Damaged as why:
                self.problem(table, row_id, f"{why}; the row is left out")

    def load(self, a: datetime | None, b: datetime | None) -> History:
        lo = stored(a) if a else "0000-00-00"  # text, not a number (see _OUTSIDE)
        hi = stored(b) if b else "9999-99-99"
        h = History()
        for row in self.rows(
                "SELECT id, start_utc, end_utc FROM stretches WHERE start_utc < ? AND "
                "(end_utc IS NULL OR end_utc >= ?) ORDER BY start_utc, id", (hi, lo)):
            self._add(h.stretches, "stretches", row, _stretch)
        for row in self.rows(
                "SELECT id, start_utc, became_utc, end_utc, CAST(kind AS BLOB), "
                "CAST(reason AS BLOB) FROM breaks WHERE start_utc >= ? AND start_utc < ? "
                "ORDER BY start_utc, id", (lo, hi)):
            self._add(h.breaks, "breaks", row, _break)
        for row in self.rows(
                "SELECT id, shown_utc, due_utc, snoozes, CAST(outcome AS BLOB), auto, "
                "answered_utc, CAST(exercise AS BLOB), CAST(deferred AS BLOB), "
                "CAST(plan_json AS BLOB) FROM prompts WHERE shown_utc >= ? AND shown_utc < ? "
                "ORDER BY shown_utc, id", (lo, hi)):
            if self._add(h.prompts, "prompts", row, _prompt):
                # What a prompt offered is kept apart: damaged, it goes, and the prompt stays.
                prompt, (row_id, exercise, deferred, plan) = h.prompts[-1], _extras(row)
                prompt.exercise = self._extra(row_id, exercise, "exercise")
                prompt.deferred = self._extra(row_id, deferred, "deferred")
                self._check_plan(row_id, plan)
        return h

    def _add(self, out: list[Any], table: str, row: Any, make: Callable[[Any], Any]) -> bool:
        try:
            out.append(make(row))
        except Damaged as why:
            self.problem(table, row[0], f"{why}; the row is left out")
            return False
        return True

    def _extra(self, row_id: int, value: Any, column: str) -> str | None:
        try:
            return text(value, column)
        except Damaged as why:
            self.problem("prompts", row_id, f"{why}; the prompt is kept without it")
            return None

    def _check_plan(self, row_id: int, plan: bytes | None) -> None:
        """History and reports do not show plans, but a damaged one is said, not hidden."""
        if plan is None:
            return
        try:
            json.loads(plan.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            self.problem("prompts", row_id, "its stored plan (plan_json) is damaged; the prompt "
                                            "is kept without it")


def _stretch(row: Any) -> Stretch:
    _, start, end = row
    return Stretch(instant(start, "start_utc"), _maybe(end, "end_utc"))


def _break(row: Any) -> Break:
    _, start, became, end, kind, reason = row
    return Break(instant(start, "start_utc"), instant(became, "became_utc"),
                 text(kind, "kind", KINDS), text(reason, "reason", REASONS),  # type: ignore[arg-type]
                 _maybe(end, "end_utc"))


def _prompt(row: Any) -> Prompt:
    """The prompt of a row, without what it offered (_extras)."""
    row_id, shown, due, snoozes, outcome, auto, answered, *_ = row
    return Prompt(row_id, instant(shown, "shown_utc"), instant(due, "due_utc"),
                  snoozes if isinstance(snoozes, int) else 0,
                  text(outcome, "outcome", OUTCOMES),  # type: ignore[arg-type]
                  auto == 1, _maybe(answered, "answered_utc"))


def _extras(row: Any) -> tuple[int, Any, Any, Any]:
    """id, exercise, deferred and plan_json of a prompt row."""
    return row[0], row[7], row[8], row[9]


def _maybe(value: Any, column: str) -> datetime | None:
    return None if value is None else instant(value, column)

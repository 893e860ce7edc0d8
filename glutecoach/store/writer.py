"""Writes the running coach's actions to the database as they happen, one short transaction each,
so a crash loses at most the action in flight. The open stretch's end is kept at the last input
seen, so a stretch cut short by a crash still has an honest length.

When a write fails (the database locked too long, a full disk), the actions are kept in memory and
written with the next batch: the transaction rolled back, so nothing is written twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from glutecoach.engine import (
    Action,
    BreakBegan,
    BreakEnded,
    PromptResolved,
    PromptShown,
    StretchEnded,
    StretchStarted,
)
from glutecoach.errors import GlutecoachError
from glutecoach.store.database import Store, _naive_utc, done_items
from glutecoach.store.tables import BreakRow, ExerciseLogRow, PromptRow, StretchRow

# actions, exercise per prompt number, delivered per prompt number, plan JSON per prompt number
Batch = tuple[list[Action], dict[int, str | None], dict[int, bool], dict[int, str]]


class StoreWriter:
    def __init__(self, store: Store, zone: str) -> None:
        self.store = store
        self.zone = zone
        self._stretch_id: int | None = None
        self._break_id: int | None = None
        self._prompt_ids: dict[int, int] = {}  # engine prompt number -> row id
        self.backlog: list[Batch] = []
        self._touched: tuple[int, datetime] | None = None  # the stretch end last written

    def apply(self, actions: list[Action], exercises: dict[int, str | None] | None = None,
              delivered: dict[int, bool] | None = None,
              plans: dict[int, str] | None = None) -> None:
        """Write these actions (and any left from a failed write) in one transaction.

        plans: the plan JSON (glutecoach.plans.Plan.to_json) shown with a prompt; when a prompt
        with a plan ends done, every item of the plan is logged, not only its main exercise."""
        if actions:
            self.backlog.append((actions, exercises or {}, delivered or {}, plans or {}))
        if not self.backlog:
            return
        ids = (self._stretch_id, self._break_id, dict(self._prompt_ids))
        try:
            with self.store.writing() as s:
                for batch in self.backlog:
                    self._write(s, *batch)
                s.commit()
        except Exception:
            # Rolled back: forget the ids this attempt handed out; the backlog stays.
            self._stretch_id, self._break_id, self._prompt_ids = ids
            raise
        self.backlog.clear()

    def _write(self, s: Session, actions: list[Action], exercises: dict[int, str | None],
               delivered: dict[int, bool], plans: dict[int, str]) -> None:
        for a in actions:
            match a:
                case StretchStarted(at=at):
                    row = StretchRow(start_utc=_naive_utc(at), end_utc=_naive_utc(at),
                                     tz=self.zone)
                    s.add(row)
                    s.flush()
                    self._stretch_id = row.id
                case StretchEnded(end=end):
                    if self._stretch_id is not None:
                        st = s.get(StretchRow, self._stretch_id)
                        if st is not None:
                            st.end_utc = _naive_utc(end)
                            s.add(st)
                    self._stretch_id = None
                case BreakBegan(start=start, at=at, kind=kind, reason=reason):
                    br = BreakRow(start_utc=_naive_utc(start), became_utc=_naive_utc(at),
                                  kind=kind, reason=reason, tz=self.zone)
                    s.add(br)
                    s.flush()
                    self._break_id = br.id
                case BreakEnded(end=end):
                    if self._break_id is not None and (b := s.get(BreakRow, self._break_id)):
                        b.end_utc = _naive_utc(end)
                        s.add(b)
                    self._break_id = None
                case PromptShown(number=n, at=at, due=due, snoozes=snoozes, deferred=deferred):
                    p = PromptRow(shown_utc=_naive_utc(at), due_utc=_naive_utc(due),
                                  snoozes=snoozes, tz=self.zone,
                                  exercise=exercises.get(n), delivered=delivered.get(n),
                                  plan_json=plans.get(n), deferred=deferred)
                    s.add(p)
                    s.flush()
                    assert p.id is not None
                    self._prompt_ids[n] = p.id
                case PromptResolved(number=n, at=at, outcome=outcome, auto=auto):
                    pid = self._prompt_ids.pop(n, None)
                    p = s.get(PromptRow, pid) if pid is not None else None
                    if p is not None:
                        p.outcome, p.auto, p.answered_utc = outcome, auto, _naive_utc(at)
                        s.add(p)
                        if outcome == "done":
                            for exercise, seconds in done_items(p):
                                s.add(ExerciseLogRow(prompt_id=p.id, at_utc=_naive_utc(at),
                                                     exercise=exercise, seconds=seconds,
                                                     tz=self.zone))

    def set_delivered(self, number: int, delivered: bool) -> None:
        pid = self._prompt_ids.get(number)
        if pid is None:
            return
        with self.store.writing() as s:
            p = s.get(PromptRow, pid)
            if p is not None:
                p.delivered = delivered
                s.add(p)
                s.commit()

    def touch_stretch(self, last_input: datetime) -> None:
        """Keep the open stretch's end at the last input, for crash safety. Only when it moved:
        a coach whose user reads or is away writes nothing (and costs no CPU) at its polls."""
        if self._stretch_id is None or self._touched == (self._stretch_id, last_input):
            return
        with self.store.writing() as s:
            st = s.get(StretchRow, self._stretch_id)
            if st is not None:
                st.end_utc = _naive_utc(last_input)
                s.add(st)
                s.commit()
        self._touched = (self._stretch_id, last_input)

    def shift_open(self, delta: timedelta) -> None:
        """Move the records still open (stretch, break, pending prompts) by `delta`: the wall
        clock was stepped back and the rules go on in the new time frame (coach/clockguard.py).
        Not while a backlog waits: its rows are not in the database to move."""
        if self.backlog:
            raise GlutecoachError("earlier records are still waiting to be written")
        self._touched = None  # the open stretch's end moves with it
        with self.store.writing() as s:
            rows: list[tuple[type[Any], int | None, tuple[str, ...]]] = [
                (StretchRow, self._stretch_id, ("start_utc", "end_utc")),
                (BreakRow, self._break_id, ("start_utc", "became_utc")),
                *((PromptRow, pid, ("shown_utc", "due_utc")) for pid in self._prompt_ids.values()),
            ]
            for table, row_id, columns in rows:
                row = s.get(table, row_id) if row_id is not None else None
                for column in columns if row is not None else ():
                    if getattr(row, column) is not None:
                        setattr(row, column, getattr(row, column) + delta)
                if row is not None:
                    s.add(row)
            s.commit()


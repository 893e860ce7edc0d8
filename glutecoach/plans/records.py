"""The plans' side of the history database: what was done, what was offered and not done, the
previous plan, stored levels, and recording feedback. The only module of glutecoach.plans that
touches the database."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from glutecoach.errors import GlutecoachError
from glutecoach.library import MUSCLES
from glutecoach.plans.model import Done, part_of
from glutecoach.plans.progress import Feedback, StoredLevel, after_feedback, current_levels
from glutecoach.plans.select import WEEK
from glutecoach.store.rows import Damaged, instant, stored, text
from glutecoach.store.tables import ExerciseLogRow, LevelRow

if TYPE_CHECKING:
    from glutecoach.library import Library
    from glutecoach.store import Store


def _naive_utc(t: datetime) -> datetime:
    return t.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class PlanHistory:
    """What a plan is chosen from, besides the library and the context."""

    done: tuple[Done, ...] = ()  # oldest first
    previous: tuple[str, ...] = ()  # exercise ids of the plan shown last
    levels: Mapping[str, StoredLevel] = field(default_factory=dict)
    # Exercises of plans shown and not done (any outcome but done, pending included), at the
    # moment they were shown, oldest first; only the last week counts (select.OFFERED_WEIGHT).
    offered: tuple[Done, ...] = ()


def read_history(store: Store, at: datetime) -> PlanHistory:
    """Everything done up to `at`, the plans offered and not done in the week before, the plan of
    the last prompt shown up to then, and the levels that feedback stored. The whole log is read:
    steady completion counts from the moment each level was stored, however long ago (a few
    thousand short rows a year)."""
    with store.reading() as s:
        return _read(s, at, store.problem)


Problem = Callable[[str, int, str], None]  # table, row id, what is wrong (Store.problem)


def _read(s: Session, at: datetime, problem: Problem) -> PlanHistory:
    """Plain SQL with text read as bytes (store.rows): a damaged row is named through `problem`
    and left out, so one bad row never stops the coach from planning (the ORM fails the whole
    query on the first text that is not UTF-8 or time that is not a time)."""
    conn, cut = s.connection(), stored(at)
    done = []
    for row_id, t, exercise in conn.exec_driver_sql(
            "SELECT id, at_utc, CAST(exercise AS BLOB) FROM exercise_log WHERE at_utc <= ? "
            "ORDER BY at_utc, id", (cut,)):
        try:
            done.append(Done(instant(t, "at_utc"), text(exercise, "exercise") or ""))
        except Damaged as why:
            problem("exercise_log", row_id, f"{why}; plans leave it out")
    previous: tuple[str, ...] = ()
    for row_id, plan_json, exercise in conn.exec_driver_sql(
            "SELECT id, CAST(plan_json AS BLOB), CAST(exercise AS BLOB) FROM prompts "
            "WHERE shown_utc <= ? ORDER BY shown_utc DESC, id DESC LIMIT 1", (cut,)):
        previous = _offer(row_id, plan_json, exercise, problem)
    levels = {r.muscle: StoredLevel(r.level, r.updated_utc.replace(tzinfo=UTC))
              for r in s.exec(select(LevelRow))}
    return PlanHistory(tuple(done), previous, levels, _offered(s, at, problem))


def _offered(s: Session, at: datetime, problem: Problem) -> tuple[Done, ...]:
    """The exercises of each plan shown in [at - WEEK, at] that did not end done."""
    out = []
    for row_id, shown, plan_json, exercise in s.connection().exec_driver_sql(
            "SELECT id, shown_utc, CAST(plan_json AS BLOB), CAST(exercise AS BLOB) FROM prompts "
            "WHERE shown_utc >= ? AND shown_utc <= ? AND outcome != 'done' "
            "ORDER BY shown_utc, id", (stored(at - WEEK), stored(at))):
        try:
            when = instant(shown, "shown_utc")
        except Damaged as why:
            problem("prompts", row_id, f"{why}; plans leave it out")
            continue
        out += [Done(when, i) for i in _offer(row_id, plan_json, exercise, problem)]
    return tuple(out)


def _offer(row_id: int, plan_json: bytes | None, exercise: bytes | None,
           problem: Problem) -> tuple[str, ...]:
    """The exercise ids a prompt row offered: its plan's, or (a prompt shown before plans were
    recorded, or one whose plan is damaged) its one exercise."""
    ids: tuple[str, ...] = ()
    try:
        plan = text(plan_json, "plan_json")
        if plan is not None:
            try:
                ids = tuple(str(i["exercise"]) for i in json.loads(plan)["items"])
            except (ValueError, KeyError, TypeError):
                raise Damaged("its stored plan (plan_json) is damaged") from None
    except Damaged as why:
        problem("prompts", row_id, f"{why}; plans use its main exercise")
    if ids:
        return ids
    try:
        one = text(exercise, "exercise")
    except Damaged as why:
        problem("prompts", row_id, f"{why}; plans leave it out")
        return ()
    return (one,) if one else ()


@dataclass(frozen=True)
class FeedbackResult:
    feedback: Feedback
    levels: dict[str, tuple[int, int]]  # muscle -> (before, after)
    rated: tuple[str, ...]  # exercise ids of the break whose log rows now carry the feedback
    break_at: datetime | None  # when that break was done


def apply_feedback(store: Store, library: Library, feedback: Feedback, at: datetime, *,
                   start_level: int, zone: ZoneInfo, muscle: str | None = None) -> FeedbackResult:
    """Record feedback on the glute exercises of the last break done (only those working
    `muscle` when it is given) and move the levels of their primary muscles (or of `muscle`)."""
    with store.writing() as s:
        latest = s.exec(select(ExerciseLogRow).where(ExerciseLogRow.at_utc <= _naive_utc(at))
                        .order_by(col(ExerciseLogRow.at_utc).desc(),
                                  col(ExerciseLogRow.id).desc()).limit(1)).first()
        group: list[ExerciseLogRow] = []
        if latest is not None:
            group = [latest] if latest.prompt_id is None else list(s.exec(
                select(ExerciseLogRow).where(ExerciseLogRow.prompt_id == latest.prompt_id)
                .order_by(col(ExerciseLogRow.id))))
        rated = []
        for row in group:
            ex = library.get(row.exercise)
            if ex is not None and part_of(ex) == "glute" and (
                    muscle is None or muscle in ex.primary_muscles):
                rated.append((row, ex))
        break_at = latest.at_utc.replace(tzinfo=UTC) if latest is not None else None
        if muscle is None and latest is None:
            raise GlutecoachError("no break has been done yet, so there is nothing to rate; to "
                                  "set a muscle's level, add --muscle maximus|medius|minimus")
        if muscle is None and not rated:
            when = break_at.astimezone(zone).strftime("%a %H:%M") if break_at else ""
            raise GlutecoachError(f"the last break done ({when}) had no glute exercise to rate; "
                                  "name a muscle with --muscle maximus|medius|minimus")
        muscles = [muscle] if muscle is not None else [
            m for m in MUSCLES if any(m in ex.primary_muscles for _, ex in rated)]

        history = _read(s, at, store.problem)
        now = current_levels(library, history.done, history.levels, start_level)
        changes: dict[str, tuple[int, int]] = {}
        for m in muscles:
            new = after_feedback(now[m], feedback)
            changes[m] = (now[m], new)
            row = s.get(LevelRow, m) or LevelRow(muscle=m, level=new,
                                                 updated_utc=_naive_utc(at))
            row.level, row.updated_utc = new, _naive_utc(at)
            s.add(row)
        for row, _ex in rated:
            row.feedback = feedback
            s.add(row)
        s.commit()
    return FeedbackResult(feedback, changes, tuple(ex.id for _, ex in rated), break_at)

"""The plans' side of the history database: what was done, what was offered and not done, the
previous plan, stored levels, and recording feedback. The only module of glutecoach.plans that
touches the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from glutecoach.errors import GlutecoachError
from glutecoach.library import MUSCLES
from glutecoach.plans.model import Done, ids_in_plan_json, part_of
from glutecoach.plans.progress import Feedback, StoredLevel, after_feedback, current_levels
from glutecoach.plans.select import WEEK
from glutecoach.store.tables import ExerciseLogRow, LevelRow, PromptRow

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
        return _read(s, at)


def _read(s: Session, at: datetime) -> PlanHistory:
    cut = _naive_utc(at)
    done = tuple(Done(t.replace(tzinfo=UTC), exercise) for t, exercise in s.exec(
        select(ExerciseLogRow.at_utc, ExerciseLogRow.exercise)
        .where(ExerciseLogRow.at_utc <= cut)
        .order_by(col(ExerciseLogRow.at_utc), col(ExerciseLogRow.id))))
    last = s.exec(select(PromptRow).where(PromptRow.shown_utc <= cut)
                  .order_by(col(PromptRow.shown_utc).desc(), col(PromptRow.id).desc())
                  .limit(1)).first()
    previous: tuple[str, ...] = ()
    if last is not None:
        # A prompt shown before plans were recorded has only its one exercise.
        previous = ids_in_plan_json(last.plan_json) or ((last.exercise,) if last.exercise else ())
    levels = {r.muscle: StoredLevel(r.level, r.updated_utc.replace(tzinfo=UTC))
              for r in s.exec(select(LevelRow))}
    return PlanHistory(done, previous, levels, _offered(s, at))


def _offered(s: Session, at: datetime) -> tuple[Done, ...]:
    """The exercises of each plan shown in [at - WEEK, at] that did not end done."""
    rows = s.exec(select(PromptRow.shown_utc, PromptRow.plan_json, PromptRow.exercise)
                  .where(PromptRow.shown_utc >= _naive_utc(at - WEEK),
                         PromptRow.shown_utc <= _naive_utc(at), PromptRow.outcome != "done")
                  .order_by(col(PromptRow.shown_utc), col(PromptRow.id)))
    return tuple(Done(shown.replace(tzinfo=UTC), exercise) for shown, plan_json, one in rows
                 # A prompt shown before plans were recorded has only its one exercise.
                 for exercise in ids_in_plan_json(plan_json) or ((one,) if one else ()))


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

        history = _read(s, at)
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

"""The tables. Instants are naive UTC (SQLite has no zone type) beside the zone name in force."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

# Naive UTC columns, whatever sqlmodel's default for datetime is (0.0.50+ maps `datetime` to an
# aware-only type that rejects the naive UTC values this store writes).
UTC_NAIVE = DateTime(timezone=False)


class StretchRow(SQLModel, table=True):
    __tablename__ = "stretches"
    id: int | None = Field(default=None, primary_key=True)
    start_utc: datetime = Field(index=True, sa_type=UTC_NAIVE)
    # None while the stretch goes on
    end_utc: datetime | None = Field(default=None, sa_type=UTC_NAIVE)
    tz: str
    source: str = "coach"  # coach | simulate


class BreakRow(SQLModel, table=True):
    __tablename__ = "breaks"
    id: int | None = Field(default=None, primary_key=True)
    start_utc: datetime = Field(index=True, sa_type=UTC_NAIVE)  # the last input before it
    became_utc: datetime = Field(sa_type=UTC_NAIVE)  # when the gap met the rules
    end_utc: datetime | None = Field(default=None, sa_type=UTC_NAIVE)
    kind: str  # natural | prompted
    reason: str  # idle | lock | suspend
    tz: str
    source: str = "coach"


class PromptRow(SQLModel, table=True):
    __tablename__ = "prompts"
    id: int | None = Field(default=None, primary_key=True)
    shown_utc: datetime = Field(index=True, sa_type=UTC_NAIVE)
    due_utc: datetime = Field(sa_type=UTC_NAIVE)
    outcome: str = "pending"  # done | snoozed | skipped | missed | pending
    auto: bool = False
    answered_utc: datetime | None = Field(default=None, sa_type=UTC_NAIVE)
    snoozes: int = 0  # snoozes in a row before this prompt
    exercise: str | None = None
    delivered: bool | None = None  # schema 2: did a notification reach the desktop
    # schema 3: the whole plan shown (glutecoach.plans.Plan.to_json), the exercise above being
    # its main glute exercise
    plan_json: str | None = None
    deferred: str | None = None  # schema 4: the meeting signal it waited for
    tz: str
    source: str = "coach"


class ExerciseLogRow(SQLModel, table=True):
    __tablename__ = "exercise_log"
    id: int | None = Field(default=None, primary_key=True)
    prompt_id: int | None = Field(default=None, foreign_key="prompts.id", index=True)
    at_utc: datetime = Field(index=True, sa_type=UTC_NAIVE)
    exercise: str
    seconds: float | None = None
    feedback: str | None = None  # easy | right | hard
    tz: str


class LevelRow(SQLModel, table=True):
    """Schema 3: the user's level (1-5) per glute muscle as last set by feedback. Steady completion
    after updated_utc raises it further; glutecoach.plans.progress works that out from the log."""

    __tablename__ = "levels"
    muscle: str = Field(primary_key=True)  # maximus | medius | minimus
    level: int
    updated_utc: datetime = Field(sa_type=UTC_NAIVE)

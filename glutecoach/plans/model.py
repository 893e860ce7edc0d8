"""A plan: the items of one break, what they work, and how it reads as one line or as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from glutecoach.library import Exercise

Part = Literal["walk", "glute"]


def part_of(exercise: Exercise) -> Part:
    """An exercise dosed by duration (walking, stairs, marching) is the moving part of a break;
    one dosed by reps belongs to the glute block. Balance counts only the glute block: level
    walking barely uses gluteus maximus (evidence.md), so counting it would flatter medius."""
    return "walk" if exercise.dose.reps is None else "glute"


@dataclass(frozen=True)
class Done:
    """One exercise done in a break (an exercise_log row, or a simulated one)."""

    at: datetime
    exercise: str


@dataclass(frozen=True)
class PlanItem:
    exercise: str  # id
    name: str
    seconds: int
    reps: int | None
    why: str  # the exercise's own line: the evidence for it
    part: Part
    dose: str  # "6 × 10 s hold", or the walk's duration
    reason: str  # why the planner picked it for this break

    def to_json(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "name": self.name, "seconds": self.seconds,
                "reps": self.reps, "why": self.why, "part": self.part, "dose": self.dose,
                "reason": self.reason}


@dataclass(frozen=True)
class Plan:
    items: tuple[PlanItem, ...]
    location: str
    muscles: tuple[str, ...]  # primary muscles of the glute block, in MUSCLES order
    slings: tuple[str, ...]  # slings of every item, in SLINGS order

    @property
    def seconds(self) -> int:
        return sum(i.seconds for i in self.items)

    @property
    def minutes(self) -> float | int:
        m = round(self.seconds / 60, 2)
        return int(m) if m.is_integer() else m

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.exercise for i in self.items)

    @property
    def main_exercise(self) -> str | None:
        """What the prompt row records: the first glute exercise, else the walk."""
        for item in self.items:
            if item.part == "glute":
                return item.exercise
        return self.items[0].exercise if self.items else None

    def text(self) -> str:
        """One line for a notification: "1 min 45 s brisk walk + 1 min 15 s standing glute
        squeeze (6 × 10 s hold)"."""
        from glutecoach.library.model import seconds_text

        parts = []
        for i in self.items:
            name = i.name[:1].lower() + i.name[1:]
            extra = f" ({i.dose})" if i.part == "glute" else ""
            parts.append(f"{seconds_text(i.seconds)} {name}{extra}")
        return " + ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """The `plan --json` document (spec/cli.md: minutes, items with exercise, name, seconds,
        reps, why), with what it works and where."""
        return {"minutes": self.minutes, "items": [i.to_json() for i in self.items],
                "location": self.location, "muscles": list(self.muscles),
                "slings": list(self.slings)}

    def to_json_text(self) -> str:
        """For the prompt row's plan_json column."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))

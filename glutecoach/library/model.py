"""One exercise file, validated: the fields, their vocabulary and the cross-checks between them.

Every model forbids unknown keys and is strict about types (TOML has real types, so `difficulty =
"3"` is a mistake, not a 3). Cross-field checks raise messages that start with the key they are
about, so the loader's warning can still name it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from glutecoach.library import MUSCLES

Muscle = Literal["maximus", "medius", "minimus"]
Sling = Literal["posterior-oblique", "lateral"]
Position = Literal["seated", "standing", "walking", "floor"]
Equipment = Literal["chair", "wall", "stairs", "step", "band"]
Intensity = Literal["low", "moderate", "high", "very-high"]
Area = Literal["knees", "lower-back", "outer-hip", "front-hip", "wrists", "shoulders", "neck",
               "calves", "balance", "floor-work"]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A rep without a hold still takes time: about two seconds up and down at a controlled pace.
SECONDS_PER_REP = 2.0


def intensity_band(percent_mvic: float) -> Intensity:
    """The band of a %MVIC figure (Neto 2020; Ebert 2017): low 0-20, moderate 21-40, high 41-60,
    very high above 60."""
    if percent_mvic <= 20:
        return "low"
    if percent_mvic <= 40:
        return "moderate"
    if percent_mvic <= 60:
        return "high"
    return "very-high"


def number(value: float) -> float | int:
    """81.0 -> 81, 62.7 -> 62.7: figures printed as the study printed them."""
    return int(value) if float(value).is_integer() else value


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(f'"{value}" is not an id (lowercase letters, digits and hyphens)')
    return value


def _no_duplicates(values: list[str]) -> list[str]:
    seen = {v for v in values if values.count(v) > 1}
    if seen:
        raise ValueError(f"listed twice: {', '.join(sorted(seen))}")
    return values


def _one_line(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    if "\n" in value.strip():
        raise ValueError("must be one line")
    return value.strip()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Evidence(_Strict):
    """One measured activation: a muscle, its %MVIC and the study it comes from (evidence.md)."""

    muscle: Muscle
    percent_mvic: float
    source: str
    # What the bare number cannot say: a range, which of two variants, a secondary source.
    note: str | None = None

    @field_validator("percent_mvic")
    @classmethod
    def _positive(cls, value: float) -> float:
        if not value > 0:
            raise ValueError("must be greater than 0")
        return value

    @field_validator("source")
    @classmethod
    def _source_named(cls, value: str) -> str:
        return _one_line(value)


class Dose(_Strict):
    """How much of it: reps, or a hold per rep, or a duration; in sets; on each side or not."""

    reps: int | None = Field(None, ge=1)
    sets: int = Field(1, ge=1)
    hold_seconds: float | None = Field(None, gt=0)
    duration_seconds: float | None = Field(None, gt=0)
    per_side: bool = False

    @model_validator(mode="after")
    def _something_to_do(self) -> Dose:
        if self.reps is None and self.duration_seconds is None:
            raise ValueError("needs reps or duration_seconds")
        if self.hold_seconds is not None and self.reps is None:
            raise ValueError("hold_seconds needs reps (how many holds)")
        return self

    @property
    def sides(self) -> int:
        return 2 if self.per_side else 1

    def minimum_seconds(self) -> float:
        """Time under the dose itself, without rests: a floor for the exercise's `seconds`."""
        one = self.duration_seconds or 0.0
        if self.reps is not None:
            one = max(one, self.reps * (self.hold_seconds or SECONDS_PER_REP))
        return one * self.sets * self.sides

    def describe(self) -> str:
        """"2 × 10 reps, hold 3 s, each side" — the dose as a person reads it."""
        if self.reps is not None:
            text = f"{self.reps} rep" + ("s" if self.reps != 1 else "")
            if self.hold_seconds is not None:
                text = f"{self.reps} × {seconds_text(self.hold_seconds)} hold"
        else:
            text = seconds_text(self.duration_seconds or 0)
        if self.reps is not None and self.duration_seconds is not None:
            text += f" in {seconds_text(self.duration_seconds)}"
        if self.sets > 1:
            text = f"{self.sets} sets of {text}"
        if self.per_side:
            text += ", each side"
        return text


def seconds_text(seconds: float) -> str:
    """75 -> "1 min 15 s", 120 -> "2 min", 40 -> "40 s"."""
    s = round(seconds)
    if s >= 60 and s % 60 == 0:
        return f"{s // 60} min"
    if s > 60:
        return f"{s // 60} min {s % 60} s"
    return f"{s} s"


class Exercise(_Strict):
    id: str
    name: str
    primary_muscles: list[Muscle] = Field(min_length=1)
    secondary_muscles: list[Muscle] = Field(default_factory=list)
    slings: list[Sling] = Field(default_factory=list)
    position: Position
    # What the exercise needs; empty when nothing is needed.
    equipment: list[Equipment] = Field(default_factory=list)
    # Body areas it loads beyond the glutes (AREAS), for `[coach] exclude_areas`; see `loads`.
    areas: list[Area] = Field(default_factory=list)
    # Fine at a desk in an open-plan office: no floor, no big or noisy movement.
    discreet: bool
    difficulty: int
    # Band of the highest measured %MVIC in `evidence`; absent where nothing was measured.
    intensity: Intensity | None = None
    dose: Dose
    # What a typical dose takes, start to finish, rests included.
    seconds: int
    steps: list[str] = Field(min_length=1)
    cues: list[str] = Field(default_factory=list)
    cautions: list[str] = Field(default_factory=list)
    regressions: list[str] = Field(default_factory=list)
    progressions: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    why: str

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        return _check_id(value)

    @field_validator("name", "why")
    @classmethod
    def _single_line(cls, value: str) -> str:
        return _one_line(value)

    @field_validator("difficulty")
    @classmethod
    def _difficulty_range(cls, value: int) -> int:
        if not 1 <= value <= 5:
            raise ValueError("must be 1-5")
        return value

    @field_validator("seconds")
    @classmethod
    def _seconds_range(cls, value: int) -> int:
        # A break is a few minutes; one item longer than ten is a mistake (minutes for seconds?).
        if not 5 <= value <= 600:
            raise ValueError("must be 5-600 (seconds)")
        return value

    @field_validator("primary_muscles", "secondary_muscles", "slings", "equipment", "areas")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        return _no_duplicates(values)

    @field_validator("steps", "cues", "cautions")
    @classmethod
    def _texts(cls, values: list[str]) -> list[str]:
        return [_one_line(v) for v in values]

    @field_validator("regressions", "progressions")
    @classmethod
    def _ids(cls, values: list[str]) -> list[str]:
        return _no_duplicates([_check_id(v) for v in values])

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        both = set(self.primary_muscles) & set(self.secondary_muscles)
        if both:
            raise ValueError(f"secondary_muscles: {', '.join(sorted(both))} is already primary")
        worked = set(self.muscles)
        for i, e in enumerate(self.evidence):
            if e.muscle not in worked:
                raise ValueError(f"evidence[{i}].muscle: {e.muscle} is not among the exercise's "
                                 "primary or secondary muscles")
        peak = self.peak_percent_mvic
        if peak is None and self.intensity is not None:
            raise ValueError("intensity: leave it out when evidence has no measured figure")
        if peak is not None and self.intensity != intensity_band(peak):
            raise ValueError(f'intensity: must be "{intensity_band(peak)}" for a highest measured '
                             f"figure of {peak:g}% MVIC (bands of Neto 2020 / Ebert 2017)")
        if self.position == "seated" and "chair" not in self.equipment:
            raise ValueError('equipment: a seated exercise needs "chair"')
        if self.position == "floor" and self.discreet:
            raise ValueError("discreet: a floor exercise is not discreet")
        if self.seconds < self.dose.minimum_seconds():
            raise ValueError(f"seconds: {self.seconds} is less than the dose itself takes "
                             f"({self.dose.minimum_seconds():g} s)")
        for key in ("regressions", "progressions"):
            if self.id in getattr(self, key):
                raise ValueError(f"{key}: lists the exercise itself")
        overlap = set(self.regressions) & set(self.progressions)
        if overlap:
            raise ValueError(f"progressions: {', '.join(sorted(overlap))} is also a regression")
        return self

    @property
    def muscles(self) -> list[str]:
        """Primary then secondary muscles, in the order of MUSCLES within each."""
        return ([m for m in MUSCLES if m in self.primary_muscles]
                + [m for m in MUSCLES if m in self.secondary_muscles])

    @property
    def peak_percent_mvic(self) -> float | None:
        return max((e.percent_mvic for e in self.evidence), default=None)

    @property
    def loads(self) -> frozenset[str]:
        """The areas it loads: those declared, plus floor-work for any floor exercise (so a user
        exercise cannot forget it)."""
        return frozenset(self.areas) | ({"floor-work"} if self.position == "floor" else set())

    @property
    def reps(self) -> int | None:
        return self.dose.reps

    def summary(self) -> dict[str, object]:
        """The `exercises list --json` item (spec/cli.md)."""
        return {
            "id": self.id,
            "name": self.name,
            "primary_muscles": list(self.primary_muscles),
            "secondary_muscles": list(self.secondary_muscles),
            "position": self.position,
            "equipment": list(self.equipment),
            "difficulty": self.difficulty,
            "seconds": self.seconds,
            "evidence": [{"muscle": e.muscle, "percent_mvic": number(e.percent_mvic),
                          "source": e.source}
                         for e in self.evidence],
        }

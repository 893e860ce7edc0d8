"""The `[coach]` config resolved for one moment: where the user is and what a plan may use there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from glutecoach.errors import InputError

if TYPE_CHECKING:
    from glutecoach.config import Coach, Config
    from glutecoach.library import Exercise


@dataclass(frozen=True)
class Context:
    location: str
    equipment: frozenset[str]
    discreet: bool
    floor: bool
    seated_only: bool
    exclude_exercises: frozenset[str]
    exclude_areas: frozenset[str]
    break_seconds: int  # what the plan fills: schedule.break_minutes
    start_level: int
    zone: ZoneInfo  # where "today" begins, for the balance over the day

    def allows(self, exercise: Exercise) -> bool:
        """Whether the exercise can be offered here: not excluded, nothing missing, fit for the
        place."""
        return (exercise.id not in self.exclude_exercises
                and not exercise.loads & self.exclude_areas
                and set(exercise.equipment) <= self.equipment
                and (exercise.discreet or not self.discreet)
                and (exercise.position != "floor" or self.floor)
                and (exercise.position == "seated" or not self.seated_only))


def location_at(coach: Coach, local: datetime) -> str:
    """The location whose `when` covers this local time, else the default one. Config validation
    guarantees that no two locations overlap."""
    day, clock = local.weekday(), local.time().replace(tzinfo=None)
    for name, loc in coach.locations.items():
        for days, window in loc.windows():
            if day in days and window.start <= clock < (window.end or time.max):
                return name
    return coach.default_location


def context_for(config: Config, at: datetime, location: str | None = None) -> Context:
    """The context at `at` (aware); `location` names one explicitly (plan --location)."""
    coach = config.coach
    zone = config.schedule.zone()
    name = location if location is not None else location_at(coach, at.astimezone(zone))
    loc = coach.locations.get(name)
    if loc is None:
        raise InputError(f'no location named "{name}" in [coach.locations] '
                         f'(defined: {", ".join(sorted(coach.locations))})')
    return Context(
        location=name,
        equipment=frozenset(loc.equipment),
        discreet=loc.discreet,
        floor=loc.floor,
        seated_only=loc.seated_only,
        exclude_exercises=frozenset(coach.exclude_exercises),
        exclude_areas=frozenset(coach.exclude_areas),
        break_seconds=round(config.schedule.break_minutes * 60),
        start_level=coach.start_level,
        zone=zone,
    )

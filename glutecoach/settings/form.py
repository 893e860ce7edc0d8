"""The settings form without Tk: the values it edits, what changed, the problems, the save.

The window reads every widget into a `SettingsForm` (parsing text with the helpers here), then
asks it for the problems of the config as it would be saved; only when there are none does it
save. The form works on a copy of the opened document each time, so a failed attempt leaves no
trace, and it sets only the keys whose value differs from what was in force when the window
opened: the user's file keeps every other key, comment and blank line.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glutecoach.config import WEEKDAYS, Location
from glutecoach.config_edit import day_off_entry, toml_value

if TYPE_CHECKING:
    from glutecoach.config_edit import ConfigDocument

# The keys the form edits, each one value (a list counts as one). The location profiles and the
# days off are compound values, compared field by field (see `changes`).
SCALAR_KEYS = (
    "schedule.sit_minutes", "schedule.break_minutes", "schedule.away_after_minutes",
    "schedule.snooze_minutes", "schedule.max_snoozes", "schedule.response_minutes",
    "schedule.timezone",
    *(f"schedule.hours.{day}" for day in WEEKDAYS),
    "schedule.days_off", "schedule.holidays",
    "coach.default_location", "coach.start_level", "coach.exclude_exercises",
    "coach.exclude_areas",
    "desktop.presence", "desktop.notifier", "desktop.tray", "desktop.break_window",
    "desktop.heads_up_seconds", "desktop.sound", "desktop.volume", "desktop.break_screen",
    "desktop.strict",
    "meetings.signals", "meetings.calendar", "meetings.ignore_apps", "meetings.meeting_apps",
    "meetings.presenting_apps",
    "report.movement_goal_minutes", "report.weekly_summary", "report.summary_day",
    "report.summary_time",
)  # fmt: skip
LOCATIONS = "coach.locations"
LOCATION_FIELDS = ("when", "equipment", "discreet", "floor", "seated_only")
# A profile that names only some fields gets these for the rest (config.Location's defaults).
LOCATION_DEFAULTS: dict[str, Any] = Location().model_dump()


class FieldError(ValueError):
    """Text in a field that cannot be read as its kind of value (said beside the field)."""


# --- reading what was typed -----------------------------------------------------------------


def parse_number(text: str) -> int | float | str | None:
    """A number as typed: a whole number, else a decimal one. Empty means "the default" (None:
    the key is left out). Anything else is passed on as it is, so that the models say what is
    wrong in the same words as `config check`."""
    text = text.strip()
    if re.fullmatch(r"\d+,\d+", text):  # a decimal comma, as many keyboards type it
        text = text.replace(",", ".")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def parse_ranges(texts: Iterable[str]) -> list[str]:
    """A day's ranges as typed, one per entry; an emptied entry is a removed range."""
    return [t.strip() for t in texts if t.strip()]


def parse_names(text: str) -> list[str]:
    """A comma-separated list of names ("zoom, teams")."""
    return [name.strip() for name in text.split(",") if name.strip()]


def names_text(names: Iterable[str]) -> str:
    return ", ".join(names)


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError(f'{what}: "{text.strip()}" is not a date like 2026-12-24') from None


def optional_text(text: str) -> str | None:
    """A text field whose empty value means "leave the key out"."""
    return text.strip() or None


@dataclass(frozen=True)
class DayOffRow:
    """One `[[schedule.days_off]]` entry as the form shows it."""

    first: date
    last: date | None = None
    note: str = ""

    @classmethod
    def from_value(cls, value: Mapping[str, Any]) -> DayOffRow:
        return cls(value["first"], value.get("last"), str(value.get("note", "")))

    def to_value(self) -> dict[str, Any]:
        """As the file holds it: `last` and `note` only when they say something."""
        return day_off_entry(self.first, self.last, self.note)

    def span_text(self) -> str:
        return str(self.first) if self.last in (None, self.first) else f"{self.first} – {self.last}"


def day_off_row(first: str, last: str, note: str) -> DayOffRow:
    """A day off from the three fields of the Days off tab; `last` may be empty (one day)."""
    start = parse_date(first, "first day")
    end = parse_date(last, "last day") if last.strip() else None
    if end is not None and end < start:
        raise FieldError(f"the last day ({end}) is before the first ({start})")
    return DayOffRow(start, end, note.strip())


def copy_day(hours: dict[str, list[str]], source: str, targets: Iterable[str]) -> None:
    """Give each target weekday the ranges of `source` (a copy: editing one leaves the other)."""
    for day in targets:
        if day != source:
            hours[day] = list(hours[source])


# --- the form ----------------------------------------------------------------------------------


class SettingsForm:
    """The values of the window, and the document they go back into."""

    def __init__(self, doc: ConfigDocument) -> None:
        self.doc = doc
        self.initial: dict[str, Any] = {key: toml_value(doc.get(key)) for key in SCALAR_KEYS}
        self.initial[LOCATIONS] = _locations_in_force(doc)
        self.values: dict[str, Any] = copy.deepcopy(self.initial)

    @property
    def path(self) -> Path:
        return self.doc.path

    def days_off(self) -> list[DayOffRow]:
        return [DayOffRow.from_value(v) for v in self.values["schedule.days_off"] or []]

    def hours(self) -> dict[str, list[str]]:
        return {day: list(self.values[f"schedule.hours.{day}"] or []) for day in WEEKDAYS}

    # --- what changed -----------------------------------------------------------------------

    def changes(self) -> dict[str, Any]:
        """Each key to set, with its new value (None: leave the key out of the file)."""
        # (A day of a file with no [schedule.hours] keeps the other days' default hours:
        # ConfigDocument.set starts a missing table from its default.)
        out = {key: self.values[key] for key in SCALAR_KEYS
               if self.values[key] != self.initial[key]}
        out.update(self._location_changes())
        return out

    def _location_changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        before, after = self.initial[LOCATIONS], self.values[LOCATIONS]
        for name, profile in after.items():
            if name not in before:
                out[f"{LOCATIONS}.{name}"] = dict(profile)
                continue
            for field in LOCATION_FIELDS:
                if profile.get(field) != before[name].get(field):
                    out[f"{LOCATIONS}.{name}.{field}"] = profile.get(field)
        for name in before:
            if name not in after:
                out[f"{LOCATIONS}.{name}"] = None
        return out

    def edited(self) -> ConfigDocument:
        """A copy of the document with the changes in it; the opened one stays as it was."""
        doc = copy.deepcopy(self.doc)
        for key, value in self.changes().items():
            if value is not None:
                doc.set(key, value)
            elif doc.is_set(key):
                doc.unset(key)
        return doc

    def problems(self) -> dict[str, str]:
        """What is wrong with the config as it would be saved: dotted key -> message."""
        return self.edited().problems()

    def save(self) -> ConfigDocument:
        """Write the changes (ConfigChanged when the file changed on disk meanwhile; InputError
        with the problems when the config would not be valid). Returns the saved document."""
        doc = self.edited()
        doc.save()
        return doc


def _locations_in_force(doc: ConfigDocument) -> dict[str, dict[str, Any]]:
    """Every location profile in force, each with all its fields: the shipped profiles with the
    file's keys over them, as config.Coach reads them."""
    from glutecoach.config import _DEFAULT_LOCATIONS

    raw = toml_value(doc.get(LOCATIONS)) if doc.is_set(LOCATIONS) else {}
    merged = {name: {**LOCATION_DEFAULTS, **data} for name, data in _DEFAULT_LOCATIONS.items()}
    for name, data in (raw or {}).items() if isinstance(raw, dict) else ():
        if isinstance(data, dict):
            merged[name] = {**merged.get(name, LOCATION_DEFAULTS), **data}
    return {name: {f: toml_value(profile.get(f)) for f in LOCATION_FIELDS}
            for name, profile in merged.items()}


def problem_field(problem_key: str, field_keys: Iterable[str]) -> str | None:
    """The field that shows a problem: the field of that key, else of the nearest key above it
    ("schedule.days_off.last" is shown by "schedule.days_off"), else the first field below it
    ("coach.locations" by "coach.locations.office.when")."""
    keys = list(field_keys)
    parts = problem_key.split(".")
    for n in range(len(parts), 0, -1):
        prefix = ".".join(parts[:n])
        if prefix in keys:
            return prefix
    return next((k for k in keys if k.startswith(problem_key + ".")), None)


def problem_text(problem_key: str, message: str, field_key: str | None = None) -> str:
    """A problem as shown beside its field: without the file and line, and without the key
    where the field is that key's own; with it where a field shows a key inside it
    ("coach.locations.home.when: ..." under the profiles) or no field shows it."""
    message = re.sub(r"^\S*?:\d+: ", "", message, count=1)
    if field_key == problem_key:
        return message.removeprefix(f"{problem_key}: ")
    return message if problem_key in message else f"{problem_key}: {message}"

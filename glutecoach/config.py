"""The user's config file: its models, where it is read from, and errors that name key and line.

The file is TOML; every section is a pydantic model that forbids unknown keys, so a typo is an
error with a "did you mean" rather than a silently ignored setting.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import tomllib
import types
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

from glutecoach.errors import InputError
from glutecoach.library.model import Area, Equipment
from glutecoach.meetings.config import MeetingsConfig

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Window:
    """One work window of a weekday, in local wall-clock time; `end` None means midnight."""

    start: time
    end: time | None

    def __str__(self) -> str:
        end = "24:00" if self.end is None else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}-{end}"


def parse_window(text: str) -> Window:
    """Parse "HH:MM-HH:MM"; the end may be 24:00. Windows do not cross midnight: split them."""
    m = _WINDOW.match(text)
    if not m:
        raise ValueError(f'"{text}" is not a window like "09:00-12:30"')
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise ValueError(f'"{text}" has a time that does not exist')
    start = time(h1, m1)
    end = None if h2 == 24 else time(h2, m2)
    if end is not None and end <= start:
        raise ValueError(
            f'"{text}" ends before it starts; a window may not cross midnight '
            f'(write "{start:%H:%M}-24:00" on one day and "00:00-{end:%H:%M}" on the next)'
        )
    return Window(start, end)


def _a_second_or_more(seconds_per_unit: float) -> AfterValidator:
    """At least one second: a shorter duration rounds to no time at all in the rules (with
    `sit_minutes = 1e-9` a prompt fell due at every instant and `simulate` never ended). A second
    keeps every loop of the rules finite and is still short enough for quick tests."""
    unit = " (0.0167 minutes)" if seconds_per_unit == 60 else ""

    def check(value: float) -> float:
        # In microseconds, rounded as timedelta rounds: what the rules will see.
        if round(value * seconds_per_unit * 1e6) < 1_000_000:
            raise ValueError(f"must be at least 1 second{unit}, not {value:g}")
        return value

    return AfterValidator(check)


# Durations in minutes and in seconds: finite, at least a second, and at most a day in minutes
# (no rule needs more, and 1e300 would overflow a timedelta).
Minutes = Annotated[float, Field(allow_inf_nan=False, le=24 * 60), _a_second_or_more(60)]
Seconds = Annotated[float, Field(allow_inf_nan=False), _a_second_or_more(1)]


class KeysError(ValueError):
    """A problem that involves several keys of a table (dotted paths below it): the error line
    points at the first of them that the file sets, with what to say about that key."""

    def __init__(self, by_key: dict[str, str]) -> None:
        super().__init__(next(iter(by_key.values())))
        self.by_key = by_key


class _Strict(BaseModel):
    # strict: TOML has real types, so `sit_minutes = true` or `"30"` is a mistake, not a 1 or a 30.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# What a weekday's windows look like, for error lines (config.example.toml shows the same).
_DAY_WINDOWS: Any = {"form": 'a list of "HH:MM-HH:MM" strings',
                     "example": ["09:00-12:30", "13:30-17:30"]}


class Hours(_Strict):
    """Work windows per weekday; a day left out or empty has no prompts."""

    mon: list[str] = Field(default_factory=list, json_schema_extra=_DAY_WINDOWS)
    tue: list[str] = Field(default_factory=list, json_schema_extra=_DAY_WINDOWS)
    wed: list[str] = Field(default_factory=list, json_schema_extra=_DAY_WINDOWS)
    thu: list[str] = Field(default_factory=list, json_schema_extra=_DAY_WINDOWS)
    fri: list[str] = Field(default_factory=list, json_schema_extra=_DAY_WINDOWS)
    sat: list[str] = Field(default_factory=list, json_schema_extra=_DAY_WINDOWS)
    sun: list[str] = Field(default_factory=list, json_schema_extra=_DAY_WINDOWS)

    @field_validator(*WEEKDAYS)
    @classmethod
    def _windows_parse(cls, value: list[str]) -> list[str]:
        windows = sorted((parse_window(v) for v in value), key=lambda w: w.start)
        for a, b in itertools.pairwise(windows):
            if a.end is None or a.end > b.start:
                raise ValueError(f"windows {a} and {b} overlap")
        return [str(w) for w in windows]

    def windows(self, weekday: int) -> list[Window]:
        """The windows of a weekday (0 = Monday), sorted."""
        return [parse_window(w) for w in getattr(self, WEEKDAYS[weekday])]


_DEFAULT_DAY = ["09:00-17:30"]


def _default_hours() -> Hours:
    return Hours(mon=_DEFAULT_DAY, tue=_DEFAULT_DAY, wed=_DEFAULT_DAY, thu=_DEFAULT_DAY,
                 fri=_DEFAULT_DAY)


class DayOff(_Strict):
    """One `[[schedule.days_off]]` entry: a day or a run of days with no work windows, both ends
    included (a vacation, a sick day). TOML dates, so `first = 2026-12-24`, not a string."""

    first: date = Field(json_schema_extra={"example": "2026-12-24"})
    last: date | None = Field(None, json_schema_extra={"example": "2027-01-01"})
    note: str = Field("", json_schema_extra={"example": "winter holiday"})

    @model_validator(mode="after")
    def _in_order(self) -> DayOff:
        if self.last is not None and self.last < self.first:
            raise KeysError({"last": f"must be on or after first ({self.first}), not {self.last}"})
        return self

    @property
    def end(self) -> date:
        return self.last if self.last is not None else self.first

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.end - self.first).days + 1)]


class Schedule(_Strict):
    """The `[schedule]` section: the sitting rules' numbers and the work windows."""

    timezone: str | None = Field(None, json_schema_extra={"example": "Europe/Berlin"})
    sit_minutes: Minutes = 30
    break_minutes: Minutes = 3
    away_after_minutes: Minutes = 5
    snooze_minutes: Minutes = 10
    max_snoozes: int = Field(2, ge=0)
    response_minutes: Minutes = 10
    hours: Hours = Field(default_factory=_default_hours)
    # Days with no work windows: vacations and other days off, and the public holidays of a
    # country ("DE", or with a subdivision "DE-BY"; the `holidays` package's codes).
    days_off: list[DayOff] = Field(default_factory=list)
    holidays: str | None = Field(None, json_schema_extra={"example": "DE-BY"})

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            import difflib  # only for a mistyped zone: not in the coach's memory all day
            import zoneinfo

            hint = difflib.get_close_matches(value, zoneinfo.available_timezones(), n=1)
            raise ValueError(
                f'"{value}" is not an IANA time zone name (like "Europe/Berlin")'
                + (f'; did you mean "{hint[0]}"?' if hint else "")
            ) from None
        return value

    @field_validator("holidays")
    @classmethod
    def _holidays_known(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # Only a config that sets holidays looks at the holidays package (see days_off.py).
        from glutecoach.days_off import holidays_problem

        problem = holidays_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _away_not_shorter_than_break(self) -> Schedule:
        away, brk = self.away_after_minutes, self.break_minutes
        if away < brk:
            raise KeysError({
                "away_after_minutes": f"must be at least break_minutes ({brk:g}), not {away:g}",
                "break_minutes": f"must be at most away_after_minutes ({away:g}), not {brk:g}",
            })
        return self

    def zone(self) -> ZoneInfo:
        """The configured zone, else the system's (UTC when the system names none)."""
        if self.timezone:
            return ZoneInfo(self.timezone)
        return system_zone()


class Desktop(_Strict):
    """The `[desktop]` section: which OS adapters the running coach uses."""

    presence: Literal[
        "auto", "x11", "wayland", "mutter", "freedesktop", "macos", "windows"
    ] = "auto"
    # "desktop-notifier": the old name of "freedesktop", still accepted.
    notifier: Literal["auto", "freedesktop", "desktop-notifier", "plyer", "terminal"] = "auto"
    tray: bool = True
    break_window: bool = True
    notification_timeout_seconds: Annotated[Seconds, Field(le=60)] = 5
    # The moment of the break (issue 14); none of these changes how sitting, breaks and outcomes
    # are counted. A quiet notice this many seconds before a prompt falls due; 0 turns it off.
    heads_up_seconds: int = Field(60, ge=0, le=600)
    # A short sound at the prompt and at the ends of the break window's countdowns.
    sound: Literal["chime", "off"] = "chime"
    volume: float = Field(0.7, ge=0, le=1)
    # How the break plan is shown: a window, or a screen covering every monitor.
    break_screen: Literal["window", "fullscreen"] = "window"
    # No Skip or Snooze, and a break screen that stays until break_minutes have passed (except
    # through a deliberate emergency exit, recorded as skipped).
    strict: bool = False


_CLOCK = re.compile(r"^(\d{2}):(\d{2})$")


class Report(_Strict):
    """The `[report]` section: the weekly review's daily movement goal and the weekly summary."""

    # Buckley 2015 (BJSM 49:1357): desk workers should build up to 2 h a day of standing and
    # light activity in working hours, then 4 h.
    movement_goal_minutes: Minutes = 120
    weekly_summary: bool = True
    summary_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "fri"
    summary_time: str = "16:00"

    @field_validator("summary_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        m = _CLOCK.match(value)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ValueError(f'"{value}" is not a time of day like "16:00"')
        return value

    def summary_clock(self) -> time:
        hour, minute = (int(x) for x in self.summary_time.split(":"))
        return time(hour, minute)


# --- the coach: where you are, what is at hand, what to leave out ------------------------------

_DAY_SPEC = re.compile(r"^[a-z]{3}(-[a-z]{3})?$")


def parse_when(text: str) -> tuple[frozenset[int], Window]:
    """Parse "DAYS HH:MM-HH:MM" (days: "mon", "mon-fri", "sat,sun", "fri-mon") into weekday
    numbers (0 = Monday) and a window."""
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(f'"{text}" is not like "mon-fri 09:00-17:30" (days, a space, a window)')
    days: set[int] = set()
    for spec in parts[0].lower().split(","):
        if not _DAY_SPEC.match(spec):
            raise ValueError(f'"{text}": "{spec}" is not a day ({", ".join(WEEKDAYS)}) or a range '
                             'of days like "mon-fri"')
        ends = spec.split("-")
        for day in ends:
            if day not in WEEKDAYS:
                raise ValueError(f'"{text}": "{day}" is not a day ({", ".join(WEEKDAYS)})')
        a, b = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        # A range may wrap round the week end: "fri-mon" is Friday to Monday.
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days), parse_window(parts[1])


class Location(_Strict):
    """A place where you take breaks (`[coach.locations.NAME]`): when you are there, what is at
    hand, and what the place allows."""

    # "DAYS HH:MM-HH:MM" entries; outside every location's times, default_location applies.
    when: list[str] = Field(default_factory=list, json_schema_extra={
        "form": 'a list of "DAYS HH:MM-HH:MM" strings', "example": ["mon-fri 09:00-17:30"]})
    equipment: list[Equipment] = Field(default_factory=list,
                                       json_schema_extra={"example": ["chair", "wall"]})
    # Only exercises that are fine at a desk in an open-plan office (no floor, nothing showy).
    discreet: bool = False
    # Room and a clean floor to lie down on.
    floor: bool = False
    # Only seated exercises: for days or places where standing up is not possible.
    seated_only: bool = False

    @field_validator("when")
    @classmethod
    def _when_parses(cls, value: list[str]) -> list[str]:
        for text in value:
            parse_when(text)
        return value

    def windows(self) -> list[tuple[frozenset[int], Window]]:
        return [parse_when(text) for text in self.when]


# What a location may be called (`[coach.locations.NAME]`).
LOCATION_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

# The shipped profiles. A profile of the same name in the file changes only the keys it sets.
_DEFAULT_LOCATIONS: dict[str, dict[str, Any]] = {
    "office": {"when": [], "equipment": ["chair", "wall"], "discreet": True, "floor": False,
               "seated_only": False},
    "home": {"when": ["sat-sun 00:00-24:00"], "equipment": ["chair", "wall"], "discreet": False,
             "floor": True, "seated_only": False},
}


def _default_locations() -> dict[str, Location]:
    return {name: Location.model_validate(data) for name, data in _DEFAULT_LOCATIONS.items()}


class Coach(_Strict):
    """The `[coach]` section: how break plans are chosen (the plan fills schedule.break_minutes)."""

    locations: dict[str, Location] = Field(default_factory=_default_locations)
    # Where you are when no location's `when` matches the time.
    default_location: str = "office"
    # The level (1-5) each muscle starts at before any feedback; 1 is the gentlest work.
    start_level: int = Field(1, ge=1, le=5)
    # Exercise ids never to offer, and body areas (glutecoach.library.AREAS) to leave alone.
    exclude_exercises: list[str] = Field(default_factory=list,
                                         json_schema_extra={"example": ["glute-bridge"]})
    exclude_areas: list[Area] = Field(default_factory=list,
                                      json_schema_extra={"example": ["knees"]})

    @field_validator("locations", mode="before")
    @classmethod
    def _over_defaults(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value  # the type check says what is wrong
        merged = {name: dict(data) for name, data in _DEFAULT_LOCATIONS.items()}
        for name, data in value.items():
            merged[name] = {**merged.get(name, {}), **data} if isinstance(data, dict) else data
        return merged

    @field_validator("locations")
    @classmethod
    def _no_overlap(cls, value: dict[str, Location]) -> dict[str, Location]:
        for name in value:
            if not LOCATION_NAME.match(name):
                raise ValueError(f'"{name}" is not a location name (lowercase letters, digits, '
                                 '"-" and "_")')
        spans = [(name, text, days, w) for name, loc in value.items()
                 for text, (days, w) in zip(loc.when, loc.windows(), strict=True)]
        for (n1, t1, d1, w1), (n2, t2, d2, w2) in itertools.combinations(spans, 2):
            end1, end2 = w1.end or time.max, w2.end or time.max
            if d1 & d2 and w1.start < end2 and w2.start < end1:
                message = (f'{n1}.when "{t1}" overlaps {n2}.when "{t2}": you can be in one '
                           "place at a time")
                raise KeysError({f"{n1}.when": message, f"{n2}.when": message})
        return value

    @field_validator("default_location")
    @classmethod
    def _known_location(cls, value: str, info: ValidationInfo) -> str:
        known = info.data.get("locations")
        if known is not None and value not in known:
            raise ValueError(f'no location named "{value}" (defined: {", ".join(sorted(known))})')
        return value

    @field_validator("exclude_exercises", "exclude_areas")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        for v in value:
            if not re.match(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", v):
                raise ValueError(f'"{v}" is not an exercise id (like "glute-bridge")')
        twice = sorted({v for v in value if value.count(v) > 1})
        if twice:
            raise ValueError(f"listed twice: {', '.join(twice)}")
        return value


class Config(_Strict):
    schedule: Schedule = Field(default_factory=Schedule)
    desktop: Desktop = Field(default_factory=Desktop)
    report: Report = Field(default_factory=Report)
    coach: Coach = Field(default_factory=Coach)
    meetings: MeetingsConfig = Field(default_factory=MeetingsConfig)


def changed_keys(old: Config, new: Config) -> list[str]:
    """The dotted keys whose values differ (`schedule.sit_minutes`), for the log and for
    telling which settings wait for the next start."""
    out: list[str] = []

    def walk(a: object, b: object, key: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(a.keys() | b.keys(), key=str):
                walk(a.get(k), b.get(k), f"{key}.{k}" if key else str(k))
        elif a != b:
            out.append(key)

    walk(old.model_dump(), new.model_dump(), "")
    return out


def system_zone() -> ZoneInfo:
    import tzlocal

    try:
        return ZoneInfo(tzlocal.get_localzone_name() or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# --- reading the file -------------------------------------------------------------------------


def load_config(path: Path | None) -> Config:
    """Read and validate a config file; no path means the defaults."""
    if path is None:
        return Config()
    try:
        # utf-8-sig: editors on Windows save a byte order mark, which TOML does not allow.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the config file ({exc})") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | str = "<config>") -> Config:
    """Validate TOML text; InputError with every problem (one line each) if it is wrong."""
    text = text.removeprefix("\ufeff")
    data = parse_toml(text, path)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise InputError(*_describe(exc, text, path)) from None


def parse_toml(text: str, path: Path | str = "<config>") -> dict[str, Any]:
    """TOML text as data; InputError "file:line: not valid TOML: ..." if it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"\(at line (\d+)", str(exc))  # file:line like the other errors
        where = f"{path}:{line.group(1)}" if line else str(path)
        raise InputError(f"{where}: not valid TOML: {exc}") from None


def _describe(exc: ValidationError, text: str, path: Path | str) -> list[str]:
    """One line per problem, in the order of the file: file, line, dotted key and what is wrong,
    in our words and with an example of the right form."""
    found: dict[str, int] = {}  # line -> its sort key (the file's line number)
    for err in exc.errors():
        line, message = _problem(err, text)
        where = f"{path}:{line}" if line else str(path)
        found.setdefault(f"{where}: {message}", line or 0)
    return sorted(found, key=lambda m: found[m])


def _problem(err: Any, text: str) -> tuple[int | None, str]:
    """(the line, "key: what") of one pydantic error."""
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, KeysError):
        return _keys_problem(cause, loc, text, list(err["loc"]))
    key = ".".join(loc) or "(top level)"
    line = _item_line(text, list(err["loc"])) or find_line(text, loc)
    if err["type"] == "extra_forbidden":
        return line, unknown_key_message(loc)
    return line, f"{key}: {_what(err, loc)}"


def unknown_key_message(loc: list[str]) -> str:
    """'unknown key a.b; did you mean "c"?' (or the keys that table knows), as `config check`
    says it; also for keys typed on the command line (`config get/set`)."""
    known = _known_keys(loc[:-1])
    import difflib  # only for a config with a typo: not in the coach's memory all day

    hint = difflib.get_close_matches(loc[-1], known, n=1)
    suggestion = f'; did you mean "{hint[0]}"?' if hint else f"; known keys: {', '.join(known)}"
    return f"unknown key {'.'.join(loc)}{suggestion}"


def problems_by_key(data: Any) -> dict[str, str]:
    """The problems of config data (parsed TOML) by dotted key, each worded as `config check`
    words it without the file and line ("schedule.sit_minutes: must be at least ..."); {} when
    it is valid. For editors that show a problem beside its key (the settings window, `config
    set`): a problem of several keys (away_after_minutes < break_minutes) is given for each."""
    try:
        Config.model_validate(data)
    except ValidationError as exc:
        found: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
            cause = (err.get("ctx") or {}).get("error")
            if isinstance(cause, KeysError):
                for sub, message in cause.by_key.items():
                    key = ".".join([*loc, *sub.split(".")])
                    found.setdefault(key, f"{key}: {message}")
                continue
            key = ".".join(loc) or "(top level)"
            message = (unknown_key_message(loc) if err["type"] == "extra_forbidden"
                       else f"{key}: {_what(err, loc)}")
            found.setdefault(key, message)
        return found
    return {}


def _keys_problem(cause: KeysError, loc: list[str], text: str,
                  raw: list[str | int]) -> tuple[int | None, str]:
    """A problem of several keys points at the first of them the file sets: its own line."""
    for sub, message in cause.by_key.items():
        line = (_item_line(text, [*raw, *sub.split(".")])
                or _key_line(text, [*loc, *sub.split(".")]))
        if line is not None:
            return line, f"{'.'.join([*loc, *sub.split('.')])}: {message}"
    sub, message = next(iter(cause.by_key.items()))
    return find_line(text, loc), f"{'.'.join([*loc, *sub.split('.')])}: {message}"


# pydantic's error types that mean "a value of the wrong type"
_TYPE_ERRORS = {"float_type", "float_parsing", "int_type", "int_parsing", "int_from_float",
                "bool_type", "bool_parsing", "string_type", "list_type", "dict_type",
                "model_type", "model_attributes_type"}
_BOUNDS = {"greater_than": ("gt", "more than"), "greater_than_equal": ("ge", "at least"),
           "less_than": ("lt", "less than"), "less_than_equal": ("le", "at most")}


def _what(err: Any, loc: list[str]) -> str:
    """What is wrong with a value, in our words."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx") or {}
    given = _toml(value)
    if kind.startswith("date_"):  # date_type, date_parsing, date_from_datetime_inexact...
        return f"must be {_date_form(loc)}" + (f", not {given}" if given else "")
    if kind == "missing":
        form, example = _expected(loc)
        return f"is missing: expected {form}" + (f", e.g. {example}" if example else "")
    if kind in _TYPE_ERRORS:
        form, example = _expected(loc)
        return f"expected {form}" + (f", e.g. {example}" if example else "") + \
            (f"; not {given}" if given else "")
    if kind == "literal_error":
        return f"{given or 'this'} is not one of {_choices(ctx.get('expected', ''))}"
    if kind in _BOUNDS:
        bound_key, words = _BOUNDS[kind]
        bound = ctx.get(bound_key)
        unit = _unit(loc).removesuffix("s") if bound == 1 else _unit(loc)
        return f"must be {words} {_toml(bound)}{unit}, not {given}"
    if kind == "finite_number":
        return f"must be a finite number{_unit(loc, 's')}, not {given}"
    return str(err["msg"]).removeprefix("Value error, ")


def _choices(expected: str) -> str:
    """pydantic's "'auto', 'x11' or 'mutter'" as TOML strings: "auto", "x11", "mutter"."""
    return ", ".join(json.dumps(c) for c in re.findall(r"'([^']*)'", expected)) or expected


def _unit(loc: list[str], plural: str = "") -> str:
    name = loc[-1] if loc else ""
    for suffix in ("minutes", "seconds"):
        if name.endswith(f"_{suffix}"):
            return f" of {suffix}" if plural else f" {suffix}"
    return ""


def _toml(value: Any) -> str:
    """A short value as it is written in TOML ("" for tables and long lists)."""
    if isinstance(value, date):  # and datetime: TOML writes both without quotes
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
    if isinstance(value, list) and len(value) <= 4:
        items = [_toml(v) for v in value]
        if all(items):
            return f"[{', '.join(items)}]"
    return ""


def _expected(loc: list[str]) -> tuple[str, str]:
    """(the form a key takes, an example of it) from its model: for error lines."""
    annotation, info = _field_at(loc)
    extra = info.json_schema_extra if info is not None and isinstance(
        info.json_schema_extra, dict) else {}
    example = extra.get("example")
    if example is None and info is not None and not info.is_required():
        default = info.get_default(call_default_factory=True)
        example = default if not isinstance(default, BaseModel) else None
    form = str(extra.get("form") or _form(annotation, loc))
    if _model_list(annotation) or _is_date(annotation):
        example = None  # their form shows one already
    return form, _toml(example)


def _is_date(annotation: Any) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_date(a) for a in get_args(annotation))
    return annotation is date


def _date_form(loc: list[str]) -> str:
    """"a TOML date like 2026-12-24 (no quotes)", with the key's own example."""
    _, info = _field_at(loc)
    extra = info.json_schema_extra if info is not None and isinstance(
        info.json_schema_extra, dict) else {}
    return f"a TOML date like {extra.get('example', '2026-12-24')} (no quotes)"


def _model_list(annotation: Any) -> type[BaseModel] | None:
    """The model of a list of tables (`list[DayOff]`: `[[schedule.days_off]]`), else None."""
    args = get_args(annotation)
    if get_origin(annotation) is list and args and isinstance(args[0], type) and issubclass(
            args[0], BaseModel):
        return args[0]
    return None


def _form(annotation: Any, loc: list[str]) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):  # `str | None`: None is "leave the key out"
        return _form(next(a for a in args if a is not type(None)), loc)
    if origin is Annotated:
        return _form(args[0], loc)
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "a whole number"
    if annotation is float:
        return f"a number{_unit(loc, 's')}"
    if annotation is str:
        return "a text in quotes"
    if annotation is date:
        return _date_form(loc)
    if _model_list(annotation):
        table = ".".join(loc)
        return f'a list of tables: a line "[[{table}]]" before the keys of each'
    if origin is Literal:
        return f"one of {', '.join(json.dumps(a) for a in args)}"
    if origin is list:
        inner = args[0] if args else str
        if get_origin(inner) is Literal:
            return f"a list of {', '.join(json.dumps(a) for a in get_args(inner))}"
        return "a list of texts in quotes"
    table = ".".join(loc)
    if origin is dict:
        return f'a table of named tables: a line "[{table}.NAME]" with its keys below it'
    return f'a table: a line "[{table}]" with its keys below it'


def _field_at(loc: list[str]) -> tuple[Any, FieldInfo | None]:
    """The annotation and field of a dotted key (None, None where the models have none)."""
    annotation: Any = Config
    info: FieldInfo | None = None
    parts = iter(loc)
    for part in parts:
        annotation = _model_list(annotation) or annotation  # a list of tables: their keys
        if get_origin(annotation) is dict:
            # A table of named tables ([coach.locations.NAME]): this part is a name.
            annotation, info = get_args(annotation)[1], None
            continue
        fields = getattr(annotation, "model_fields", None)
        if not isinstance(annotation, type) or fields is None or part not in fields:
            return None, None
        info = fields[part]
        annotation = info.annotation
    return annotation, info


def _known_keys(loc: list[str]) -> list[str]:
    annotation, _ = _field_at(loc)
    annotation = _model_list(annotation) or annotation
    if get_origin(annotation) is dict:
        return []  # the next part is a name of the user's choosing
    fields = getattr(annotation, "model_fields", None)
    return list(fields) if isinstance(annotation, type) and fields is not None else []


def find_line(text: str, loc: list[str]) -> int | None:
    """The line where a dotted key is set, else that of the nearest table above it that is."""
    line = _key_line(text, loc)
    if line is None and len(loc) > 1:
        # A key inside a table that is only named in a header: point at that header.
        return find_line(text, loc[:-1])
    return line


def _item_line(text: str, loc: list[str | int]) -> int | None:
    """The line of a key inside the n-th table of an array of tables (`[[schedule.days_off]]`,
    loc `schedule.days_off.1.first`): the key's own line, else that table's header. None when
    loc names no such item or the file writes the array inline (find_line finds those)."""
    at = next((i for i, p in enumerate(loc) if isinstance(p, int)), None)
    if at is None:
        return None
    table, index, keys = [str(p) for p in loc[:at]], loc[at], [str(p) for p in loc[at + 1:]]
    seen, header = -1, None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if line.startswith("["):
            if header is not None:
                break  # the item's table ended before the key
            array = re.match(r"^\[\[\s*([^\]]+?)\s*\]\]$", line)
            if array and [p.strip().strip('"') for p in array.group(1).split(".")] == table:
                seen += 1
                if seen == index:
                    header = number
            continue
        assign = re.match(r'^("?[\w-]+"?)\s*=', line)
        if header is not None and keys and assign and assign.group(1).strip('"') == keys[0]:
            return number
    return header


def _key_line(text: str, loc: list[str]) -> int | None:
    """The line where a dotted key is set: `key = ...` inside `[table]` (or an inline table or
    dotted key that holds it), or the table's header; None if the file does not set it."""
    table: list[str] = []
    header_line: int | None = None
    sub_line: int | None = None  # the first sub-table of loc ([coach.locations.home] for
    # coach.locations): a table of named tables that has no header of its own
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]$", line)
        if header:
            table = [p.strip().strip('"') for p in header.group(1).split(".")]
            if table == loc:
                header_line = number
            elif sub_line is None and loc and table[: len(loc)] == loc:
                sub_line = number
            continue
        assign = re.match(r'^("?[\w-]+"?(?:\s*\.\s*"?[\w-]+"?)*)\s*=', line)
        if assign:
            key = [p.strip().strip('"') for p in assign.group(1).split(".")]
            full = table + key
            if full == loc or (len(loc) > len(full) and loc[: len(full)] == full):
                return number
    return header_line or sub_line


# --- where it lives ---------------------------------------------------------------------------


def default_config_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("glutecoach", appauthor=False)) / "config.toml"


def resolve_config_path(option: Path | None) -> tuple[Path, str]:
    """Where the config is read from, and why: the option, the environment, or the default."""
    if option is not None:
        return option, "--config"
    env = os.environ.get("GLUTECOACH_CONFIG")
    if env:
        return Path(env), "$GLUTECOACH_CONFIG"
    return default_config_path(), "default"


def load_effective_config(option: Path | None) -> tuple[Config, Path | None]:
    """The config in force: an explicit path must exist; the default path may be absent."""
    path, source = resolve_config_path(option)
    try:
        absent = not path.exists()
    except OSError as exc:  # e.g. a folder on the way that this user may not enter
        raise InputError(f"{path}: cannot look for the config file ({exc.strerror})") from None
    if source == "default" and absent:
        return Config(), None
    return load_config(path), path

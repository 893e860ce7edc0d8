"""Reading the library: the shipped files, then the user's `exercises.d/`; warnings, not crashes.

A user who breaks one file should still get breaks from the other fifty exercises, so a bad file is
skipped with one warning line naming the file and the key (`exercises.d/foo.toml: difficulty: must
be 1-5`), in the style of config errors.

User files override shipped exercises by id. A user file whose id is a shipped one only needs the
keys it changes: it is laid over the shipped exercise (top-level keys replace, `dose` is merged key
by key), so `id = "lunge"` plus `difficulty = 4` is a complete override. A file with a new id must
be complete.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from glutecoach.library.model import Exercise
from glutecoach.paths import package_file

USER_DIR_NAME = "exercises.d"


def user_exercises_dir(config_option: Path | None = None) -> Path:
    """`exercises.d/` beside the config file in force (--config, $GLUTECOACH_CONFIG or default)."""
    from glutecoach.config import resolve_config_path

    return resolve_config_path(config_option)[0].parent / USER_DIR_NAME


def shipped_dir() -> Path:
    """The library that ships with GluteCoach: the wheel's glutecoach/exercises, or the
    repository's exercises/ in a checkout."""
    return package_file("exercises")


class Library:
    """The exercises in force, by id, and what was wrong while reading them."""

    def __init__(self, exercises: Iterable[Exercise], warnings: Iterable[str] = ()) -> None:
        self._by_id = {e.id: e for e in sorted(exercises, key=lambda e: e.id)}
        self.warnings: list[str] = list(warnings)

    def get(self, exercise_id: str) -> Exercise | None:
        return self._by_id.get(exercise_id)

    def all(self) -> list[Exercise]:
        """Every exercise, sorted by id."""
        return list(self._by_id.values())

    def ids(self) -> list[str]:
        return list(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self._by_id.values())

    def __contains__(self, exercise_id: object) -> bool:
        return exercise_id in self._by_id

    def filter(self, muscle: str | None = None, position: str | None = None,
               equipment: str | None = None,
               available: Iterable[str] | None = None) -> list[Exercise]:
        """Exercises matching every filter given.

        muscle: a primary muscle of the exercise (what plans balance on).
        position: seated, standing, walking or floor.
        equipment: the exercise uses this item; "none" means it needs nothing.
        available: the exercise needs nothing beyond these items (what is at hand).
        """
        have = None if available is None else set(available)
        out = []
        for e in self._by_id.values():
            if muscle is not None and muscle not in e.primary_muscles:
                continue
            if position is not None and e.position != position:
                continue
            if equipment is not None and (
                    e.equipment if equipment == "none" else equipment not in e.equipment):
                continue
            if have is not None and not set(e.equipment) <= have:
                continue
            out.append(e)
        return out

    def suggest(self, exercise_id: str) -> str | None:
        """The closest known id, for a "did you mean"."""
        import difflib  # only for a name that is not in the library

        hits = difflib.get_close_matches(exercise_id, self._by_id, n=1, cutoff=0.5)
        if not hits:
            # "bridge" should find "glute-bridge": try the ids that contain the word.
            hits = sorted((i for i in self._by_id if exercise_id in i), key=len)
        return hits[0] if hits else None


def load_library(user_dir: Path | None = None, *, shipped: Path | None = None) -> Library:
    """The shipped library, then the user's files from `user_dir` (the `exercises.d/` directory
    itself; see `user_exercises_dir`). A missing user_dir is fine: most users have none."""
    warnings: list[str] = []
    base_dir = shipped if shipped is not None else shipped_dir()
    raw_shipped = dict(_read_dir(base_dir, warnings))
    found: dict[str, tuple[str, Exercise]] = {}
    for label, data in raw_shipped.values():
        ex = _validate(label, data, warnings)
        if ex is not None:
            found[ex.id] = (label, ex)
    if user_dir is not None and user_dir.is_dir():
        for exercise_id, (label, data) in _read_dir(user_dir, warnings):
            base = raw_shipped.get(exercise_id)
            merged = _overlay(base[1], data) if base is not None else data
            kept = " (the shipped one is used)" if exercise_id in found else ""
            ex = _validate(label, merged, warnings, kept)
            if ex is not None:
                found[ex.id] = (label, ex)
    return Library(_resolve_references(found, warnings), warnings)


_Raw = tuple[str, dict[str, Any]]  # (label for warnings, the file's TOML data)


def _read_dir(directory: Path, warnings: list[str]) -> Iterator[tuple[str, _Raw]]:
    """(id, (label, data)) for each readable TOML file, in name order; the id is the file's."""
    try:
        paths = sorted(p for p in directory.glob("*.toml") if not p.name.startswith("."))
    except OSError as exc:
        warnings.append(f"{directory}: cannot list exercise files ({exc})")
        return
    for path in paths:
        label = f"{directory.name}/{path.name}"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            warnings.append(f"{label}: not valid TOML: {exc}")
            continue
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{label}: cannot read ({exc})")
            continue
        file_id = data.get("id")
        if file_id != path.stem:
            # One file per exercise, named after it, so that a user can find and override it.
            got = "missing" if file_id is None else f'"{file_id}"'
            warnings.append(f'{label}: id: {got}; must be "{path.stem}", the file\'s name')
            continue
        yield file_id, (label, data)


def _overlay(base: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in user.items():
        if key == "dose" and isinstance(value, dict) and isinstance(base.get("dose"), dict):
            merged[key] = {**base["dose"], **value}
        else:
            merged[key] = value
    return merged


def _validate(label: str, data: dict[str, Any], warnings: list[str],
              suffix: str = "") -> Exercise | None:
    try:
        return Exercise.model_validate(data)
    except ValidationError as exc:
        warnings.append(f"{label}: {describe_error(exc)}{suffix}")
        return None


def describe_error(exc: ValidationError) -> str:
    """The first problem as "key: what is wrong", plus how many more there are."""
    # A wrong value the user wrote says more than the keys still missing from a half-written file.
    errors = sorted(exc.errors(), key=lambda e: e["type"] == "missing")
    first = errors[0]
    key = _dotted(first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        known = _known_keys(first["loc"][:-1])
        import difflib  # only for a broken exercise file

        hint = difflib.get_close_matches(str(first["loc"][-1]), known, n=1)
        text = f"unknown key {key}" + (f'; did you mean "{hint[0]}"?' if hint
                                       else f"; known keys: {', '.join(known)}")
    elif kind == "missing":
        text = f"{key}: missing"
    else:
        msg = first["msg"].removeprefix("Value error, ")
        got = first.get("input")
        if kind.endswith("_type") or kind == "literal_error":
            msg += f" (got {got!r})" if not isinstance(got, dict | list) else ""
        # Cross-field checks name their key in the message; field errors get it from loc.
        text = f"{key}: {msg}" if key else msg
    more = len(errors) - 1
    return text + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _known_keys(loc: tuple[int | str, ...]) -> list[str]:
    from glutecoach.library.model import Dose, Evidence

    named = [p for p in loc if isinstance(p, str)]
    model = {(): Exercise, ("dose",): Dose, ("evidence",): Evidence}.get(tuple(named))
    return list(model.model_fields) if model is not None else []


def _resolve_references(found: dict[str, tuple[str, Exercise]],
                        warnings: list[str]) -> list[Exercise]:
    """Drop regression/progression ids that name no exercise, with a warning: a plan must never
    step to an exercise that is not there."""
    out = []
    for label, ex in found.values():
        update: dict[str, list[str]] = {}
        for key in ("regressions", "progressions"):
            ids: list[str] = getattr(ex, key)
            missing = [i for i in ids if i not in found]
            if missing:
                warnings.append(f"{label}: {key}: no exercise "
                                + ", ".join(f'"{i}"' for i in missing))
                update[key] = [i for i in ids if i in found]
        out.append(ex.model_copy(update=update) if update else ex)
    return out


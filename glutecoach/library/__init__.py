"""The exercise library: evidence-based glute exercises, one TOML file each.

`load_library()` reads the shipped files (`exercises/` in a checkout, `glutecoach/exercises` in the
wheel), then the user's `exercises.d/` beside the config file, and returns a `Library`. Files that
fail validation are skipped with a warning that names the file and the key.

Importing this package is cheap on purpose: the vocabulary below is plain data, and the pydantic
models and the loader are imported only when first used (the running coach and `--help` should not
pay for pydantic until an exercise is actually needed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

MUSCLES = ("maximus", "medius", "minimus")
SLINGS = ("posterior-oblique", "lateral")
POSITIONS = ("seated", "standing", "walking", "floor")
EQUIPMENT = ("chair", "wall", "stairs", "step", "band")
INTENSITIES = ("low", "moderate", "high", "very-high")
# Body areas an exercise loads beyond the glutes, so that a user can leave out what troubles them
# (`[coach] exclude_areas`). Taken from the cautions of the shipped exercises; "balance" is
# single-leg or stepping work, "floor-work" getting down to the floor (implied by position "floor").
AREAS = ("knees", "lower-back", "outer-hip", "front-hip", "wrists", "shoulders", "neck", "calves",
         "balance", "floor-work")

# Shown with every exercise card and plan (issue 4, part 5): the product coaches, it does not treat.
SAFETY_NOTE = ("GluteCoach gives coaching, not medical advice — with a gluteal condition see a "
               "physical therapist.")

if TYPE_CHECKING:
    from glutecoach.library.loader import Library, load_library, user_exercises_dir
    from glutecoach.library.model import Dose, Evidence, Exercise, intensity_band, seconds_text

__all__ = [
    "AREAS",
    "EQUIPMENT",
    "INTENSITIES",
    "MUSCLES",
    "POSITIONS",
    "SAFETY_NOTE",
    "SLINGS",
    "Dose",
    "Evidence",
    "Exercise",
    "Library",
    "intensity_band",
    "load_library",
    "seconds_text",
    "user_exercises_dir",
]

_LAZY = {
    "Dose": "model", "Evidence": "model", "Exercise": "model", "intensity_band": "model",
    "seconds_text": "model",
    "Library": "loader", "load_library": "loader", "user_exercises_dir": "loader",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

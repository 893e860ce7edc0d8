"""`glutecoach plan`: the plan for the next break; `glutecoach feedback`: how the last one felt."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.cli.exercises_cmd import load_for, sized_console
from glutecoach.cli.output import console, emit_json, local_iso, warn
from glutecoach.errors import GlutecoachError
from glutecoach.library import MUSCLES, SAFETY_NOTE

if TYPE_CHECKING:
    from glutecoach.library import Library
    from glutecoach.plans.model import Plan
    from glutecoach.plans.progress import Feedback

# Lines about an item (For, Why, Caution) sit under its name; their own continuation lines
# hang under the text after the label.
ITEM_INDENT = "   "
FEEDBACK = ("easy", "right", "hard")  # glutecoach.plans.progress.FEEDBACK, without importing it


def _warn_unknown_exclusions(app: App, library: Library) -> None:
    """An excluded id that names no exercise is most likely a typo that excludes nothing."""
    for exercise_id in app.config.coach.exclude_exercises:
        if exercise_id not in library:
            hint = library.suggest(exercise_id)
            warn(f'[coach] exclude_exercises: no exercise "{exercise_id}"'
                 + (f'; did you mean "{hint}"?' if hint else ""))


@click.command(help="The exercise plan for the next break, chosen as the coach would choose it "
                    "now: for where you are ([coach] locations in the config), balanced over the "
                    "three glute muscles and both slings across your day and week, never the "
                    "same exercise as the break before, at your level.")
@click.option("--location", metavar="NAME",
              help="Plan for this location (a name from [coach.locations]) instead of the one "
                   "in force now.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@location_options
@pass_app
def plan(app: App, location: str | None, as_json: bool) -> None:
    from glutecoach.plans.planner import plan_for
    from glutecoach.plans.progress import current_levels
    from glutecoach.plans.records import read_history

    library = load_for(app)
    _warn_unknown_exclusions(app, library)
    now = datetime.now(UTC)
    history = read_history(app.store(write=False), now)
    chosen = plan_for(app.config, library, now, history, location)
    if not chosen.items:
        raise GlutecoachError(f'no exercise fits the "{chosen.location}" location with your '
                              "exclusions; loosen [coach] exclude_exercises / exclude_areas or "
                              "the location's equipment, discreet, floor or seated_only")
    if as_json:
        emit_json(chosen.to_json())
        return
    levels = current_levels(library, history.done, history.levels, app.config.coach.start_level)
    _print_plan(app, library, chosen, now, levels)


def _print_plan(app: App, library: Library, chosen: Plan, now: datetime,
                levels: dict[str, int]) -> None:
    from glutecoach.library.model import seconds_text

    out = sized_console()
    width = out.width

    def say(text: str = "", *, label: str = "", indent: str = "", hang: str = "",
            style: str = "") -> None:
        """`label` + `text` wrapped to the width; continuation lines start under the text."""
        first = indent + label
        lines = textwrap.wrap(text, width, initial_indent=first,
                              subsequent_indent=hang or " " * len(first),
                              break_on_hyphens=False) or [""]
        # soft_wrap: printed as wrapped here, never wrapped again by rich.
        out.print("\n".join(lines), style=style, markup=False, soft_wrap=True)

    local = now.astimezone(app.zone)
    say(f"Next break (location: {chosen.location}): {seconds_text(chosen.seconds)}, planned "
        f"{local:%a %Y-%m-%d %H:%M} {app.zone.key}", hang="  ", style="bold")
    for n, item in enumerate(chosen.items, start=1):
        say()
        head = f"{item.name} · {seconds_text(item.seconds)}"
        if item.part == "glute":
            head += f" · {item.dose}"
        say(head, label=f"{n}. ", style="bold")
        say(item.reason, label="For: ", indent=ITEM_INDENT)
        say(item.why, label="Why: ", indent=ITEM_INDENT)
        ex = library.get(item.exercise)
        for caution in ex.cautions if ex is not None else []:
            say(caution, label="Caution: ", indent=ITEM_INDENT)
    say()
    works = ", ".join(f"gluteus {m}" for m in chosen.muscles) or "no glute block this time"
    say(f"Works {works}; slings: {', '.join(chosen.slings) or 'none'}.", hang="  ")
    say("Your levels: " + ", ".join(f"{m} {levels[m]}" for m in MUSCLES)
        + " (after a break: glutecoach feedback easy|right|hard). "
        "Steps and cues: glutecoach exercises show ID.", hang="  ")
    say(SAFETY_NOTE, hang="  ", style="dim")


@click.command(help="Say how the last break you did felt: easy moves the level of the muscles "
                    "it worked up one step (of 5), hard moves it down, right keeps it. With "
                    "--muscle, only that muscle's level moves (useful before any break is done).")
# Not required for click: its "missing argument" text for a choice spans several lines (cli.md
# wants one), so a missing answer is reported below.
@click.argument("answer", type=click.Choice(FEEDBACK), metavar="easy|right|hard", required=False)
@click.option("--muscle", type=click.Choice(MUSCLES), help="Only this muscle.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@location_options
@pass_app
def feedback(app: App, answer: str | None, muscle: str | None, as_json: bool) -> None:
    from glutecoach.plans.records import apply_feedback

    if answer is None:
        raise click.UsageError("say how the last break felt: easy, right or hard")

    library = load_for(app)
    zone = app.zone
    result = apply_feedback(app.store(), library, cast("Feedback", answer), datetime.now(UTC),
                            start_level=app.config.coach.start_level, zone=zone, muscle=muscle)
    if as_json:
        emit_json({"feedback": result.feedback, "break_at": local_iso(result.break_at, zone),
                   "exercises": list(result.rated),
                   "levels": {m: {"before": a, "after": b} for m, (a, b) in result.levels.items()}})
        return
    out = console()
    if result.rated and result.break_at is not None:
        names = ", ".join(ex.name.lower() if (ex := library.get(i)) else i for i in result.rated)
        out.print(f'Recorded "{answer}" for the break done '
                  f"{result.break_at.astimezone(zone):%a %Y-%m-%d %H:%M} ({names}).", markup=False)
    for m, (before, after) in result.levels.items():
        if after != before:
            change = f"level {before} → {after}"
        elif answer == "easy":
            change = f"stays at {after}, the highest level"
        elif answer == "hard":
            change = f"stays at {after}, the gentlest level"
        else:
            change = f"stays at level {after}"
        out.print(f"gluteus {m}: {change}", markup=False)

"""`glutecoach exercises list` / `exercises show ID`: the exercise library as users see it."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.cli.output import console, emit_json, warn
from glutecoach.errors import InputError
from glutecoach.library import EQUIPMENT, MUSCLES, POSITIONS, SAFETY_NOTE

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

    from glutecoach.library import Exercise, Library


# Output that goes to no terminal and names no COLUMNS is laid out this wide (as in the README).
PIPED_WIDTH = 100
# Narrower than this, indented text would be a word per line: lay it out this wide instead.
NARROWEST = 40


def text_width() -> int:
    """The width to lay text out in: $COLUMNS, else the terminal's, else PIPED_WIDTH."""
    return max(NARROWEST, shutil.get_terminal_size((PIPED_WIDTH, 24)).columns)


def sized_console() -> Console:
    """`console()` at `text_width()`: a width the user set with COLUMNS holds for piped output
    too (`console()` alone makes piped output at least 110 columns wide, for day tables)."""
    out = console()
    out.width = text_width()
    return out


def load_for(app: App) -> Library:
    """The library in force for this config: shipped files plus `exercises.d/` beside the
    config file. Problems with single files are warnings on stderr; the rest still load."""
    from glutecoach.library import load_library, user_exercises_dir

    library = load_library(user_exercises_dir(app.config_option))
    for message in library.warnings:
        warn(message)
    return library


@click.group(help="The exercise library: evidence-based glute exercises, one TOML file each. "
                  "Add your own, or override a shipped one by id, in exercises.d/ next to "
                  "your config file.")
@location_options
def exercises() -> None:
    pass


@exercises.command("list", help="List the exercises by position, easiest first.")
@click.option("--muscle", type=click.Choice(MUSCLES),
              help="Only exercises with this primary muscle.")
@click.option("--position", type=click.Choice(POSITIONS), help="Only this position.")
@click.option("--equipment", type=click.Choice(("none", *EQUIPMENT)),
              help='Only exercises that use this item ("none": those that need nothing).')
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@location_options
@pass_app
def list_exercises(app: App, muscle: str | None, position: str | None, equipment: str | None,
                   as_json: bool) -> None:
    chosen = load_for(app).filter(muscle=muscle, position=position, equipment=equipment)
    if as_json:
        emit_json([e.summary() for e in chosen])
        return
    out = sized_console()
    if not chosen:
        out.print("No exercises match these filters.")
        return
    from rich import box
    from rich.table import Table

    # Tight padding: the table should fit an 80-column terminal without cutting columns off.
    table = Table(title=f"Exercises ({len(chosen)})", box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0),
                  pad_edge=False, caption="Muscles: +secondary. Peak: highest measured %MVIC. "
                                          "Steps, cautions, sources: exercises show ID")
    table.add_column("Id", no_wrap=True)
    # The name wraps first; rich would otherwise squeeze it to a word per line.
    table.add_column("Name", min_width=12)
    table.add_column("Muscles", min_width=4)
    table.add_column("Needs", max_width=6)
    for col in ("Lvl", "Time", "Peak"):  # Peak: highest measured %MVIC
        table.add_column(col, no_wrap=True)
    # Grouped by position (a heading row each) rather than a Position column: narrower.
    for pos in POSITIONS:
        group = sorted((e for e in chosen if e.position == pos),
                       key=lambda e: (e.difficulty, e.id))
        if not group:
            continue
        table.add_row(f"[bold]{pos}[/bold]")
        for i, e in enumerate(group):
            peak = e.peak_percent_mvic
            table.add_row(
                e.id, _plain(e.name), _muscles_short(e), ", ".join(e.equipment) or "–",
                f"{e.difficulty}/5", _time(e.seconds), "–" if peak is None else f"{peak:g}%",
                end_section=i == len(group) - 1,
            )
    out.print(table)


@exercises.command("show", short_help="One exercise: steps, cautions, evidence.",
                   help="One exercise: dose, steps, cues, cautions and the evidence behind it, "
                        "with sources.")
@click.argument("exercise_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the whole exercise as JSON.")
@location_options
@pass_app
def show(app: App, exercise_id: str, as_json: bool) -> None:
    library = load_for(app)
    exercise = library.get(exercise_id)
    if exercise is None:
        hint = library.suggest(exercise_id)
        raise InputError(f'no exercise "{exercise_id}"'
                         + (f'; did you mean "{hint}"?' if hint
                            else '; see "glutecoach exercises list"'))
    if as_json:
        emit_json(exercise.model_dump(mode="json"))
        return
    sized_console().print(card(exercise, library))


def card(e: Exercise, library: Library | None = None) -> RenderableType:
    """The exercise as a person reads it; cautions stand out, the sources sit by the figures."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from glutecoach.library import seconds_text

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    muscles = ", ".join(f"gluteus {m}" for m in e.primary_muscles)
    if e.secondary_muscles:
        muscles += "; also " + ", ".join(f"gluteus {m}" for m in e.secondary_muscles)
    facts.add_row("Muscles", muscles)
    if e.slings:
        facts.add_row("Slings", ", ".join(s.replace("-", " ") for s in e.slings))
    where = [e.position, ", ".join(e.equipment) or "no equipment",
             "fine at a desk" if e.discreet else "needs some room"]
    facts.add_row("Where", " · ".join(where))
    level = f"{e.difficulty}/5"
    if e.intensity:
        level += f" · {e.intensity.replace('-', ' ')} intensity"
    facts.add_row("Level", level)
    facts.add_row("Dose", f"{e.dose.describe()} · about {seconds_text(e.seconds)}")
    facts.add_row("Why", e.why)

    parts: list[RenderableType] = [facts]
    parts += _section("Steps", [(f"{i}.", s) for i, s in enumerate(e.steps, 1)])
    if e.cues:
        parts += _section("Cues", [("•", c) for c in e.cues])
    if e.cautions:
        parts += _section("CAUTIONS — skip it or take care", [("!", c) for c in e.cautions],
                          style="bold red", body_style="red")
    if e.evidence:
        lines = []
        for ev in e.evidence:
            line = f"gluteus {ev.muscle}: {ev.percent_mvic:g}% MVIC — {ev.source}"
            lines.append(("•", line + (f" ({ev.note})" if ev.note else "")))
        parts += _section("Evidence", lines)
        parts.append(Text("%MVIC figures compare only within one study."))
    else:
        parts += _section("Evidence", [("", "No measured figure: no study in our sources "
                                            "measured gluteal activation for this exercise.")])
    steps_to = [("Easier:", e.regressions), ("Harder:", e.progressions)]
    rows = [(label, ", ".join(_named(i, library) for i in ids)) for label, ids in steps_to if ids]
    if rows:
        parts.append(_hanging(rows, marker_style="bold"))
    parts += [Text(""), Text(SAFETY_NOTE, style="italic")]
    return Panel(Group(*parts), title=Text(f"{e.name} ({e.id})", style="bold"),
                 title_align="left", expand=False)


def _section(title: str, rows: list[tuple[str, str]], style: str = "bold",
             body_style: str = "") -> list[RenderableType]:
    from rich.text import Text

    return [Text(""), Text(title, style=style), _hanging(rows, body_style=body_style)]


def _hanging(rows: list[tuple[str, str]], marker_style: str = "",
             body_style: str = "") -> RenderableType:
    """A marker ("1.", "•", "!", "Harder:") and its text, which wraps under itself, not under the
    marker: a grid of two columns."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style=marker_style or body_style)
    grid.add_column(style=body_style)
    for marker, text in rows:
        # Text objects, not markup strings: user-written exercise files may contain "[".
        grid.add_row(Text(marker), Text(text))
    return grid


def _named(exercise_id: str, library: Library | None) -> str:
    other = library.get(exercise_id) if library is not None else None
    return f"{other.name} ({exercise_id})" if other else exercise_id


def _muscles_short(e: Exercise) -> str:
    """"max med +min": primary muscles, then secondary ones marked "+", short enough for a
    table that fits 80 columns."""
    return " ".join([m[:3] for m in e.primary_muscles] + [f"+{m[:3]}" for m in e.secondary_muscles])


def _plain(text: str) -> Text:
    from rich.text import Text

    # Not markup: a user's exercise name may contain "[".
    return Text(text)


def _time(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"

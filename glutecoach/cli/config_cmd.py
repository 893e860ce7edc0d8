"""`glutecoach config check | init | path | get | set | unset`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.config import WEEKDAYS, load_config, resolve_config_path
from glutecoach.errors import GlutecoachError, InputError


@click.group(help="""Check, create, locate or change the config file (TOML).

\b
  glutecoach config init                        a commented file with every key
  glutecoach config get schedule.sit_minutes    the value in force
  glutecoach config set schedule.sit_minutes 45 change one key, comments kept
  glutecoach config check                       what is wrong, by file, line and key""")
def config() -> None:
    pass


@config.command(help="Validate a config file (default: the one in force) and the exercise files "
                     "in exercises.d/ beside it. Errors name the file, key and line and exit "
                     "with 2.")
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
@location_options
@pass_app
def check(app: App, path: Path | None) -> None:
    if path is None:
        path, source = resolve_config_path(app.config_option)
        if source == "default" and not path.exists():
            click.echo(f"No config file at {path}: the defaults are in force.")
            click.echo(_check_exercises(path) or "  no exercises.d/ of yours")
            return
    try:
        cfg = load_config(path)
    except InputError as exc:
        # Every problem at once: the config's, then those of the exercise files beside it.
        raise InputError(*exc.lines(), *_exercise_problems(path)) from None
    exercises_line = _check_exercises(path)
    s = cfg.schedule
    zone = s.timezone or f"system ({s.zone().key})"
    days = ", ".join(f"{d} {' '.join(getattr(s.hours, d))}" for d in WEEKDAYS
                     if getattr(s.hours, d)) or "none (no prompts)"
    click.echo(f"{path}: OK")
    click.echo(f"  prompt after {s.sit_minutes:g} min of sitting; a break is {s.break_minutes:g} "
               f"min (or {s.away_after_minutes:g} min away); time zone {zone}")
    click.echo(f"  work windows: {days}")
    if exercises_line:
        click.echo(exercises_line)


def _exercise_problems(config_path: Path) -> list[str]:
    try:
        _check_exercises(config_path)
    except InputError as exc:
        return exc.lines()
    return []


def _check_exercises(config_path: Path) -> str:
    """Your exercise files: each problem on its own line; any problem makes the check fail."""
    from glutecoach.library import load_library
    from glutecoach.library.loader import USER_DIR_NAME

    user_dir = config_path.parent / USER_DIR_NAME
    library = load_library(user_dir)
    if library.warnings:
        raise InputError(*library.warnings)  # one line each
    if user_dir.is_dir():
        return f"  exercises: {len(library.all())} in the library, yours from {user_dir}"
    return ""


@config.command(help="Write a commented config with every key at its default. Refuses to "
                     "overwrite an existing file.")
@location_options
@pass_app
def init(app: App) -> None:
    from glutecoach.config_edit import template_text

    path, _ = resolve_config_path(app.config_option)
    if path.exists():
        raise GlutecoachError(f"{path} already exists; it was left as it is "
                              "(edit it, or remove it first)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template_text(), encoding="utf-8")
    except OSError as exc:
        raise GlutecoachError(f"{path}: cannot write the config ({exc.strerror})") from None
    click.echo(f"Wrote {path}. Edit it, then check it with: glutecoach config check")


@config.command(help="Print where the config is read from.")
@location_options
@pass_app
def path(app: App) -> None:
    p, source = resolve_config_path(app.config_option)
    state = "exists" if p.exists() else "does not exist: defaults are in force"
    click.echo(str(p))
    click.echo(f"  (from {source}; {state})", err=True)


# --- one key at a time: get, set, unset -------------------------------------------------------

_KEYS_HELP = """Keys are dotted: a section, then the key (schedule.sit_minutes), with the
weekday (schedule.hours.mon) or the location (coach.locations.home.floor) between. `glutecoach
config get schedule` shows a whole section with its keys."""


@config.command("get", short_help="Print the value in force of a key or a section.",
                help=f"""Print the value in force of a key: the config file's, else the
default (a note on stderr says which). A list prints one item a line; a section prints as
TOML.

{_KEYS_HELP}

\b
Examples:
  glutecoach config get schedule.sit_minutes
  glutecoach config get schedule.hours.mon
  glutecoach config get schedule
  glutecoach config get coach.locations.home --json""")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the value as JSON.")
@location_options
@pass_app
def get_(app: App, key: str, as_json: bool) -> None:
    from glutecoach.cli.config_writes import json_ready, open_config, value_text
    from glutecoach.cli.output import emit_json

    doc = open_config(app, create=False)
    value = doc.get(key)
    if as_json:
        emit_json(json_ready(value))
        return
    if isinstance(value, dict) or (isinstance(value, list) and value and all(
            isinstance(v, dict) for v in value)):
        click.echo(_toml_section(key, value), nl=False)  # a section, or [[schedule.days_off]]
    elif isinstance(value, list):
        for item in value:
            click.echo(value_text(item))
    elif value is not None:
        click.echo(value_text(value))
    if not isinstance(value, dict):
        source = f"set in {doc.path}" if doc.is_set(key) else \
            f"the default; {doc.path} does not set it"
        empty = " (not set)" if value is None else " (an empty list)" if value == [] else ""
        click.echo(f"{key}{empty}: {source}", err=True)


def _toml_section(key: str, value: dict[str, Any] | list[dict[str, Any]]) -> str:
    import tomlkit

    from glutecoach.config_edit import toml_value

    nested: Any = toml_value(value)
    for part in reversed(key.split(".")):
        nested = {part: nested}
    return tomlkit.dumps(nested)


@config.command("set", context_settings={"ignore_unknown_options": True},
                short_help="Set a key, checked as `config check` does; comments are kept.",
                help=f"""\
Set a key in the config file and check the result as `config check` does: a value that
`config check` would refuse is refused with the same words (exit 2) and the file is left as
it was. Only that key changes: the file keeps its comments, blank lines and order. A missing
config file is created from the commented template of `config init`. A running coach picks the
change up at once.

{_KEYS_HELP}

Values: numbers (minutes may be fractions: 0.5), true/false (also yes/no, on/off), texts, and
lists as several words; no words (or --empty) makes an empty list.

\b
Examples:
  glutecoach config set schedule.sit_minutes 45
  glutecoach config set schedule.hours.mon 09:00-12:30 13:30-17:30
  glutecoach config set schedule.hours.sat            (no work on Saturdays)
  glutecoach config set schedule.timezone Europe/Berlin
  glutecoach config set schedule.holidays DE-BY
  glutecoach config set desktop.tray off
  glutecoach config set coach.locations.home.equipment chair wall band
  glutecoach config set coach.locations.office.when "mon-fri 09:00-17:30"
  glutecoach config set report.summary_time 17:30
  glutecoach config set meetings.signals camera microphone""")
@click.argument("key")
@click.argument("values", nargs=-1)
@click.option("--empty", is_flag=True, help="Set a list to the empty list.")
@location_options
@pass_app
def set_(app: App, key: str, values: tuple[str, ...], empty: bool) -> None:
    from glutecoach.cli.config_writes import open_config, save, value_text
    from glutecoach.config_edit import is_list_key, parse_value

    if "=" in key and not values:  # `config set schedule.sit_minutes=45`
        key, _, value = key.partition("=")
        values = (value,) if value else ()
    if empty and (values or not is_list_key(key)):
        raise InputError(f"--empty sets a list to no items; {key} " + (
            "was given values as well" if values else "is not a list"))
    value = parse_value(key, list(values))
    doc = open_config(app, create=True)
    before = doc.get(key)
    created = not doc.path.exists()
    doc.set(key, value)
    if not doc.changed():
        click.echo(f"{key} is already {value_text(before)}; {doc.path} is as it was.")
        return
    note = save(app, doc, key)
    if created:
        click.echo(f"Created {doc.path} from the commented template of `config init`.")
    click.echo(f"{key}: {value_text(before)} -> {value_text(doc.get(key))}{note}")


@config.command("unset", short_help="Remove a key, so that its default is in force again.",
                help=f"""Remove a key from the config file, so that its default is in
force again; the rest of the file stays as it was. A running coach picks the change up at once.

{_KEYS_HELP} A whole section or location goes too: `config unset coach.locations.gym`.

\b
Examples:
  glutecoach config unset schedule.sit_minutes
  glutecoach config unset schedule.hours       (back to Monday-Friday 09:00-17:30)""")
@click.argument("key")
@location_options
@pass_app
def unset(app: App, key: str) -> None:
    from glutecoach.cli.config_writes import open_config, save, value_text

    doc = open_config(app, create=False)
    before = doc.get(key)
    if not doc.is_set(key):
        click.echo(f"{doc.path} does not set {key}: its default is in force "
                   f"({value_text(before)}).")
        return
    doc.unset(key)
    note = save(app, doc, key)
    click.echo(f"{key}: {value_text(before)} -> {value_text(doc.get(key))} (the default)"
               f"{note}")

"""`glutecoach config check | init | path`."""

from __future__ import annotations

from pathlib import Path

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.config import WEEKDAYS, load_config, resolve_config_path
from glutecoach.errors import GlutecoachError, InputError


@click.group(help="Check, create or locate the config file (TOML).")
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
    from glutecoach.paths import package_file

    path, _ = resolve_config_path(app.config_option)
    if path.exists():
        raise GlutecoachError(f"{path} already exists; it was left as it is "
                              "(edit it, or remove it first)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(package_file("config.example.toml").read_text(encoding="utf-8"),
                        encoding="utf-8")
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

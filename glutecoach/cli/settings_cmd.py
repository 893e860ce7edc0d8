"""`glutecoach settings`: the settings window over the config in force."""

from __future__ import annotations

from pathlib import Path

import click

from glutecoach.cli.context import App, location_options, pass_app


@click.command(help="Open the settings window on the config in force (--config, else "
                    "$GLUTECOACH_CONFIG, else the user config dir; a missing file is created "
                    "on the first save). Saving checks the whole config first and writes only "
                    "the keys you changed; a running coach picks the change up.")
@location_options
@pass_app
def settings(app: App) -> None:
    from glutecoach.config import resolve_config_path
    from glutecoach.settings.window import Login, SettingsWindow, open_display

    path, _source = resolve_config_path(app.config_option)
    root = open_display()
    window = SettingsWindow(root, path, Login(_explicit_home(app.home_option), app.config_option))
    outcome = window.run()
    if outcome.autostart is not None:
        where = ", ".join(str(p) for p in outcome.autostart_path) or "no entry was there"
        click.echo(f"Start at login: {'on' if outcome.autostart else 'off'} ({where})")
    if outcome.saved:
        click.echo(f"Saved {path}: {', '.join(outcome.keys)}")
    elif outcome.autostart is None:
        click.echo(f"Nothing saved; {path} is as it was.")


def _explicit_home(option: Path | None) -> Path | None:
    """--home when it names another folder than the default one. The coach starts this command
    with its own home always; an autostart entry written from the window should name that home
    only where the user chose one, as `autostart enable` does."""
    if option is None:
        return None
    from glutecoach.paths import resolve_home

    return None if resolve_home(None).resolve() == option.resolve() else option

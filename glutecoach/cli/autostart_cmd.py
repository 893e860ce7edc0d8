"""`glutecoach autostart enable | disable | status`: start the coach at login."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.cli.output import warn


@click.group(help="Start the coach when you log in: an XDG autostart entry on Linux (or a "
                  "systemd user unit), a LaunchAgent on macOS, a Startup-folder entry on Windows.")
def autostart() -> None:
    pass


@autostart.command(help="Start the coach at every login, with the home and config in force "
                        "now (--home / --config here, else $GLUTECOACH_HOME / $GLUTECOACH_CONFIG), "
                        "which the entry names. Takes effect at the next login.")
@click.option("--kind", default="auto", show_default=True,
              help="auto, or on Linux: xdg or systemd; macOS: launchagent; Windows: startup.")
@location_options
@pass_app
def enable(app: App, kind: str) -> None:
    from glutecoach import autostart as entries

    options = entries.login_options(app.home_option, app.config_option)
    path = entries.enable(kind, entries.coach_command(options))
    click.echo(f"The coach will start at login: {path}")
    for option, value in zip(options[::2], options[1::2], strict=True):
        click.echo(f"It will use the {option.removeprefix('--')} {value}")
        if option == "--config" and not Path(value).exists():
            warn(f"{value} does not exist yet: the coach will not start at login until it does "
                 f"(glutecoach --config {shlex.quote(value)} config init writes one)")
    if path.suffix == ".service":
        click.echo("To start it now: systemctl --user daemon-reload && "
                   "systemctl --user start glutecoach")
    else:
        # Options given here are not in the shell's environment: repeat them.
        given = options if app.home_option or app.config_option else []
        click.echo(f"To start it now: {shlex.join(['glutecoach', *given, 'run'])}")


@autostart.command(help="Stop starting the coach at login (the running coach is left alone).")
def disable() -> None:
    from glutecoach import autostart as entries

    removed = entries.disable()
    if removed:
        for path in removed:
            click.echo(f"Removed {path}")
    else:
        click.echo("Autostart was not enabled.")


@autostart.command(help="Say whether the coach starts at login, and from which entry.")
def status() -> None:
    from glutecoach import autostart as entries

    paths = entries.status()
    click.echo("\n".join(f"Enabled: {p}" for p in paths) if paths
               else "Autostart is off (enable it with: glutecoach autostart enable).")

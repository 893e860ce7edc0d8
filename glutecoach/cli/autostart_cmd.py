"""`glutecoach autostart enable | disable | status`: start the coach at login."""

from __future__ import annotations

import click

from glutecoach.cli.context import App, location_options, pass_app


@click.group(help="Start the coach when you log in: an XDG autostart entry on Linux (or a "
                  "systemd user unit), a LaunchAgent on macOS, a Startup-folder entry on Windows.")
def autostart() -> None:
    pass


@autostart.command(help="Start the coach at every login, with the --home and --config given "
                        "here (if any). Takes effect at the next login.")
@click.option("--kind", default="auto", show_default=True,
              help="auto, or on Linux: xdg or systemd; macOS: launchagent; Windows: startup.")
@location_options
@pass_app
def enable(app: App, kind: str) -> None:
    from glutecoach import autostart as entries

    options: list[str] = []
    if app.home_option is not None:
        options += ["--home", str(app.home_option.resolve())]
    if app.config_option is not None:
        options += ["--config", str(app.config_option.resolve())]
    *interpreter, run = entries.default_command()  # [python, "-m", "glutecoach"], "run"
    command = [*interpreter, *options, run]
    path = entries.enable(kind, command)
    click.echo(f"The coach will start at login: {path}")
    if path.suffix == ".service":
        click.echo("To start it now: systemctl --user daemon-reload && "
                   "systemctl --user start glutecoach")
    else:
        click.echo("To start it now: glutecoach run")


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

"""`glutecoach`: the entry point, global options and error handling.

Every failure a user can cause ends as one line on stderr and an exit code (cli.md): 2 for a bad
option, file or config, 1 for a failure at run time. No tracebacks for user mistakes.
"""

from __future__ import annotations

import os
import sys

import click

from glutecoach import __version__
from glutecoach.cli.context import App, location_options
from glutecoach.cli.lazy import LazyGroup
from glutecoach.errors import one_line_errors, print_error

HELP = """GluteCoach keeps you from sitting for hours: it notices how long you have sat
(from keyboard and mouse activity, screen lock and sleep), prompts short glute-activating
movement breaks inside your work hours, and keeps a private history on this machine.

\b
Start here:
  glutecoach run                  start the coach now
  glutecoach autostart enable     start it at every login from now on
  glutecoach status               how long you have sat; the next break
  glutecoach settings             your week, limits and exercises, in a window
  glutecoach config init          a commented config: work hours, limits
  glutecoach plan                 the exercises of your next break
  glutecoach report               your week: sitting, breaks, muscles

GluteCoach gives coaching, not medical advice. If you have pain or a gluteal condition,
ask a physical therapist which exercises suit you.
"""


# Each command's module is imported when the command runs (cli/lazy.py): `status` and
# `--version` start in a few tens of milliseconds. A new command must be named here.
COMMANDS = {
    **{name: "glutecoach.cli.coach_cmd:COMMANDS" for name in (
        "run", "stop", "reload", "status", "done", "snooze", "skip", "postpone", "pause",
        "resume", "break-now")},
    "config": "glutecoach.cli.config_cmd:config",
    "off": "glutecoach.cli.off_cmd:off",
    "simulate": "glutecoach.cli.simulate_cmd:simulate",
    "history": "glutecoach.cli.history_cmd:history",
    "exercises": "glutecoach.cli.exercises_cmd:exercises",
    "autostart": "glutecoach.cli.autostart_cmd:autostart",
    "plan": "glutecoach.cli.plan_cmd:plan",
    "feedback": "glutecoach.cli.plan_cmd:feedback",
    "report": "glutecoach.cli.report_cmd:report",
    "settings": "glutecoach.cli.settings_cmd:settings",
}


@click.group(cls=LazyGroup, lazy=COMMANDS, help=HELP,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="glutecoach",
                      message="%(prog)s %(version)s")
@click.option("-v", "--verbose", is_flag=True, help="Log to the terminal as well.")
@location_options
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    ctx.ensure_object(App).verbose = verbose


def main(argv: list[str] | None = None) -> None:
    # Health data: everything the coach creates (database, logs, exports) is the user's alone.
    os.umask(0o077)
    try:
        with one_line_errors():
            rv = cli.main(args=argv, prog_name="glutecoach", standalone_mode=False,
                          obj=App(own_process=argv is None))
    except click.exceptions.Abort:
        click.echo("glutecoach: aborted", err=True)
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError as exc:
        # A bare `glutecoach` or `glutecoach config`: the help is what the user wants.
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.ClickException as exc:
        # One line (cli.md), not click's usage block: the message and where to read more.
        ctx = getattr(exc, "ctx", None)
        hint = f' (see "{ctx.command_path} --help")' if ctx is not None else ""
        print_error(f"{exc.format_message()}{hint}")  # escaped: it may quote what was typed
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        # `glutecoach history | head`: the reader left; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    sys.exit(rv if isinstance(rv, int) else 0)

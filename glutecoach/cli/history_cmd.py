"""`glutecoach history`: the recorded prompts, oldest first."""

from __future__ import annotations

from datetime import date, datetime

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.cli.output import console, emit_json, local_iso
from glutecoach.errors import InputError


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f'--since: "{value}" is not a date like 2026-11-23') from None


@click.command(help="The recorded prompts, oldest first: when each was shown, how it ended "
                    "(done, snoozed, skipped, missed, pending), whether it ended by itself "
                    "(auto: you took the break without answering) and the exercise offered.")
@click.option("--since", callback=_parse_date, metavar="DATE",
              help="Only prompts shown on or after this local date (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@location_options
@pass_app
def history(app: App, since: date | None, as_json: bool) -> None:
    zone = app.zone
    start = datetime.combine(since, datetime.min.time(), zone) if since else None
    prompts = app.store(write=False).load(since=start).prompts
    if as_json:
        emit_json([{"at": local_iso(p.at, zone), "outcome": p.outcome, "auto": p.auto,
                    "exercise": p.exercise} for p in prompts])
        return
    out = console()
    if not prompts:
        out.print("No prompts recorded" + (f" since {since}." if since else " yet."))
        return
    from rich.table import Table

    table = Table(title=f"Prompts ({zone.key})")
    for col in ("Shown", "Outcome", "Answered", "Exercise"):
        table.add_column(col)
    for p in prompts:
        outcome = p.outcome + (" (auto)" if p.auto else "")
        answered = f"{p.answered_at.astimezone(zone):%H:%M}" if p.answered_at else ""
        table.add_row(f"{p.at.astimezone(zone):%a %Y-%m-%d %H:%M}", outcome, answered,
                      p.exercise or "")
    out.print(table)

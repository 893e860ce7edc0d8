"""`glutecoach report`: the weekly review in the terminal, as JSON, CSV or an HTML page."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.cli.output import console, emit_json
from glutecoach.report.week import IsoWeek

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from glutecoach.store import Store

HELP = """The weekly review (default: this week, in the config's time zone): per day the
sitting time, longest stretch, stretches over the sitting limit, prompts by outcome,
compliance, natural breaks and minutes of movement; sitting by hour; the change against
the week before; muscles trained; the streak of days that met the movement goal.

\b
Minutes of movement: time in breaks inside your work windows, between the
day's first and last input. The daily goal ([report] movement_goal_minutes,
default 120) follows Buckley 2015 (Br J Sports Med): build up to 2 h a day of
standing and light activity in working hours, then 4 h.

\b
--csv FILE writes one row per prompt and per sitting stretch, columns:
  kind (prompt|stretch), date, start, end, minutes, outcome, auto, snoozes,
  exercise, over_limit, ongoing
(prompts: shown -> ended, minutes to the answer; stretches: first -> last
input, split at midnight). --html FILE writes one self-contained page.
Files are readable by you alone.

\b
Examples:
  glutecoach report
  glutecoach report --week 2026-W48 --json
  glutecoach report --html week.html --csv week.csv
"""


def _parse_week(_ctx: click.Context, _param: click.Parameter, value: str | None
                ) -> IsoWeek | None:
    return None if value is None else IsoWeek.parse(value)


@click.command(help=HELP, short_help="The weekly review: sitting, prompts, movement, muscles.")
@click.option("--week", callback=_parse_week, metavar="YYYY-Www",
              help="The ISO week to report, e.g. 2026-W48 (default: this week).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the report as JSON (one document on stdout).")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), metavar="FILE",
              help="Write the week's prompts and stretches to FILE as CSV.")
@click.option("--html", "html_path", type=click.Path(path_type=Path), metavar="FILE",
              help="Write the report as one self-contained HTML page to FILE.")
@location_options
@pass_app
def report(app: App, week: IsoWeek | None, as_json: bool, csv_path: Path | None,
           html_path: Path | None) -> None:
    from glutecoach.report.build import build_report
    from glutecoach.report.export import report_csv, report_json, write_private

    store = app.store(write=False)
    r = build_report(store, app.config, week, config_path=app.config_option)
    # An empty week points to the weeks that have data: in the report people read; with --json
    # on stderr (stdout keeps cli.md's document), and there only for the default week, which
    # the user did not choose.
    weeks = weeks_with_data(store, r.zone) if not r.recorded else []
    if weeks and (as_json or csv_path or html_path) and week is None:
        from glutecoach.report.terminal import empty_week_text

        click.echo(f"glutecoach: {' '.join(empty_week_text(r.week, True, weeks))}", err=True)
    # With --json, stdout holds the document alone: where files went is said on stderr.
    if csv_path is not None:
        written = write_private(csv_path, report_csv(r))
        click.echo(f"Wrote the prompts and stretches of {r.week} to {written}", err=as_json)
    if html_path is not None:
        from glutecoach.report.html import report_html

        written = write_private(html_path, report_html(r))
        click.echo(f"Wrote the report of {r.week} to {written}", err=as_json)
    if as_json:
        emit_json(report_json(r))
    elif csv_path is None and html_path is None:
        from glutecoach.report.terminal import render

        render(r, console(), weeks)


def weeks_with_data(store: Store, zone: ZoneInfo) -> list[IsoWeek]:
    """The local ISO weeks in which a sitting stretch or a prompt was recorded, oldest first.
    Read only for an empty week: every row's instant (a year is some 10,000 short rows)."""
    from sqlmodel import select

    from glutecoach.store.tables import PromptRow, StretchRow

    with store.reading() as s:
        moments = [*s.exec(select(StretchRow.start_utc)), *s.exec(select(PromptRow.shown_utc))]
        # A stretch's end counts too (one into Monday morning makes that week's Monday), but
        # one that ends at midnight has nothing on the day that begins then.
        moments += [end - timedelta(microseconds=1)
                    for end in s.exec(select(StretchRow.end_utc)) if end is not None]
    return sorted({IsoWeek.containing(m.replace(tzinfo=UTC).astimezone(zone).date())
                   for m in moments})

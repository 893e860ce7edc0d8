"""`glutecoach simulate TRACE`: replay a recorded trace through the sitting rules."""

from __future__ import annotations

from pathlib import Path

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.cli.output import (
    console,
    emit_json,
    local_iso,
    minutes_text,
    percent_text,
    warn,
)
from glutecoach.errors import GlutecoachError

HELP = """Replay a trace (CSV with header at,until,event) through the same rules as the coach,
on a virtual clock, and show what it would have done: a table per day, or JSON with --json.

\b
Events: active, locked, suspended, paused (rows with at and until) and
done, snooze, skip (answers at a moment). Times are ISO 8601; without an offset
they are local times in the config's time zone.

\b
Example:
  glutecoach simulate day.csv --config config.toml --prompts
  glutecoach simulate week.csv --record      # write it into the history database
"""


@click.command(help=HELP)
@click.argument("trace", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (prompts and days).")
@click.option("--prompts", "show_prompts", is_flag=True, help="List every prompt as well.")
@click.option("--record", is_flag=True,
              help="Write the simulated history into the database under the home "
                   "(refused if that time span already has history).")
@location_options
@pass_app
def simulate(app: App, trace: Path, as_json: bool, show_prompts: bool, record: bool) -> None:
    from glutecoach.cli.exercises_cmd import load_for
    from glutecoach.days import summarize_days, totals_json
    from glutecoach.engine import Rules
    from glutecoach.plans.planner import make_simulation_chooser
    from glutecoach.simulate import simulate as run
    from glutecoach.trace import read_trace
    from glutecoach.workhours import WorkHours

    cfg, zone = app.config, app.zone
    rows = read_trace(trace, zone)
    chooser = make_simulation_chooser(cfg, load_for(app))
    hours = WorkHours.of(cfg.schedule, zone)
    sim = run(rows, Rules.from_schedule(cfg.schedule), hours,
              name=str(trace), choose_exercise=chooser)
    for w in sim.warnings:
        warn(w)
    days = summarize_days(sim.history, zone, sim.start.astimezone(zone).date(),
                          sim.end.astimezone(zone).date(), days_off=hours.day_off)
    off = [d for d in days if d.day_off is not None]

    if record:
        store = app.store()
        if store.has_history_between(sim.start, sim.end):
            raise GlutecoachError(
                f"{store.path} already has history between {local_iso(sim.start, zone)} and "
                f"{local_iso(sim.end, zone)}; nothing was written")
        store.record(sim.history, zone.key, source="simulate",
                     plans={n: p.to_json_text() for n, p in chooser.plans.items()})

    if as_json:
        doc: dict[str, object] = {
            "prompts": [{"at": local_iso(p.at, zone), "outcome": p.outcome, "auto": p.auto,
                         "exercise": p.exercise} for p in sim.history.prompts],
            "days": [d.as_json() for d in days],
        }
        if hours.days_off:
            # Beside the DAY objects (whose keys cli.md fixes), with a config that has days off
            # or holidays: the days of the trace with no work windows.
            doc["days_off"] = [{"date": d.date.isoformat(), "note": d.day_off} for d in off]
        emit_json(doc)
        return

    from rich import box
    from rich.table import Table

    out = console()
    table = Table(title=f"{trace.name}: what the coach would have done ({zone.key})",
                  box=box.SIMPLE_HEAD, caption="Sitting and longest stretch in hours:minutes")
    for col in ("Date", "Sitting", "Longest", "Prompts", "Done", "Snoozed", "Skipped", "Missed",
                "Natural\nbreaks", "Compliance"):
        table.add_column(col, justify="left" if col == "Date" else "right", no_wrap=True)
    for d in days:
        j = d.as_json()
        # A day off is marked with "*" and named below the table (the table is full width).
        mark = "*" if d.day_off is not None else ""
        table.add_row(f"{d.date:%a %Y-%m-%d}{mark}", minutes_text(j["sitting_minutes"]),  # type: ignore[arg-type]
                      minutes_text(j["longest_sitting_minutes"]), str(d.prompts), str(d.done),  # type: ignore[arg-type]
                      str(d.snoozed), str(d.skipped), str(d.missed), str(d.natural_breaks),
                      percent_text(d.compliance))
    if len(days) > 1:
        t = totals_json(days)
        table.add_section()
        table.add_row("Total", minutes_text(t["sitting_minutes"]),  # type: ignore[arg-type]
                      minutes_text(t["longest_sitting_minutes"]), str(t["prompts"]),  # type: ignore[arg-type]
                      str(t["done"]), str(t["snoozed"]), str(t["skipped"]), str(t["missed"]),
                      str(t["natural_breaks"]), percent_text(t["compliance"]))  # type: ignore[arg-type]
    out.print(table)
    if off:
        named = ", ".join(f"{d.date:%a %Y-%m-%d}" + (f" {d.day_off}" if d.day_off else "")
                          for d in off)
        out.print(f"* Day off (no work windows, so no prompts; sitting still counted): {named}",
                  highlight=False)
    if show_prompts:
        pt = Table(title="Prompts", box=box.SIMPLE_HEAD)
        for col in ("#", "Shown", "Outcome", "At", "Exercise"):
            pt.add_column(col)
        for p in sim.history.prompts:
            outcome = p.outcome + (" (auto)" if p.auto else "")
            answered = f"{p.answered_at.astimezone(zone):%H:%M:%S}" if p.answered_at else ""
            pt.add_row(str(p.number), f"{p.at.astimezone(zone):%a %H:%M:%S}", outcome, answered,
                       p.exercise or "")
        out.print(pt)
    if record:
        h = sim.history
        out.print(f"Recorded {len(h.stretches)} stretches, {len(h.breaks)} breaks and "
                  f"{len(h.prompts)} prompts into {app.store().path}")

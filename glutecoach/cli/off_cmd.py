"""`glutecoach off add | list | remove`: days off (vacations, sick days) as `[[schedule.days_off]]`
entries of the config file, changed through config_edit like `config set`, so the rest of the
file stays as it was."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import click

from glutecoach.cli.context import App, location_options, pass_app
from glutecoach.errors import InputError

KEY = "schedule.days_off"
_HOLIDAYS_AHEAD = timedelta(days=365)  # how far `off list` looks for public holidays
_RANGE_FORM = "a date or a range like 2026-12-24..2027-01-01 (also today, tomorrow)"


@click.group(help="""Days off: vacations, sick days and other days with no work hours. On a
day off the coach shows no prompts (sitting is still recorded), the report marks it and leaves
it out of the movement goal's streak. They are kept in the config file as [[schedule.days_off]]
entries; public holidays come from `glutecoach config set schedule.holidays DE-BY`.

\b
Examples:
  glutecoach off add 2026-12-24..2027-01-01 --note "winter holiday"
  glutecoach off add tomorrow --note "dentist"
  glutecoach off list
  glutecoach off remove 2        (the second entry of `off list`)""")
def off() -> None:
    pass


@off.command(short_help="Add a day off or a range of days off.", help="""\
Add a day off, or a range of them (both ends included): DATE or FIRST..LAST as
YYYY-MM-DD, or today / tomorrow (in the config's time zone).

\b
Examples:
  glutecoach off add 2026-12-24..2027-01-01 --note "winter holiday"
  glutecoach off add 2027-03-05
  glutecoach off add today --note "sick\"""")
@click.argument("days", metavar="DATE|FIRST..LAST")
@click.option("--note", default="", help="Why (shown in `off list`, the tray and the report).")
@location_options
@pass_app
def add(app: App, days: str, note: str) -> None:
    from glutecoach.cli.config_writes import open_config, save
    from glutecoach.config_edit import day_off_entry

    doc = open_config(app, create=True)
    first, last = parse_range(days, _today(doc))
    entries = _entries(doc)
    if any(_span(e) == (first, last or first) for e in entries):
        click.echo(f"{_range_text(first, last)} is a day off already; {doc.path} is as it was.")
        return
    new = day_off_entry(first, last, note.strip())
    # In date order among the others, so that a file kept in order stays in order.
    at = next((i for i, e in enumerate(entries) if e["first"] > first), len(entries))
    doc.set(KEY, [*entries[:at], new, *entries[at:]])
    reloaded = save(app, doc, KEY)
    click.echo(f"Day off added: {_describe(first, new.get('last'), new.get('note', ''))}"
               f"{reloaded}")


@off.command("list", short_help="List the days off and the next public holidays.", help="""\
List the days off of the config file, numbered (for `off remove`), and, with
schedule.holidays set, the public holidays of the coming year.""")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@location_options
@pass_app
def list_(app: App, as_json: bool) -> None:
    from glutecoach.cli.config_writes import open_config

    doc = open_config(app, create=False)
    schedule = doc.config().schedule
    today = datetime.now(schedule.zone()).date()
    ranges = schedule.days_off
    holidays, problem = _next_holidays(schedule.holidays, today)
    if as_json:
        from glutecoach.cli.output import emit_json

        emit_json({
            "days_off": [{"index": i, "first": r.first.isoformat(),
                          "last": r.end.isoformat(), "note": r.note, "days": len(r.days()),
                          "past": r.end < today} for i, r in enumerate(ranges, start=1)],
            "holidays": schedule.holidays,
            "next_holidays": [{"date": d.isoformat(), "name": n} for d, n in holidays.items()],
        })
        return
    if ranges:
        click.echo(f"Days off (in {doc.path}):")
        for i, r in enumerate(ranges, start=1):
            past = "  (past)" if r.end < today else ""
            click.echo(f"  {i:>2}  {_describe(r.first, r.last, r.note, columns=True)}{past}")
    else:
        click.echo(f"No days off in {doc.path}. Add one with: glutecoach off add "
                   "2026-12-24..2027-01-01 --note \"winter holiday\"")
    if schedule.holidays:
        if problem:
            click.echo(f"Public holidays ({schedule.holidays}): cannot list them: {problem}")
        else:
            click.echo(f"Public holidays ({schedule.holidays}), the next {len(holidays)}:")
            for d, name in holidays.items():
                click.echo(f"      {d.isoformat()} {d:%a}  {name}")


@off.command(short_help="Remove a day off, by its number or its dates.", help="""\
Remove a day off: its number in `off list`, or its dates as they were added (DATE or FIRST..LAST).

\b
Examples:
  glutecoach off remove 2
  glutecoach off remove 2026-12-24..2027-01-01""")
@click.argument("which", metavar="NUMBER|DATE|FIRST..LAST")
@location_options
@pass_app
def remove(app: App, which: str) -> None:
    from glutecoach.cli.config_writes import open_config, save

    doc = open_config(app, create=False)
    entries = _entries(doc)
    at = _find(entries, which, _today(doc), str(doc.path))
    gone = entries[at]
    doc.set(KEY, entries[:at] + entries[at + 1:])
    reloaded = save(app, doc, KEY)
    click.echo(f"Day off removed: {_describe(gone['first'], gone.get('last'), gone.get('note'))}"
               f"{reloaded}")


# --- helpers ---------------------------------------------------------------------------------


def parse_range(text: str, today: date) -> tuple[date, date | None]:
    """"2026-12-24..2027-01-01", "2026-12-24", "today", "tomorrow" -> (first, last or None)."""
    parts = [p.strip() for p in text.strip().split("..")]
    if len(parts) > 2 or not all(parts):
        raise InputError(f'"{text}" is not {_RANGE_FORM}')
    days = [_day(p, today, text) for p in parts]
    first, last = days[0], days[-1] if len(days) == 2 else None
    if last is not None and last < first:
        raise InputError(f'"{text}" ends before it starts (write {last}..{first})')
    return first, last


def _day(word: str, today: date, text: str) -> date:
    named = {"today": today, "tomorrow": today + timedelta(days=1)}
    if word.lower() in named:
        return named[word.lower()]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", word):
        raise InputError(f'"{text}" is not {_RANGE_FORM}')
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise InputError(f'"{text}": {word} is not a date that exists') from None


def _today(doc: Any) -> date:
    """Today in the config's time zone (the system's when the config names none or is not
    valid yet)."""
    from glutecoach.config import system_zone

    try:
        zone = doc.config().schedule.zone()
    except InputError:
        zone = system_zone()
    return datetime.now(zone).date()


def _entries(doc: Any) -> list[dict[str, Any]]:
    entries = doc.get(KEY) or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(
            e.get("first"), date) for e in entries):
        raise InputError(f"{doc.path}: {KEY} is not a list of days off; correct it first "
                         "(glutecoach config check)")
    return entries


def _span(entry: dict[str, Any]) -> tuple[date, date]:
    return entry["first"], entry.get("last") or entry["first"]


def _find(entries: list[dict[str, Any]], which: str, today: date, path: str) -> int:
    if not entries:
        raise InputError(f"{path} has no days off to remove")
    if re.fullmatch(r"\s*\d+\s*", which):
        number = int(which)
        if not 1 <= number <= len(entries):
            raise InputError(f"there is no day off number {number}: `glutecoach off list` "
                             f"shows 1 to {len(entries)}")
        return number - 1
    first, last = parse_range(which, today)
    wanted = (first, last or first)
    for i, entry in enumerate(entries):
        if _span(entry) == wanted:
            return i
    inside = [i for i, e in enumerate(entries) if _span(e)[0] <= first <= _span(e)[1]]
    if inside:
        i = inside[0]
        raise InputError(f"{_range_text(first, last)} is part of day off {i + 1} "
                         f"({_range_text(*_span(entries[i]))}); remove that with: "
                         f"glutecoach off remove {i + 1}")
    raise InputError(f"no day off {_range_text(first, last)} in {path} (see: glutecoach off list)")


def _range_text(first: date, last: date | None) -> str:
    return first.isoformat() if last is None or last == first else f"{first}..{last}"


def _describe(first: date, last: date | None, note: str | None, columns: bool = False) -> str:
    """"2026-12-24..2027-01-01 (9 days, winter holiday)"; in columns for `off list`."""
    count = ((last or first) - first).days + 1
    days = "1 day" if count == 1 else f"{count} days"
    if columns:
        return f"{_range_text(first, last):<22}  {days:<8}  {note or ''}".rstrip()
    return f"{_range_text(first, last)} ({days}{', ' + note if note else ''})"


def _next_holidays(code: str | None, today: date) -> tuple[dict[date, str], str]:
    """The public holidays from today for a year, and why there are none ("" if fine)."""
    if not code:
        return {}, ""
    from glutecoach.days_off import public_holidays

    end = today + _HOLIDAYS_AHEAD
    try:
        found = public_holidays(code, range(today.year, end.year + 1))
    except ValueError as exc:
        return {}, str(exc)
    return {d: n for d, n in sorted(found.items()) if today <= d <= end}, ""

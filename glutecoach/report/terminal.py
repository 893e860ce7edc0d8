"""The weekly review in the terminal (rich): the day table with inline bars, the hour-by-day heat
map of sitting, totals against the week before, muscles trained and the movement-goal streak.

Laid out for 100 columns; below that the bars are left out and the heat map narrows, so it still
reads at 80. Shading uses block characters as well as colour, so it survives NO_COLOR and pipes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from glutecoach.cli.output import minutes_text, percent_text
from glutecoach.library import MUSCLES
from glutecoach.report.build import WeekReport
from glutecoach.report.figures import GOAL_SOURCE, off_text, work_hours_of_day
from glutecoach.report.week import IsoWeek

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

WIDE = 100  # from this width on: bars in the table, 3-column hours in the heat map
_EIGHTHS = " ▏▎▍▌▋▊▉"
# Heat map shades: (upper bound in minutes of sitting in the hour, character, style)
_SHADES = ((15, "░", "yellow"), (30, "▒", "dark_orange"), (45, "▓", "orange_red1"),
           (float("inf"), "█", "red"))


def bar(fraction: float, width: int) -> str:
    """A horizontal bar in eighths of a character: 0.5 of 8 -> "████    "."""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[rest] if rest else "")
    return text.ljust(width)


def change_text(now: float | None, before: float | None, *, points: bool = False,
                lower_is_better: bool = False) -> Text:
    """▲ +12% / ▼ -8% against the week before, green when better, red when worse."""
    from rich.text import Text

    if now is None or before is None:
        return Text("–", style="dim")
    if points:  # a ratio: the change in percentage points
        delta = (now - before) * 100
        label = f"{delta:+.0f} pt"
    elif before == 0:
        return Text("new" if now else "=", style="dim")
    else:
        delta = (now - before) / before * 100
        label = f"{delta:+.0f}%"
    if round(delta) == 0:
        return Text(f"= {label}", style="dim")
    better = (delta < 0) == lower_is_better
    arrow = "▲" if delta > 0 else "▼"
    return Text(f"{arrow} {label}", style="green" if better else "red")


# An empty week names at most this many stretches of weeks with data: the first, "…", the latest.
MAX_SPANS = 6


def week_spans(weeks: Sequence[IsoWeek]) -> str:
    """Sorted weeks as spans: "2026-W25 to 2026-W27, 2026-W30" (consecutive weeks joined)."""
    spans: list[list[IsoWeek]] = []
    for w in weeks:
        if spans and spans[-1][1].next() == w:
            spans[-1][1] = w
        else:
            spans.append([w, w])
    texts = [str(a) if a == b else f"{a} to {b}" for a, b in spans]
    if len(texts) > MAX_SPANS:
        texts = [texts[0], "…", *texts[-(MAX_SPANS - 2):]]
    return ", ".join(texts)


def empty_week_text(week: IsoWeek, current: bool,
                    weeks_with_data: Sequence[IsoWeek]) -> tuple[str, str, str]:
    """What to say about a week with nothing recorded, when other weeks have data, in three
    sentences: nothing here; which weeks have data; the command for the one nearest to this
    week (the earlier one of two as near)."""
    here = f"this week ({week})" if current else f"in {week}"
    nearest = min(weeks_with_data, key=lambda w: (abs((w.monday - week.monday).days),
                                                  w.monday))
    return (f"Nothing recorded {here}.", f"Weeks with data: {week_spans(weeks_with_data)}.",
            f"Try: glutecoach report --week {nearest}")


def render(r: WeekReport, console: Console, weeks_with_data: Sequence[IsoWeek] = ()) -> None:
    for part in renderables(r, console.width, weeks_with_data):
        console.print(part)


def renderables(r: WeekReport, width: int,
                weeks_with_data: Sequence[IsoWeek] = ()) -> list[RenderableType]:
    """weeks_with_data: what an empty week points to (sorted; only read when it is empty)."""
    from rich.text import Text

    wide = width >= WIDE
    first, last = r.week.monday, r.week.sunday
    title = Text.assemble(
        (f"Week {r.week}", "bold"),
        f"  {first:%a %d %b} – {last:%a %d %b %Y}  ({r.zone.key})")
    out: list[RenderableType] = [title]
    if not r.recorded:
        before = r.week_before
        if weeks_with_data:
            current = IsoWeek.current(r.zone, r.now) == r.week
            out.append(Text("\n".join(empty_week_text(r.week, current, weeks_with_data))))
        else:
            out.append(Text(f"Nothing was recorded in {r.week}. The coach records while it runs "
                            "(glutecoach run); a simulated week can be recorded with "
                            "glutecoach simulate TRACE --record.", style="dim"))
        if before.sitting_minutes:
            out.append(Text(f"The week before: {minutes_text(before.sitting_minutes)} "
                            f"sitting, compliance {percent_text(before.compliance)}."))
        return out
    for section in (day_table(r, wide), heat_map(r, wide), totals_table(r),
                    muscles_text(r, wide), goal_text(r)):
        out += [Text(""), section]
    out += [Text(n, style="dim") for n in r.notes()]
    return out


def day_table(r: WeekReport, wide: bool) -> RenderableType:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    t = Table(box=box.SIMPLE_HEAD, padding=0, show_edge=False,
              caption="Times in hours:minutes. Over = stretches longer than "
                      f"{minutes_text(r.sit_limit_minutes)}; Move = minutes of movement in "
                      "working hours (breaks), bar to the daily goal.",
              caption_justify="left")
    for name in ("Day", "Sitting", "Longest", "Over", "Prompts", "Done", "Snz", "Skip", "Miss",
                 "Compl.", "Natural\nbreaks", "Move"):
        t.add_column(name, justify="left" if name in ("Day", "Sitting", "Move") else "right",
                     no_wrap=True)
    most = max([d.sitting_seconds for d in r.days] + [3600.0])
    goal = r.goal_minutes * 60
    for i, (d, f) in enumerate(zip(r.days, r.figures, strict=True)):
        label = f"{d.date:%a %d}"
        if not f.recorded:
            what = ("to come" if f.status == "future" else "nothing recorded"
                    ) if d.day_off is None else off_text(d.day_off)
            t.add_row(Text(label, style="dim"), Text(what, style="dim"))
            continue
        j = r.day(i)  # the DAY numbers of the JSON, as `simulate` prints them
        sitting = Text(minutes_text(j.sitting_minutes).rjust(5))
        if wide:
            sitting.append(" " + bar(j.sitting_minutes * 60 / most, 8), style="cyan")
        move = Text(minutes_text(f.movement_seconds / 60).rjust(4))
        if d.day_off is not None:  # no work windows: no movement counted, no goal
            move = Text(off_text(d.day_off), style="dim")
        elif wide and f.work_seconds:
            move.append(" " + bar(f.movement_seconds / goal, 6), style="green")
        if f.goal_met:
            move.append(" ✓", style="bold green")
        over = Text(str(f.over_limit), style="red" if f.over_limit else "")
        t.add_row(
            Text(label, style="bold" if f.status == "today" else ""), sitting,
            minutes_text(j.longest_sitting_minutes), over, str(j.prompts), str(j.done),
            str(j.snoozed), str(j.skipped), str(j.missed), percent_text(j.compliance),
            str(j.natural_breaks), move)
    w = r.this_week
    t.add_section()
    t.add_row(
        Text("Week", style="bold"), Text(minutes_text(w.sitting_minutes).rjust(5)),
        minutes_text(w.longest_sitting_minutes), str(r.over_limit), str(w.prompts),
        str(w.done), str(w.snoozed), str(w.skipped), str(w.missed),
        percent_text(w.compliance), str(w.natural_breaks),
        Text(minutes_text(r.movement_minutes).rjust(4)))
    return t


def heat_map(r: WeekReport, wide: bool) -> RenderableType:
    """Rows are days, columns local hours; a cell's shade is the minutes sat in that hour."""
    from rich.console import Group
    from rich.text import Text

    cell = 3 if wide else 2
    lines = [Text("Sitting by hour", style="bold")]
    header = Text(" " * 7)
    for h in range(24):
        header.append((str(h) if h % 3 == 0 else "").ljust(cell), style="dim")
    lines.append(header)
    for f in r.figures:
        row = Text(f"{f.date:%a %d} ", style="dim" if not f.recorded else "")
        work = work_hours_of_day(r.hours, f.date)
        for h, seconds in enumerate(f.heat):
            minutes = seconds / 60
            if minutes < 0.5:
                ch, style = ("·", "dim") if h in work else (" ", "")
            else:
                ch, style = next((c, s) for top, c, s in _SHADES if minutes < top)
            row.append(ch * (cell - 1) + " ", style=style)
        lines.append(row)
    legend = Text(" " * 7 + "minutes sat in the hour: ", style="dim")
    for (top, ch, style), low in zip(_SHADES, (0, 15, 30, 45), strict=True):
        legend.append(ch, style=style)
        legend.append(f" {low}-{top:g}  " if top != float("inf") else f" {low}+  ", style="dim")
    legend.append("· work hours", style="dim")
    lines.append(legend)
    return Group(*lines)


def totals_table(r: WeekReport) -> RenderableType:
    from rich import box
    from rich.table import Table

    now, before = r.this_week, r.week_before
    t = Table(box=box.SIMPLE_HEAD, padding=0, show_edge=False,
              title=f"Against the week before ({r.week.previous()})", title_justify="left")
    for name in ("", "This week", "Week before", "Change"):
        t.add_column(name, justify="left" if not name else "right", no_wrap=True)
    rows = [
        ("Sitting", minutes_text, now.sitting_minutes, before.sitting_minutes, True),
        ("Longest stretch", minutes_text, now.longest_sitting_minutes,
         before.longest_sitting_minutes, True),
        ("Stretches over the limit", str, r.over_limit, r.previous_over_limit, True),
        ("Prompts", str, now.prompts, before.prompts, False),
        ("Done", str, now.done, before.done, False),
        ("Natural breaks", str, now.natural_breaks, before.natural_breaks, False),
        ("Movement", minutes_text, r.movement_minutes, r.previous_movement_minutes, False),
    ]
    for label, show, a, b, lower_is_better in rows:
        t.add_row(label, show(a), show(b), change_text(a, b, lower_is_better=lower_is_better))
    t.add_row("Compliance", percent_text(now.compliance), percent_text(before.compliance),
              change_text(now.compliance, before.compliance, points=True))
    return t


def muscles_text(r: WeekReport, wide: bool) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    total = sum(r.muscles.values())
    head = Text("Muscles trained", style="bold")
    head.append(" (exercises done in breaks, by primary muscle)", style="dim")
    if not total:
        return Group(head, Text("  none recorded this week", style="dim"))
    most = max(r.muscles.values())
    lines = [head]
    for m in MUSCLES:
        n = r.muscles[m]
        line = Text(f"  gluteus {m:<8}{n:>4} ")
        line.append(bar(n / most, 20 if wide else 12), style="magenta")
        lines.append(line)
    if r.unknown_exercises:
        lines.append(Text("  not counted (no longer in the library): "
                          + ", ".join(f"{k} x{v}" for k, v in r.unknown_exercises.items()),
                          style="dim"))
    return Group(*lines)


def goal_text(r: WeekReport) -> RenderableType:
    from rich.text import Text

    met, counted = r.goal_days
    t = Text("Movement goal: ", style="bold")
    t.append(f"{minutes_text(r.goal_minutes)} a day in working hours. {GOAL_SOURCE}: build up "
             "to 2 h a day of standing and light activity, then 4 h.\n")
    t.append(f"Met on {met} of {counted} working day{'s' if counted != 1 else ''} this week; ")
    t.append(f"streak: {r.streak} day{'s' if r.streak != 1 else ''}.",
             style="bold green" if r.streak else "")
    if r.deferred:
        held = ", ".join(f"{n} by {signal}" for signal, n in sorted(r.deferred.items()))
        total = sum(r.deferred.values())
        t.append(f"\nPrompts that waited for a meeting to end: {total} ({held}).")
    return t

"""The weekly review as one self-contained HTML page: CSS inline, charts as inline SVG drawn by
matplotlib (Agg, imported only here), no scripts and no network: it opens the same offline, from
a mail attachment or years later.

`write_report_html` is what the tray's "Weekly report" item calls.
"""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from glutecoach.cli.output import minutes_text, percent_text
from glutecoach.library import MUSCLES, SAFETY_NOTE
from glutecoach.report.build import WeekReport
from glutecoach.report.figures import (
    GOAL_ADVICE,
    GOAL_SOURCE,
    duration_text,
    off_text,
    work_hours_of_day,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from glutecoach.cli.context import App
    from glutecoach.config import Config
    from glutecoach.report.week import IsoWeek

# One palette for the page and its charts.
INK, MUTED, GRID = "#1f2933", "#6b7785", "#e4e7eb"
SITTING, MOVEMENT, LIMIT, GOAL = "#3d6fb6", "#2e9e6a", "#d64545", "#2e9e6a"
OUTCOME_COLOURS = {"done": "#2e9e6a", "snoozed": "#e0a526", "skipped": "#ef7d32",
                   "missed": "#d64545"}
MUSCLE_COLOUR = "#8a55b8"
WORK, OFF = "#dde5ef", "#f4f6f8"  # heat map ground: work hours, other hours


# --- the charts ---------------------------------------------------------------------------------


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")  # never a GUI backend, even if pyplot gets imported somewhere
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    fig.patch.set_alpha(0)
    return fig


def _style(ax: Axes, ylabel: str = "") -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    ax.tick_params(colors=MUTED, length=0, labelsize=9)
    ax.yaxis.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.set_facecolor("none")
    if ylabel:
        ax.set_ylabel(ylabel, color=MUTED, fontsize=9)


def _day_labels(r: WeekReport) -> list[str]:
    return [f"{f.date:%a}\n{f.date:%d %b}" for f in r.figures]


def _svg(fig: Figure, name: str, label: str) -> str:
    """The figure as an <svg> element to inline: no XML prolog, no namespace or metadata URLs
    (an HTML parser needs none), scaled by CSS."""
    import matplotlib

    buf = io.StringIO()
    # A fixed salt per chart: ids stay stable between runs and distinct between the charts.
    with matplotlib.rc_context({"svg.hashsalt": f"glutecoach-{name}", "svg.fonttype": "none",
                                "font.family": "sans-serif"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None,
                                                 "Format": None, "Type": None},
                    bbox_inches="tight", pad_inches=0.05)
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = text.replace("xlink:href=", "href=")
    text = re.sub(r'<svg([^>]*?)\s+width="[^"]*"\s+height="[^"]*"',
                  rf'<svg\1 role="img" aria-label="{html.escape(label)}" class="chart"', text,
                  count=1)
    # Every chart numbers its elements alike (figure_1, patch_1...): one page needs unique ids.
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    text = re.sub(r'(\bid="|href="#|url\(#)([^")]+)',
                  lambda m: m.group(1) + (f"{name}-" if m.group(2) in ids else "") + m.group(2),
                  text)
    return text.strip()


def sitting_chart(r: WeekReport) -> str:
    """Sitting and minutes of movement per day, in hours, with the daily movement goal."""
    fig = _figure(7.2, 3.1)
    ax = fig.add_subplot()
    xs = range(7)
    sitting = [d.sitting_seconds / 3600 for d in r.days]
    moving = [f.movement_seconds / 3600 for f in r.figures]
    ax.bar([x - 0.19 for x in xs], sitting, width=0.38, color=SITTING, label="sitting")
    ax.bar([x + 0.19 for x in xs], moving, width=0.38, color=MOVEMENT, label="movement")
    goal = r.goal_minutes / 60
    ax.axhline(goal, color=GOAL, linestyle=(0, (4, 3)), linewidth=1.4,
               label=f"movement goal {duration_text(r.goal_minutes)}")
    for x, s in zip(xs, sitting, strict=True):
        if s:
            ax.annotate(minutes_text(s * 60), (x - 0.19, s), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8,
                        color=MUTED)
    top = max([*sitting, goal, 1.0])
    ax.set_ylim(0, top * 1.15)
    ax.set_xticks(list(xs), _day_labels(r))
    _style(ax, "hours")
    ax.legend(loc="lower left", frameon=False, fontsize=8.5, ncols=3,
              bbox_to_anchor=(0, 1.0))
    return _svg(fig, "sitting", "Sitting and movement per day, with the daily movement goal")


def longest_chart(r: WeekReport) -> str:
    """The longest stretch per day against the sitting limit, with stretches over it."""
    fig = _figure(7.2, 2.6)
    ax = fig.add_subplot()
    longest = [d.longest_sitting_seconds / 60 for d in r.days]
    colours = [LIMIT if m > r.sit_limit_minutes else SITTING for m in longest]
    ax.bar(range(7), longest, width=0.55, color=colours)
    ax.axhline(r.sit_limit_minutes, color=LIMIT, linestyle=(0, (4, 3)), linewidth=1.4,
               label=f"sitting limit {duration_text(r.sit_limit_minutes)}")
    for x, (m, f) in enumerate(zip(longest, r.figures, strict=True)):
        if f.over_limit:
            ax.annotate(f"{f.over_limit} over", (x, m), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8,
                        color=MUTED)
    ax.set_ylim(0, max([*longest, r.sit_limit_minutes]) * 1.25)
    ax.set_xticks(range(7), _day_labels(r))
    _style(ax, "minutes")
    ax.legend(loc="lower left", frameon=False, fontsize=8.5, bbox_to_anchor=(0, 1.0))
    return _svg(fig, "longest", "Longest sitting stretch per day, with the sitting limit")


def prompts_chart(r: WeekReport) -> str:
    """Prompts per day stacked by outcome, with the day's compliance above."""
    fig = _figure(7.2, 2.8)
    ax = fig.add_subplot()
    bottom = [0.0] * 7
    for outcome, colour in OUTCOME_COLOURS.items():
        counts = [float(getattr(d, outcome)) for d in r.days]
        ax.bar(range(7), counts, bottom=bottom, width=0.55, color=colour, label=outcome)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    for x, d in enumerate(r.days):
        if d.prompts:
            ax.annotate(percent_text(d.compliance), (x, bottom[x]), xytext=(0, 2),
                        textcoords="offset points", ha="center", va="bottom", fontsize=8.5,
                        color=INK)
    ax.set_ylim(0, max([*bottom, 1.0]) * 1.3)
    ax.set_xticks(range(7), _day_labels(r))
    ax.yaxis.get_major_locator().set_params(integer=True)
    _style(ax, "prompts")
    ax.legend(loc="lower left", frameon=False, fontsize=8.5, ncols=4,
              bbox_to_anchor=(0, 1.0))
    return _svg(fig, "prompts", "Prompts per day by outcome, with compliance")


def heat_chart(r: WeekReport) -> str:
    """Minutes sat in each local hour of each day, over a lighter ground for the work hours."""
    import numpy as np
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.patches import Rectangle

    fig = _figure(7.2, 3.4)
    ax = fig.add_subplot()
    for y, f in enumerate(r.figures):
        work = work_hours_of_day(r.hours, f.date)
        for h in range(24):
            ax.add_patch(Rectangle((h, y), 1, 1, facecolor=WORK if h in work else OFF,
                                   edgecolor="white", linewidth=1.2))
    cmap = LinearSegmentedColormap.from_list("sitting", ["#fbe7b5", "#f6b45a", "#ef7d32",
                                                         "#b3261e"])
    minutes = np.array([[s / 60 for s in f.heat] for f in r.figures])
    # Hours without sitting stay transparent: the ground shows whether they were work hours.
    grid = np.ma.masked_less(minutes, 0.5)
    mesh = ax.pcolormesh(grid, cmap=cmap, vmin=0, vmax=60, edgecolors="white", linewidth=1.2)
    ax.set_xlim(0, 24)
    ax.set_ylim(7, 0)
    ax.set_xticks([h + 0.5 for h in range(0, 24, 2)], [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_yticks([y + 0.5 for y in range(7)], [f"{f.date:%a %d}" for f in r.figures])
    ax.tick_params(colors=MUTED, length=0, labelsize=8.5)
    for side in ax.spines.values():
        side.set_visible(False)
    bar = fig.colorbar(mesh, ax=ax, fraction=0.03, pad=0.015)
    bar.set_label("minutes sat in the hour", color=MUTED, fontsize=8.5)
    bar.ax.tick_params(colors=MUTED, labelsize=8, length=0)
    bar.outline.set_visible(False)  # type: ignore[operator]
    return _svg(fig, "heat", "Minutes sat in each hour of each day")


def muscles_chart(r: WeekReport) -> str:
    fig = _figure(4.2, 1.7)
    ax = fig.add_subplot()
    counts = [r.muscles[m] for m in MUSCLES]
    names = [f"gluteus {m}" for m in MUSCLES]
    ax.barh(names, counts, color=MUSCLE_COLOUR, height=0.55)
    for y, n in enumerate(counts):
        ax.annotate(str(n), (n, y), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=9, color=INK)
    ax.invert_yaxis()
    ax.set_xlim(0, max([*counts, 1]) * 1.2)
    ax.xaxis.get_major_locator().set_params(integer=True)
    _style(ax)
    ax.yaxis.grid(False)
    ax.xaxis.grid(True, color=GRID, linewidth=0.8)
    ax.tick_params(axis="y", labelsize=9.5, colors=INK)
    return _svg(fig, "muscles", "Exercises done by primary muscle")


# --- the page -----------------------------------------------------------------------------------

CSS = f":root {{ --ink: {INK}; --muted: {MUTED}; --grid: {GRID}; --move: {MOVEMENT}; }}" + """
* { box-sizing: border-box; }
body { margin: 0; background: #f4f6f8; color: var(--ink);
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
       sans-serif; }
main { max-width: 1280px; margin: 0 auto; padding: 20px 28px 32px; }
header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; margin-bottom: 14px; }
h1 { font-size: 24px; margin: 0; }
h2 { font-size: 15px; margin: 0 0 6px; }
.sub { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 12px; margin-bottom: 14px; }
.card, .panel { background: #fff; border-radius: 10px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.card { padding: 10px 14px; }
.card .k { color: var(--muted); font-size: 13px; }
.card .v { font-size: 24px; font-weight: 650; }
.card .c { font-size: 13px; }
.better { color: #1e7d52; } .worse { color: #b3261e; } .same { color: var(--muted); }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
.panel { padding: 12px 16px; min-width: 0; }
.panel p { margin: 4px 0 0; color: var(--muted); font-size: 13px; }
svg.chart { width: 100%; height: auto; display: block; }
.muscles svg.chart { max-width: 430px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums;
        font-size: 14px; }
th, td { padding: 5px 8px; text-align: right; border-bottom: 1px solid var(--grid); }
th:first-child, td:first-child { text-align: left; }
th { color: var(--muted); font-weight: 600; font-size: 12.5px; }
tr.total td { font-weight: 650; border-bottom: none; }
tr.none td { color: #9aa5b1; }
tr.off td:last-child, tr.off td[colspan] { color: var(--muted); font-style: italic; }
td.met::after { content: " ✓"; color: var(--move); }
.wide { grid-column: 1 / -1; }
footer { margin-top: 16px; color: var(--muted); font-size: 13px; }
.note { background: #fff8e6; border-left: 4px solid #e0a526; padding: 8px 12px;
        border-radius: 6px; color: var(--ink); }
@media (max-width: 900px) { .grid, .cards { grid-template-columns: 1fr; } }
"""


def _e(x: object) -> str:
    return html.escape(str(x))


def _change(now: float | None, before: float | None, *, points: bool = False,
            lower_is_better: bool = False, suffix: str = " vs week before") -> str:
    """An arrow and a percentage (or percentage points) against the week before, as HTML."""
    tail = f'<span class="same">{_e(suffix)}</span>' if suffix else ""
    if now is None or before is None:
        return '<span class="same">no comparison</span>'
    if points:
        delta = (now - before) * 100
        label = f"{delta:+.0f} pt"
    elif before == 0:
        return f'<span class="same">{"new" if now else "="}</span>'
    else:
        delta = (now - before) / before * 100
        label = f"{delta:+.0f}%"
    if round(delta) == 0:
        return f'<span class="same">= {_e(label)}</span>{tail}'
    better = (delta < 0) == lower_is_better
    arrow = "▲" if delta > 0 else "▼"
    return f'<span class="{"better" if better else "worse"}">{arrow} {_e(label)}</span>{tail}'


def _cards(r: WeekReport) -> str:
    now, before = r.this_week, r.week_before
    met, counted = r.goal_days
    cards = [
        ("Sitting", minutes_text(now.sitting_minutes),
         _change(now.sitting_minutes, before.sitting_minutes, lower_is_better=True)),
        ("Compliance", percent_text(now.compliance),
         _change(now.compliance, before.compliance, points=True)),
        ("Movement in working hours", minutes_text(r.movement_minutes),
         _change(r.movement_minutes, r.previous_movement_minutes)),
        ("Stretches over the limit", str(r.over_limit),
         _change(r.over_limit, r.previous_over_limit, lower_is_better=True)),
        ("Movement goal", f"{met} of {counted} days",
         f'<span class="same">streak: {r.streak} day{"s" if r.streak != 1 else ""}</span>'),
    ]
    return '<section class="cards">' + "".join(
        f'<div class="card"><div class="k">{_e(k)}</div><div class="v">{_e(v)}</div>'
        f'<div class="c">{c}</div></div>' for k, v, c in cards) + "</section>"


def _day_table(r: WeekReport) -> str:
    head = ("Day", "Sitting", "Longest", "Over limit", "Prompts", "Done", "Snoozed", "Skipped",
            "Missed", "Compliance", "Natural breaks", "Movement")
    rows = ["<tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr>"]
    for i, (d, f) in enumerate(zip(r.days, r.figures, strict=True)):
        label = f"{d.date:%a %d %b}"
        if not f.recorded:
            what = ("to come" if f.status == "future" else "nothing recorded"
                    ) if d.day_off is None else off_text(d.day_off)
            off = " off" if d.day_off is not None else ""
            rows.append(f'<tr class="none{off}"><td>{_e(label)}</td><td colspan="11" '
                        f'style="text-align:left">{_e(what)}</td></tr>')
            continue
        j = r.day(i)
        cells = [label, minutes_text(j.sitting_minutes), minutes_text(j.longest_sitting_minutes),
                 f.over_limit, j.prompts, j.done, j.snoozed, j.skipped, j.missed,
                 percent_text(j.compliance), j.natural_breaks]
        met = ' class="met"' if f.goal_met else ""
        move = minutes_text(f.movement_seconds / 60) if d.day_off is None else off_text(d.day_off)
        row = '<tr class="off">' if d.day_off is not None else "<tr>"
        rows.append(row + "".join(f"<td>{_e(c)}</td>" for c in cells)
                    + f"<td{met}>{_e(move)}</td></tr>")
    w = r.this_week
    cells = ["Week", minutes_text(w.sitting_minutes), minutes_text(w.longest_sitting_minutes),
             r.over_limit, w.prompts, w.done, w.snoozed, w.skipped, w.missed,
             percent_text(w.compliance), w.natural_breaks, minutes_text(r.movement_minutes)]
    rows.append('<tr class="total">' + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def report_html(r: WeekReport) -> str:
    first, last = r.week.monday, r.week.sunday
    goal = duration_text(r.goal_minutes)
    streak = f"{r.streak} day{'s' if r.streak != 1 else ''}"
    empty = "" if r.recorded else (
        '<p class="note">Nothing was recorded this week. The coach records while it runs '
        "(<code>glutecoach run</code>).</p>")
    generated = r.now.astimezone(r.zone).strftime("%Y-%m-%d %H:%M")
    notes = "".join(f"<br>{_e(n)}" for n in r.notes())
    muscles_total = sum(r.muscles.values())
    muscles = (muscles_chart(r) if muscles_total else
               "<p>No exercises recorded as done this week.</p>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GluteCoach · week {_e(r.week)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
  <h1>Your week {_e(r.week)}</h1>
  <span class="sub">{first:%a %d %b} – {last:%a %d %b %Y} · {_e(r.zone.key)}</span>
</header>
{empty}
{_cards(r)}
<section class="grid">
  <div class="panel">
    <h2>Sitting and movement per day</h2>
    {sitting_chart(r)}
    <p>Movement goal: {goal} a day in working hours. {_e(GOAL_SOURCE)}: {_e(GOAL_ADVICE)}.
    Met on {r.goal_days[0]} of {r.goal_days[1]} working days; streak {streak}.</p>
  </div>
  <div class="panel">
    <h2>Sitting by hour</h2>
    {heat_chart(r)}
    <p>Darker = more of the hour sat. Blue-grey ground: your work hours.{notes}</p>
  </div>
  <div class="panel">
    <h2>Prompts and compliance</h2>
    {prompts_chart(r)}
    <p>Compliance = done / (done + skipped + missed); snoozes are not a final answer.</p>
  </div>
  <div class="panel">
    <h2>Longest stretch</h2>
    {longest_chart(r)}
    <p>Red bars: the day's longest stretch went past the sitting limit.</p>
  </div>
  <div class="panel wide">
    <h2>Day by day</h2>
    {_day_table(r)}
    <p>Times in hours:minutes. Movement = time in breaks inside your work windows, between the
    day's first and last input; ✓ = the day met the goal. A day off has no work windows: no
    prompts and no goal (the streak neither counts nor breaks on it); its sitting still counts.</p>
  </div>
  <div class="panel muscles">
    <h2>Muscles trained</h2>
    {muscles}
    <p>Exercises done in breaks, counted by primary muscle.</p>
  </div>
  <div class="panel">
    <h2>Against the week before ({_e(r.week.previous())})</h2>
    {_comparison(r)}
  </div>
</section>
<footer>
  <p class="note">{_e(SAFETY_NOTE)}</p>
  <p>Made by GluteCoach on {generated} from the history on this computer.
  Movement goal: {_e(GOAL_SOURCE)}.</p>
</footer>
</main>
</body>
</html>
"""


def _comparison(r: WeekReport) -> str:
    now, before = r.this_week, r.week_before
    rows = [
        ("Sitting", minutes_text, now.sitting_minutes, before.sitting_minutes, True),
        ("Longest stretch", minutes_text, now.longest_sitting_minutes,
         before.longest_sitting_minutes, True),
        ("Prompts done", str, now.done, before.done, False),
        ("Natural breaks", str, now.natural_breaks, before.natural_breaks, False),
        ("Movement", minutes_text, r.movement_minutes, r.previous_movement_minutes, False),
    ]
    out = ["<table><tr><th></th><th>This week</th><th>Week before</th><th>Change</th></tr>"]
    for label, show, a, b, lower_is_better in rows:
        change = _change(a, b, lower_is_better=lower_is_better, suffix="")
        out.append(f"<tr><td>{_e(label)}</td><td>{_e(show(a))}</td><td>{_e(show(b))}</td>"
                   f"<td>{change}</td></tr>")
    return "".join(out) + "</table>"


def write_report_html(app_or_config: App | Config, home: Path, week: IsoWeek | str | None = None,
                      path: Path | None = None, *, now: datetime | None = None,
                      config_path: Path | None = None) -> Path:
    """Write the report page of `week` (default: this week) and return where it went.

    For the tray's "Weekly report" item: `write_report_html(coach.config, home)` writes
    `<home>/reports/glutecoach-<week>.html` (user-only) for the caller to open in a browser.
    Raises GlutecoachError (one line) when the database or the file cannot be used.
    """
    from glutecoach.config import Config
    from glutecoach.report.build import build_report
    from glutecoach.report.export import write_private
    from glutecoach.report.week import IsoWeek
    from glutecoach.store import Store

    if isinstance(app_or_config, Config):
        config = app_or_config
    else:
        config, config_path = app_or_config.config, config_path or app_or_config.config_option
    if isinstance(week, str):
        week = IsoWeek.parse(week)
    now = now or datetime.now(UTC)
    store = Store.open(home, write=False)
    try:
        r = build_report(store, config, week, now=now, config_path=config_path)
    finally:
        store.close()
    if path is None:
        folder = home / "reports"
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / f"glutecoach-{r.week}.html"
    return write_private(path, report_html(r))

"""Traces for the weekly report's tests: a realistic working week (seeded), and small hand-made
days where every minute is known. Times are local (no offset), as users write traces."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from glutecoach.config import parse_config
from glutecoach.engine import Rules
from glutecoach.simulate import simulate
from glutecoach.trace import parse_trace
from glutecoach.workhours import WorkHours

HEADER = "at,until,event\n"
BERLIN = ZoneInfo("Europe/Berlin")
BERLIN_TOML = '[schedule]\ntimezone = "Europe/Berlin"\n'


def at(d: date, hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime.combine(d, time(h, m))


def row(a: datetime, b: datetime | None, event: str) -> str:
    until = b.isoformat(timespec="seconds") if b else ""
    return f"{a.isoformat(timespec='seconds')},{until},{event}"


def realistic_week(monday: date, seed: int, days: int = 5) -> str:
    """Mon-Fri (or fewer days) of typing with gaps of every kind, a locked lunch, a meeting,
    one late evening across midnight, and answers to about half of the prompts shown."""
    rng = random.Random(seed)
    rows: list[str] = []
    for i in range(days):
        d = monday + timedelta(days=i)
        t = at(d, "08:30") + timedelta(minutes=rng.randint(0, 60))
        lunch = False
        for _ in range(rng.randint(12, 18)):
            typing = timedelta(minutes=rng.choice([3, 8, 15, 25, 40, 55, 70]))
            rows.append(row(t, t + typing, "active"))
            t += typing
            if not lunch and t.hour >= 12:
                gap = timedelta(minutes=rng.randint(30, 55))
                rows.append(
                    row(t + timedelta(seconds=20), t + gap - timedelta(seconds=10), "locked")
                )
                lunch = True
            else:
                gap = timedelta(minutes=rng.choice([0.5, 1, 2, 3.5, 4, 6, 12, 25]))
            t += gap
        if i == 1:  # a meeting: prompts silenced, sitting still counted
            rows.append(row(at(d, "14:00"), at(d, "15:00"), "paused"))
        if i == 3:  # a late evening that runs past midnight
            rows.append(row(at(d, "23:30"), at(d, "23:59") + timedelta(minutes=41), "active"))
    text = HEADER + "\n".join(rows) + "\n"
    cfg = parse_config(BERLIN_TOML)
    sim = simulate(
        parse_trace(text, BERLIN),
        Rules.from_schedule(cfg.schedule),
        WorkHours(cfg.schedule.hours, BERLIN),
    )
    answers = []
    for p in sim.history.prompts:
        if rng.random() < 0.5:
            event = rng.choice(["done", "done", "snooze", "skip"])
            moment = p.at.astimezone(BERLIN).replace(tzinfo=None) + timedelta(seconds=30)
            answers.append(row(moment, None, event))
    return text + "\n".join(answers) + ("\n" if answers else "")


def write_trace(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text.startswith(HEADER) else HEADER + text, encoding="utf-8")
    return path


# Office hours on weekdays and a movement goal of 45 min (report.movement_goal_minutes).
GOAL_CONFIG = """[schedule]
timezone = "Europe/Berlin"
[schedule.hours]
mon = ["09:00-12:30", "13:30-17:30"]
tue = ["09:00-12:30", "13:30-17:30"]
wed = ["09:00-12:30", "13:30-17:30"]
thu = ["09:00-12:30", "13:30-17:30"]
fri = ["09:00-12:30", "13:30-17:30"]
[report]
movement_goal_minutes = 45
"""


def use_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str) -> Path:
    """`text` as the config in force ($GLUTECOACH_CONFIG)."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(text, encoding="utf-8")
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(cfg))
    return cfg

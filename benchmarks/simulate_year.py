"""How long `glutecoach simulate` takes on a year of workdays (issue 2, "Speed").

Generates a year of realistic workday traces (about 5,000 rows: ~20 stretches of typing per
workday with gaps of random lengths, screen locks over lunch and some coffee breaks, a few
meetings, suspends overnight, and answers to some of the prompts), writes it to a temporary CSV and
times, through the real command line (in-process, so interpreter start-up is not counted):

  - `glutecoach simulate TRACE --json`           (parse + engine + day accounting + JSON)
  - `glutecoach simulate TRACE --record --json`  (the same, written into a fresh database)

Usage:  python benchmarks/simulate_year.py [--seed N] [--year YYYY] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from glutecoach.cli.main import main
from glutecoach.config import parse_config
from glutecoach.engine import Rules
from glutecoach.simulate import simulate
from glutecoach.trace import parse_trace
from glutecoach.workhours import WorkHours

ZONE = "Europe/Berlin"
CONFIG = f'[schedule]\ntimezone = "{ZONE}"\n'


@dataclass
class Row:
    at: datetime
    until: datetime | None
    event: str

    def csv(self) -> str:
        until = self.until.isoformat(timespec="seconds") if self.until else ""
        return f"{self.at.isoformat(timespec='seconds')},{until},{self.event}"


def minutes(m: float) -> timedelta:
    return timedelta(seconds=round(m * 60))


def a_gap(rng: random.Random) -> float:
    """Minutes without input between two stretches of typing."""
    r = rng.random()
    if r < 0.55:
        return rng.uniform(0.1, 1.5)  # reading, thinking
    if r < 0.80:
        return rng.uniform(1.5, 4.5)  # around the break threshold
    if r < 0.97:
        return rng.uniform(5, 20)  # away: coffee, a colleague
    return rng.uniform(20, 45)


def workday(rng: random.Random, day: date, zone: ZoneInfo) -> list[Row]:
    rows: list[Row] = []
    t = datetime.combine(day, datetime.min.time(), zone) + minutes(rng.uniform(7.5, 9.75) * 60)
    lunch_at = t.replace(hour=12, minute=0) + minutes(rng.uniform(0, 60))
    lunch_done = False
    for _ in range(rng.randint(17, 23)):
        typing = minutes(min(90.0, max(1.0, rng.expovariate(1 / 20))))
        rows.append(Row(t, t + typing, "active"))
        t += typing
        if not lunch_done and t >= lunch_at:
            gap = minutes(rng.uniform(30, 60))
            rows.append(Row(t + minutes(0.2), t + gap - minutes(0.1), "locked"))
            lunch_done = True
        else:
            gap = minutes(a_gap(rng))
            if gap > minutes(5) and rng.random() < 0.3:  # locked the screen on leaving
                rows.append(Row(t + minutes(0.1), t + gap - minutes(0.05), "locked"))
        t += gap
    if rng.random() < 0.3:  # a meeting: prompts silenced, sitting still counted
        start = rows[len(rows) // 3].at
        rows.append(Row(start, start + minutes(rng.choice([30, 45, 60])), "paused"))
    if rng.random() < 0.5:  # the laptop sleeps overnight
        rows.append(Row(t + minutes(2), t + timedelta(hours=13), "suspended"))
    return rows


def answers(rng: random.Random, rows: list[Row], zone: ZoneInfo) -> list[Row]:
    """Answers to about half of the prompts a first run shows (the rest end by themselves)."""
    cfg = parse_config(CONFIG)
    text = "at,until,event\n" + "\n".join(r.csv() for r in rows) + "\n"
    sim = simulate(parse_trace(text, zone), Rules.from_schedule(cfg.schedule),
                   WorkHours(cfg.schedule.hours, zone))
    out = []
    for p in sim.history.prompts:
        if rng.random() < 0.5:
            event = rng.choices(["done", "snooze", "skip"], weights=[5, 3, 2])[0]
            out.append(Row(p.at.astimezone(zone) + minutes(rng.uniform(0.05, 2)), None, event))
    return out


def year_trace(seed: int, year: int) -> list[Row]:
    rng = random.Random(seed)
    zone = ZoneInfo(ZONE)
    rows: list[Row] = []
    day = date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5 and rng.random() > 0.06:  # some days off
            rows += workday(rng, day, zone)
        day += timedelta(days=1)
    rows += answers(rng, rows, zone)
    rng.shuffle(rows)  # the format allows any order
    return rows


def run_cli(*args: str) -> tuple[float, str, str]:
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise RuntimeError(f"glutecoach {' '.join(args)}: exit {exc.code}: "
                                   f"{err.getvalue().strip()}") from None
    return time.perf_counter() - started, out.getvalue(), err.getvalue()


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--keep", type=Path, help="write the trace and database here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        rows = year_trace(args.seed, args.year)
        generated = time.perf_counter() - started
        trace = work / f"year-{args.year}.csv"
        trace.write_text("at,until,event\n" + "\n".join(r.csv() for r in rows) + "\n",
                         encoding="utf-8")
        config = work / "config.toml"
        config.write_text(CONFIG, encoding="utf-8")

        kinds: dict[str, int] = {}
        for r in rows:
            kinds[r.event] = kinds.get(r.event, 0) + 1
        print(f"trace: {trace} ({len(rows)} rows: "
              + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ")")
        print(f"generated in {generated:.2f} s")

        sim_s, out, err = run_cli("simulate", str(trace), "--config", str(config), "--json")
        doc = json.loads(out)
        days = doc["days"]
        outcomes: dict[str, int] = {}
        for p in doc["prompts"]:
            outcomes[p["outcome"]] = outcomes.get(p["outcome"], 0) + 1
        sitting_h = sum(d["sitting_minutes"] for d in days) / 60
        print(f"simulate --json:          {sim_s:6.2f} s  ({len(doc['prompts'])} prompts: "
              + ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items()))
              + f"; {len(days)} days, {sitting_h:.0f} h sitting; "
              f"{len(err.splitlines())} warnings)")

        home = work / "home"
        rec_s, out, _ = run_cli("simulate", str(trace), "--config", str(config), "--json",
                                "--record", "--home", str(home))
        assert json.loads(out)["prompts"] == doc["prompts"]
        hist_s, out, _ = run_cli("history", "--json", "--config", str(config),
                                 "--home", str(home))
        assert len(json.loads(out)) == len(doc["prompts"])
        print(f"simulate --record --json: {rec_s:6.2f} s  (into a fresh {home / 'glutecoach.db'})")
        print(f"history --json:           {hist_s:6.2f} s  ({len(doc['prompts'])} prompts read)")
        sys.stdout.flush()


if __name__ == "__main__":
    main_()

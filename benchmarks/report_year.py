"""How long `glutecoach report` takes for one week out of a year of history (issue 5, "Speed").

Generates the year of workdays that `simulate_year.py` generates and records it with
`glutecoach simulate --record` into a fresh database (with the exercises of the plans shown; for
an older `simulate` that logs none, one exercise per prompt done is logged here). Then it times,
through the real command line (in-process, so interpreter start-up is not counted; the first
call pays the imports and is shown apart):

  - `glutecoach report --week W --json`   for weeks early, mid and late in the year
  - `glutecoach report --week W`          (the terminal tables, to a string)
  - `glutecoach report --week W --csv F` and `--html F`  (the HTML imports matplotlib once)

Target: a week's JSON report well under a second.

Usage:  python benchmarks/report_year.py [--seed N] [--year YYYY] [--repeat N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulate_year import CONFIG, run_cli, year_trace

from glutecoach.cli.main import cli
from glutecoach.cli.report_cmd import report
from glutecoach.library import load_library

if "report" not in cli.commands:  # until glutecoach/cli/main.py registers it
    cli.add_command(report)


def log_exercises(db: Path, seed: int) -> int:
    """An exercise_log row for each prompt done, as the running coach writes them, unless
    `simulate --record` already logged its plans' exercises."""
    rng = random.Random(seed)
    ids = load_library().ids()
    conn = sqlite3.connect(db)
    try:
        if conn.execute("SELECT count(*) FROM exercise_log").fetchone()[0]:
            return 0
        done = conn.execute("SELECT id, COALESCE(answered_utc, shown_utc) FROM prompts "
                            "WHERE outcome = 'done'").fetchall()
        conn.executemany("INSERT INTO exercise_log (prompt_id, at_utc, exercise, tz) "
                         "VALUES (?, ?, ?, 'Europe/Berlin')",
                         [(pid, at, rng.choice(ids)) for pid, at in done])
        conn.commit()
    finally:
        conn.close()
    return len(done)


def timed(repeat: int, *args: str) -> tuple[list[float], str]:
    times, out = [], ""
    for _ in range(repeat):
        seconds, out, _err = run_cli(*args)
        times.append(seconds)
    return times, out


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the trace and database here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        rows = year_trace(args.seed, args.year)
        trace = work / f"year-{args.year}.csv"
        trace.write_text("at,until,event\n" + "\n".join(r.csv() for r in rows) + "\n",
                         encoding="utf-8")
        config = work / "config.toml"
        config.write_text(CONFIG, encoding="utf-8")
        home = work / "home"
        loc = ["--config", str(config), "--home", str(home)]

        rec_s, _out, _err = run_cli("simulate", str(trace), "--record", *loc)
        db = home / "glutecoach.db"
        logged = log_exercises(db, args.seed)
        conn = sqlite3.connect(db)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("stretches", "breaks", "prompts", "exercise_log")}
        conn.close()
        print(f"recorded a year ({len(rows)} trace rows) in {rec_s:.2f} s: "
              + ", ".join(f"{n} {t}" for t, n in counts.items())
              + (f" ({logged} exercises logged here)" if logged else ""))

        first_s, _out, _err = run_cli("report", "--week", f"{args.year}-W02", "--json", *loc)
        print(f"first report --json (imports, cold caches): {first_s * 1000:7.1f} ms")
        worst = 0.0
        for week in ("W02", "W26", "W48", "W52"):
            times, out = timed(args.repeat, "report", "--week", f"{args.year}-{week}", "--json",
                               *loc)
            doc = json.loads(out)
            worst = max(worst, max(times))
            print(f"report --week {args.year}-{week} --json:  median "
                  f"{statistics.median(times) * 1000:6.1f} ms, max {max(times) * 1000:6.1f} ms"
                  f"  ({doc['totals']['prompts']} prompts, "
                  f"{doc['totals']['sitting_minutes'] / 60:.1f} h sitting, "
                  f"{sum(doc['muscles'].values())} muscle counts, "
                  f"streak {doc['extra']['goal_streak_days']})")
        times, _ = timed(args.repeat, "report", "--week", f"{args.year}-W26", *loc)
        print(f"report (terminal tables):          median "
              f"{statistics.median(times) * 1000:6.1f} ms")
        times, _ = timed(args.repeat, "report", "--week", f"{args.year}-W26", "--csv",
                         str(work / "w26.csv"), *loc)
        print(f"report --csv:                      median "
              f"{statistics.median(times) * 1000:6.1f} ms")
        started = time.perf_counter()
        run_cli("report", "--week", f"{args.year}-W26", "--html", str(work / "w26.html"), *loc)
        cold = time.perf_counter() - started
        times, _ = timed(args.repeat, "report", "--week", f"{args.year}-W26", "--html",
                         str(work / "w26.html"), *loc)
        print(f"report --html:                     first {cold * 1000:6.1f} ms (imports "
              f"matplotlib), then median {statistics.median(times) * 1000:6.1f} ms")
        verdict = "OK" if worst < 1.0 else "TOO SLOW"
        print(f"worst week's JSON report: {worst * 1000:.1f} ms -> {verdict} (target < 1 s)")
        sys.stdout.flush()


if __name__ == "__main__":
    main_()

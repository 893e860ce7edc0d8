"""The weekly summary notification: its text, and when the running coach shows it.

The moment is `[report] summary_day` at `summary_time` (default Friday 16:00) in the schedule's
time zone, as an APScheduler cron trigger, so it follows DST: 16:00 stays 16:00 local.
The coach imports this module at start-up to schedule the job; what builds the text (the report,
the store's queries, the plotting library) is imported when the summary is due, so an idle coach
does not carry it all week.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apscheduler.job import Job
    from apscheduler.schedulers.base import BaseScheduler

    from glutecoach.config import Config
    from glutecoach.report.build import WeekReport

log = logging.getLogger("glutecoach.report")

JOB_ID = "weekly-summary"
# A summary that falls due while the computer sleeps is still shown on waking within this long
# (a Friday-afternoon summary on Friday evening is fine; on Monday it is stale).
MISFIRE_GRACE_SECONDS = 6 * 3600


def _versus(now: float, before: float) -> str:
    if not before:
        return ""
    delta = (now - before) / before * 100
    if round(delta) == 0:
        return " (as last week)"
    return f" ({'up' if delta > 0 else 'down'} {abs(delta):.0f}% on last week)"


def summary_text(r: WeekReport) -> tuple[str, str]:
    """(title, body) of the notification for a built report; a few short lines."""
    from glutecoach.cli.output import percent_text
    from glutecoach.report.figures import duration_text

    over = r.week.sunday < r.now.astimezone(r.zone).date()
    title = f"Your week {r.week}" + ("" if over else " so far")
    if not r.recorded:
        return title, "Nothing was recorded this week."
    t, before = r.this_week, r.week_before
    lines = [f"Sitting {duration_text(t.sitting_minutes)}"
             f"{_versus(t.sitting_minutes, before.sitting_minutes)}; "
             f"longest stretch {duration_text(t.longest_sitting_minutes)}."]
    if t.prompts:
        lines.append(f"Breaks done: {t.done} of {t.prompts} prompts "
                     f"(compliance {percent_text(t.compliance)}).")
    met, counted = r.goal_days
    if counted:
        lines.append(f"Movement goal ({duration_text(r.goal_minutes)} a day): met on {met} of "
                     f"{counted} days; streak {r.streak}.")
    done = sum(r.exercises.values())
    if done:
        lines.append(f"Exercises done in breaks: {done}.")
    return title, "\n".join(lines)


def weekly_summary_text(config: Config, home: Path, *, now: datetime | None = None,
                        config_path: Path | None = None) -> tuple[str, str]:
    """(title, body) for the summary of the week of `now` (default: the wall clock), read from
    the database under `home`. Raises GlutecoachError when the database cannot be read."""
    from glutecoach.report.build import build_report
    from glutecoach.store import Store

    store = Store.open(home, write=False)
    try:
        r = build_report(store, config, now=now or datetime.now(UTC), config_path=config_path)
    finally:
        store.close()
    return summary_text(r)


def summary_trigger(config: Config) -> dict[str, Any]:
    """Keyword arguments for `apscheduler.triggers.cron.CronTrigger` (or add_job("cron", ...)):
    day_of_week, hour, minute and the schedule's time zone (an IANA name)."""
    clock = config.report.summary_clock()
    return {"day_of_week": config.report.summary_day, "hour": clock.hour,
            "minute": clock.minute, "timezone": config.schedule.zone().key}


def schedule_weekly_summary(
    scheduler: BaseScheduler,
    config: Config,
    home: Path,
    send: Callable[[str, str], None],
    *,
    config_path: Path | None = None,
) -> Job | None:
    """Add (or replace, after a config reload) the weekly summary job; remove it when
    `[report] weekly_summary = false`. `send(title, body)` shows the notification."""
    if not config.report.weekly_summary:
        if scheduler.get_job(JOB_ID) is not None:
            scheduler.remove_job(JOB_ID)
        return None

    def job() -> None:
        try:
            title, body = weekly_summary_text(config, home, config_path=config_path)
        except Exception:
            log.exception("the weekly summary could not be made")
            return
        send(title, body)

    return scheduler.add_job(job, "cron", id=JOB_ID, replace_existing=True, coalesce=True,
                             max_instances=1, misfire_grace_time=MISFIRE_GRACE_SECONDS,
                             **summary_trigger(config))

"""Connects the tray icon to the coach: its state in, menu choices out as coach commands."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import timedelta

from glutecoach.coach.service import Coach
from glutecoach.tray.app import Tray
from glutecoach.tray.menu import TrayState

log = logging.getLogger("glutecoach.tray")
# How long after a break the tray offers to rate it.
RATE_WITHIN = timedelta(hours=1)


def tray_for(coach: Coach) -> Tray:
    def state() -> TrayState:
        with coach._lock:
            st = coach.engine.status(coach.clock.now())
            rules = coach.engine.rules
            return TrayState(
                state=st.state,
                sitting_minutes=st.sitting.total_seconds() / 60,
                sit_limit_minutes=rules.sit.total_seconds() / 60,
                next_prompt_at=st.next_prompt_at.astimezone(coach.zone)
                if st.next_prompt_at else None,
                prompt_waiting=st.pending is not None,
                snooze_offered=st.pending is not None and st.pending.snoozes < rules.max_snoozes,
                paused_until=st.paused_until.astimezone(coach.zone) if st.paused_until else None,
                can_rate=coach.last_done_at is not None
                and coach.clock.now() - coach.last_done_at < RATE_WITHIN,
            )

    def command(name: str) -> None:
        log.info("tray: %s", name)
        if name in ("done", "snooze", "skip"):
            coach.handle({"cmd": "answer", "answer": name})
        elif name.startswith("pause:"):
            coach.handle({"cmd": "pause", "duration": name.removeprefix("pause:")})
        elif name in ("resume", "break-now"):
            coach.handle({"cmd": name})
        elif name == "quit":
            coach.stop_requested.set()
        elif name == "open-config":
            _open(str(coach.config_path) if coach.config_path else None)
        elif name.startswith("feedback:"):
            _feedback(coach, name.removeprefix("feedback:"))
        elif name == "weekly-report":
            _weekly_report(coach)

    tray = Tray(state, command)
    coach.on_change = tray.refresh
    return tray


def _feedback(coach: Coach, rating: str) -> None:
    from glutecoach.errors import GlutecoachError
    from glutecoach.library import load_library, user_exercises_dir
    from glutecoach.plans.records import apply_feedback

    cfg = coach.config
    try:
        result = apply_feedback(coach.writer.store, load_library(user_exercises_dir(
            coach.config_path)), rating, coach.clock.now(),  # type: ignore[arg-type]
            start_level=cfg.coach.start_level, zone=cfg.schedule.zone())
        log.info("feedback from the tray: %s (%s)", rating, result)
    except GlutecoachError as exc:
        log.warning("feedback not recorded: %s", exc)
    coach.last_done_at = None  # rated: the entries go away


def _weekly_report(coach: Coach) -> None:
    from glutecoach.report.html import write_report_html

    try:
        path = write_report_html(coach.config, coach.writer.store.path.parent,
                                 config_path=coach.config_path)
    except Exception as exc:  # a report problem must not take the tray down
        log.warning("cannot write the weekly report: %s", exc)
        return
    log.info("weekly report written to %s", path)
    _open(str(path))


def _open(path: str | None) -> None:
    if path is None:
        log.info("no config file yet: create one with `glutecoach config init`")
        return
    opener = {"darwin": ["open"], "win32": ["cmd", "/c", "start", ""]}.get(sys.platform,
                                                                          ["xdg-open"])
    try:
        subprocess.Popen([*opener, path])  # a list, never a shell string
    except OSError as exc:
        log.warning("cannot open %s: %s", path, exc)

"""Connects the tray icon to the coach: its state in, menu choices out as coach commands."""

from __future__ import annotations

import logging
import subprocess
import sys

from glutecoach.coach.service import Coach
from glutecoach.tray.app import Tray
from glutecoach.tray.menu import TrayState

log = logging.getLogger("glutecoach.tray")


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
        elif name == "weekly-report":
            _weekly_report(coach)

    tray = Tray(state, command)
    coach.on_change = tray.refresh
    return tray


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

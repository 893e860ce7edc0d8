"""Connects the tray icon to the coach: its state in, menu choices out as coach commands."""

from __future__ import annotations

import concurrent.futures
import logging
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

from glutecoach.coach.service import Coach
from glutecoach.tray.app import Tray
from glutecoach.tray.menu import TrayState

log = logging.getLogger("glutecoach.tray")
# How long after a break the tray offers to rate it.
RATE_WITHIN = timedelta(hours=1)


def tray_for(coach: Coach) -> Tray:
    commands = TrayCommands(coach)
    tray = Tray(lambda: tray_state(coach), commands)
    coach.on_change = tray.refresh
    return tray


def tray_state(coach: Coach) -> TrayState:
    with coach._lock:
        st = coach.engine.status(coach.clock.now())
        done_at = coach.rateable_done_at
        return TrayState(
            state=st.state,
            sitting_minutes=st.sitting.total_seconds() / 60,
            sit_limit_minutes=coach.engine.rules.sit.total_seconds() / 60,
            next_prompt_at=st.next_prompt_at.astimezone(coach.zone)
            if st.next_prompt_at else None,
            prompt_waiting=st.pending is not None,
            snooze_offered=st.pending is not None and coach.snooze_offered(st.pending.snoozes),
            paused_until=st.paused_until.astimezone(coach.zone) if st.paused_until else None,
            # Only a break with glute work: a walk has no level to rate (issue 11, 4.5).
            can_rate=done_at is not None and coach.clock.now() - done_at < RATE_WITHIN,
            day_off=coach.day_off_now() if st.state == "outside-hours" else None,
            strict=coach.strict,
            heads_up_at=coach.heads_up.showing_for.astimezone(coach.zone)
            if coach.heads_up.showing_for else None,
        )


class TrayCommands:
    """The menu's choices, run off the icon's thread.

    A menu callback runs on the icon's thread (the D-Bus service's, or pystray's GTK loop):
    anything slow there (a notification server that does not answer, the 4 s weekly report)
    would freeze the icon and its menu. So each choice is handed to one worker, in order; the
    report gets a thread of its own so that answering a prompt never waits for it.
    """

    def __init__(self, coach: Coach) -> None:
        self.coach = coach
        self._worker = concurrent.futures.ThreadPoolExecutor(1, "glutecoach-tray-command")
        self._report = threading.Lock()  # held while a report is being built
        self._settings: subprocess.Popen[str] | None = None  # the settings window's process
        self._settings_lock = threading.Lock()

    def __call__(self, name: str) -> None:
        log.info("tray: %s", name)
        if name == "quit":
            self.coach.stop_requested.set()
        elif name == "weekly-report":
            if not self._report.acquire(blocking=False):
                self.coach.tell("Your weekly report is on its way",
                                 "It opens as soon as it is ready.")
                return
            threading.Thread(target=self._weekly_report, name="glutecoach-report",
                             daemon=True).start()
        else:
            self._worker.submit(self._safely, name)

    def _safely(self, name: str) -> None:
        try:
            self.run(name)
        except Exception:  # one failed choice must not end the worker
            log.exception("tray: the %s command failed", name)

    def run(self, name: str) -> None:
        """Carry out one menu choice here and now."""
        coach = self.coach
        if name in ("done", "snooze", "skip"):
            coach.handle({"cmd": "answer", "answer": name})
        elif name.startswith("pause:"):
            coach.handle({"cmd": "pause", "duration": name.removeprefix("pause:")})
        elif name in ("resume", "break-now"):
            coach.handle({"cmd": name})
        elif name == "settings":
            self._open_settings()
        elif name.startswith("feedback:"):
            coach.rate_last_break(name.removeprefix("feedback:"), "the tray")
        elif name == "weekly-report" and self._report.acquire(blocking=False):
            self._weekly_report()

    def _open_settings(self) -> None:
        """Start `glutecoach settings` (the settings window) as a process of its own: Tk and the
        config writer never enter the coach's memory. One window at a time: while it is open,
        the menu's Settings… starts no second one (a second save would be refused anyway, the
        file having changed under it)."""
        with self._settings_lock:
            proc = self._settings
            if proc is not None and proc.poll() is None:
                self.coach.tell("The settings are open already",
                                 "The window is on your screen: save or cancel it first.")
                return
            home = self.coach.writer.store.path.parent
            command = settings_command(self.coach.config_path, home)
            try:
                # No stdin: the window never reads the coach's. A session of its own, so a Ctrl+C
                # meant for a coach run in a terminal does not close the window's unsaved work.
                proc = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, errors="replace", start_new_session=True)
            except OSError as exc:
                log.warning("cannot start the settings window: %s", exc)
                self.coach.tell("The settings window could not be opened", str(exc))
                return
            self._settings = proc
        threading.Thread(target=self._settings_ended, args=(proc,),
                         name="glutecoach-settings", daemon=True).start()

    def _settings_ended(self, proc: subprocess.Popen[str]) -> None:
        """Wait for the window's process (so it is reaped, not left <defunct>), and say why
        when it could not show the window (no display, a file that is not TOML): the user
        clicked a menu entry and would otherwise see nothing at all."""
        _out, err = proc.communicate()
        if proc.returncode != 0:
            lines = [line.removeprefix("glutecoach: error: ") for line in err.splitlines()
                     if line.strip()]
            reason = lines[0] if lines else f"it exited with {proc.returncode}"
            log.warning("the settings window failed: %s", reason)
            self.coach.tell("The settings window could not be opened", reason)

    def _weekly_report(self) -> None:
        """Build the report (some 4 s: matplotlib draws its charts) and open it; the user is
        told at once that it is coming, since nothing else shows meanwhile. Releases the lock."""
        from glutecoach.report.html import write_report_html

        coach = self.coach
        try:
            coach.tell("Building your weekly report…", "It opens in your browser when it is "
                        "ready, in a few seconds.")
            try:
                path = write_report_html(coach.config, coach.writer.store.path.parent,
                                         config_path=coach.config_path)
            except Exception as exc:  # a report problem must not take the tray down
                log.warning("cannot write the weekly report: %s", exc)
                coach.tell("The weekly report could not be built", str(exc))
                return
            log.info("weekly report written to %s", path)
            open_detached(str(path))
        finally:
            self._report.release()


def open_detached(path: str) -> None:
    """Open a file with the desktop's opener, and wait for the opener in a thread.

    xdg-open is our child: unwaited, it stays a <defunct> zombie until the coach exits (Python
    reaps a dropped Popen only when the next one starts). A daemon thread waits for it instead,
    however long the opener takes (it may stay until the browser it started exits)."""
    opener = {"darwin": ["open"], "win32": ["cmd", "/c", "start", ""]}.get(sys.platform,
                                                                          ["xdg-open"])
    try:
        # A list, never a shell string; no stdin, so that an opener never reads the coach's.
        proc = subprocess.Popen([*opener, path], stdin=subprocess.DEVNULL)
    except OSError as exc:
        log.warning("cannot open %s: %s", path, exc)
        return
    threading.Thread(target=_reap, args=(proc, path), name="glutecoach-opener",
                     daemon=True).start()


def settings_command(config_path: Path | None, home: Path) -> list[str]:
    """`glutecoach settings` for the coach's config and home, run by the coach's interpreter
    (-P as the coach's own process has it: coach/launch.py). No config path: the coach runs on
    the defaults, and the window resolves the default path itself (a first save creates the
    file there)."""
    from glutecoach.coach.launch import safe_path

    command = [sys.executable, *safe_path(), "-m", "glutecoach", "--home", str(home)]
    if config_path is not None:
        command += ["--config", str(config_path)]
    return [*command, "settings"]


def _reap(proc: subprocess.Popen[bytes], path: str) -> None:
    code = proc.wait()
    if code != 0:
        log.warning("%s exited with %d opening %s", proc.args[0], code, path)  # type: ignore[index]

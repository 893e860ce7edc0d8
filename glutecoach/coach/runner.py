"""`glutecoach run`: put the coach together, run it until stopped, take it apart cleanly."""

from __future__ import annotations

import logging
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from glutecoach.config import Config
from glutecoach.errors import GlutecoachError
from glutecoach.paths import ensure_home

log = logging.getLogger("glutecoach.run")


def run_coach(config: Config, config_path: Path | None, home: Path, *, headless: bool,
              verbose: bool, exercises_dir: Path | None = None,
              config_file: Path | None = None) -> None:
    """`config_file`: the config file to follow while `config_path` is None (the default
    config, not written yet); its first valid save is put in force as `reload` does."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from glutecoach.coach.clockguard import PollDeadline
    from glutecoach.coach.meeting_signals import MeetingSignals
    from glutecoach.coach.service import Coach
    from glutecoach.control import ControlServer, socket_path
    from glutecoach.instance import InstanceLock
    from glutecoach.library import load_library, user_exercises_dir
    from glutecoach.logs import setup_logging
    from glutecoach.notify.select import open_notifier
    from glutecoach.plans.planner import make_planner
    from glutecoach.presence.base import PresenceUnavailable
    from glutecoach.presence.select import open_presence
    from glutecoach.store import Store
    from glutecoach.store.writer import StoreWriter

    ensure_home(home)
    lock = InstanceLock(home)
    lock.acquire()
    cleanup: list[tuple[str, object]] = []
    try:
        log_path = setup_logging(home, verbose)
        store = Store.open(home)
        cleanup.append(("store", store.close))
        _tidy_after_a_kill(store)
        try:
            presence = open_presence(config.desktop.presence)
        except PresenceUnavailable as exc:
            raise GlutecoachError(f"cannot tell when you are at the keyboard: {exc}") from None
        cleanup.append(("presence", presence.close))
        notifier = open_notifier(config.desktop.notifier,
                                 timeout_seconds=config.desktop.notification_timeout_seconds)
        cleanup.append(("notifier", notifier.close))
        library = load_library(exercises_dir or user_exercises_dir(config_path))
        for warning in library.warnings:
            log.warning("exercise library: %s", warning)
        meetings = MeetingSignals(config.meetings, config.schedule.zone())
        cleanup.append(("meeting signals", meetings.close))
        coach = Coach(config=config, config_path=config_path,
                      writer=StoreWriter(store, config.schedule.zone().key),
                      presence=presence, notifier=notifier,
                      planner=make_planner(lambda: coach.config, library, store),
                      meetings=meetings.sources)

        _attach_chimes(coach, cleanup)
        scheduler = BackgroundScheduler(timezone="UTC")
        deadline = PollDeadline()

        def reschedule(at: datetime) -> None:
            deadline.scheduled(at)
            # One date job, moved each time: the engine says when it next needs a look.
            scheduler.add_job(coach.tick, "date", run_date=at, id="poll", replace_existing=True,
                              misfire_grace_time=None, coalesce=True, max_instances=1)

        coach.on_reschedule = reschedule
        _schedule_summary(scheduler, coach, home, notifier)
        meetings.attach(coach, scheduler)

        def on_reload() -> None:
            _schedule_summary(scheduler, coach, home, notifier)
            meetings.follow()

        coach.on_reload = on_reload
        if config.desktop.break_window and not headless:
            from glutecoach.coach.window_bridge import WindowBridge

            WindowBridge(coach, library, store).attach()
        scheduler.start()
        cleanup.append(("scheduler", lambda: scheduler.shutdown(wait=False)))
        server = ControlServer(socket_path(home), coach.handle,
                               on_error=lambda e: log.exception("control request failed"))
        server.start()
        cleanup.append(("control socket", server.stop))
        _watch_config(coach, config_path or config_file, cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: coach.stop_requested.set())
        coach.tick()
        _watch_session(coach, cleanup)

        mode = "headless"
        if not headless and config.desktop.tray:
            mode = _start_tray(coach, cleanup) or "headless"
        welcomed = home / "welcomed"
        if not welcomed.exists():
            # Said once, plainly, on the first run.
            print("GluteCoach gives coaching, not medical advice. If you have pain or a gluteal "
                  "condition, ask a physical therapist which exercises suit you.", file=sys.stderr)
            welcomed.touch()
        print(f"GluteCoach is running ({mode}; idle time from {presence.name}, prompts via "
              f"{notifier.name}). Log: {log_path}. Stop with: glutecoach stop", file=sys.stderr)
        log.info("coach started: %s, presence %s, notifier %s", mode, presence.name,
                 notifier.name)
        while not coach.stop_requested.wait(5.0):  # signals end the wait at once
            if deadline.overdue():  # the wall clock stepped back; APScheduler would wait it out
                reschedule(datetime.now(UTC))
        log.info("coach stopping")
        coach.shutdown()
    finally:
        for name, close in reversed(cleanup):
            try:
                close()  # type: ignore[operator]
            except Exception:
                log.exception("closing the %s failed", name)
        lock.release()


def _attach_chimes(coach: object, cleanup: list[tuple[str, object]]) -> None:
    """The prompt's and the break window's sounds ([desktop] sound and volume, read at each
    sound). Also headless: a sound is part of the prompt, like its notification."""
    from glutecoach.sound.chimes import Chimes

    chimes = Chimes(lambda: coach.config.desktop,  # type: ignore[attr-defined]
                    coach.in_meeting)  # type: ignore[attr-defined]
    coach.chimes = chimes  # type: ignore[attr-defined]
    cleanup.append(("sounds", chimes.close))


def _tidy_after_a_kill(store: object) -> None:
    from glutecoach.store.recovery import check_whole, close_breaks_left_open

    check_whole(store)  # type: ignore[arg-type]
    closed = close_breaks_left_open(store)  # type: ignore[arg-type]
    if closed:
        log.info("closed %d break(s) left open when the coach was last killed", closed)


def _schedule_summary(scheduler: object, coach: object, home: Path, notifier: object) -> None:
    """The weekly summary notification (default Friday 16:00), an APScheduler cron job."""
    from glutecoach.report.summary import schedule_weekly_summary

    def send(title: str, body: str) -> None:
        delivery = notifier.info(title, body)  # type: ignore[attr-defined]
        log.info("weekly summary %s", "shown" if delivery.delivered else
                 f"not delivered: {delivery.detail}")

    schedule_weekly_summary(scheduler, coach.config, home, send,  # type: ignore[arg-type,attr-defined]
                            config_path=coach.config_path)  # type: ignore[attr-defined]


def _watch_config(coach: object, path: Path | None,
                  cleanup: list[tuple[str, object]]) -> None:
    """Apply each saved config within 2 s, whoever saved it (coach/config_watch.py)."""
    if path is None:
        return
    from glutecoach.coach.config_watch import ConfigWatcher

    if coach.config_path is None:  # type: ignore[attr-defined]
        coach.config_file = path  # type: ignore[attr-defined]
    watcher = ConfigWatcher(path, lambda: coach.config_saved(path))  # type: ignore[attr-defined]
    watcher.start()
    cleanup.append(("config watcher", watcher.stop))


def _watch_session(coach: object, cleanup: list[tuple[str, object]]) -> None:
    """Lock and sleep signals from logind and the screensaver, where the session has them."""
    if sys.platform != "linux":
        return
    from glutecoach.presence.session import SessionWatcher

    def on_event(event: object) -> None:
        kind = getattr(event, "kind", "")
        log.info("session: %s (%s)", kind, getattr(event, "source", "?"))
        try:
            coach.session_event(kind)  # type: ignore[attr-defined]
        except Exception:
            log.exception("handling the session event failed")

    watcher = SessionWatcher(on_event)
    if watcher.watching:
        log.info("listening for lock and sleep signals from %s", ", ".join(watcher.watching))
    cleanup.append(("session watcher", watcher.close))


def _start_tray(coach: object, cleanup: list[tuple[str, object]]) -> str | None:
    from glutecoach.coach.tray_bridge import tray_for
    from glutecoach.tray.app import TrayUnavailable

    try:
        tray = tray_for(coach)  # type: ignore[arg-type]
        tray.start()
    except TrayUnavailable as exc:
        print(f"GluteCoach: no tray icon ({exc}); running headless.", file=sys.stderr)
        return None
    cleanup.append(("tray", tray.stop))
    if tray.note:  # the XEmbed fallback: said once, here and in the log
        print(f"GluteCoach: {tray.note}.", file=sys.stderr)
        log.info("tray: %s", tray.note)
    kinds = {"sni": "tray icon via StatusNotifier", "gtk": "tray icon via XEmbed (GTK)"}
    return kinds.get(tray.backend or "", "tray icon")

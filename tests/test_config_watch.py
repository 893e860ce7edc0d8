"""Live config changes: the watcher (coach/config_watch.py) on real files with its real thread,
for every way a config gets saved, and the running coach's side of it (Coach.config_saved): a
valid save is in force at once, a broken one is refused and told once."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from test_coach_service import CONFIG, MONDAY_9

from glutecoach.coach.config_watch import ConfigWatcher
from glutecoach.coach.service import Coach
from glutecoach.config import parse_config
from glutecoach.notify.base import Delivery, PromptMessage
from glutecoach.presence.base import PresenceReading
from glutecoach.store import Store
from glutecoach.store.writer import StoreWriter

LIMIT = 2.0  # seconds from a save to the callback: the promise
OLD = "[schedule]\nsit_minutes = 30\n"
NEW = "[schedule]\nsit_minutes = 45\n"


class Calls:
    """What the watcher called back: when, and what the file held at that moment."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: list[tuple[float, str | None]] = []
        self._cond = threading.Condition()

    def __call__(self) -> None:
        try:
            text: str | None = self.path.read_text()
        except FileNotFoundError:
            text = None
        with self._cond:
            self.seen.append((time.monotonic(), text))
            self._cond.notify_all()

    def wait(self, count: int, timeout: float = 5.0) -> list[tuple[float, str | None]]:
        with self._cond:
            self._cond.wait_for(lambda: len(self.seen) >= count, timeout)
            return list(self.seen)

    def quiet(self, seconds: float = 1.2) -> list[tuple[float, str | None]]:
        """Everything called back once nothing more comes for `seconds`."""
        time.sleep(seconds)
        with self._cond:
            return list(self.seen)


def watching(path: Path, **kw: object) -> tuple[ConfigWatcher, Calls]:
    calls = Calls(path)
    watcher = ConfigWatcher(path, calls, **kw)  # type: ignore[arg-type]
    watcher.start()
    return watcher, calls


@pytest.fixture(params=["inotify", "polling"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "glutecoach" / "config.toml"
    path.parent.mkdir()
    path.write_text(OLD)
    return path


@pytest.fixture
def started(config: Path, backend: str) -> Iterator[tuple[ConfigWatcher, Calls]]:
    watcher, calls = watching(config, use_inotify=backend == "inotify")
    assert watcher.backend == backend
    yield watcher, calls
    watcher.stop()


def applied_once(calls: Calls, saved_at: float, text: str | None = NEW) -> None:
    seen = calls.wait(1)
    assert seen, "no callback within 5 s of the save"
    assert seen[0][0] - saved_at < LIMIT
    assert calls.quiet() == seen[:1]  # once, not per write
    assert seen[0][1] == text  # called once the file was complete


def test_a_file_renamed_over_the_config(started: tuple[ConfigWatcher, Calls],
                                        config: Path) -> None:
    _watcher, calls = started
    tmp = config.with_name(".config.toml.tmp")
    tmp.write_text(NEW)
    os.replace(tmp, config)  # config set, the settings window, most editors
    applied_once(calls, time.monotonic())


def test_the_config_truncated_and_rewritten_in_place(started: tuple[ConfigWatcher, Calls],
                                                     config: Path) -> None:
    _watcher, calls = started
    with open(config, "w") as f:  # truncated: for a moment the file is empty (and valid TOML)
        f.flush()
        time.sleep(0.1)
        f.write(NEW[:10])
        f.flush()
        time.sleep(0.1)
        f.write(NEW[10:])
    applied_once(calls, time.monotonic())


def test_the_config_deleted_and_created_again(started: tuple[ConfigWatcher, Calls],
                                              config: Path) -> None:
    _watcher, calls = started
    config.unlink()
    time.sleep(0.05)
    config.write_text(NEW)
    applied_once(calls, time.monotonic())


def test_a_burst_of_saves_is_one_callback_after_the_last(
        started: tuple[ConfigWatcher, Calls], config: Path, backend: str) -> None:
    _watcher, calls = started
    for minutes in range(31, 39):  # an editor's autosave while the user types
        config.write_text(f"[schedule]\nsit_minutes = {minutes}\n")
        time.sleep(0.08)
    applied_once(calls, time.monotonic(), "[schedule]\nsit_minutes = 38\n")


def test_a_config_whose_folder_does_not_exist_yet(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "xdg" / "glutecoach" / "config.toml"
    watcher, calls = watching(path, use_inotify=backend == "inotify")
    try:
        path.parent.mkdir(parents=True)  # the first save creates the folders on the way
        assert calls.quiet(0.8) == []  # folders alone are nothing to apply
        path.write_text(NEW)
        applied_once(calls, time.monotonic())
        # The folder removed and made again: still followed.
        path.unlink()
        path.parent.rmdir()
        assert calls.wait(2)[1][1] is None  # told the file is gone (the coach keeps its config)
        path.parent.mkdir()
        path.write_text(OLD)
        seen = calls.wait(3)
        assert len(seen) == 3 and seen[2][1] == OLD
    finally:
        watcher.stop()


def test_reading_the_config_is_not_a_save(started: tuple[ConfigWatcher, Calls],
                                          config: Path) -> None:
    """The coach reads the file when it applies it: that must not call back again (a loop)."""
    _watcher, calls = started
    for _ in range(5):
        config.read_text()
    (config.parent / "other.txt").write_text("an unrelated file in the same folder")
    assert calls.quiet() == []


def test_a_symlinked_config_follows_its_target(tmp_path: Path) -> None:
    """Dotfiles kept in a repository and linked into ~/.config: edits land on the target."""
    target = tmp_path / "dotfiles" / "glutecoach.toml"
    target.parent.mkdir()
    target.write_text(OLD)
    link = tmp_path / "config" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(target)
    watcher, calls = watching(link)
    try:
        target.write_text(NEW)
        applied_once(calls, time.monotonic())
    finally:
        watcher.stop()


def test_stopping_ends_the_thread_at_once(config: Path, backend: str) -> None:
    watcher, calls = watching(config, use_inotify=backend == "inotify")
    began = time.monotonic()
    watcher.stop()
    assert time.monotonic() - began < 1.5
    assert watcher._thread is not None and not watcher._thread.is_alive()
    config.write_text(NEW)
    assert calls.quiet(1.5) == []


def test_inotify_blocks_without_waking_while_nothing_changes(config: Path) -> None:
    """The idle coach must not wake for the watch: the thread sits in one blocking poll()."""
    watcher, _calls = watching(config)
    try:
        assert watcher._thread is not None
        tid = watcher._thread.native_id
        status = Path(f"/proc/self/task/{tid}/status")
        if not status.exists():
            pytest.skip("no /proc task status here")

        def switches() -> int:
            lines = status.read_text().splitlines()
            return sum(int(line.split()[1]) for line in lines if "ctxt_switches" in line)

        time.sleep(0.3)
        before = switches()
        time.sleep(2.0)
        assert switches() - before <= 1
    finally:
        watcher.stop()


# --- the coach's side: one implementation with `reload` -----------------------------------------

COACH_CONFIG = CONFIG  # sit_minutes = 30 in Berlin, the terminal notifier


class Clock:
    def __init__(self) -> None:
        self.t = MONDAY_9

    def now(self) -> datetime:
        return self.t

    def monotonic(self) -> float:
        return (self.t - MONDAY_9).total_seconds()


class AtTheKeyboard:
    """The user typed a moment ago, always."""

    name = "scripted"

    def read(self) -> PresenceReading:
        return PresenceReading(0.0, False)

    def close(self) -> None:
        pass


class Told:
    """A notifier that keeps the messages without buttons (what config_saved sends)."""

    name = "recording"

    def __init__(self) -> None:
        self.info_calls: list[tuple[str, str]] = []

    def show_prompt(self, msg: PromptMessage, on_answer: object) -> Delivery:
        return Delivery(True, self.name)

    def withdraw_prompt(self) -> None:
        pass

    def info(self, title: str, body: str) -> Delivery:
        self.info_calls.append((title, body))
        return Delivery(True, self.name)

    def close(self) -> None:
        pass


@pytest.fixture
def coach(tmp_path: Path) -> Iterator[tuple[Coach, Told, Clock, Path]]:
    path = tmp_path / "config.toml"
    path.write_text(COACH_CONFIG)
    store = Store.open(tmp_path / "home")
    told, clock = Told(), Clock()
    c = Coach(config=parse_config(COACH_CONFIG), config_path=path,
              writer=StoreWriter(store, "Europe/Berlin"), presence=AtTheKeyboard(),
              notifier=told, clock=clock)  # type: ignore[arg-type]
    c.tick()
    yield c, told, clock, path
    store.close()


def set_sit(path: Path, minutes: float) -> None:
    path.write_text(COACH_CONFIG.replace("sit_minutes = 30", f"sit_minutes = {minutes}"))


def test_a_new_sitting_limit_moves_the_next_prompt_of_the_stretch_in_progress(
        coach: tuple[Coach, Told, Clock, Path]) -> None:
    c, told, clock, path = coach
    assert c.status_json()["next_prompt_at"] == "2026-11-23T09:30:00+01:00"
    for _ in range(10):  # ten minutes of typing, looked at each minute
        clock.t += timedelta(minutes=1)
        c.tick()
    set_sit(path, 20)
    c.config_saved(path)
    assert c.engine.rules.sit == timedelta(minutes=20)
    assert c.status_json()["next_prompt_at"] == "2026-11-23T09:20:00+01:00"
    # Already past the new limit: the prompt is due now, at the next poll.
    set_sit(path, 5)
    c.config_saved(path)
    assert c.status_json()["next_prompt_at"] == "2026-11-23T09:10:00+01:00"
    assert told.info_calls == []  # a valid save says nothing on screen


def test_a_broken_save_is_refused_and_told_once(coach: tuple[Coach, Told, Clock, Path]) -> None:
    c, told, _clock, path = coach
    for broken in ("sit_minutes = -5", "sit_minutes = ", "sit_minutes = 'x'"):
        path.write_text(COACH_CONFIG.replace("sit_minutes = 30", broken))
        c.config_saved(path)  # the user keeps saving in their editor
    assert c.engine.rules.sit == timedelta(minutes=30)  # the old config stays in force
    assert len(told.info_calls) == 1
    title, body = told.info_calls[0]
    assert title == "GluteCoach did not apply your config"
    # The first problem, with its file, line and key.
    assert body.startswith(f"{path}:4: schedule.sit_minutes:") and "\n" not in body
    assert "old config stays in force" in body
    set_sit(path, 40)
    c.config_saved(path)
    assert c.engine.rules.sit == timedelta(minutes=40)
    assert len(told.info_calls) == 1
    path.write_text("[schedule\n")  # broken again, later: told again
    c.config_saved(path)
    assert len(told.info_calls) == 2 and "not valid TOML" in told.info_calls[1][1]


def test_a_removed_config_keeps_the_one_in_force(coach: tuple[Coach, Told, Clock, Path]) -> None:
    c, told, _clock, path = coach
    set_sit(path, 40)
    c.config_saved(path)
    path.unlink()
    c.config_saved(path)
    assert c.engine.rules.sit == timedelta(minutes=40) and told.info_calls == []


def test_desktop_settings_are_told_to_wait_for_the_next_start(
        coach: tuple[Coach, Told, Clock, Path]) -> None:
    c, told, _clock, path = coach
    text = COACH_CONFIG + "tray = false\n"
    path.write_text(text)
    c.config_saved(path)
    path.write_text(text.replace("sit_minutes = 30", "sit_minutes = 35"))
    c.config_saved(path)  # the same setting still waits: not told again
    assert told.info_calls == [("Some settings apply at the next start",
                                "desktop.tray: the coach uses these from its next start "
                                "(glutecoach stop, then start it again). Everything else is in "
                                "force now.")]
    assert c.engine.rules.sit == timedelta(minutes=35)  # the rest applied
    reply = c.handle({"cmd": "reload"})  # `glutecoach reload` says it in the terminal instead
    assert reply["restart"] == ["desktop.tray"] and reply["changed"] == []


def test_the_default_config_saved_after_the_coach_started(tmp_path: Path) -> None:
    """Started without a config file: the first save of the default one is the config."""
    path = tmp_path / "later" / "config.toml"
    store = Store.open(tmp_path / "home")
    try:
        c = Coach(config=parse_config(""), config_path=None,
                  writer=StoreWriter(store, "UTC"), presence=AtTheKeyboard(),
                  notifier=Told(), clock=Clock())  # type: ignore[arg-type]
        c.config_file = path  # as the runner tells a coach started without a config file
        assert c.handle({"cmd": "reload"})["detail"] == "no config file; defaults stay in force"
        watcher = ConfigWatcher(path, lambda: c.config_saved(path))
        watcher.start()
        try:
            path.parent.mkdir()
            path.write_text("[schedule]\nsit_minutes = 12\n")
            saved = time.monotonic()
            while c.engine.rules.sit != timedelta(minutes=12) and time.monotonic() - saved < 5:
                time.sleep(0.02)
            assert time.monotonic() - saved < LIMIT
            assert c.config_path == path
        finally:
            watcher.stop()
    finally:
        store.close()


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:standup@test
DTSTART:20261123T074500Z
DTEND:20261123T090000Z
SUMMARY:Planning
END:VEVENT
END:VCALENDAR
"""


def test_meeting_signals_follow_a_saved_config(coach: tuple[Coach, Told, Clock, Path],
                                               tmp_path: Path) -> None:
    """[meetings] changed: its signals are opened again (a calendar added holds prompts; taken
    away, the meeting it held ends at the next poll)."""
    from glutecoach.coach.meeting_signals import MeetingSignals

    c, _told, clock, path = coach
    signals = MeetingSignals(c.config.meetings, c.zone)
    c.replace_meetings(signals.sources)
    signals.attach(c, None)
    c.on_reload = signals.follow
    calendar = tmp_path / "work.ics"
    calendar.write_text(ICS)
    no_signals = COACH_CONFIG + "[meetings]\nsignals = []\n"
    path.write_text(no_signals + f'calendar = "{calendar}"\n')
    c.config_saved(path)
    assert [m.name for m in c.meetings] == ["calendar"]
    clock.t += timedelta(minutes=1)
    c.tick()
    assert c.status_json()["state"] == "in-meeting"
    path.write_text(no_signals)
    c.config_saved(path)
    assert c.meetings == []
    clock.t += timedelta(minutes=1)
    c.tick()
    assert c.status_json()["state"] == "active"
    signals.close()

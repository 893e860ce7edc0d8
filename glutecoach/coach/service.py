"""The running coach: feeds the engine from the OS, records what happens, shows prompts.

Everything here is the imperative shell around the pure engine: one lock guards the engine and
the store writer; notifications are sent after the lock is released, so a slow notification server
can never hold up an answer arriving from the CLI or a button.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from glutecoach.coach.heads_up import HeadsUp
from glutecoach.config import Config, changed_keys, load_config
from glutecoach.durations import pause_until
from glutecoach.engine import Action, Engine, Notice, PromptResolved, PromptShown, Rules
from glutecoach.errors import GlutecoachError
from glutecoach.store.writer import StoreWriter
from glutecoach.workhours import WorkHours

log = logging.getLogger("glutecoach.coach")

# Idle shorter than this at a poll means the user is at the keyboard now. It is capped at a quarter
# of break_minutes, so treating it as continuous input can never hide a break.
PRESENT_SECONDS = 30.0
# Poll at least this often: lock and sleep are noticed within it.
MAX_POLL_SECONDS = 60.0
# While a due prompt waits for the user to come back, look this often.
WAITING_POLL_SECONDS = 5.0
# After a failed poll (e.g. the database stayed locked), look again this soon.
RETRY_SECONDS = 5.0

Planner = Callable[[PromptShown], tuple[str | None, str | None]]  # -> (exercise id, plan text)

# [desktop] keys the running coach follows at once (issue 14): they only change what is offered
# and when a notice shows, nothing the coach opened at its start.
LIVE_DESKTOP_KEYS = frozenset({"desktop.heads_up_seconds", "desktop.strict",
                               # read for each break's window, which starts afresh each time
                               "desktop.break_screen",
                               # read at each sound (sound/chimes.py)
                               "desktop.sound", "desktop.volume"})
STRICT_REFUSAL = ("strict mode is on: {what} is not offered, the break is meant to be taken; "
                  "to change it: glutecoach config set desktop.strict false")


@dataclass
class Clock:
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    monotonic: Callable[[], float] = time.monotonic


class Coach:
    def __init__(
        self,
        *,
        config: Config,
        config_path: Path | None,
        writer: StoreWriter,
        presence: Any,
        notifier: Any,
        clock: Clock | None = None,
        planner: Planner | None = None,
        meetings: list[Any] | None = None,
    ) -> None:
        from glutecoach.coach.clockguard import ClockGuard
        from glutecoach.presence.sleep import SleepDetector

        self.config = config
        self.config_path = config_path
        # Started without a config file: where the default one goes. `reload` (and the config
        # watcher) read it once it is there, and it becomes `config_path`.
        self.config_file: Path | None = None
        self.writer = writer
        self.presence = presence
        self.notifier = notifier
        self.clock = clock or Clock()
        self.planner = planner or (lambda _p: (None, None))
        # Meeting signals (camera, microphone, fullscreen, do-not-disturb, calendar), looked at
        # every `[meetings] poll_seconds`; the one holding prompts and what it said.
        self.meetings = meetings or []
        self._meeting_detail = ""
        self._next_meeting_look: datetime | None = None
        self.zone = config.schedule.zone()
        self._lock = threading.RLock()
        self._sleep = SleepDetector()
        self.clock_guard = ClockGuard()  # the wall clock stepped back, the system zone changed
        self._locked_screen: bool | None = None
        self.write_error = ""  # why the last write failed (a backlog waits)
        self._pending_plan: dict[int, tuple[str | None, str | None]] = {}
        # Seconds sat when each waiting prompt was shown: the bubble and the break window say it.
        self._prompt_sitting: dict[int, float] = {}
        self.stop_requested = threading.Event()
        self.on_reschedule: Callable[[datetime], None] = lambda _at: None
        self.on_change: Callable[[], None] = lambda: None
        # The break window (or anything else) follows prompts through these two hooks.
        self.on_prompt: Callable[[PromptShown], None] = lambda _shown: None
        self.on_resolved: Callable[[], None] = lambda: None
        self.on_reload: Callable[[], None] = lambda: None  # e.g. the weekly summary's moment
        # The sounds (sound/chimes.Chimes), set by the runner; none in tests that make a Coach.
        self.chimes: Any = None
        # When the last break with glute work was done: the tray offers to rate it. A break that
        # was only a walk has no level to move, so it is never offered (issue 11, 4.5).
        self.rateable_done_at: datetime | None = None
        self._not_rateable = "no break with glute exercises has been done yet"  # ...and why not
        # Set by the break window when it answers: it asks "how did that feel?" itself.
        self.window_asks_feedback = False
        # The [desktop] settings were used to open presence, notifier, tray and break window:
        # they stay in force until the next start, whatever a reload reads.
        self.started_with = config
        # Told once: a broken save (until a save applies again), settings that wait for a start.
        self._broken_told = False
        self._restart_told: list[str] = []
        # The quiet notice before each prompt, and whether the user was at the keyboard at the
        # last look (it is shown only to someone there).
        self.heads_up = HeadsUp(config.desktop.heads_up_seconds)
        self._at_keyboard = False
        self.started = self.clock.now()
        self.engine = Engine(Rules.from_schedule(config.schedule),
                             WorkHours.of(config.schedule, self.zone), self.started)

    # --- the poll -----------------------------------------------------------------------------

    def tick(self) -> datetime:
        """Look at the OS, let the engine act, and schedule the next look."""
        effects: list[Callable[[], None]] = []
        with self._lock:
            try:
                self._observe(effects)
                self._heads_up_step(effects)
                nxt = self._next_poll()
            except Exception as exc:
                # Never stop polling: a locked or full database, say, may clear up. The writer
                # keeps what it could not write and tries again with the next batch.
                log.error("this poll failed, trying again in %g s: %s", RETRY_SECONDS, exc)
                nxt = self.clock.now() + timedelta(seconds=RETRY_SECONDS)
        self._run(effects)
        self.on_reschedule(nxt)
        self.on_change()
        return nxt

    def _observe(self, effects: list[Callable[[], None]]) -> None:
        from glutecoach.presence.base import PresenceError

        now, mono = self.clock.now(), self.clock.monotonic()
        self.clock_guard.observe(self, now, mono)
        e = self.engine
        actions: list[Action] = []
        slept = self._sleep.observe(now, mono)
        if slept is not None:
            log.info("the machine slept from %s to %s", *slept)
            actions += e.suspend(slept[0]) + e.resume(slept[1])
        try:
            reading = self.presence.read()
        except PresenceError as exc:
            log.warning("cannot read idle time this time: %s", exc)
            reading = None
        at_keyboard = False
        if reading is not None:
            last = now - timedelta(seconds=max(0.0, reading.idle_seconds))
            present = min(PRESENT_SECONDS, e.rules.brk.total_seconds() / 4)
            at_keyboard = reading.idle_seconds < present
            if at_keyboard:
                actions += e.active(last, now)  # at the keyboard now
            elif e.last_input is None and last < self.started:
                pass  # input from before tracking began is not seen (spec: tracking starts)
            elif e.last_input is None or last > e.last_input + timedelta(seconds=1):
                actions += e.input(last)
            if reading.locked is not None and reading.locked != self._locked_screen:
                actions += e.lock(now) if reading.locked else e.unlock(now)
                self._locked_screen = reading.locked
        self._at_keyboard = at_keyboard
        was_held = e.meeting is not None
        actions += self._look_for_meetings(now)
        if was_held and e.meeting is None and at_keyboard:
            actions += e.active(now, now)  # a meeting just ended with the user here: prompt now
        actions += e.advance(now)
        self._record(actions, effects)
        if e.stretch_start is not None and e.last_input is not None and not self.writer.backlog:
            try:
                self.writer.touch_stretch(e.last_input)
            except GlutecoachError as exc:  # the next poll writes it again
                log.warning("cannot keep the open stretch's end up to date: %s", exc)

    def _look_for_meetings(self, now: datetime) -> list[Action]:
        from glutecoach.meetings.select import any_meeting

        if self._next_meeting_look and now < self._next_meeting_look:
            return []
        if not self.meetings and self.engine.meeting is None:
            return []  # (with none left after a reload, a held meeting is released below)
        self._next_meeting_look = now + timedelta(seconds=self.config.meetings.poll_seconds)
        signal = any_meeting(self.meetings, now)
        e = self.engine
        if signal is not None:
            self._meeting_detail = signal.detail
            if e.meeting != signal.source:
                log.info("meeting: %s (%s); prompts wait", signal.source, signal.detail)
                return e.hold(now, signal.source)
        elif e.meeting is not None:
            log.info("meeting over (%s); a due prompt comes now", e.meeting)
            self._meeting_detail = ""
            return e.release(now)
        return []

    def replace_meetings(self, sources: list[Any]) -> None:
        """The meeting signals a reload opened: looked at from the next poll on."""
        with self._lock:
            self.meetings = sources
            self._next_meeting_look = None

    def _next_poll(self) -> datetime:
        now = self.engine.now
        if self.engine.waiting_for_input():
            return now + timedelta(seconds=WAITING_POLL_SECONDS)
        nxt = now + timedelta(seconds=min(MAX_POLL_SECONDS,
                                          self.engine.rules.brk.total_seconds() / 2))
        if self._next_meeting_look is not None:
            nxt = min(nxt, self._next_meeting_look)
        for wake in (self.engine.next_wakeup(), self.heads_up.wakeup(self.engine)):
            if wake is not None:
                nxt = min(nxt, wake)
        return max(nxt, now + timedelta(seconds=0.5))

    # --- the heads-up before a prompt (issue 14) ----------------------------------------------

    @property
    def strict(self) -> bool:
        """[desktop] strict, live: no Skip, no Snooze, no Postpone."""
        return self.config.desktop.strict

    def _heads_up_step(self, effects: list[Callable[[], None]]) -> None:
        """(Lock held.) Show or withdraw the heads-up as the engine now stands. A withdrawal
        goes before the other effects: the prompt it announced comes after it, not beside it."""
        step = self.heads_up.step(self.engine, self._at_keyboard)
        if step in ("withdraw", "replace"):
            effects.insert(0, self._withdraw_heads_up)
        if step in ("show", "replace"):
            from glutecoach.notify.texts import heads_up_message

            e = self.engine
            coming = self.heads_up.showing_for
            assert coming is not None
            msg = heads_up_message((coming - e.now).total_seconds(),
                                   e.rules.snooze.total_seconds() / 60,
                                   e.rules.max_snoozes - e.snoozes_in_row, strict=self.strict)
            effects.append(lambda: self._show_heads_up(msg))
            log.info("heads-up: a prompt is due at %s", coming)

    def _show_heads_up(self, msg: Any) -> None:
        show = getattr(self.notifier, "show_heads_up", None)
        if show is None:
            return
        delivery = show(msg, self._answer_from_heads_up)
        if not delivery.delivered:
            log.info("heads-up not shown by %s: %s", delivery.backend, delivery.detail)

    def _withdraw_heads_up(self) -> None:
        withdraw = getattr(self.notifier, "withdraw_heads_up", None)
        try:
            if withdraw is not None:
                withdraw()
        except Exception as exc:  # a notification server problem must not stop the coach
            log.warning("cannot withdraw the heads-up: %s", exc)

    def _answer_from_heads_up(self, answer: str) -> None:
        log.info("answer from the heads-up: %s", answer)
        reply = self.handle({"cmd": answer})  # "postpone" or "break-now"
        if not reply.get("ok"):
            log.info("the heads-up's %s was not taken: %s", answer, reply.get("error"))

    # --- actions -> store and notifications ---------------------------------------------------

    def _record(self, actions: list[Action], effects: list[Callable[[], None]], *,
                quiet: bool = False) -> None:
        """`quiet`: the prompts shown here are answered in the same breath (the heads-up's
        Postpone): no bubble and no break window for them, and delivered (the heads-up was)."""
        exercises: dict[int, str | None] = {}
        plans: dict[int, str] = {}
        delivered: dict[int, bool] = {}
        for a in actions:
            if isinstance(a, PromptShown):
                plan = self.planner(a)
                self._pending_plan[a.number] = plan
                start = self.engine.stretch_start or a.at
                self._prompt_sitting[a.number] = max(0.0, (a.at - start).total_seconds())
                exercises[a.number] = plan[0]
                plan_json = getattr(self.planner, "plan_json", None)
                if plan_json is not None and (text := plan_json(a.number)):
                    plans[a.number] = text
                if quiet:
                    delivered[a.number] = True
        try:
            self.writer.apply(actions, exercises=exercises, plans=plans, delivered=delivered)
        except GlutecoachError as exc:
            # Kept in the writer's backlog and written with a later batch; prompts still show.
            self.write_error = str(exc)
            log.error("cannot save the history now, kept until it can be: %s", exc)
        for a in actions:
            if isinstance(a, PromptShown) and quiet:
                log.info("prompt %d shown and snoozed at once (postponed)", a.number)
            elif isinstance(a, PromptShown):
                # The chime first: a slow notification server must not delay it.
                effects.append(lambda: self.chime("prompt"))
                effects.append(lambda a=a: self._notify(a))
                effects.append(lambda a=a: self.on_prompt(a))
                log.info("prompt %d shown (due %s)", a.number, a.due)
            elif isinstance(a, PromptResolved):
                _exercise, plan_text = self._pending_plan.pop(a.number, (None, None))
                self._prompt_sitting.pop(a.number, None)
                # The prompt's bubble goes first: the notifier withdraws whatever it shows as the
                # prompt, so a question sent before the withdrawal went with it (issue 11, 4.1).
                effects.append(self._withdraw)
                effects.append(self.on_resolved)
                if a.outcome == "done":
                    rateable = self._rateable(a.number)
                    self.rateable_done_at = a.at if rateable else None
                    if not rateable:
                        self._not_rateable = ("the last break was a walk, with no glute "
                                              "exercise whose level could change")
                    if rateable and not self.window_asks_feedback:
                        effects.append(lambda t=plan_text: self._ask_feedback(t))
                    self.window_asks_feedback = False
                log.info("prompt %d: %s%s", a.number, a.outcome, " (auto)" if a.auto else "")

    def _notify(self, shown: PromptShown) -> None:
        from glutecoach.notify.texts import prompt_message

        _exercise, plan_text = self._pending_plan.get(shown.number, (None, None))
        # The engine decided at show time whether snooze is offered; the bubble says the same.
        left = self.engine.rules.max_snoozes - shown.snoozes if shown.snooze_offered else 0
        msg = prompt_message(sitting_seconds=self.prompt_sitting(shown.number), plan=plan_text,
                             snoozes_left=left, seed=shown.number, snoozes=shown.snoozes,
                             strict=self.strict)
        delivery = self.notifier.show_prompt(msg, self._answer_from_notification)
        if not delivery.delivered:
            log.warning("prompt %d not delivered by %s: %s", shown.number, delivery.backend,
                        delivery.detail)
        with self._lock:
            try:
                self.writer.set_delivered(shown.number, delivery.delivered)
            except GlutecoachError as exc:
                log.error("cannot record the delivery of prompt %d: %s", shown.number, exc)

    def chime(self, name: str) -> None:
        """Sound `name` ("prompt", "exercise-end", "break-end": the break window asks for the
        last two) unless sound is off, a meeting holds prompts or do-not-disturb is on. Returns
        at once: the checks and the player run on a thread of their own (sound/chimes.py)."""
        if self.chimes is not None:
            self.chimes.play(name)

    def in_meeting(self) -> str | None:
        """The meeting signal holding prompts back now, or None."""
        return self.engine.meeting

    def prompt_sitting(self, number: int) -> float:
        """Seconds sat when prompt `number` was shown (0 once it is resolved)."""
        return self._prompt_sitting.get(number, 0.0)

    def _rateable(self, number: int) -> bool:
        """Did this prompt's plan have glute work to rate (a walk alone has no level)?"""
        plan = getattr(self.planner, "plans", {}).get(number)
        return plan is not None and any(i.part == "glute" for i in plan.items)

    def _ask_feedback(self, plan_text: str | None) -> None:
        from glutecoach.notify.texts import feedback_message

        self.notifier.show_prompt(feedback_message(plan_text), self._feedback_from_notification)

    def _feedback_from_notification(self, rating: str) -> None:
        if rating in ("easy", "right", "hard"):
            self.rate_last_break(rating, "the notification")

    def rate_last_break(self, rating: str, source: str) -> bool:
        """Record how the last break felt (from the tray, a bubble or the break window) and
        say what it changed, or why it could not be taken, in a notification: these places
        have no terminal, and a log line reaches nobody (issue 11, 4.5)."""
        from glutecoach.library import load_library, user_exercises_dir
        from glutecoach.notify.texts import feedback_refused_message, feedback_result_message
        from glutecoach.plans.records import apply_feedback

        cfg = self.config
        with self._lock:
            why_not = None if self.rateable_done_at is not None else self._not_rateable
        if why_not is not None:
            log.info("feedback from %s not taken: %s", source, why_not)
            self.tell(*feedback_refused_message(why_not))
            return False
        library = getattr(self.planner, "library", None)
        try:
            if library is None:
                library = load_library(user_exercises_dir(self.config_path))
            with self._lock:
                result = apply_feedback(self.writer.store, library, rating,  # type: ignore[arg-type]
                                        self.clock.now(), start_level=cfg.coach.start_level,
                                        zone=cfg.schedule.zone())
                self.rateable_done_at = None  # rated: the tray's entries go away
                self._not_rateable = "the last break has been rated already"
        except GlutecoachError as exc:
            log.warning("feedback from %s not recorded: %s", source, exc)
            self.tell(*feedback_refused_message(str(exc)))
            return False
        log.info("feedback from %s: %s (levels %s)", source, rating, result.levels)
        self.tell(*feedback_result_message(rating, result.levels))
        self.on_change()
        return True

    def tell(self, title: str, body: str) -> None:
        """A passing message (no buttons) for what the tray or a bubble did: they have no
        terminal to print to. Never raises; an undelivered message is logged."""
        try:
            delivery = self.notifier.info(title, body)
        except Exception as exc:  # a notification server problem must not stop the coach
            log.warning("cannot show %r: %s", title, exc)
            return
        if not delivery.delivered:
            log.warning("%r not delivered by %s: %s", title, delivery.backend, delivery.detail)

    def _withdraw(self) -> None:
        try:
            self.notifier.withdraw_prompt()
        except Exception as exc:  # a notification server problem must not stop the coach
            log.warning("cannot withdraw the notification: %s", exc)

    def _answer_from_notification(self, answer: str) -> None:
        log.info("answer from the notification: %s", answer)
        self.handle({"cmd": "answer", "answer": answer})

    @staticmethod
    def _run(effects: list[Callable[[], None]]) -> None:
        for effect in effects:
            try:
                effect()
            except Exception:
                log.exception("a notification step failed")

    # --- commands (control socket, tray, notification buttons) --------------------------------

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        cmd = request.get("cmd")
        effects: list[Callable[[], None]] = []
        with self._lock:
            if cmd == "stop":
                self.stop_requested.set()
                return {"ok": True}
            # The user just typed a command: see that first (`status` right after a "done",
            # typing on, would otherwise say "away" until the next poll, up to a minute later).
            # Before a reload too: the time up to now ran under the old rules.
            self._observe(effects)
            if cmd == "reload":
                reply = self._reload()
            elif cmd == "status":
                reply = {"ok": True, "status": self.status_json()}
            else:
                reply = self._command(cmd, request, effects)
            self._heads_up_step(effects)
            if reply.get("ok") and cmd not in ("status", "reload"):
                if self.writer.backlog:
                    reply["warning"] = (f"the coach took it, but cannot save its history now "
                                        f"({self.write_error}); it keeps it and saves it as "
                                        "soon as it can")
                reply["status"] = self.status_json()
            nxt = self._next_poll()
        # Even a refused command ran a poll first, which may have shown a prompt: notify it.
        self._run(effects)
        self.on_reschedule(nxt)
        self.on_change()
        return reply

    def _command(self, cmd: object, request: dict[str, Any],
                 effects: list[Callable[[], None]]) -> dict[str, Any]:
        now = self.engine.now
        if cmd == "answer":
            answer = request.get("answer")
            if answer not in ("done", "snooze", "skip"):
                return {"ok": False, "error": 'answer must be "done", "snooze" or "skip"'}
            # Strict mode's one way out is the break window's emergency exit (hold Esc), which
            # answers skip from the window; nothing else may skip or snooze (issue 14).
            emergency = answer == "skip" and request.get("source") == "break-window"
            if self.strict and answer != "done" and not emergency:
                return {"ok": False, "error": STRICT_REFUSAL.format(what=answer)}
            pending = self.engine.pending
            if pending is None:
                return {"ok": False, "error": "no prompt is pending"}
            actions = self.engine.answer(now, answer)
            self._record(actions, effects)
            # What was recorded is what the user is told: a snooze past the limit counts as
            # skip (the rules), and the command line says so instead of "Snoozed." (4.2).
            outcome = next((a.outcome for a in actions if isinstance(a, PromptResolved)), None)
            if answer == "snooze" and outcome == "skipped":
                log.info("prompt %d: a snooze after %d in a row counts as skip", pending.number,
                         pending.snoozes)
            return {"ok": True, "outcome": outcome, "snoozes": pending.snoozes}
        elif cmd == "pause":
            try:
                until = pause_until(str(request.get("duration") or "1h"), now, self.zone)
            except GlutecoachError as exc:
                return {"ok": False, "error": str(exc)}
            self._record(self.engine.pause(now, until), effects)
        elif cmd == "resume":
            st = self.engine.status(now)
            was_paused = st.paused_until is not None or st.paused_indefinitely
            self._record(self.engine.unpause(now), effects)
            return {"ok": True, "was_paused": was_paused}
        elif cmd == "break-now":
            self._record(self.engine.break_now(now), effects)
        elif cmd == "postpone":  # the heads-up's button: a snooze of the coming prompt
            if self.strict:
                return {"ok": False, "error": STRICT_REFUSAL.format(what="postpone")}
            actions = self.engine.postpone(now)
            self._record(actions, effects, quiet=True)
            refused = next((a.message for a in actions if isinstance(a, Notice)), None)
            if refused is not None:
                return {"ok": False, "error": refused}
            return {"ok": True, "outcome": "snoozed", "snoozes": self.engine.snoozes_in_row}
        else:
            return {"ok": False, "error": f"unknown command: {cmd}"}
        return {"ok": True}

    def session_event(self, kind: str) -> None:
        """A signal from the session (logind, the screensaver): act now rather than at the next
        poll. Sleep is marked at its true start; the poll after waking sees the rest."""
        if kind in ("sleeping", "woke"):
            effects: list[Callable[[], None]] = []
            with self._lock:
                now = self.clock.now()
                e = self.engine
                self._record(e.suspend(now) if kind == "sleeping" else e.resume(now), effects)
            self._run(effects)
        if kind != "sleeping":
            self.tick()

    def _reload(self) -> dict[str, Any]:
        """Read the config file again and put it in force (`glutecoach reload`, and every
        settled save the config watcher sees): the rules and work hours at once, the next
        wake-up with them (the caller reschedules), the plans' settings (the planner reads
        `self.config`), and through `on_reload` the weekly summary and the meeting signals.
        [desktop] waits for the next start; the reply lists what of it changed."""
        path = self.config_path
        if path is None and self.config_file is not None and self.config_file.exists():
            path = self.config_file  # the default config, written since the coach started
        if path is None:
            return {"ok": True, "detail": "no config file; defaults stay in force"}
        try:
            cfg = load_config(path)
        except GlutecoachError as exc:
            log.warning("reload failed, the old config stays in force: %s", exc)
            return {"ok": False, "error": f"{exc} (the old config stays in force)"}
        self.config_path = path
        changed = changed_keys(self.config, cfg)
        self.config = cfg
        self.zone = cfg.schedule.zone()
        self.writer.zone = self.zone.key  # the zone recorded beside new rows
        self.engine.change_rules(Rules.from_schedule(cfg.schedule))
        self.engine.hours = WorkHours.of(cfg.schedule, self.zone)
        self.heads_up.seconds = cfg.desktop.heads_up_seconds
        log.info("config reloaded from %s (%s)", self.config_path,
                 "changed: " + ", ".join(changed) if changed else "nothing changed")
        restart = [k for k in changed_keys(self.started_with, cfg)
                   if k.startswith("desktop.") and k not in LIVE_DESKTOP_KEYS]
        if restart:
            log.info("applies at the next start of the coach: %s", ", ".join(restart))
        try:
            self.on_reload()
        except Exception:
            log.exception("applying the reloaded config failed")
        return {"ok": True, "changed": changed, "restart": restart}

    def config_saved(self, path: Path) -> None:
        """The config file changed on disk and settled (coach/config_watch.py): apply it as
        `reload` does. A broken file is refused and told in one notification, not one per save
        while the user is still at it in their editor; the next valid save ends that. Settings
        that wait for the next start are told once too. Runs in the watcher's thread."""
        from glutecoach.notify.texts import config_refused_message, config_restart_message

        if not path.exists():
            # An editor that deletes and re-creates is done within the settling time; a file
            # still gone after it was removed for good. Nothing to read: keep what is in force.
            log.info("the config file %s is gone; the config in force stays until it is "
                     "saved again", path)
            return
        reply = self.handle({"cmd": "reload"})
        if not reply["ok"]:
            if not self._broken_told:
                self._broken_told = True
                self.tell(*config_refused_message(str(reply["error"])))
            return
        self._broken_told = False
        log.info("config applied after a save of %s", path)
        restart = list(reply.get("restart", []))
        if restart and restart != self._restart_told:
            self.tell(*config_restart_message(restart))
        self._restart_told = restart

    def status_json(self) -> dict[str, Any]:
        with self._lock:
            st = self.engine.status(self.clock.now())
            pending = None
            offered = st.pending is not None and self.snooze_offered(st.pending.snoozes)
            if st.pending is not None:
                exercise, plan = self._pending_plan.get(st.pending.number, (None, None))
                pending = {"at": _iso(st.pending.at, self), "exercise": exercise, "plan": plan,
                           # What the user can answer now, and the snoozes in a row behind it.
                           "answers": [a for a in ("done", "snooze", "skip")
                                       if a == "done" or (not self.strict
                                                          and (a == "skip" or offered))],
                           "snoozes": st.pending.snoozes}
            return {
                "now": _iso(max(self.clock.now(), self.engine.now), self),
                "state": st.state,
                # Whole seconds, rounded down as every view rounds minutes down: 59.6 s must
                # not become the "1 min" the bubble did not say.
                "sitting_seconds": int(st.sitting.total_seconds()),
                "next_prompt_at": _iso(st.next_prompt_at, self),
                "pending_prompt": pending,
                "paused_until": _iso(st.paused_until, self),
                "meeting": {"signal": st.meeting, "detail": self._meeting_detail}
                if st.meeting else None,
                "snooze_offered": offered,
                "strict": self.strict,
                # The due moment the heads-up on screen announces (issue 14), else null.
                "heads_up_for": _iso(self.heads_up.showing_for, self),
                # Today is a day off (its note or holiday name, "" for none), else null.
                "day_off": self.day_off_now(),
            }

    def day_off_now(self) -> str | None:
        """Whether the local date is a day off (no prompts today): its note or holiday name."""
        with self._lock:
            return self.engine.hours.day_off(self.engine.hours.local_date(self.clock.now()))

    def snooze_offered(self, snoozes: int) -> bool:
        """Whether a prompt after `snoozes` snoozes in a row may be snoozed again now: what a
        snooze will do (the engine's rule with the rules in force), for status and the tray.
        Never in strict mode, where a snooze is refused."""
        return snoozes < self.engine.rules.max_snoozes and not self.strict

    def shutdown(self) -> None:
        with self._lock:
            actions = self.engine.finish(self.clock.now())
            self.writer.apply(actions)
        self._withdraw()
        self._withdraw_heads_up()


def _iso(t: datetime | None, coach: Coach) -> str | None:
    return None if t is None else t.astimezone(coach.zone).isoformat(timespec="seconds")

"""The heads-up before a prompt and strict mode (issue 14), on the coach's virtual clock: the real
Coach, its real control socket and command line in-process, a real SQLite file. Only the
notifier is a recorder here; tests/desktop/test_heads_up_desktop.py uses the real dunst."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import isolate
from coach_rig import CoachRig, served_coach
from test_coach_service import MONDAY_9, ScriptedPresence, VirtualClock, prompts

from glutecoach.coach.tray_bridge import tray_state
from glutecoach.meetings.base import MeetingSignal
from glutecoach.notify.base import Delivery, HeadsUpMessage, PromptMessage
from glutecoach.tray.menu import build_menu, status_line

# Work windows: the defaults, Monday to Friday 09:00-17:30 in Berlin. MONDAY_9 is 09:00 there.
CONFIG = """
[schedule]
timezone = "Europe/Berlin"
sit_minutes = 30
snooze_minutes = 10
max_snoozes = 2
[desktop]
notifier = "terminal"
heads_up_seconds = 60
"""


@dataclass
class Recorder:
    """The notifier's calls in order, each with the virtual time it was made at."""

    clock: VirtualClock
    calls: list[tuple[str, datetime, str]] = field(default_factory=list)
    heads_ups: list[HeadsUpMessage] = field(default_factory=list)
    prompts: list[PromptMessage] = field(default_factory=list)
    heads_up_answer: Callable[[str], None] | None = None
    name: str = "recorder"

    def show_prompt(self, msg: PromptMessage, on_answer: Callable[[str], None]) -> Delivery:
        self.calls.append(("prompt", self.clock.t, msg.title))
        self.prompts.append(msg)
        return Delivery(True, self.name)

    def withdraw_prompt(self) -> None:
        self.calls.append(("withdraw", self.clock.t, ""))

    def show_heads_up(self, msg: HeadsUpMessage, on_answer: Callable[[str], None]) -> Delivery:
        self.calls.append(("heads-up", self.clock.t, msg.title))
        self.heads_ups.append(msg)
        self.heads_up_answer = on_answer
        return Delivery(True, self.name)

    def withdraw_heads_up(self) -> None:
        self.calls.append(("withdraw heads-up", self.clock.t, ""))

    def info(self, title: str, body: str) -> Delivery:
        self.calls.append(("info", self.clock.t, title))
        return Delivery(True, self.name)

    def close(self) -> None:
        pass

    def kinds(self) -> list[str]:
        return [kind for kind, _t, _title in self.calls if kind != "withdraw"]

    def at(self, kind: str) -> list[datetime]:
        return [t for k, t, _title in self.calls if k == kind]


@dataclass
class Meeting:
    """A meeting signal the test turns on and off (the real ones read the camera and so on)."""

    on: bool = False
    name: str = "camera"

    def read(self, now: datetime) -> MeetingSignal:
        return MeetingSignal(self.on, "camera", "a test call")

    def close(self) -> None:
        pass


@dataclass
class Rig(CoachRig):
    meeting: Meeting = field(default_factory=Meeting)

    def type_until(self, minutes: float) -> None:
        """The user types without pause; the coach polls when it asks to (never more often)."""
        until = MONDAY_9 + timedelta(minutes=minutes)
        while self.clock.t < until:
            self.presence.last_input = self.clock.t
            nxt = self.coach.tick()
            self.clock.advance(max(0.5, min((nxt - self.clock.t).total_seconds(),
                                            (until - self.clock.t).total_seconds())))
        self.presence.last_input = self.clock.t
        self.coach.tick()

    def idle_until(self, minutes: float) -> None:
        until = MONDAY_9 + timedelta(minutes=minutes)
        while self.clock.t < until:
            nxt = self.coach.tick()
            self.clock.advance(max(0.5, min((nxt - self.clock.t).total_seconds(),
                                            (until - self.clock.t).total_seconds())))
        self.coach.tick()


def make_rig(tmp_path: Path, capsys: pytest.CaptureFixture[str],
             monkeypatch: pytest.MonkeyPatch, config_text: str = CONFIG,
             start: datetime = MONDAY_9) -> Iterator[Rig]:
    isolate(monkeypatch, tmp_path)
    clock = VirtualClock(start)
    presence = ScriptedPresence(clock, start)
    notifier = Recorder(clock)
    meeting = Meeting()
    with served_coach(tmp_path, config_text, clock=clock, presence=presence, notifier=notifier,
                      meetings=[meeting]) as served:
        yield Rig(served.coach, clock, presence, notifier, served.store, served.home,
                  served.config, capsys, meeting)


@pytest.fixture
def rig(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from make_rig(tmp_path, capsys, monkeypatch)


@pytest.fixture
def strict(tmp_path: Path, capsys: pytest.CaptureFixture[str],
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from make_rig(tmp_path, capsys, monkeypatch,
                        config_text=CONFIG + "strict = true\n")


def minute(m: float) -> datetime:
    return MONDAY_9 + timedelta(minutes=m)


# --- when it is shown ---------------------------------------------------------------------------


def test_heads_up_comes_heads_up_seconds_before_the_prompt_and_goes_when_it_comes(rig) -> None:
    rig.type_until(31)
    # One wake-up at 09:29:00 exactly, not a poll that happened to land near it.
    assert rig.notifier.at("heads-up") == [minute(29)]
    msg = rig.notifier.heads_ups[0]
    assert msg.title == "Break in 1 min: finish your sentence"
    assert msg.buttons == (("postpone", "Postpone 10 min"), ("break-now", "Break now"))
    assert "counts as a snooze (2 left)" in msg.body
    # Withdrawn at 09:30, before the prompt's bubble, which comes in the same breath.
    assert rig.notifier.kinds() == ["heads-up", "withdraw heads-up", "prompt"]
    assert rig.notifier.at("withdraw heads-up") == rig.notifier.at("prompt") == [minute(30)]


def test_the_heads_up_adds_one_wake_up_and_no_polling(tmp_path, capsys, monkeypatch) -> None:
    """The coach's looks with a heads-up of 45 s are those without one, plus 09:29:15."""
    looks: dict[int, list[datetime]] = {}
    for seconds in (0, 45):
        text = CONFIG.replace("heads_up_seconds = 60", f"heads_up_seconds = {seconds}")
        for r in make_rig(tmp_path / str(seconds), capsys, monkeypatch, config_text=text):
            looks[seconds] = []
            r.coach.on_reschedule = looks[seconds].append
            r.type_until(29.9)
            if seconds:
                assert r.notifier.at("heads-up") == [minute(29.25)]
                assert r.notifier.heads_ups[0].title == "Break in 45 s: finish your sentence"
    assert looks[45] == sorted([*looks[0], minute(29.25)])


def test_zero_turns_it_off(tmp_path, capsys, monkeypatch) -> None:
    text = CONFIG.replace("heads_up_seconds = 60", "heads_up_seconds = 0")
    for r in make_rig(tmp_path, capsys, monkeypatch, config_text=text):
        r.type_until(31)
        assert r.notifier.kinds() == ["prompt"]
        assert r.coach.heads_up.wakeup(r.coach.engine) is None


def test_not_shown_when_the_user_is_away(rig) -> None:
    rig.type_until(28)  # last input 09:28; at 09:29 idle for a minute
    rig.idle_until(30.5)
    assert rig.notifier.at("heads-up") == []
    rig.type_until(31)  # back after the prompt fell due: it comes alone, when they are back
    assert rig.notifier.kinds() == ["prompt"]
    assert rig.notifier.at("prompt") == [minute(30.5)]


def test_a_user_back_within_the_lead_gets_it_at_the_next_look(rig) -> None:
    rig.type_until(28.5)
    rig.idle_until(29.2)  # away at 09:29:00 (idle 30 s)
    assert rig.notifier.at("heads-up") == []
    rig.type_until(30)
    [shown] = rig.notifier.at("heads-up")
    assert minute(29.2) <= shown < minute(30)


def test_not_shown_outside_work_windows(tmp_path, capsys, monkeypatch) -> None:
    # Typing from 08:20: the prompt falls due at 08:50, outside the window, and comes at 09:00
    # when it opens. At 08:59 the window is not open yet: no heads-up.
    for r in make_rig(tmp_path, capsys, monkeypatch, start=minute(-40)):
        r.type_until(1)
        assert r.notifier.kinds() == ["prompt"]
        assert r.notifier.at("prompt") == [minute(0)]


def test_not_shown_in_a_pause_and_withdrawn_by_one(rig) -> None:
    rig.type_until(10)
    assert rig.coach.handle({"cmd": "pause", "duration": "20m"})["ok"]  # until 09:30
    rig.type_until(31)
    assert rig.notifier.kinds() == ["prompt"]  # 09:29 was in the pause
    assert rig.notifier.at("prompt") == [minute(30)]

    # Skipped: the next prompt is due at 10:00 (09:30 + 30 min), its heads-up at 09:59.
    assert rig.coach.handle({"cmd": "answer", "answer": "skip"})["ok"]
    rig.type_until(59.5)
    assert rig.notifier.at("heads-up") == [minute(59)]
    rig.coach.handle({"cmd": "pause", "duration": "30m"})
    assert rig.notifier.kinds()[-1] == "withdraw heads-up"
    assert rig.coach.status_json()["heads_up_for"] is None


def test_not_shown_in_a_meeting_and_withdrawn_by_one(rig) -> None:
    rig.type_until(20)
    rig.meeting.on = True
    rig.type_until(40)
    assert rig.notifier.kinds() == []  # the prompt waits for the meeting's end; no heads-up
    rig.meeting.on = False
    rig.type_until(41)
    assert rig.notifier.kinds() == ["prompt"]

    # The next one: a meeting that begins while the heads-up is up takes it away.
    rig.coach.handle({"cmd": "answer", "answer": "done"})
    rig.type_until(66)  # a new stretch from the "done" at 09:41 on: due at 10:11 or so
    due = rig.coach.engine.next_prompt_at()
    assert due is not None
    rig.type_until((due - MONDAY_9).total_seconds() / 60 - 0.5)
    assert rig.notifier.at("heads-up") == [due - timedelta(seconds=60)]
    rig.meeting.on = True
    rig.clock.advance(20)  # the next meeting look ([meetings] poll_seconds) sees it
    rig.presence.last_input = rig.clock.t
    rig.coach.tick()
    assert rig.notifier.kinds()[-1] == "withdraw heads-up"


def test_withdrawn_when_the_user_takes_a_break_meanwhile(rig) -> None:
    rig.type_until(29.2)
    assert rig.notifier.at("heads-up") == [minute(29)]
    rig.presence.locked = True  # gets up at 09:29:12 and locks the screen
    rig.idle_until(34)
    assert rig.notifier.kinds() == ["heads-up", "withdraw heads-up"]
    assert prompts(rig.store) == []  # no prompt to an empty chair
    assert rig.coach.status_json()["state"] == "away"


def test_shown_once_for_each_coming_prompt(rig) -> None:
    rig.type_until(29.9)
    for _ in range(5):  # status calls and polls inside the minute do not show it again
        rig.coach.handle({"cmd": "status"})
    assert len(rig.notifier.at("heads-up")) == 1


# --- its buttons --------------------------------------------------------------------------------


def test_postpone_counts_as_a_snooze_of_the_coming_prompt(rig) -> None:
    rig.type_until(29.5)
    assert rig.notifier.heads_up_answer is not None
    rig.notifier.heads_up_answer("postpone")  # pressed at 09:29:30
    rows = prompts(rig.store)
    assert [(r.outcome, r.snoozes, r.delivered) for r in rows] == [("snoozed", 0, True)]
    assert rows[0].shown_utc == rows[0].answered_utc == minute(29.5).replace(tzinfo=None)
    st = rig.coach.status_json()
    assert st["next_prompt_at"] == minute(39.5).astimezone(rig.coach.zone).isoformat()
    assert st["pending_prompt"] is None and st["heads_up_for"] is None
    # No prompt bubble for it: the heads-up was the prompt, answered at once.
    assert "prompt" not in rig.notifier.kinds()
    assert rig.notifier.kinds()[-1] == "withdraw heads-up"

    # The next heads-up (09:38:30) still offers one; after it, none is left.
    rig.type_until(39)
    assert rig.notifier.at("heads-up")[-1] == minute(38.5)
    assert "(1 left)" in rig.notifier.heads_ups[-1].body
    rig.notifier.heads_up_answer("postpone")  # 09:39
    rig.type_until(48.5)
    last = rig.notifier.heads_ups[-1]
    assert [a for a, _label in last.buttons] == ["break-now"]
    assert "No snooze left" in last.body
    # Pressed anyway (a stale bubble): refused, nothing recorded, the prompt comes on time.
    reply = rig.coach.handle({"cmd": "postpone"})
    assert not reply["ok"] and "no snooze is left" in reply["error"]
    rig.type_until(50)
    assert [(r.outcome, r.snoozes) for r in prompts(rig.store)] == [
        ("snoozed", 0), ("snoozed", 1), ("pending", 2)]
    assert rig.coach.status_json()["pending_prompt"]["answers"] == ["done", "skip"]


def test_status_shows_the_heads_up_and_postpone_works_from_the_command_line(rig) -> None:
    """What the buttons do, for a user at a terminal (and for plyer's and the terminal's bubbles,
    which have no heads-up): `status` says a heads-up is up, `glutecoach postpone` is its
    Postpone."""
    rig.type_until(29.5)
    run = rig.cli("status")
    assert run.code == 0
    assert run.out.splitlines()[1] == ("Next break prompt at 09:30 (heads-up shown). "
                                       "Put it off: glutecoach postpone")
    assert json.loads(rig.cli("status", "--json").out)["heads_up_for"] == \
        minute(30).astimezone(rig.coach.zone).isoformat()
    run = rig.cli("postpone")
    assert (run.code, run.out) == (0, "Postponed: next prompt at 09:39.\n")
    assert [(r.outcome, r.snoozes) for r in prompts(rig.store)] == [("snoozed", 0)]
    assert rig.notifier.kinds()[-1] == "withdraw heads-up"
    assert rig.cli("status").out.splitlines()[1] == "Next break prompt at 09:39."
    # Once the prompt has come, it is answered, not postponed: one line, exit 1, nothing recorded.
    rig.type_until(40)
    run = rig.cli("postpone")
    assert run.code == 1 and run.err.count("\n") == 1
    assert "a break prompt is already waiting: answer it" in run.err
    assert [r.outcome for r in prompts(rig.store)] == ["snoozed", "pending"]


def test_break_now_shows_the_prompt_at_once(rig) -> None:
    rig.type_until(29.25)
    assert rig.notifier.heads_up_answer is not None
    rig.notifier.heads_up_answer("break-now")
    assert rig.notifier.kinds() == ["heads-up", "withdraw heads-up", "prompt"]
    assert rig.notifier.at("prompt") == [minute(29.25)]
    st = rig.coach.status_json()
    assert st["pending_prompt"] is not None
    rows = prompts(rig.store)
    assert [(r.outcome, r.due_utc) for r in rows] == [("pending", minute(29.25)
                                                        .replace(tzinfo=None))]


def test_tray_says_break_in_one_minute_while_it_is_up(rig) -> None:
    rig.type_until(29)
    state = tray_state(rig.coach)
    assert state.heads_up_at == minute(30)
    line = status_line(state, now=minute(29).astimezone(rig.coach.zone))
    assert line == "Sitting 29 min · break in 1 min"


# --- strict mode --------------------------------------------------------------------------------


def test_strict_refuses_snooze_and_skip_on_the_command_line(strict) -> None:
    strict.type_until(31)
    for word in ("snooze", "skip"):
        run = strict.cli(word)
        assert run.code == 1
        assert run.err.count("\n") == 1, run.err
        assert "strict mode is on" in run.err
        assert "glutecoach config set desktop.strict false" in run.err
    assert [r.outcome for r in prompts(strict.store)] == ["pending"]
    assert strict.cli("done").code == 0
    assert [r.outcome for r in prompts(strict.store)] == ["done"]
    run = strict.cli("postpone")  # nor is the coming break put off
    assert run.code == 1 and "strict mode is on" in run.err


def test_strict_drops_the_buttons_and_menu_entries(strict) -> None:
    strict.type_until(29.5)
    heads_up = strict.notifier.heads_ups[0]
    assert [a for a, _label in heads_up.buttons] == ["break-now"]  # no Postpone
    assert not strict.coach.handle({"cmd": "postpone"})["ok"]
    strict.type_until(31)
    assert strict.notifier.prompts[0].answers == ("done",)
    st = strict.coach.status_json()
    assert st["pending_prompt"]["answers"] == ["done"]
    assert st["snooze_offered"] is False and st["strict"] is True
    labels = [e.label for e in build_menu(tray_state(strict.coach))]
    assert "Done" in labels and "Snooze" not in labels and "Skip" not in labels


def test_strict_takes_the_break_windows_emergency_exit_as_a_skip(strict) -> None:
    strict.type_until(31)
    reply = strict.coach.handle({"cmd": "answer", "answer": "skip", "source": "break-window"})
    assert reply["ok"] and reply["outcome"] == "skipped"
    # Snooze stays refused from the window too (it offers none in strict mode).
    strict.type_until(61)
    reply = strict.coach.handle({"cmd": "answer", "answer": "snooze", "source": "break-window"})
    assert not reply["ok"] and "strict mode is on" in reply["error"]


def test_strict_and_heads_up_seconds_apply_without_a_restart(rig) -> None:
    rig.type_until(31)
    rig.config.write_text(CONFIG.replace("heads_up_seconds = 60", "heads_up_seconds = 120")
                          + "strict = true\n")
    reply = rig.coach.handle({"cmd": "reload"})
    assert reply["ok"] and reply["restart"] == []
    assert not rig.coach.handle({"cmd": "answer", "answer": "skip"})["ok"]
    rig.config.write_text(CONFIG)
    rig.coach.handle({"cmd": "reload"})
    assert rig.coach.handle({"cmd": "answer", "answer": "skip"})["ok"]  # due again 10:00
    rig.type_until(59)
    assert rig.notifier.at("heads-up")[-1] == minute(59)


def test_the_rules_never_see_a_heads_up(rig) -> None:
    """Nothing about the heads-up reaches the engine unless a button is pressed: the same
    prompts, at the same moments, with it on as with it off."""
    rig.type_until(95)
    with_it = [(r.shown_utc, r.outcome) for r in prompts(rig.store)]
    assert len(with_it) == 3
    assert [r.shown_utc for r in prompts(rig.store)] == [
        minute(m).replace(tzinfo=None) for m in (30, 60, 90)]


def test_heads_up_texts_for_short_and_long_leads() -> None:
    from glutecoach.notify.texts import heads_up_message

    assert heads_up_message(45, 5, 1).title == "Break in 45 s: finish your sentence"
    assert heads_up_message(120, 5, 1).title == "Break in 2 min: finish your sentence"
    assert heads_up_message(60, 5, 1).buttons[0] == ("postpone", "Postpone 5 min")
    assert heads_up_message(60, 0.1, 1).buttons[0] == ("postpone", "Postpone 6 s")

"""What the coach tells a new user when they answer, pause, resume or rate (issue 11, section 4):
the real Coach on a virtual clock, its real control socket and the real command line in-process,
a real SQLite file. Only the notifier is a recorder here (tests/desktop use the real dunst)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from cli_helpers import isolate
from coach_rig import CoachRig, served_coach
from sqlmodel import select
from test_coach_service import (
    MONDAY_9,
    ScriptedPresence,
    VirtualClock,
    idle_until,
    prompts,
    typing_until,
)

from glutecoach.library import load_library
from glutecoach.notify.base import Delivery, PromptMessage
from glutecoach.plans.planner import make_planner
from glutecoach.store import Store
from glutecoach.store.tables import LevelRow

CONFIG = """
[schedule]
timezone = "Europe/Berlin"
sit_minutes = 30
snooze_minutes = 10
max_snoozes = 2
[desktop]
notifier = "terminal"
"""


@dataclass
class Recorder:
    """The notifier's calls in order: ("prompt", title), ("withdraw", ""), ("info", title)."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    shown: list[PromptMessage] = field(default_factory=list)
    infos: list[tuple[str, str]] = field(default_factory=list)
    answer: Callable[[str], None] | None = None
    name: str = "recorder"

    def show_prompt(self, msg: PromptMessage, on_answer: Callable[[str], None]) -> Delivery:
        self.calls.append(("prompt", msg.title))
        self.shown.append(msg)
        self.answer = on_answer
        return Delivery(True, self.name)

    def withdraw_prompt(self) -> None:
        self.calls.append(("withdraw", ""))

    def info(self, title: str, body: str) -> Delivery:
        self.calls.append(("info", title))
        self.infos.append((title, body))
        return Delivery(True, self.name)

    def close(self) -> None:
        pass


@dataclass
class Rig(CoachRig):
    def type_until(self, minutes: float) -> None:
        typing_until(self.coach, self.clock, self.presence, MONDAY_9 + timedelta(minutes=minutes))

    def hm(self, iso: str) -> str:
        return iso[11:16]


def make_rig(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
             config_text: str = CONFIG, planner: bool = False) -> Iterator[Rig]:
    isolate(monkeypatch, tmp_path)
    clock = VirtualClock(MONDAY_9)
    presence = ScriptedPresence(clock, MONDAY_9)
    notifier = Recorder()
    real_planner = (lambda config, store: make_planner(config, load_library(), store)) \
        if planner else None
    with served_coach(tmp_path, config_text, clock=clock, presence=presence, notifier=notifier,
                      planner=real_planner) as served:
        yield Rig(served.coach, clock, presence, notifier, served.store, served.home,
                  served.config, capsys)


@pytest.fixture
def rig(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from make_rig(tmp_path, capsys, monkeypatch)


@pytest.fixture
def planned(tmp_path: Path, capsys: pytest.CaptureFixture[str],
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    """With the real planner: every prompt has a plan with a glute block (break_minutes 3)."""
    yield from make_rig(tmp_path, capsys, monkeypatch, planner=True)


@pytest.fixture
def walk_only(tmp_path: Path, capsys: pytest.CaptureFixture[str],
              monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    """Breaks of 30 s: no glute exercise fits, the plan is a walk."""
    text = CONFIG.replace("max_snoozes = 2", "max_snoozes = 2\nbreak_minutes = 0.5\n"
                          "away_after_minutes = 0.5")
    yield from make_rig(tmp_path, capsys, monkeypatch, config_text=text, planner=True)


# --- 4.2: snooze after max_snoozes --------------------------------------------------------------


def test_after_max_snoozes_status_offers_done_and_skip_and_snooze_says_what_happened(
        rig: Rig) -> None:
    rig.type_until(31)  # prompt 1 at 09:30
    st = rig.cli("status", "--json").json()
    assert st["pending_prompt"]["answers"] == ["done", "snooze", "skip"]
    assert st["pending_prompt"]["snoozes"] == 0

    first = rig.cli("snooze")
    assert first.code == 0
    nxt = rig.hm(rig.coach.status_json()["next_prompt_at"])
    assert first.out == f"Snoozed: next prompt at {nxt}.\n"
    rig.type_until(42)  # prompt 2 at 09:41
    assert rig.cli("snooze").code == 0
    rig.type_until(53)  # prompt 3 at 09:51: two snoozes in a row, none left

    text = rig.cli("status")
    assert "No snooze left (2 in a row)" in text.out
    assert "Answer: glutecoach done | skip" in text.out and "snooze |" not in text.out
    st = rig.cli("status", "--json").json()
    assert st["pending_prompt"]["answers"] == ["done", "skip"]
    assert st["pending_prompt"]["snoozes"] == 2
    assert rig.notifier.shown[-1].answers == ("done", "skip")  # the bubble agrees
    assert "No snooze left (2 in a row)." in rig.notifier.shown[-1].body

    third = rig.cli("snooze")
    assert third.code == 0, third  # the answer was taken: the prompt is answered, as skip
    nxt = rig.hm(rig.coach.status_json()["next_prompt_at"])
    assert third.out == f"No snooze left (2 in a row): recorded as skipped. Next prompt at {nxt}.\n"
    assert [p.outcome for p in prompts(rig.store)] == ["snoozed", "snoozed", "skipped"]
    assert rig.coach.status_json()["pending_prompt"] is None


def test_skip_and_done_say_what_comes_next(rig: Rig) -> None:
    rig.type_until(31)
    skipped = rig.cli("skip")
    assert skipped.code == 0
    assert skipped.out == "Skipped. Next prompt at 10:00.\n"  # prompt time + sit_minutes
    rig.type_until(61)
    done = rig.cli("done")
    assert done.out == "Well done: break recorded.\n"


# --- 4.9: pause, resume, snooze say what really happened ------------------------------------------


def test_resume_with_nothing_paused_says_so(rig: Rig) -> None:
    rig.type_until(5)
    nothing = rig.cli("resume")
    assert nothing.code == 0
    assert nothing.out == "Nothing was paused.\n"
    assert rig.cli("pause", "30m").out == "Prompts paused until 09:35.\n"
    resumed = rig.cli("resume")
    assert resumed.out.startswith("Prompts resumed.")
    assert "Next break prompt at 09:30." in resumed.out


def test_pause_until_tomorrow_names_the_day(rig: Rig) -> None:
    rig.type_until(5)
    out = rig.cli("pause", "until-tomorrow").out
    assert out == "Prompts paused until tomorrow, Tue 24 Nov 00:00.\n"
    assert "Paused until tomorrow, Tue 24 Nov 00:00" in rig.cli("status").out


def test_a_pause_over_midnight_names_the_day(rig: Rig) -> None:
    rig.clock.advance(14 * 3600)  # 23:00 in Berlin (awake all along: no sleep)
    rig.presence.last_input = rig.clock.t
    rig.coach.tick()
    assert rig.cli("pause", "2h").out == "Prompts paused until tomorrow, Tue 24 Nov 01:00.\n"


# --- 4.6: break-now and status agree, and never "0 min" -------------------------------------------


def test_break_now_after_seconds_of_sitting_says_no_zero_minutes(rig: Rig) -> None:
    rig.type_until(0.3)  # 18 s at the keyboard
    out = rig.cli("break-now")
    assert out.code == 0
    assert "0 min" not in out.out and out.out.startswith("Break prompt shown")
    assert rig.notifier.shown[-1].title == "Time for a glute break"
    assert "0 min" not in rig.cli("status").out


def test_break_now_bubble_and_status_give_the_same_minutes(rig: Rig) -> None:
    rig.type_until(1.6)  # 96 s: the bubble used to round up to 2, status down to 1
    out = rig.cli("break-now").out
    title = rig.notifier.shown[-1].title
    status = rig.cli("status").out
    assert title == "Time for a glute break: 1 min sitting"
    assert status.startswith("Sitting for 1 min.")
    assert out.startswith("Break prompt shown (sitting for 1 min)")


# --- 4.1: the feedback question stays up ----------------------------------------------------------


def test_done_from_the_cli_withdraws_the_prompt_before_asking_how_it_felt(planned: Rig) -> None:
    planned.type_until(31)
    assert planned.cli("done").code == 0
    calls = planned.notifier.calls
    asked = calls.index(("prompt", "Well done. How did that feel?"))
    assert ("withdraw", "") in calls[:asked]
    assert ("withdraw", "") not in calls[asked:], calls  # nothing takes the question away


def test_done_from_the_bubble_withdraws_the_prompt_before_asking_how_it_felt(
        planned: Rig) -> None:
    planned.type_until(31)
    assert planned.notifier.answer is not None
    planned.notifier.answer("done")
    calls = planned.notifier.calls
    asked = calls.index(("prompt", "Well done. How did that feel?"))
    assert ("withdraw", "") in calls[:asked]
    assert ("withdraw", "") not in calls[asked:], calls


# --- 4.5: feedback only where it can be taken, and said in the tray's terms --------------------


def tray_command(rig: Rig) -> Callable[[str], None]:
    from glutecoach.coach.tray_bridge import TrayCommands

    return TrayCommands(rig.coach).run


def tray_state(rig: Rig):
    from glutecoach.coach.tray_bridge import tray_state

    return tray_state(rig.coach)


def levels(store: Store) -> dict[str, int]:
    with store.session() as s:
        return {r.muscle: r.level for r in s.exec(select(LevelRow))}


def test_a_walk_only_break_is_not_offered_for_rating(walk_only: Rig) -> None:
    walk_only.type_until(31)
    plan = json.loads(walk_only.cli("status", "--json").out)["pending_prompt"]["plan"]
    assert plan and "walk" in plan.lower()
    assert walk_only.cli("done").code == 0
    assert "Well done. How did that feel?" not in [t for _, t in walk_only.notifier.calls]
    assert tray_state(walk_only).can_rate is False  # no "Last break felt..." in the tray


def test_rating_from_the_tray_says_what_it_changed_in_a_notification(planned: Rig) -> None:
    planned.type_until(31)
    assert planned.cli("done").code == 0
    assert tray_state(planned).can_rate is True
    tray_command(planned)("feedback:easy")
    title, body = planned.notifier.infos[-1]
    assert "easy" in title.lower()
    assert "level 1 → 2" in body and "gluteus" in body
    assert levels(planned.store) and set(levels(planned.store).values()) == {2}
    assert tray_state(planned).can_rate is False  # rated: the entries go away


def test_rating_that_cannot_be_applied_is_said_in_a_notification_not_the_log(
        walk_only: Rig) -> None:
    walk_only.type_until(31)
    assert walk_only.cli("done").code == 0
    tray_command(walk_only)("feedback:easy")  # e.g. a menu built just before the break ended
    title, body = walk_only.notifier.infos[-1]
    assert "not recorded" in title.lower() or "nothing to rate" in title.lower()
    assert "--muscle" not in body and "glutecoach" not in body  # the tray's terms, not the CLI's
    assert levels(walk_only.store) == {}


def test_an_auto_done_walk_only_break_offers_no_rating_either(walk_only: Rig) -> None:
    walk_only.type_until(31)
    idle_until(walk_only.coach, walk_only.clock, walk_only.clock.t + timedelta(minutes=1))
    assert prompts(walk_only.store)[0].outcome == "done"
    assert tray_state(walk_only).can_rate is False

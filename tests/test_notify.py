"""The notify package without a desktop: prompt texts, the plyer path of macOS and Windows (with
plyer's call replaced), the terminal, and how open_notifier chains and times its backends.
The real desktop stack is exercised in tests/desktop/test_notify.py."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from glutecoach.durations import sitting_text
from glutecoach.errors import InputError
from glutecoach.notify import PromptMessage, open_notifier, prompt_message
from glutecoach.notify.base import Delivery, seconds_left
from glutecoach.notify.plyer_backend import PlyerNotifier
from glutecoach.notify.select import FallbackNotifier
from glutecoach.notify.terminal import TerminalNotifier
from glutecoach.notify.texts import WHY_LINES, why_line

PLAN = "2 min walk + 1 min standing glute squeeze"


# --- texts ---------------------------------------------------------------------------------


def test_prompt_names_the_sitting_time_the_plan_and_why() -> None:
    msg = prompt_message(sitting_seconds=45 * 60, plan=PLAN, snoozes_left=2, seed=0)
    assert "45 min" in msg.title
    lines = msg.body.splitlines()
    assert lines[0] == f"Break: {PLAN}."
    assert lines[1] in WHY_LINES
    assert msg.answers == ("done", "snooze", "skip")


def test_no_snooze_button_once_the_snoozes_are_used_up() -> None:
    msg = prompt_message(sitting_seconds=60 * 60, plan=PLAN, snoozes_left=0, seed=0, snoozes=2)
    assert msg.answers == ("done", "skip")
    assert "No snooze left (2 in a row)." in msg.body  # as `status` and `snooze` say it


def test_prompt_without_a_plan_still_says_what_to_do() -> None:
    for plan in (None, "", "   "):
        body = prompt_message(sitting_seconds=30 * 60, plan=plan, snoozes_left=1).body
        assert body.startswith("Break: stand up and move")


def test_a_plan_ending_in_a_full_stop_gets_no_second_one() -> None:
    body = prompt_message(sitting_seconds=30 * 60, plan="Walk.", snoozes_left=1).body
    assert body.startswith("Break: Walk.\n")


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "under a minute"), (44.6, "44 min"), (59.4, "59 min"), (60, "1 h"), (95, "1 h 35 min"),
     (125, "2 h 05 min")],
)  # fmt: skip
def test_sitting_time_reads_in_hours_and_minutes(minutes: float, text: str) -> None:
    # Whole minutes rounded down, as everywhere (tests/test_coach_texts.py).
    assert sitting_text(minutes * 60) == text


def test_why_line_rotates_with_the_seed_and_repeats_for_the_same_seed() -> None:
    seen = [why_line(seed) for seed in range(len(WHY_LINES))]
    assert sorted(seen) == sorted(WHY_LINES)  # every line comes round
    assert why_line(3) == why_line(3 + len(WHY_LINES))
    assert prompt_message(40, PLAN, 1, seed=3) == prompt_message(40, PLAN, 1, seed=3)
    assert prompt_message(40, PLAN, 1, seed=3) != prompt_message(40, PLAN, 1, seed=4)


def test_why_lines_make_no_medical_claims() -> None:
    assert len(WHY_LINES) >= 3
    for line in WHY_LINES:
        lowered = line.lower()
        for word in ("cause", "cure", "treat", "prevent", "heal", "diagnos", "guarantee"):
            assert word not in lowered, (word, line)
    # Where a line ties weak glutes to trouble, it says "linked to".
    assert any("linked to" in line for line in WHY_LINES)
    assert all("linked to" in line for line in WHY_LINES if "weak glutes" in line.lower())


def test_prompt_message_rejects_an_unknown_answer() -> None:
    with pytest.raises(ValueError, match="later"):
        PromptMessage("t", "b", ("done", "later"))


# --- plyer on macOS and Windows (plyer's call replaced) ------------------------------------


class FakePlyer:
    def __init__(self, behaviour: str = "ok") -> None:
        self.behaviour = behaviour
        self.calls: list[dict[str, Any]] = []
        self.release = threading.Event()

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)
        if self.behaviour == "raise":
            raise ModuleNotFoundError("No module named 'pyobjus'")
        if self.behaviour == "hang":
            self.release.wait(10)


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_plyer_shows_the_prompt_with_how_to_answer(platform: str) -> None:
    fake = FakePlyer()
    notifier = PlyerNotifier(2.0, platform=platform, plyer_notify=fake)
    msg = prompt_message(45, PLAN, 1)
    delivery = notifier.show_prompt(msg, lambda answer: None)
    assert delivery == Delivery(True, "plyer", "no buttons with plyer")
    [call] = fake.calls
    assert call["title"] == msg.title
    assert call["message"].startswith(msg.body)
    assert "`glutecoach done`" in call["message"]
    assert call["app_name"] == "GluteCoach"
    assert call["timeout"] == 600  # it cannot be withdrawn, so it expires on its own


def test_plyer_info_is_a_plain_message() -> None:
    fake = FakePlyer()
    delivery = PlyerNotifier(2.0, platform="win32", plyer_notify=fake).info("Week", "9 done")
    assert delivery.delivered
    assert fake.calls[0]["message"] == "9 done"


def test_a_plyer_failure_is_reported_not_raised() -> None:
    notifier = PlyerNotifier(2.0, platform="darwin", plyer_notify=FakePlyer("raise"))
    delivery = notifier.info("Week", "9 done")
    assert not delivery.delivered
    assert "pyobjus" in delivery.detail


def test_a_hung_plyer_call_is_given_up_on_in_time() -> None:
    fake = FakePlyer("hang")
    notifier = PlyerNotifier(0.3, platform="win32", plyer_notify=fake)
    started = time.monotonic()
    delivery = notifier.info("Week", "9 done")
    fake.release.set()
    assert time.monotonic() - started < 1.0
    assert not delivery.delivered
    assert "did not return" in delivery.detail


@pytest.mark.parametrize(
    ("step", "heavy"),
    [("pass", ("plyer", "jeepney", "desktop_notifier", "dbus_fast", "asyncio")),
     ("n.open_notifier('auto').close()",
      ("plyer", "jeepney", "desktop_notifier", "dbus_fast", "asyncio"))],
)  # fmt: skip
def test_notification_libraries_are_imported_only_when_first_used(
    step: str, heavy: tuple[str, ...]
) -> None:
    code = (
        f"import sys; import glutecoach.notify as n; {step}; "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- plyer's Linux path: notify-send, checked ----------------------------------------------


def test_missing_notify_send_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("glutecoach.notify.plyer_backend.shutil.which", lambda name: None)
    delivery = PlyerNotifier(2.0, platform="linux").info("Week", "9 done")
    assert not delivery.delivered
    assert "notify-send is not installed" in delivery.detail


def test_notify_send_failing_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    fake = tmp_path / "notify-send"
    fake.write_text("#!/bin/sh\necho 'Could not connect: No such file' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    delivery = PlyerNotifier(2.0, platform="linux").info("Week", "9 done")
    assert not delivery.delivered
    assert delivery.detail == "notify-send failed (1): Could not connect: No such file"


def test_notify_send_hanging_is_given_up_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    fake = tmp_path / "notify-send"
    fake.write_text("#!/bin/sh\nexec sleep 10\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    started = time.monotonic()
    delivery = PlyerNotifier(0.3, platform="linux").info("Week", "9 done")
    assert time.monotonic() - started < 1.5
    assert not delivery.delivered
    assert "did not return within" in delivery.detail


# --- the terminal ----------------------------------------------------------------------------


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_prints_the_prompt_and_counts_it_delivered_only_on_a_tty() -> None:
    msg = prompt_message(45, PLAN, 0)
    tty, pipe = FakeTty(), io.StringIO()
    assert TerminalNotifier(tty).show_prompt(msg, lambda answer: None).delivered
    delivery = TerminalNotifier(pipe).show_prompt(msg, lambda answer: None)
    assert not delivery.delivered
    assert "log only" in delivery.detail
    for out in (tty.getvalue(), pipe.getvalue()):
        assert msg.title in out
        assert "`glutecoach skip`" in out
        assert "glutecoach snooze" not in out  # no snooze left: not offered


# --- choosing and chaining ---------------------------------------------------------------------


class FakeBackend:
    def __init__(self, name: str, delivers: bool, takes: float = 0.0) -> None:
        self.name = name
        self.delivers = delivers
        self.takes = takes
        self.budgets: list[float] = []
        self.withdrawn = 0
        self.closed = False

    def show_prompt(self, msg: Any, on_answer: Any, *, deadline: float | None = None) -> Delivery:
        return self._deliver(deadline)

    def info(self, title: str, body: str, *, deadline: float | None = None) -> Delivery:
        return self._deliver(deadline)

    def _deliver(self, deadline: float | None) -> Delivery:
        assert deadline is not None
        self.budgets.append(seconds_left(deadline))
        time.sleep(min(self.takes, seconds_left(deadline)))
        return Delivery(self.delivers, self.name, "" if self.delivers else f"{self.name} failed")

    def withdraw_prompt(self) -> None:
        self.withdrawn += 1

    def close(self) -> None:
        self.closed = True


def test_the_first_backend_that_delivers_wins_and_says_why_the_others_did_not() -> None:
    a, b, c = FakeBackend("a", False), FakeBackend("b", True), FakeBackend("c", True)
    chain = FallbackNotifier([a, b, c], 2.0)
    delivery = chain.show_prompt(prompt_message(30, None, 1), lambda answer: None)
    assert delivery == Delivery(True, "b", "a: a failed; b: delivered")
    assert c.budgets == []
    chain.withdraw_prompt()
    # Everywhere: a backend that gave up may still show the prompt late.
    assert (a.withdrawn, b.withdrawn, c.withdrawn) == (1, 1, 1)
    chain.close()
    assert a.closed and b.closed and c.closed


def test_backends_share_one_time_budget() -> None:
    slow, next_one = FakeBackend("slow", False, takes=0.3), FakeBackend("next", False)
    chain = FallbackNotifier([slow, next_one], 0.3)
    started = time.monotonic()
    delivery = chain.info("t", "b")
    assert time.monotonic() - started < 0.5
    assert next_one.budgets == [0.0]  # what the slow one used is gone for the next
    assert delivery.detail == "slow: slow failed; next: next failed"


def test_unknown_notifier_is_an_input_error() -> None:
    with pytest.raises(InputError, match="carrier-pigeon"):
        open_notifier("carrier-pigeon")


def test_terminal_choice_uses_the_terminal_only() -> None:
    assert open_notifier("terminal").name == "terminal"


def test_auto_order_per_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert open_notifier("auto").name == "plyer > terminal"
    assert open_notifier("freedesktop").name == "terminal"  # Linux and the BSDs only
    monkeypatch.setattr(sys, "platform", "linux")
    assert open_notifier("auto").name == "freedesktop > plyer > terminal"
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)  # not installed
    assert open_notifier("auto").name == "plyer > terminal"


def test_the_old_name_of_the_dbus_notifier_still_works() -> None:
    """Configs written before the coach spoke D-Bus itself say `notifier = "desktop-notifier"`."""
    from glutecoach.config import Desktop

    assert Desktop(notifier="desktop-notifier").notifier == "desktop-notifier"
    for name in ("freedesktop", "desktop-notifier"):
        chain = open_notifier(name)
        assert chain.name == ("freedesktop > terminal" if sys.platform == "linux" else "terminal")
        chain.close()

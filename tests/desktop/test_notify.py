"""Notifications on a real desktop stack: Xvfb, a private session bus and dunst (or nobody, or a
server that never answers). The notifier runs in this process, talking real D-Bus."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from glutecoach.notify import PromptMessage, open_notifier, prompt_message
from glutecoach.notify.linux import DesktopNotifierBackend
from glutecoach.notify.plyer_backend import PlyerNotifier

from .harness import BusStub, Dunst, need, need_module, start_bus, wait_for

NOTIFICATIONS = "org.freedesktop.Notifications"
TIMEOUT = 2.0  # the notifier's budget in these tests; a healthy server answers in milliseconds
FROZEN_TIMEOUT = 1.0
SLACK = 0.3  # thread hand-over and scheduling on a busy CI machine
LABELS = {"done": "Done", "snooze": "Snooze", "skip": "Skip"}
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _needs_desktop_notifier() -> None:
    need_module("desktop_notifier")  # skips here, fails in CI


@pytest.fixture
def on_desktop(monkeypatch: pytest.MonkeyPatch, desktop_env: dict[str, str]) -> dict[str, str]:
    """This process on the test desktop: dbus-fast reads the bus address from os.environ."""
    for key in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
        monkeypatch.setenv(key, desktop_env[key])
    return desktop_env


@pytest.fixture
def notifier(dunst: Dunst, on_desktop: dict[str, str]) -> Iterator[DesktopNotifierBackend]:
    backend = DesktopNotifierBackend(TIMEOUT)
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture
def bare_bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A session bus of this test's own with nobody on it (the shared one has dunst)."""
    bus = start_bus(tmp_path / "bus")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    try:
        yield bus.address
    finally:
        bus.stop()


def within(limit: float, call: Callable[[], T]) -> tuple[T, float]:
    """Run `call` in a daemon thread; fail (rather than hang the run) if it takes over `limit`."""
    box: list[T] = []
    worker = threading.Thread(target=lambda: box.append(call()), daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(limit)
    took = time.monotonic() - started
    if worker.is_alive() or not box:
        pytest.fail(f"still waiting after {took:.1f} s (limit {limit:g} s): the coach would hang")
    return box[0], took


class Answers:
    """Collects on_answer calls, which come from the notifier's own thread."""

    def __init__(self) -> None:
        self.got: list[str] = []
        self.event = threading.Event()

    def __call__(self, answer: str) -> None:
        self.got.append(answer)
        self.event.set()

    def wait(self, timeout: float = 5.0) -> list[str]:
        assert self.event.wait(timeout), "no answer reached on_answer"
        return self.got


def unique_prompt(answers: tuple[str, ...] = ("done", "snooze", "skip")) -> PromptMessage:
    tag = uuid.uuid4().hex[:8]
    return PromptMessage(f"Glute break {tag}", f"Two minutes of walking ({tag})", answers)


def context_menu(dunst: Dunst, choose: str | None) -> list[str]:
    """Open dunst's context menu, pick the line containing `choose` (None: cancel the menu), and
    return the lines dunst offered.

    dunst refuses a new menu until the last one has wound down (some 50 ms after dmenu exits),
    so a menu that does not open soon is asked for again.
    """
    path = dunst.workdir / "offered"

    def written() -> list[str] | None:
        text = path.read_text() if path.exists() else ""
        return text.splitlines() if text.rstrip("\n").endswith("]") else None

    def attempt() -> list[str] | None:
        dunst.choose(choose)
        dunst.context()
        try:
            return wait_for(written, "the dmenu stand-in to record the menu", timeout=0.3)
        except TimeoutError:
            return None

    return wait_for(attempt, "dunst to open its context menu", timeout=5.0)


def actions_offered(dunst: Dunst, title: str) -> dict[str, str]:
    """{action key: label} of the shown notification titled `title`, from dunst's context menu.

    dunst 1.9 lists each action as `#<label> (<summary>) [<id>,<action key>]`.
    """
    offered: dict[str, str] = {}
    for line in context_menu(dunst, None):
        head = line.rsplit(" [", 1)[0]
        if head.endswith(f" ({title})") and line.endswith("]"):
            label = head.removesuffix(f" ({title})").removeprefix("#")  # labels may hold " ("
            offered[line.rsplit(",", 1)[1].rstrip("]")] = label
    return offered


def in_history(dunst: Dunst, title: str) -> dict[str, object] | None:
    return next((n for n in dunst.history() if n["summary"] == title), None)


# --- a server that works -------------------------------------------------------------------


def test_prompt_reaches_dunst_with_title_body_and_three_answer_buttons(
    dunst: Dunst, notifier: DesktopNotifierBackend
) -> None:
    msg = unique_prompt()
    delivery = notifier.show_prompt(msg, Answers())
    assert delivery.delivered, delivery.detail
    assert delivery.backend == "desktop-notifier"
    offered = actions_offered(dunst, msg.title)
    # "default" is desktop-notifier's click-on-the-body action: it answers nothing.
    assert {k: v for k, v in offered.items() if k != "default"} == {
        "done": "Done", "snooze": "Snooze", "skip": "Skip"
    }  # fmt: skip
    notifier.withdraw_prompt()
    shown = wait_for(lambda: in_history(dunst, msg.title), "the withdrawn prompt in the history")
    assert shown["body"] == msg.body
    assert shown["appname"] == "GluteCoach"
    assert shown["timeout"] == 0  # stays up until answered or withdrawn by the coach


def test_prompt_with_no_snoozes_left_offers_no_snooze_button(
    dunst: Dunst, notifier: DesktopNotifierBackend
) -> None:
    msg = prompt_message(sitting_seconds=52 * 60, plan="2 min walk", snoozes_left=0, seed=7)
    assert notifier.show_prompt(msg, Answers()).delivered
    assert set(actions_offered(dunst, msg.title)) - {"default"} == {"done", "skip"}


@pytest.mark.parametrize("answer", ["done", "snooze", "skip"])
def test_pressing_a_button_in_dunst_answers_the_prompt(
    dunst: Dunst, notifier: DesktopNotifierBackend, answer: str
) -> None:
    msg = unique_prompt()

    def on_answer(got: str) -> None:
        # What the coach does: resolve the prompt, which withdraws it. Must not deadlock.
        notifier.withdraw_prompt()
        answers(got)

    answers = Answers()
    assert notifier.show_prompt(msg, on_answer).delivered
    context_menu(dunst, f"#{LABELS[answer]} ({msg.title})")
    assert answers.wait() == [answer]
    wait_for(lambda: in_history(dunst, msg.title), "the answered prompt to leave the screen")
    time.sleep(0.2)
    assert answers.got == [answer]  # once, not again on the close that follows


def test_every_action_in_dunsts_menu_has_a_label_and_the_default_only_closes_the_bubble(
    dunst: Dunst, notifier: DesktopNotifierBackend
) -> None:
    """dunst listed desktop-notifier's "default" action (a click on the body) with an empty
    label: a blank first line in its context menu (issue 11, 4.7)."""
    prompt = unique_prompt()
    question = PromptMessage(f"How did that feel {uuid.uuid4().hex[:8]}", "x",
                             ("easy", "right", "hard"))
    answers = Answers()
    info = f"Your week {uuid.uuid4().hex[:8]}"
    assert notifier.info(info, "12 breaks").delivered
    lines = context_menu(dunst, None)
    assert lines and not [line for line in lines if line.startswith("# (")], lines
    assert actions_offered(dunst, info)["default"] == "Close"
    assert notifier.show_prompt(question, Answers()).delivered
    assert actions_offered(dunst, question.title)["default"] == "Close (rate later)"
    assert notifier.show_prompt(prompt, answers).delivered
    assert actions_offered(dunst, prompt.title)["default"] == "Close (answer later)"

    # Chosen from the menu (where dunst leaves the bubble up after an action), it closes the
    # bubble and answers nothing: the prompt still waits for the tray or the command line.
    context_menu(dunst, f"#Close (answer later) ({prompt.title})")
    wait_for(lambda: in_history(dunst, prompt.title), "the closed prompt in the history")
    time.sleep(0.3)
    assert answers.got == []
    context_menu(dunst, f"#Close ({info})")
    wait_for(lambda: in_history(dunst, info), "the closed message in the history")


def test_a_new_prompt_takes_the_old_bubble_away(
    dunst: Dunst, notifier: DesktopNotifierBackend
) -> None:
    first, second = unique_prompt(), unique_prompt()
    assert notifier.show_prompt(first, Answers()).delivered
    assert notifier.show_prompt(second, Answers()).delivered
    assert in_history(dunst, first.title) is not None  # closed, not just hidden
    assert actions_offered(dunst, first.title) == {}
    assert "done" in actions_offered(dunst, second.title)


def test_info_message_reaches_dunst(dunst: Dunst, notifier: DesktopNotifierBackend) -> None:
    title = f"Your week {uuid.uuid4().hex[:8]}"
    delivery = notifier.info(title, "12 breaks, 9 done")
    assert delivery.delivered, delivery.detail
    shown = dunst.wait_for_notification(lambda n: n["summary"] == title)
    assert shown["body"] == "12 breaks, 9 done"


def test_open_notifier_picks_desktop_notifier_on_a_linux_desktop(
    dunst: Dunst, on_desktop: dict[str, str]
) -> None:
    chain = open_notifier("auto", timeout_seconds=TIMEOUT)
    try:
        assert chain.name.startswith("desktop-notifier")
        msg = unique_prompt()
        answers = Answers()
        delivery = chain.show_prompt(msg, answers)
        assert (delivery.delivered, delivery.backend) == (True, "desktop-notifier")
        context_menu(dunst, f"#Skip ({msg.title})")
        assert answers.wait() == ["skip"]
    finally:
        chain.close()


def test_notify_send_fallback_reaches_dunst_with_how_to_answer(
    dunst: Dunst, on_desktop: dict[str, str]
) -> None:
    need("notify-send")
    msg = unique_prompt(("done", "skip"))
    delivery = PlyerNotifier(TIMEOUT, platform="linux").show_prompt(msg, Answers())
    assert (delivery.delivered, delivery.backend) == (True, "plyer"), delivery.detail
    shown = dunst.wait_for_notification(lambda n: n["summary"] == msg.title)
    assert msg.body in str(shown["body"])
    assert "glutecoach done" in str(shown["body"])
    assert shown["timeout"] == 600 * 1_000_000  # expires by itself: it cannot be withdrawn


# --- no server, no bus ---------------------------------------------------------------------


def test_no_notification_server_is_reported_plainly_and_quickly(bare_bus: str) -> None:
    backend = DesktopNotifierBackend(TIMEOUT)
    try:
        started = time.monotonic()
        delivery = backend.show_prompt(unique_prompt(), Answers())
        took = time.monotonic() - started
    finally:
        backend.close()
    assert not delivery.delivered
    assert delivery.detail.startswith("no notification server")
    assert NOTIFICATIONS in delivery.detail
    assert took < 1.0


def test_no_server_falls_back_to_the_terminal_and_says_why(
    bare_bus: str, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = open_notifier("auto", timeout_seconds=TIMEOUT)
    try:
        msg = unique_prompt()
        delivery = chain.show_prompt(msg, Answers())
    finally:
        chain.close()
    assert delivery.backend == "terminal"
    assert not delivery.delivered  # stderr is no terminal under pytest
    assert "desktop-notifier: no notification server" in delivery.detail
    assert "plyer: notify-send" in delivery.detail
    assert msg.title in capsys.readouterr().err


def test_no_session_bus_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    backend = DesktopNotifierBackend(TIMEOUT)
    try:
        delivery = backend.info("Hello", "there")
    finally:
        backend.close()
    assert not delivery.delivered
    assert "cannot reach the D-Bus session bus" in delivery.detail


# --- a server that never answers -----------------------------------------------------------


def test_a_peer_that_owns_the_name_and_never_answers_costs_one_timeout(bare_bus: str) -> None:
    with BusStub(bare_bus, [NOTIFICATIONS]) as stub:
        stub.frozen = True
        chain = open_notifier("auto", timeout_seconds=FROZEN_TIMEOUT)
        try:
            limit = FROZEN_TIMEOUT + SLACK
            delivery, took = within(limit, lambda: chain.show_prompt(unique_prompt(), Answers()))
            within(limit, chain.close)  # close withdraws: bounded too
        finally:
            chain.close()
    # desktop-notifier used the whole budget; plyer got none; the terminal takes no time.
    assert took >= FROZEN_TIMEOUT - 0.05  # it did wait for an answer first
    assert delivery.backend == "terminal"
    assert "not answering" in delivery.detail
    assert f"pid {os.getpid()}" in delivery.detail  # the stub runs in this process: named
    assert "plyer: no time left" in delivery.detail


def test_a_frozen_dunst_does_not_hold_the_coach_and_is_used_again_once_it_wakes(
    dunst: Dunst, on_desktop: dict[str, str]
) -> None:
    backend = DesktopNotifierBackend(FROZEN_TIMEOUT)
    first, second, third = unique_prompt(), unique_prompt(), unique_prompt()
    try:
        assert backend.show_prompt(first, Answers()).delivered
        limit = FROZEN_TIMEOUT + SLACK
        os.kill(dunst.proc.pid, signal.SIGSTOP)
        try:
            delivery, _ = within(limit, lambda: backend.show_prompt(second, Answers()))
            within(limit, backend.withdraw_prompt)
            info, _ = within(limit, lambda: backend.info("While frozen", "x"))
        finally:
            os.kill(dunst.proc.pid, signal.SIGCONT)
        assert not delivery.delivered
        assert "dunst" in delivery.detail and "not answering" in delivery.detail
        assert not info.delivered

        # Once dunst wakes it shows what it was sent; the late prompts are closed at once...
        for old in (first, second):
            wait_for(lambda old=old: in_history(dunst, old.title), f"{old.title} to be closed")
        # ...and the notifier works again, buttons included.
        answers = Answers()
        assert backend.show_prompt(third, answers).delivered
        context_menu(dunst, f"#Done ({third.title})")
        assert answers.wait() == ["done"]
    finally:
        backend.close()

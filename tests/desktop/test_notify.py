"""Notifications on a real desktop stack: Xvfb, a private session bus and dunst (or nobody, a
server that never answers, or a stand-in server on a real bus). The notifier runs in this process,
talking real D-Bus; the last tests run it in a fresh interpreter and in a real coach."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from glutecoach.notify import PromptMessage, open_notifier, prompt_message
from glutecoach.notify.fdo import FreedesktopNotifier
from glutecoach.notify.plyer_backend import PlyerNotifier

from .harness import BusStub, Dunst, need, need_module, start_bus, wait_for

NOTIFICATIONS = "org.freedesktop.Notifications"
TIMEOUT = 2.0  # the notifier's budget in these tests; a healthy server answers in milliseconds
FROZEN_TIMEOUT = 1.0
SLACK = 0.3  # thread hand-over and scheduling on a busy CI machine
LABELS = {"done": "Done", "snooze": "Snooze", "skip": "Skip"}
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _needs_jeepney() -> None:
    need_module("jeepney")  # skips here, fails in CI


@pytest.fixture
def on_desktop(monkeypatch: pytest.MonkeyPatch, desktop_env: dict[str, str]) -> dict[str, str]:
    """This process on the test desktop: the notifier reads the bus address from os.environ."""
    for key in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
        monkeypatch.setenv(key, desktop_env[key])
    return desktop_env


@pytest.fixture
def notifier(dunst: Dunst, on_desktop: dict[str, str]) -> Iterator[FreedesktopNotifier]:
    backend = FreedesktopNotifier(TIMEOUT)
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
    dunst: Dunst, notifier: FreedesktopNotifier
) -> None:
    msg = unique_prompt()
    delivery = notifier.show_prompt(msg, Answers())
    assert delivery.delivered, delivery.detail
    assert delivery.backend == "freedesktop"
    offered = actions_offered(dunst, msg.title)
    # "default" is the click-on-the-body action: it answers nothing.
    assert {k: v for k, v in offered.items() if k != "default"} == {
        "done": "Done", "snooze": "Snooze", "skip": "Skip"
    }  # fmt: skip
    notifier.withdraw_prompt()
    shown = wait_for(lambda: in_history(dunst, msg.title), "the withdrawn prompt in the history")
    assert shown["body"] == msg.body
    assert shown["appname"] == "GluteCoach"
    assert shown["timeout"] == 0  # stays up until answered or withdrawn by the coach


def test_prompt_with_no_snoozes_left_offers_no_snooze_button(
    dunst: Dunst, notifier: FreedesktopNotifier
) -> None:
    msg = prompt_message(sitting_seconds=52 * 60, plan="2 min walk", snoozes_left=0, seed=7)
    assert notifier.show_prompt(msg, Answers()).delivered
    assert set(actions_offered(dunst, msg.title)) - {"default"} == {"done", "skip"}


@pytest.mark.parametrize("answer", ["done", "snooze", "skip"])
def test_pressing_a_button_in_dunst_answers_the_prompt(
    dunst: Dunst, notifier: FreedesktopNotifier, answer: str
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
    dunst: Dunst, notifier: FreedesktopNotifier
) -> None:
    """dunst listed the "default" action (a click on the body) that desktop-notifier sent with an
    empty label: a blank first line in its context menu (issue 11, 4.7)."""
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
    dunst: Dunst, notifier: FreedesktopNotifier
) -> None:
    first, second = unique_prompt(), unique_prompt()
    assert notifier.show_prompt(first, Answers()).delivered
    assert notifier.show_prompt(second, Answers()).delivered
    assert in_history(dunst, first.title) is not None  # closed, not just hidden
    assert actions_offered(dunst, first.title) == {}
    assert "done" in actions_offered(dunst, second.title)


def test_info_message_reaches_dunst(dunst: Dunst, notifier: FreedesktopNotifier) -> None:
    title = f"Your week {uuid.uuid4().hex[:8]}"
    delivery = notifier.info(title, "12 breaks, 9 done")
    assert delivery.delivered, delivery.detail
    shown = dunst.wait_for_notification(lambda n: n["summary"] == title)
    assert shown["body"] == "12 breaks, 9 done"


def test_open_notifier_picks_dbus_notifications_on_a_linux_desktop(
    dunst: Dunst, on_desktop: dict[str, str]
) -> None:
    chain = open_notifier("auto", timeout_seconds=TIMEOUT)
    try:
        assert chain.name.startswith("freedesktop")
        msg = unique_prompt()
        answers = Answers()
        delivery = chain.show_prompt(msg, answers)
        assert (delivery.delivered, delivery.backend) == (True, "freedesktop")
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
    backend = FreedesktopNotifier(TIMEOUT)
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
    assert "freedesktop: no notification server" in delivery.detail
    assert "plyer: notify-send" in delivery.detail
    assert msg.title in capsys.readouterr().err


def test_no_session_bus_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    backend = FreedesktopNotifier(TIMEOUT)
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
    # The D-Bus notifier used the whole budget; plyer got none; the terminal takes no time.
    assert took >= FROZEN_TIMEOUT - 0.05  # it did wait for an answer first
    assert delivery.backend == "terminal"
    assert "not answering" in delivery.detail
    assert f"pid {os.getpid()}" in delivery.detail  # the stub runs in this process: named
    assert "plyer: no time left" in delivery.detail


def test_a_frozen_dunst_does_not_hold_the_coach_and_is_used_again_once_it_wakes(
    dunst: Dunst, on_desktop: dict[str, str]
) -> None:
    backend = FreedesktopNotifier(FROZEN_TIMEOUT)
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


# --- the D-Bus conversation itself: signals, withdrawal, a frozen server, the listener -------


def test_a_click_on_the_body_closes_the_bubble_and_answers_nothing(
    dunst: Dunst, notifier: FreedesktopNotifier
) -> None:
    """`dunstctl action` runs the bubble's default action, as a click on its body does: dunst
    sends ActionInvoked "default", which closes the bubble; the prompt still waits."""
    dunst.close_all()
    msg, answers = unique_prompt(), Answers()
    assert notifier.show_prompt(msg, answers).delivered
    wait_for(lambda: actions_offered(dunst, msg.title), "the prompt on screen")
    dunst.action(0, choose=None)
    wait_for(lambda: in_history(dunst, msg.title), "the clicked prompt to close")
    time.sleep(0.3)
    assert answers.got == []
    notifier.withdraw_prompt()  # nothing left to close: no error, no wait


def test_a_withdrawn_prompt_leaves_dunsts_screen(
    dunst: Dunst, notifier: FreedesktopNotifier
) -> None:
    dunst.close_all()
    msg = unique_prompt()
    assert notifier.show_prompt(msg, Answers()).delivered
    assert "done" in actions_offered(dunst, msg.title)  # on screen, with its buttons
    assert dunst.count("displayed") == 1
    notifier.withdraw_prompt()
    assert dunst.count("displayed") == 0  # gone once the call returns, not left for the user
    assert in_history(dunst, msg.title) is not None


def test_a_feedback_answer_from_dunst_reaches_its_callback(
    dunst: Dunst, notifier: FreedesktopNotifier
) -> None:
    question = PromptMessage(f"How did that feel {uuid.uuid4().hex[:8]}", "x",
                             ("easy", "right", "hard"))
    answers = Answers()
    assert notifier.show_prompt(question, answers).delivered
    context_menu(dunst, f"#Just right ({question.title})")
    assert answers.wait() == ["right"]
    wait_for(lambda: in_history(dunst, question.title), "the answered question to close")


def test_every_call_on_a_frozen_dunst_is_bounded(
    dunst: Dunst, on_desktop: dict[str, str]
) -> None:
    """A notifier that has never reached dunst (its capabilities not known yet), one that
    withdraws its prompt and one closed with its prompt up: against a stopped dunst every call
    ends within its budget, and what they withdrew goes once dunst wakes."""
    fresh, withdrawing, closing = (FreedesktopNotifier(FROZEN_TIMEOUT) for _ in range(3))
    prompts = unique_prompt(), unique_prompt()
    limit = FROZEN_TIMEOUT + SLACK
    try:
        assert withdrawing.show_prompt(prompts[0], Answers()).delivered
        assert closing.show_prompt(prompts[1], Answers()).delivered
        os.kill(dunst.proc.pid, signal.SIGSTOP)
        try:
            first, _ = within(limit, lambda: fresh.show_prompt(unique_prompt(), Answers()))
            info, _ = within(limit, lambda: fresh.info("While frozen", "x"))
            within(limit, withdrawing.withdraw_prompt)
            within(limit, closing.close)
            within(limit, fresh.close)
        finally:
            os.kill(dunst.proc.pid, signal.SIGCONT)
    finally:
        for backend in (fresh, withdrawing, closing):
            backend.close()
    assert not first.delivered and not info.delivered
    assert "capabilities" in first.detail and "not answering" in first.detail
    assert fresh.listener is None and closing.listener is None
    for msg in prompts:
        wait_for(lambda msg=msg: in_history(dunst, msg.title), f"{msg.title} to close")


def test_a_late_bubble_of_the_current_prompt_is_kept_and_answers(
    dunst: Dunst, on_desktop: dict[str, str]
) -> None:
    backend = FreedesktopNotifier(FROZEN_TIMEOUT)
    late, answers = unique_prompt(), Answers()
    try:
        assert backend.info(f"Warm {uuid.uuid4().hex[:8]}", "x").delivered  # capabilities known
        os.kill(dunst.proc.pid, signal.SIGSTOP)
        try:
            delivery, _ = within(FROZEN_TIMEOUT + SLACK,
                                 lambda: backend.show_prompt(late, answers))
        finally:
            os.kill(dunst.proc.pid, signal.SIGCONT)
        assert not delivery.delivered
        # dunst wakes and shows it; nothing replaced or withdrew the prompt, so its buttons work.
        context_menu(dunst, f"#Skip ({late.title})")
        assert answers.wait() == ["skip"]
        wait_for(lambda: in_history(dunst, late.title), "the answered late prompt to close")
    finally:
        backend.close()


def test_the_listener_thread_stops_on_close(dunst: Dunst, on_desktop: dict[str, str]) -> None:
    backend = FreedesktopNotifier(TIMEOUT)
    assert backend.listener is None  # nothing started before the first notification
    assert backend.info(f"Hello {uuid.uuid4().hex[:8]}", "x").delivered
    listener = backend.listener
    assert listener is not None and listener.is_alive() and listener.daemon
    _, took = within(TIMEOUT, backend.close)
    assert not listener.is_alive()
    assert took < 0.5  # woken at once, not by a poll
    assert "glutecoach-notify" not in [t.name for t in threading.enumerate()]
    assert not backend.info("After close", "x").delivered


# --- a server that is not dunst (a stand-in on a bus of this test's own) ----------------------

STUB_PATH = "/org/freedesktop/Notifications"


def notification_stub(bus: str, capabilities: list[str], notified: list[tuple[object, ...]],
                      nid: int = 7) -> BusStub:
    """Serves org.freedesktop.Notifications with the capabilities given; records Notify calls."""

    def notify(body: tuple[object, ...]) -> tuple[str, tuple[object, ...]]:
        notified.append(body)
        return "u", (nid,)

    def key(member: str) -> tuple[str, str, str]:
        return STUB_PATH, NOTIFICATIONS, member

    return BusStub(bus, [NOTIFICATIONS], {
        key("GetCapabilities"): lambda body: ("as", (capabilities,)),
        key("GetServerInformation"): lambda body: ("ssss", ("stand-in", "test", "1", "1.2")),
        key("Notify"): notify,
        key("CloseNotification"): lambda body: ("", ()),
    })


def test_a_server_without_actions_gets_the_prompt_without_buttons_and_how_to_answer(
    bare_bus: str,
) -> None:
    notified: list[tuple[object, ...]] = []
    with notification_stub(bare_bus, ["body"], notified):
        backend = FreedesktopNotifier(TIMEOUT)
        try:
            delivery = backend.show_prompt(unique_prompt(("done", "skip")), Answers())
        finally:
            backend.close()
    assert delivery.delivered
    assert delivery.detail == "the notification server shows no buttons"
    [(app, _, _, _, body, actions, hints, timeout)] = notified
    assert app == "GluteCoach" and timeout == 0
    assert actions == ["default", "Close (answer later)"]  # no answer buttons
    assert "`glutecoach done`, `glutecoach skip`" in str(body)
    assert hints == {"urgency": ("y", 1)}


def test_only_the_notification_servers_signals_answer_a_prompt(bare_bus: str) -> None:
    """ActionInvoked is a broadcast any client can send: the notifier hears only the owner of
    org.freedesktop.Notifications, and only for its own bubble's id."""
    notified: list[tuple[object, ...]] = []
    answers = Answers()

    def invoked(nid: int, key: str) -> tuple[str, str, str, str, tuple[object, ...]]:
        return STUB_PATH, NOTIFICATIONS, "ActionInvoked", "us", (nid, key)

    with notification_stub(bare_bus, ["actions", "body"], notified) as server, \
            BusStub(bare_bus, []) as impostor:
        backend = FreedesktopNotifier(TIMEOUT)
        try:
            assert backend.show_prompt(unique_prompt(), answers).delivered
            impostor.emit(*invoked(7, "done"))  # not the server: ignored
            server.emit(*invoked(8, "skip"))  # not our bubble: ignored
            time.sleep(0.3)
            assert answers.got == []
            server.emit(*invoked(7, "snooze"))
            assert answers.wait() == ["snooze"]
            server.emit(*invoked(7, "done"))  # answered once: a second press does nothing
            time.sleep(0.3)
            assert answers.got == ["snooze"]
            assert "CloseNotification" in server.calls  # taken down after the answer
        finally:
            backend.close()
    [notify] = notified
    assert notify[5] == ["default", "Close (answer later)", "done", "Done", "snooze", "Snooze",
                         "skip", "Skip"]


def test_a_frozen_session_bus_does_not_hold_the_coach(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The bus daemon itself stops: a notifier already connected waits for it at most its
    budget, and so does one that has yet to connect (the handshake)."""
    bus = start_bus(tmp_path / "bus")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    connected, fresh = FreedesktopNotifier(FROZEN_TIMEOUT), FreedesktopNotifier(FROZEN_TIMEOUT)
    limit = FROZEN_TIMEOUT + SLACK
    try:
        assert connected.info("Hello", "x").detail.startswith("no notification server")
        os.kill(bus.proc.pid, signal.SIGSTOP)
        try:
            asked, _ = within(limit, lambda: connected.show_prompt(unique_prompt(), Answers()))
            connecting, _ = within(limit, lambda: fresh.show_prompt(unique_prompt(), Answers()))
            within(limit, connected.close)
            within(limit, fresh.close)
        finally:
            os.kill(bus.proc.pid, signal.SIGCONT)
    finally:
        connected.close()
        fresh.close()
        bus.stop()
    assert not asked.delivered and not connecting.delivered
    assert "waiting for the session bus daemon: it is not answering" in asked.detail
    assert "cannot reach the D-Bus session bus" in connecting.detail


# --- what the notifications cost a process: no asyncio, no second D-Bus library --------------

# desktop-notifier brought dbus-fast and asyncio (about 4 MB kept all day); none of them may load.
NOT_FOR_NOTIFICATIONS = ("asyncio", "dbus_fast", "desktop_notifier")

NOTIFIER_ALONE = """
import sys, threading
from glutecoach.notify import PromptMessage, open_notifier

chain = open_notifier("auto", timeout_seconds=3)
answered = threading.Event()
got = []
delivery = chain.show_prompt(PromptMessage(sys.argv[1], "Walk", ("done", "snooze", "skip")),
                             lambda answer: (got.append(answer), answered.set()))
print("shown", delivery.delivered, delivery.backend, flush=True)
answered.wait(20)
chain.info("Noted", "x")
chain.withdraw_prompt()
chain.close()
print("answers", got, [m for m in sys.argv[2:] if m in sys.modules])
"""


def test_notifications_load_no_asyncio_and_no_second_dbus_library(
    dunst: Dunst, desktop_env: dict[str, str]
) -> None:
    """A fresh interpreter shows a prompt through the real chain, is answered from dunst's
    menu, shows a message, withdraws and closes: none of those modules were imported."""
    title = f"Glute break {uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen([sys.executable, "-c", NOTIFIER_ALONE, title, *NOT_FOR_NOTIFICATIONS],
                            env=desktop_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        wait_for(lambda: actions_offered(dunst, title), "the prompt on screen")
        context_menu(dunst, f"#Done ({title})")
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0, err
    shown, answered = out.splitlines()
    assert answered == "answers ['done'] []", err  # answered, and none of them imported
    assert shown == "shown True freedesktop"


# Loaded by the coach's interpreter from PYTHONPATH: at a clean exit it writes what it imported,
# and for the watched modules the files on the stack that first imported them.
RECORDER = """
import atexit, json, os, sys

WATCHED = {watched!r}
first_import = {{}}


class _WhoImports:
    def find_spec(self, name, path=None, target=None):
        if name in WATCHED and name not in first_import:
            frame, files = sys._getframe(1), []
            while frame is not None:
                files.append(frame.f_code.co_filename)
                frame = frame.f_back
            first_import[name] = files
        return None


sys.meta_path.insert(0, _WhoImports())


def _record():
    with open(os.environ["GLUTECOACH_TEST_MODULES"], "w") as f:
        json.dump({{"modules": sorted(sys.modules), "first_import": first_import}}, f)


atexit.register(_record)
"""

COACH_CONFIG = """[desktop]
tray = false
break_window = false
notification_timeout_seconds = 3
"""


def test_a_real_coach_answered_from_dunst_loads_no_asyncio_for_it(
    dunst: Dunst, desktop_env: dict[str, str], tmp_path: Path
) -> None:
    """`glutecoach run --headless` shows a prompt (break-now) and is answered from dunst's menu:
    dbus-fast and desktop-notifier never load, and asyncio, if anything loads it (APScheduler
    does today), is not loaded by the notifications."""
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(RECORDER.format(watched=NOT_FOR_NOTIFICATIONS))
    record, config, home = tmp_path / "modules.json", tmp_path / "config.toml", tmp_path / "home"
    log_path = home / "glutecoach.log"
    config.write_text(COACH_CONFIG)
    env = dict(desktop_env, PYTHONPATH=str(probe), GLUTECOACH_TEST_MODULES=str(record))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "glutecoach", "--home", str(home),
                               "--config", str(config), *args], env=env, capture_output=True,
                              text=True, timeout=20)

    dunst.close_all()
    with open(tmp_path / "run.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "glutecoach", "--home", str(home),
                                 "--config", str(config), "run", "--headless"], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: cli("status").returncode == 0 or proc.poll() is not None,
                 "the coach to answer", timeout=30)
        assert proc.poll() is None, (tmp_path / "run.log").read_text()
        assert cli("break-now").returncode == 0
        wait_for(lambda: "done" in actions_offered(dunst, "Time for a glute break"),
                 "the prompt on screen")
        context_menu(dunst, "#Done (Time for a glute break")
        wait_for(lambda: "answer from the notification: done" in log_path.read_text(),
                 "the answer to reach the coach")
        assert cli("stop").returncode == 0
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    seen = json.loads(record.read_text())
    assert "glutecoach.engine" in seen["modules"]  # the record is the coach's own
    assert [m for m in ("dbus_fast", "desktop_notifier") if m in seen["modules"]] == []
    by_notifications = [f for f in seen["first_import"].get("asyncio", [])
                        if "glutecoach/notify" in f or "/jeepney/" in f]
    assert by_notifications == [], seen["first_import"]["asyncio"]

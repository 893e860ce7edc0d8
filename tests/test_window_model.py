"""The break window's state machine, without a display: countdowns, moving through the plan,
the end of the plan, and the answers and feedback it passes on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from glutecoach.window import BreakModel, Event, WindowItem, WindowPlan, clock_text, window_item


def item(exercise_id: str, seconds: int, reps: int | None = None) -> WindowItem:
    return WindowItem(exercise_id=exercise_id, name=exercise_id.replace("-", " ").capitalize(),
                      seconds=seconds, reps=reps, steps=["Do it."], cues=["Slowly."],
                      cautions=["Skip it if it hurts."], why="Because.")  # fmt: skip


def plan(*items: WindowItem) -> WindowPlan:
    chosen = items or (item("brisk-walk", 120), item("half-squat", 45, reps=10))
    return WindowPlan("Afternoon break", sum(i.seconds for i in chosen) / 60, list(chosen))


def test_countdown_waits_for_start() -> None:
    model = BreakModel(plan())
    assert model.tick(30) == []
    assert model.seconds_left == [120, 45]


def test_countdown_runs_after_start_and_stops_on_pause() -> None:
    model = BreakModel(plan())
    model.start()
    model.tick(20)
    model.tick(0.5)
    assert model.seconds_left[0] == 99.5
    model.pause()
    model.tick(50)
    assert model.seconds_left[0] == 99.5
    model.toggle()
    assert model.running
    model.toggle()
    assert not model.running


def test_item_at_zero_moves_on_and_waits_for_start_again() -> None:
    model = BreakModel(plan())
    model.start()
    events = model.tick(125)  # five seconds more than the walk: dropped, not carried over
    # The countdown ran out: the coach is asked for the exercise's end chime (issue 14).
    assert events == [Event("item", "1"), Event("sound", "exercise-end")]
    assert model.index == 1
    assert model.current.exercise_id == "half-squat"
    assert model.seconds_left == [0, 45]
    assert not model.running
    assert model.tick(10) == []


def test_next_moves_on_before_the_time_is_up_and_keeps_what_was_left() -> None:
    model = BreakModel(plan())
    model.start()
    model.tick(30)
    assert model.next_item() == [Event("item", "1")]  # no chime: the user moved on
    assert model.seconds_left == [90, 45]
    assert not model.running


def test_end_of_plan_by_countdown_offers_feedback() -> None:
    model = BreakModel(plan())
    model.next_item()
    model.start()
    assert model.tick(45) == [Event("finished"), Event("sound", "break-end")]
    assert model.finished
    assert model.feedback_offered
    assert not model.over
    # Nothing more to count or to move to.
    assert model.next_item() == []
    model.start()
    assert not model.running


def test_next_on_last_item_ends_plan() -> None:
    model = BreakModel(plan(item("calf-raise", 30, reps=12)))
    assert model.is_last
    assert model.next_item() == [Event("finished")]
    assert model.finished


def test_done_is_answered_once_and_then_asks_for_feedback() -> None:
    model = BreakModel(plan())
    model.start()
    assert model.feedback_offered is False
    assert model.done() == [Event("answer", "done")]
    assert not model.running
    assert model.feedback_offered
    assert model.skip() == []
    assert model.done() == []
    assert model.answer == "done"
    assert model.feedback("hard") == [Event("feedback", "hard")]
    assert model.over
    assert model.feedback("easy") == []
    assert model.rating == "hard"


def test_skip_and_snooze_end_the_window_without_feedback() -> None:
    for answer in ("skip", "snooze"):
        model = BreakModel(plan(), snooze_offered=True)
        assert getattr(model, answer)() == [Event("answer", answer)]
        assert model.over
        assert not model.feedback_offered
        assert model.feedback("easy") == []


def test_snooze_not_offered_is_ignored() -> None:
    model = BreakModel(plan(), snooze_offered=False)
    assert model.snooze() == []
    assert model.answer is None
    assert model.skip() == [Event("answer", "skip")]


def test_a_walk_only_plan_is_not_rated_and_done_ends_the_window() -> None:
    """A walk has no level to move: no "how did it feel?" (issue 11, 4.5)."""
    model = BreakModel(plan(item("brisk-walk", 120)), rateable=False)
    assert model.done() == [Event("answer", "done")]
    assert not model.feedback_offered
    assert model.over  # nothing left to ask: the window goes
    assert model.feedback("easy") == []
    finished = BreakModel(plan(item("brisk-walk", 120)), rateable=False)
    finished.next_item()
    assert finished.finished and not finished.feedback_offered and not finished.over


def test_feedback_before_done_is_ignored() -> None:
    model = BreakModel(plan())
    assert model.feedback("easy") == []
    assert model.rating is None


def test_feedback_at_end_of_plan_counts_as_done() -> None:
    model = BreakModel(plan())
    model.next_item()
    model.next_item()
    assert model.feedback("right") == [Event("answer", "done"), Event("feedback", "right")]
    assert model.answer == "done"


def test_unknown_rating_and_backwards_time_are_refused() -> None:
    model = BreakModel(plan())
    with pytest.raises(ValueError, match="easy, right, hard"):
        model.feedback("meh")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        model.tick(-1)


def test_empty_plan_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        BreakModel(WindowPlan("Nothing", 0, []))


def test_state_is_a_snapshot() -> None:
    model = BreakModel(plan())
    model.start()
    state = model.state()
    model.tick(10)
    assert state.seconds_left == (120, 45)
    assert state.running and state.index == 0 and state.answer is None


def test_clock_text_rounds_up() -> None:
    assert clock_text(125) == "2:05"
    assert clock_text(0.3) == "0:01"
    assert clock_text(0) == "0:00"
    assert clock_text(-2) == "0:00"
    assert clock_text(600) == "10:00"


def test_plan_heading_has_total_minutes() -> None:
    assert plan().heading() == "Afternoon break · 3 min"
    assert WindowPlan("Break", 5, [item("a", 300)]).heading() == "Break · 5 min"


def test_window_item_from_a_library_exercise_keeps_its_cautions() -> None:
    from glutecoach.library import load_library

    library = load_library(Path("/nonexistent/exercises.d"))
    exercise = library.get("single-leg-squat")
    assert exercise is not None
    shown = window_item(exercise, seconds=90)
    assert shown.seconds == 90
    assert shown.reps == exercise.dose.reps
    assert shown.cautions == exercise.cautions and shown.cautions
    assert shown.steps == exercise.steps
    assert shown.dose_text() == exercise.dose.describe()


def test_importing_the_window_package_does_not_import_tkinter() -> None:
    import subprocess

    code = "import sys, glutecoach.window; print('tkinter' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"

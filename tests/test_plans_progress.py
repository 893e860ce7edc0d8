"""Progression: feedback moves a muscle's level (1-5) at once, steady completion slowly, and the
chosen exercises follow the level. Feedback is recorded in a real database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import mean

import pytest
from plans_helpers import BERLIN, MONDAY, at, config, library, run_plans, workday_breaks

from glutecoach.engine import PromptResolved, PromptShown
from glutecoach.errors import GlutecoachError
from glutecoach.library import MUSCLES
from glutecoach.plans.model import Done
from glutecoach.plans.planner import CoachPlanner, make_planner
from glutecoach.plans.progress import (
    STEADY_DONE,
    STEADY_SPAN,
    StoredLevel,
    after_feedback,
    current_levels,
)
from glutecoach.plans.records import apply_feedback, read_history
from glutecoach.store import DB_NAME, Store
from glutecoach.store.writer import StoreWriter

KIT = (
    'default_location = "home"\n[coach.locations.home]\n'
    'equipment = ["chair", "wall", "stairs", "step", "band"]\n'
)


def levels_at(level: int, since: datetime = MONDAY - timedelta(days=1)) -> dict[str, StoredLevel]:
    return {m: StoredLevel(level, since) for m in MUSCLES}


# --- feedback and steady completion, pure ---------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "feedback", "after"),
    [
        (1, "easy", 2),
        (4, "easy", 5),
        (5, "easy", 5),
        (3, "hard", 2),
        (1, "hard", 1),
        (3, "right", 3),
        (5, "right", 5),
    ],
)
def test_feedback_moves_one_step_within_1_to_5(level: int, feedback: str, after: int) -> None:
    assert after_feedback(level, feedback) == after  # type: ignore[arg-type]


def _done(exercise: str, times: list[datetime]) -> list[Done]:
    return [Done(t, exercise) for t in times]


def test_steady_completion_raises_the_level_only_over_time() -> None:
    lib = library()
    # standing-glute-squeeze: maximus, difficulty 1.
    one_day = [at(0, 9) + timedelta(minutes=20 * k) for k in range(3 * STEADY_DONE)]
    assert current_levels(lib, _done("standing-glute-squeeze", one_day), {}, 1)["maximus"] == 1
    spread = [at(0, 9) + STEADY_SPAN * k / (STEADY_DONE - 1) for k in range(STEADY_DONE)]
    levels = current_levels(lib, _done("standing-glute-squeeze", spread), {}, 1)
    assert levels == {"maximus": 2, "medius": 1, "minimus": 1}
    # One short of the count: no step.
    assert current_levels(lib, _done("standing-glute-squeeze", spread[1:]), {}, 1)["maximus"] == 1


def test_easier_work_and_work_before_the_last_feedback_do_not_count() -> None:
    lib = library()
    spread = [at(0, 9) + STEADY_SPAN * k / (STEADY_DONE - 1) for k in range(STEADY_DONE)]
    # Difficulty 1 does not show that level 2 is too low.
    assert (
        current_levels(
            lib, _done("standing-glute-squeeze", spread), {"maximus": StoredLevel(2, at(-1, 9))}, 1
        )["maximus"]
        == 2
    )
    # Everything before a "hard" (the stored level's time) is forgotten.
    hard_after = {"maximus": StoredLevel(1, spread[-1])}
    assert (
        current_levels(lib, _done("standing-glute-squeeze", spread), hard_after, 1)["maximus"] == 1
    )
    # Walking does not count towards any muscle's level.
    assert current_levels(lib, _done("brisk-walk", spread), {}, 1) == dict.fromkeys(MUSCLES, 1)


def test_a_month_of_steady_work_climbs_slowly() -> None:
    run = run_plans(config(KIT), list(workday_breaks(28)))
    by_week = [
        current_levels(library(), [d for d in run.done if d.at < at(7 * w, 0)], {}, 1)
        for w in range(1, 5)
    ]
    for before, after in zip([dict.fromkeys(MUSCLES, 1), *by_week], by_week, strict=False):
        for m in MUSCLES:
            assert after[m] - before[m] <= 1, by_week  # at most a step a week
    assert all(by_week[-1][m] >= 2 for m in MUSCLES), by_week  # but it does climb


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_the_difficulty_of_chosen_exercises_follows_the_level(level: int) -> None:
    run = run_plans(config(KIT), list(workday_breaks(2)), levels_at(level))
    diffs = [
        library().get(i.exercise).difficulty
        for _, p in run.plans
        for i in p.items
        if i.part == "glute"
    ]
    assert abs(mean(diffs) - level) <= 1.0, (level, diffs)
    assert all(abs(d - level) <= 2 for d in diffs), (level, diffs)


def test_a_higher_level_means_harder_exercises() -> None:
    means = []
    for level in range(1, 6):
        run = run_plans(config(KIT), list(workday_breaks(2)), levels_at(level))
        means.append(
            mean(
                library().get(i.exercise).difficulty
                for _, p in run.plans
                for i in p.items
                if i.part == "glute"
            )
        )
    assert means == sorted(means) and means[-1] - means[0] >= 2.5, means


def test_each_muscle_follows_its_own_level() -> None:
    levels = {
        "maximus": StoredLevel(4, MONDAY),
        "medius": StoredLevel(1, MONDAY),
        "minimus": StoredLevel(1, MONDAY),
    }
    run = run_plans(config(KIT), list(workday_breaks(2)), levels)
    chosen = [library().get(i.exercise) for _, p in run.plans for i in p.items if i.part == "glute"]
    maximus = [e.difficulty for e in chosen if e.primary_muscles == ["maximus"]]
    others = [e.difficulty for e in chosen if "maximus" not in e.primary_muscles]
    assert mean(maximus) >= 3.5 and min(maximus) >= 2, maximus
    assert mean(others) <= 1.5 and max(others) <= 3, others


# --- in the database ------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


def coach_break(
    store: Store,
    planner: CoachPlanner,
    writer: StoreWriter,
    number: int,
    shown: datetime,
    outcome: str = "done",
) -> None:
    """One prompt through the coach's path: planned, recorded with its plan, answered."""
    p = PromptShown(number, shown.astimezone(UTC), shown.astimezone(UTC), 0, True)
    exercise, _text = planner(p)
    writer.apply([p], exercises={number: exercise}, plans={number: planner.plan_json(number) or ""})
    writer.apply(
        [PromptResolved(number, (shown + timedelta(minutes=3)).astimezone(UTC), outcome, False)]
    )  # type: ignore[arg-type]


def log_rows(store: Store) -> list[tuple[str, float | None, str | None]]:
    conn = sqlite3.connect(store.path)
    try:
        return conn.execute(
            "SELECT exercise, seconds, feedback FROM exercise_log ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_a_done_plan_is_logged_item_by_item_and_a_skipped_one_not_at_all(store: Store) -> None:
    planner = make_planner(config(), library(), store)
    writer = StoreWriter(store, "Europe/Berlin")
    coach_break(store, planner, writer, 1, at(0, 9, 30), "skipped")
    assert log_rows(store) == []
    coach_break(store, planner, writer, 2, at(0, 10, 30))
    plan = planner.plans[2]
    assert log_rows(store) == [(i.exercise, float(i.seconds), None) for i in plan.items]
    history = read_history(store, at(0, 11))
    assert history.previous == plan.ids
    assert [d.exercise for d in history.done] == list(plan.ids)


def test_feedback_rates_the_last_break_and_moves_its_muscles(store: Store) -> None:
    planner = make_planner(config(), library(), store)
    writer = StoreWriter(store, "Europe/Berlin")
    coach_break(store, planner, writer, 1, at(0, 9, 30))
    coach_break(store, planner, writer, 2, at(0, 10, 30))
    plan = planner.plans[2]
    worked = [m for m in MUSCLES if m in plan.muscles]

    result = apply_feedback(store, library(), "easy", at(0, 11), start_level=1, zone=BERLIN)
    assert result.levels == {m: (1, 2) for m in worked}
    assert result.rated == tuple(i.exercise for i in plan.items if i.part == "glute")
    assert result.break_at == at(0, 10, 33)
    rows = log_rows(store)
    last = rows[-len(plan.items) :]
    assert [fb for _, _, fb in last] == ["easy" if i.part == "glute" else None for i in plan.items]
    assert all(fb is None for _, _, fb in rows[: -len(plan.items)])  # the earlier break untouched

    levels = read_history(store, at(0, 11, 1)).levels
    assert {m: s.level for m, s in levels.items()} == dict.fromkeys(worked, 2)
    # The next plan is chosen at the new level.
    coach_break(store, planner, writer, 3, at(0, 11, 30))
    assert any("your level 2" in i.reason for i in planner.plans[3].items)

    result = apply_feedback(store, library(), "hard", at(0, 12), start_level=1, zone=BERLIN)
    assert all(after == max(1, before - 1) for before, after in result.levels.values())
    assert any(after < before for before, after in result.levels.values())


def test_feedback_for_one_muscle(store: Store) -> None:
    result = apply_feedback(
        store, library(), "easy", at(0, 9), start_level=2, zone=BERLIN, muscle="minimus"
    )
    assert (result.levels, result.rated, result.break_at) == ({"minimus": (2, 3)}, (), None)
    result = apply_feedback(
        store, library(), "hard", at(0, 9, 1), start_level=2, zone=BERLIN, muscle="minimus"
    )
    assert result.levels == {"minimus": (3, 2)}


def test_feedback_with_no_break_done_is_an_error(store: Store) -> None:
    with pytest.raises(GlutecoachError, match="no break has been done yet"):
        apply_feedback(store, library(), "easy", at(0, 9), start_level=1, zone=BERLIN)


def test_feedback_on_a_break_logged_before_plans_were_recorded(tmp_path: Path) -> None:
    """A schema-2 database: one exercise per done prompt, no plan_json."""
    from test_migrations import build_v2

    home = tmp_path / "home"
    build_v2(home)
    s = Store.open(home)
    try:
        history = read_history(s, datetime(2026, 11, 30, 12, tzinfo=UTC))
        assert [d.exercise for d in history.done] == ["hip-hitch", "seated-knee-lift"]
        assert history.previous == ("seated-knee-lift",)  # its only record: no plan_json
        result = apply_feedback(
            s, library(), "easy", datetime(2026, 11, 30, 12, tzinfo=UTC), start_level=1, zone=BERLIN
        )
        assert result.rated == ("seated-knee-lift",)
        assert result.levels == {"minimus": (1, 2)}
    finally:
        s.close()
    assert (home / DB_NAME).exists()


def test_the_coach_hook_never_fails_a_prompt(caplog: pytest.LogCaptureFixture) -> None:
    planner = make_planner(config(), library(), object())  # type: ignore[arg-type]
    shown = PromptShown(1, at(0, 10).astimezone(UTC), at(0, 10).astimezone(UTC), 0, True)
    assert planner(shown) == (None, None)
    assert planner.plan_json(1) is None
    assert "cannot plan the break of prompt 1" in caplog.text


def test_the_coach_hook_follows_a_reloaded_config(store: Store) -> None:
    current = [config()]
    planner = make_planner(lambda: current[0], library(), store)
    shown = PromptShown(1, at(0, 10).astimezone(UTC), at(0, 10).astimezone(UTC), 0, True)
    planner(shown)
    assert planner.plans[1].location == "office"
    current[0] = config('default_location = "home"\n')
    planner(PromptShown(2, shown.at, shown.due, 0, True))
    assert planner.plans[2].location == "home"

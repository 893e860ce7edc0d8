"""Choosing a break's plan: the context (location, equipment, discreet, floor, seated), the
exclusions, filling the break with a walk and a glute block, and no exercise twice in a row.
All on a virtual clock: every plan is made for an explicit local time."""

from __future__ import annotations

import pytest
from plans_helpers import at, config, library, run_plans, workday_breaks

from glutecoach.errors import InputError
from glutecoach.plans.context import context_for
from glutecoach.plans.model import part_of
from glutecoach.plans.planner import plan_for
from glutecoach.plans.progress import StoredLevel
from glutecoach.plans.records import PlanHistory

HOME_LEVEL_3 = {m: StoredLevel(3, at(-30, 0)) for m in ("maximus", "medius", "minimus")}


def exercises_of(run_plans_result):  # type: ignore[no-untyped-def]
    return [library().get(i) for _, p in run_plans_result.plans for i in p.ids]


# --- where you are --------------------------------------------------------------------------------


def test_weekdays_are_at_the_office_and_weekends_at_home_by_default() -> None:
    cfg = config()
    assert context_for(cfg, at(0, 10)).location == "office"  # Monday
    assert context_for(cfg, at(5, 10)).location == "home"  # Saturday
    assert context_for(cfg, at(6, 23, 59)).location == "home"  # Sunday, late


def test_location_hours_choose_the_profile() -> None:
    cfg = config(
        'default_location = "office"\n'
        '[coach.locations.home]\nwhen = ["fri 13:00-17:30", "sat-sun 00:00-24:00"]\n'
        '[coach.locations.cafe]\nwhen = ["mon,wed 12:00-13:00"]\nequipment = ["chair"]\n'
        "discreet = true\n"
    )
    assert context_for(cfg, at(4, 12, 59)).location == "office"
    assert context_for(cfg, at(4, 13)).location == "home"
    assert context_for(cfg, at(4, 17, 30)).location == "office"  # the end is not inside
    assert context_for(cfg, at(0, 12, 30)).location == "cafe"
    assert context_for(cfg, at(1, 12, 30)).location == "office"
    cafe = context_for(cfg, at(2, 12, 30))
    assert (cafe.equipment, cafe.discreet, cafe.floor) == (frozenset({"chair"}), True, False)
    # A shipped profile named in the file keeps the keys it does not set.
    home = context_for(cfg, at(5, 9))
    assert (home.floor, home.discreet, home.equipment) == (
        True,
        False,
        frozenset({"chair", "wall"}),
    )


def test_office_plans_are_discreet_and_never_on_the_floor() -> None:
    run = run_plans(config(), list(workday_breaks(5)), HOME_LEVEL_3)
    assert {p.location for _, p in run.plans} == {"office"}
    for ex in exercises_of(run):
        assert ex.discreet, ex.id
        assert ex.position != "floor", ex.id
        assert set(ex.equipment) <= {"chair", "wall"}, ex.id


def test_home_plans_use_the_floor() -> None:
    times = [at(5, 9) + (at(0, 1) - at(0, 0)) * k for k in range(12)]  # Saturday, hourly
    run = run_plans(config(), times, HOME_LEVEL_3)
    assert {p.location for _, p in run.plans} == {"home"}
    positions = [ex.position for ex in exercises_of(run)]
    assert "floor" in positions
    assert any(not ex.discreet for ex in exercises_of(run))


def test_equipment_limits_what_is_offered() -> None:
    bare = config("[coach.locations.office]\nequipment = []\ndiscreet = false\n")
    for ex in exercises_of(run_plans(bare, list(workday_breaks(3)), HOME_LEVEL_3)):
        assert ex.equipment == [], ex.id
        assert ex.position != "seated"  # a seated exercise needs a chair

    kit = config(
        '[coach.locations.office]\nequipment = ["chair", "wall", "stairs", "step", '
        '"band"]\ndiscreet = false\n'
    )
    used = {
        e
        for ex in exercises_of(run_plans(kit, list(workday_breaks(5)), HOME_LEVEL_3))
        for e in ex.equipment
    }
    assert {"stairs", "step", "band"} & used


def test_seated_only_offers_only_seated_exercises() -> None:
    cfg = config("[coach.locations.office]\nseated_only = true\ndiscreet = false\n")
    run = run_plans(cfg, list(workday_breaks(2)))
    assert {ex.position for ex in exercises_of(run)} == {"seated"}
    # No walk is possible, so the moving part is seated marching.
    assert {p.items[0].exercise for _, p in run.plans} == {"seated-marching"}


def test_without_any_walk_the_glute_block_fills_the_break() -> None:
    """Seated and discreet leaves no walk and few exercises: the break is still filled."""
    cfg = config("[coach.locations.office]\nseated_only = true\n")
    for _, plan in run_plans(cfg, list(workday_breaks(2))).plans:
        assert all(i.part == "glute" for i in plan.items)
        assert abs(plan.seconds - 180) <= 20, plan.text()


def test_excluded_exercises_and_areas_never_appear() -> None:
    cfg = config(
        'exclude_exercises = ["brisk-walk", "glute-bridge"]\n'
        'exclude_areas = ["knees", "balance", "lower-back"]\n'
    )
    times = [at(5, 8) + (at(0, 0, 40) - at(0, 0)) * k for k in range(20)]  # at home: more choice
    run = run_plans(cfg, times, HOME_LEVEL_3)
    for ex in exercises_of(run):
        assert ex.id not in ("brisk-walk", "glute-bridge")
        assert not ex.loads & {"knees", "balance", "lower-back"}, ex.id
    floorless = config('exclude_areas = ["floor-work"]\n')
    assert all(
        ex.position != "floor" for ex in exercises_of(run_plans(floorless, times, HOME_LEVEL_3))
    )


def test_every_shipped_exercise_declares_areas_its_cautions_name() -> None:
    """exclude_areas relies on the files: an exercise whose cautions say to skip it with bad
    knees must say it loads the knees."""
    for ex in library():
        text = " ".join(ex.cautions).lower()
        if "knees hurt" in text:
            assert "knees" in ex.loads, ex.id
        if "wrist" in text:
            assert "wrists" in ex.loads, ex.id
        if ex.position == "floor":
            assert "floor-work" in ex.loads, ex.id


# --- the shape of a plan --------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [2, 3, 4, 5, 6, 2.5])
def test_a_plan_fills_the_break(minutes: float) -> None:
    cfg = config(break_minutes=minutes, away_after_minutes=10)
    for t, plan in run_plans(cfg, list(workday_breaks(2))).plans:
        assert abs(plan.seconds - minutes * 60) <= 20, (t, plan.text())
        assert plan.minutes == pytest.approx(plan.seconds / 60, abs=0.01)


def test_a_walk_first_then_a_glute_block() -> None:
    for _, plan in run_plans(config(), list(workday_breaks(2))).plans:
        first, *block = plan.items
        assert first.part == "walk" and library().get(first.exercise).position == "walking"
        assert first.reps is None
        assert block and all(i.part == "glute" for i in block)
        assert all(part_of(library().get(i.exercise)) == "glute" for i in block)
        # The glute block takes at most half the break (walking did what standing did not).
        assert sum(i.seconds for i in block) <= plan.seconds / 2
        assert plan.main_exercise == block[0].exercise
        assert plan.muscles and set(plan.muscles) <= {"maximus", "medius", "minimus"}


def test_a_very_short_break_is_a_walk() -> None:
    plan = plan_for(config(break_minutes=0.75), library(), at(0, 10), PlanHistory())
    assert [(i.part, i.seconds) for i in plan.items] == [("walk", 45)]


def test_no_exercise_twice_in_a_row() -> None:
    for cfg in (config(), config('default_location = "home"')):
        run = run_plans(cfg, list(workday_breaks(10)), HOME_LEVEL_3)
        for (_, a), (_, b) in zip(run.plans, run.plans[1:], strict=False):
            assert not set(a.ids) & set(b.ids), (a.text(), b.text())


def test_the_previous_plan_is_avoided_even_when_it_was_not_done() -> None:
    first = plan_for(config(), library(), at(0, 10), PlanHistory())
    second = plan_for(config(), library(), at(0, 10, 40), PlanHistory(previous=first.ids))
    assert not set(first.ids) & set(second.ids)


def test_plans_are_deterministic() -> None:
    a = run_plans(config(), list(workday_breaks(5)))
    b = run_plans(config(), list(workday_breaks(5)))
    assert [p for _, p in a.plans] == [p for _, p in b.plans]


def test_the_plan_reads_as_one_line_and_as_json() -> None:
    plan = plan_for(config(), library(), at(0, 10), PlanHistory())
    text = plan.text()
    assert "\n" not in text and " + " in text
    assert text.startswith("1 min 30 s brisk walk + ")
    doc = plan.to_json()
    assert doc["minutes"] == 3
    for item in doc["items"]:
        assert {"exercise", "name", "seconds", "reps", "why"} <= set(item)


def test_nothing_fits_gives_an_empty_plan() -> None:
    cfg = config("[coach.locations.office]\nseated_only = true\nequipment = []\n")
    assert plan_for(cfg, library(), at(0, 10), PlanHistory()).items == ()


# --- the [coach] section: strict, with line numbers -----------------------------------------------


@pytest.mark.parametrize(
    ("coach", "start"),
    [
        (
            'default_location = "gym"\n',
            'cfg.toml:4: coach.default_location: no location named "gym"',
        ),
        (
            'exclude_areas = ["knee"]\n',
            'cfg.toml:4: coach.exclude_areas: "knee" is not one of "knees"',
        ),
        ('exclude_exercises = ["Glute Bridge"]\n', "cfg.toml:4: coach.exclude_exercises: "),
        (
            'exclude_exercises = ["lunge", "lunge"]\n',
            "cfg.toml:4: coach.exclude_exercises: listed twice",
        ),
        ("start_level = 6\n", "cfg.toml:4: coach.start_level: "),
        (
            '\n[coach.locations.home]\nwhen = ["weekend 10:00-12:00"]\n',
            "cfg.toml:6: coach.locations.home.when: ",
        ),
        (
            '\n[coach.locations.home]\nwhen = ["sat 10:00-09:00"]\n',
            "cfg.toml:6: coach.locations.home.when: ",
        ),
        (
            '\n[coach.locations.home]\nequipment = ["sofa"]\n',
            "cfg.toml:6: coach.locations.home.equipment: ",
        ),
        (
            "\n[coach.locations.home]\nflor = true\n",
            'cfg.toml:6: unknown key coach.locations.home.flor; did you mean "floor"?',
        ),
        (
            '\n[coach.locations.office]\nwhen = ["sun 10:00-11:00"]\n',
            'cfg.toml:6: coach.locations.office.when: office.when "sun 10:00-11:00" overlaps '
            'home.when "sat-sun 00:00-24:00"',
        ),
        (
            "\n[coach.locations.Big-Office]\ndiscreet = true\n",
            'cfg.toml:5: coach.locations: "Big-Office" is not a location name',
        ),
    ],
)
def test_bad_coach_settings_name_key_and_line(coach: str, start: str) -> None:
    with pytest.raises(InputError) as info:
        config(coach)
    message = str(info.value)
    assert start in message, message
    assert "\n" not in message


def test_an_unknown_location_asked_for_is_an_input_error() -> None:
    with pytest.raises(InputError, match='no location named "moon"'):
        plan_for(config(), library(), at(0, 10), PlanHistory(), location="moon")

"""`glutecoach plan` and `glutecoach feedback` through the real entry point, with a real database
under a temporary home and the wall clock frozen (both commands plan or rate "now")."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import Run, isolate, run_cli
from freezegun import freeze_time
from plans_helpers import config as make_config
from plans_helpers import library

from glutecoach.cli import plan_cmd
from glutecoach.cli.main import cli
from glutecoach.engine import PromptResolved, PromptShown
from glutecoach.library import SAFETY_NOTE
from glutecoach.plans.planner import make_planner
from glutecoach.store import DB_NAME, Store
from glutecoach.store.writer import StoreWriter

for _command in (plan_cmd.plan, plan_cmd.feedback):  # until main.py registers them itself
    if _command.name not in cli.commands:
        cli.add_command(_command)

MONDAY_10 = "2026-11-30 09:00:00"  # UTC: 10:00 in Berlin
SATURDAY_10 = "2026-12-05 09:00:00"
ITEM_KEYS = {"exercise", "name", "seconds", "reps", "why"}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A config in Europe/Berlin (with an empty exercises.d/ beside it) and an empty home."""
    isolate(monkeypatch, tmp_path)
    cfg = tmp_path / "conf" / "config.toml"
    cfg.parent.mkdir()
    cfg.write_text('[schedule]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(cfg))
    monkeypatch.setenv("GLUTECOACH_HOME", str(tmp_path / "home"))
    yield tmp_path


def cli_at(capsys: pytest.CaptureFixture[str], when: str, *args: str) -> Run:
    with freeze_time(when):
        return run_cli(capsys, *args)


def record_break(home: Path, shown: datetime, outcome: str = "done") -> list[str]:
    """A prompt planned and answered through the coach's path; returns the plan's ids."""
    store = Store.open(home)
    try:
        planner = make_planner(make_config(), library(), store)
        writer = StoreWriter(store, "Europe/Berlin")
        number = int(shown.timestamp())
        p = PromptShown(number, shown, shown, 0, True)
        exercise, _ = planner(p)
        writer.apply(
            [p], exercises={number: exercise}, plans={number: planner.plan_json(number) or ""}
        )
        writer.apply(
            [
                PromptResolved(
                    number,
                    shown + timedelta(minutes=3),
                    outcome,  # type: ignore[arg-type]
                    False,
                )
            ]
        )
        return list(planner.plans[number].ids)
    finally:
        store.close()


# --- plan -----------------------------------------------------------------------------------------


def test_plan_json_has_the_cli_md_shape(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = cli_at(capsys, MONDAY_10, "plan", "--json")
    assert (r.code, r.err) == (0, "")
    doc = r.json()
    assert {"minutes", "items"} <= set(doc)
    assert doc["minutes"] == 3  # schedule.break_minutes
    assert isinstance(doc["items"], list) and len(doc["items"]) >= 2
    for item in doc["items"]:
        assert set(item) >= ITEM_KEYS
        assert item["exercise"] in library()
        assert isinstance(item["seconds"], int) and item["seconds"] > 0
        assert item["reps"] is None or (isinstance(item["reps"], int) and item["reps"] > 0)
        assert item["why"] and item["name"]
    assert sum(i["seconds"] for i in doc["items"]) == 180
    assert doc["location"] == "office"


def test_plan_follows_the_location_of_the_moment(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_at(capsys, SATURDAY_10, "plan", "--json").json()["location"] == "home"
    r = cli_at(capsys, SATURDAY_10, "plan", "--json", "--location", "office")
    assert r.json()["location"] == "office"
    r = cli_at(capsys, MONDAY_10, "plan", "--location", "moon")
    assert r.code == 2 and r.out == ""
    assert r.err.startswith('glutecoach: error: no location named "moon"')
    assert len(r.err.splitlines()) == 1


def test_plan_for_people_shows_doses_cautions_and_the_safety_note(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wide enough that no line wraps (the wrapping has its own test below): the text is the
    # subject here, whatever terminal, or none, the suite runs in.
    monkeypatch.setenv("COLUMNS", "200")
    doc = cli_at(capsys, MONDAY_10, "plan", "--json").json()
    r = cli_at(capsys, MONDAY_10, "plan")
    assert r.code == 0 and r.err == ""
    assert SAFETY_NOTE in r.out
    flat = " ".join(r.out.split())
    for item in doc["items"]:
        assert item["name"] in flat
        for caution in library().get(item["exercise"]).cautions:
            assert " ".join(caution.split()) in flat
    assert "Your levels: maximus 1, medius 1, minimus 1" in flat


def test_plan_avoids_the_last_plan_shown(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    last = record_break(env / "home", datetime(2026, 11, 30, 8, 30, tzinfo=UTC), "skipped")
    doc = cli_at(capsys, MONDAY_10, "plan", "--json").json()
    assert not {i["exercise"] for i in doc["items"]} & set(last)


def test_plan_warns_about_an_excluded_id_that_names_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = Path(str(env / "conf" / "config.toml"))
    cfg.write_text(cfg.read_text() + '[coach]\nexclude_exercises = ["glute-brigde"]\n')
    r = cli_at(capsys, MONDAY_10, "plan", "--json")
    assert r.code == 0
    assert 'no exercise "glute-brigde"; did you mean "glute-bridge"?' in r.err
    r.json()


def test_a_bad_coach_config_is_a_usage_error(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = env / "conf" / "config.toml"
    cfg.write_text(cfg.read_text() + '[coach]\nexclude_areas = ["elbows"]\n')
    r = cli_at(capsys, MONDAY_10, "plan", "--json")
    assert r.code == 2 and r.out == ""
    assert r.err.startswith(f"glutecoach: error: {cfg}:4: coach.exclude_areas: ")


def test_nothing_that_fits_is_a_run_time_error(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = env / "conf" / "config.toml"
    cfg.write_text(
        cfg.read_text() + "[coach.locations.office]\nseated_only = true\nequipment = []\n"
    )
    r = cli_at(capsys, MONDAY_10, "plan")
    assert r.code == 1 and r.out == ""
    assert 'no exercise fits the "office" location' in r.err


# --- feedback -------------------------------------------------------------------------------------


def levels_in(home: Path) -> dict[str, int]:
    conn = sqlite3.connect(home / DB_NAME)
    try:
        return dict(conn.execute("SELECT muscle, level FROM levels").fetchall())
    finally:
        conn.close()


def test_feedback_before_any_break_needs_a_muscle(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r = cli_at(capsys, MONDAY_10, "feedback", "easy")
    assert r.code == 1 and r.out == ""
    assert "no break has been done yet" in r.err and len(r.err.splitlines()) == 1
    r = cli_at(capsys, MONDAY_10, "feedback", "easy", "--muscle", "medius")
    assert (r.code, r.out, r.err) == (0, "gluteus medius: level 1 → 2\n", "")
    assert levels_in(env / "home") == {"medius": 2}


def test_feedback_rates_the_last_break_done(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = record_break(env / "home", datetime(2026, 11, 30, 8, 30, tzinfo=UTC))
    plan_muscles = {
        m for i in ids if (e := library().get(i)) and e.dose.reps for m in e.primary_muscles
    }

    r = cli_at(capsys, MONDAY_10, "feedback", "easy", "--json")
    assert (r.code, r.err) == (0, "")
    doc = r.json()
    assert doc["feedback"] == "easy"
    assert doc["break_at"] == "2026-11-30T09:33:00+01:00"
    assert set(doc["levels"]) == plan_muscles
    assert all(v == {"before": 1, "after": 2} for v in doc["levels"].values())
    assert levels_in(env / "home") == dict.fromkeys(plan_muscles, 2)
    conn = sqlite3.connect(env / "home" / DB_NAME)
    try:
        rated = conn.execute("SELECT exercise FROM exercise_log WHERE feedback = 'easy'").fetchall()
    finally:
        conn.close()
    assert [r[0] for r in rated] == doc["exercises"] and doc["exercises"]

    r = cli_at(capsys, "2026-11-30 09:05:00", "feedback", "hard")
    assert r.code == 0
    assert 'Recorded "hard" for the break done Mon 2026-11-30 09:33' in r.out
    assert all(f"gluteus {m}: level 2 → 1" in r.out for m in plan_muscles)

    # The plan now reads the levels back.
    r = cli_at(capsys, "2026-11-30 09:06:00", "plan")
    assert "Your levels: maximus 1, medius 1, minimus 1" in " ".join(r.out.split())


def test_feedback_at_the_edges_says_so(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = cli_at(capsys, MONDAY_10, "feedback", "hard", "--muscle", "minimus")
    assert r.out == "gluteus minimus: stays at 1, the gentlest level\n"
    r = cli_at(capsys, MONDAY_10, "feedback", "right", "--muscle", "minimus")
    assert r.out == "gluteus minimus: stays at level 1\n"


@pytest.mark.parametrize(
    "args",
    [
        ("feedback", "meh"),
        ("feedback",),
        ("feedback", "easy", "--muscle", "biceps"),
        ("plan", "--jsn"),
    ],
)
def test_bad_arguments_are_usage_errors(
    env: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    r = cli_at(capsys, MONDAY_10, *args)
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("glutecoach: error: ") and len(r.err.splitlines()) == 1


LABELS = ("For: ", "Why: ", "Caution: ")
ITEM = "   "  # what an item's lines start with, under its number


@pytest.mark.parametrize("columns", [80, 120])
def test_plan_wraps_to_the_terminal_width_under_each_label(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """Piped output with COLUMNS set: no line wider, and each wrapped line hangs under the text
    after its label (`For: `, `Why: `, `Caution: `), so every paragraph reads back whole."""
    monkeypatch.setenv("COLUMNS", str(columns))
    doc = cli_at(capsys, MONDAY_10, "plan", "--json").json()
    r = cli_at(capsys, MONDAY_10, "plan")
    assert r.code == 0 and r.err == ""
    lines = r.out.splitlines()
    assert max(len(line) for line in lines) <= columns
    paragraphs: list[tuple[str, str]] = []
    hanging = 0
    for line in lines:
        label = next((x for x in LABELS if line.startswith(ITEM + x)), None)
        if label is not None:
            paragraphs.append((label, line[len(ITEM + label):]))
        elif paragraphs and line.startswith(" " * 5) and not line[0].isdigit():
            indent = len(ITEM + paragraphs[-1][0])
            assert line[:indent].isspace() and not line[indent].isspace(), line
            paragraphs[-1] = (paragraphs[-1][0], paragraphs[-1][1] + " " + line[indent:])
            hanging += 1
        elif line.strip() and not line.startswith(("Next", "Works", "Your", "GluteCoach")):
            # An item's head, or the continuation of a line that is not an item's.
            assert line[0].isdigit() or line.startswith("  "), line
    whys = [text for label, text in paragraphs if label == "Why: "]
    assert whys == [" ".join(i["why"].split()) for i in doc["items"]]
    cautions = [text for label, text in paragraphs if label == "Caution: "]
    assert cautions == [c for i in doc["items"] for c in library().get(i["exercise"]).cautions]
    if columns == 80:
        assert hanging >= 3  # the test saw wrapped lines

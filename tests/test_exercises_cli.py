"""`glutecoach exercises list` / `show`, run in-process through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from glutecoach.cli.exercises_cmd import exercises
from glutecoach.cli.main import cli, main
from glutecoach.library import SAFETY_NOTE, load_library

if "exercises" not in cli.commands:  # until main.py registers the group itself
    cli.add_command(exercises)

LIST_KEYS = {"id", "name", "primary_muscles", "secondary_muscles", "position", "equipment",
             "difficulty", "seconds", "evidence"}


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config file in a temporary dir, so no real user's exercises.d/ leaks in."""
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    path.write_text("", encoding="utf-8")
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(path))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:  # pragma: no cover - main always exits
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_has_the_cli_md_keys(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "exercises", "list", "--json")
    assert (code, err) == (0, "")
    items = json.loads(out)
    assert len(items) == len(load_library()) >= 40
    for item in items:
        assert set(item) == LIST_KEYS
        assert item["position"] in ("seated", "standing", "walking", "floor")
        assert 1 <= item["difficulty"] <= 5 and item["seconds"] > 0
        assert isinstance(item["equipment"], list)
        for ev in item["evidence"]:
            assert set(ev) == {"muscle", "percent_mvic", "source"}
            assert isinstance(ev["percent_mvic"], int | float) and ev["percent_mvic"] > 0
    squat = next(i for i in items if i["id"] == "single-leg-squat")
    assert {"muscle": "medius", "percent_mvic": 82, "source": "Boren 2011"} in squat["evidence"]
    assert next(i for i in items if i["id"] == "seated-glute-squeeze")["evidence"] == []


@pytest.mark.parametrize(("option", "value", "check"), [
    ("--muscle", "minimus", lambda i: "minimus" in i["primary_muscles"]),
    ("--position", "seated", lambda i: i["position"] == "seated"),
    ("--equipment", "band", lambda i: "band" in i["equipment"]),
    ("--equipment", "none", lambda i: i["equipment"] == []),
])
def test_list_filters(config: Path, capsys: pytest.CaptureFixture[str], option: str, value: str,
                      check) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "exercises", "list", option, value, "--json")
    items = json.loads(out)
    assert code == 0 and items and all(check(i) for i in items)


def test_list_filters_combine(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "exercises", "list", "--muscle", "medius", "--position", "floor",
                    "--json")
    ids = {i["id"] for i in json.loads(out)}
    assert {"clamshell", "side-lying-hip-abduction", "side-plank-abduction"} <= ids
    assert "step-up" not in ids


def test_list_rejects_an_unknown_muscle(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "exercises", "list", "--muscle", "quadriceps")
    assert code == 2 and out == ""
    assert err.startswith("glutecoach: error: ") and "quadriceps" in err


def test_list_table(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "exercises", "list")
    assert code == 0
    for text in ("seated-glute-squeeze", "single-leg-squat", "seated", "floor", "106%"):
        assert text in out
    code, out, _ = run(capsys, "exercises", "list", "--position", "walking", "--equipment",
                       "band")
    assert code == 0 and "No exercises match" in out


def test_show_card(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "exercises", "show", "single-leg-bridge")
    assert (code, err) == (0, "")
    # The card wraps inside its frame: compare with the frame's sides and the whitespace folded.
    text = " ".join(out.replace("│", " ").split())
    lib = load_library()
    ex = lib.get("single-leg-bridge")
    assert "Single-leg bridge" in text and "gluteus maximus" in text
    assert "CAUTIONS" in text
    for caution in ex.cautions + ex.steps + ex.cues:
        assert " ".join(caution.split()) in text
    assert "47% MVIC — IJSPT 2014 compiled (47-55 across the compiled studies)" in text
    assert "49% MVIC — Moore 2019, J Sport Rehabil 28:544" in text
    assert "8 reps, each side" in text
    assert "Bridge march (bridge-march)" in text
    assert " ".join(SAFETY_NOTE.split()) in text
    assert ("coaching, not medical advice — with a gluteal condition see a physical therapist"
            in text)


def test_show_without_a_figure_says_so(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "exercises", "show", "sit-to-stand")
    assert code == 0 and "No measured figure" in " ".join(out.split())


def test_show_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "exercises", "show", "lunge", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["id"] == "lunge" and doc["cautions"] and doc["dose"]["per_side"]


def test_show_unknown_id(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "exercises", "show", "glute-brige")
    assert (code, out) == (2, "")
    assert err == 'glutecoach: error: no exercise "glute-brige"; did you mean "glute-bridge"?\n'
    code, _, err = run(capsys, "exercises", "show", "zzzzzz")
    assert code == 2 and "exercises list" in err


def test_user_exercises_and_warnings(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    user = config.parent / "exercises.d"
    user.mkdir()
    (user / "desk-push.toml").write_text(
        'id = "desk-push"\nname = "Desk push"\nprimary_muscles = ["medius"]\n'
        'position = "standing"\ndiscreet = true\ndifficulty = 2\nseconds = 40\n'
        'why = "Mine."\nsteps = ["Stand.", "Push.", "Rest."]\n[dose]\nreps = 10\n')
    (user / "lunge.toml").write_text('id = "lunge"\ndifficulty = 5\n')
    (user / "broken.toml").write_text('id = "broken"\ndifficulty = 0\n')
    code, out, err = run(capsys, "exercises", "list", "--json")
    assert code == 0
    items = {i["id"]: i for i in json.loads(out)}  # stdout stays pure JSON despite the warning
    assert items["desk-push"]["name"] == "Desk push"
    assert items["lunge"]["difficulty"] == 5
    assert "broken" not in items
    assert err == ("glutecoach: warning: exercises.d/broken.toml: difficulty: must be 1-5 "
                   "(and 8 more problems)\n")


def test_config_option_points_at_the_user_dir(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "elsewhere" / "config.toml"
    (other.parent / "exercises.d").mkdir(parents=True)
    other.write_text("", encoding="utf-8")
    (other.parent / "exercises.d" / "wall-sit.toml").write_text(
        'id = "wall-sit"\nname = "My wall sit"\n')
    code, out, _ = run(capsys, "--config", str(other), "exercises", "show", "wall-sit")
    assert code == 0 and "My wall sit" in out
    code, out, _ = run(capsys, "exercises", "show", "wall-sit", "--config", str(other), "--json")
    assert json.loads(out)["name"] == "My wall sit"


def test_config_check_fails_on_a_broken_exercise_file(tmp_path, capsys) -> None:
    from cli_helpers import run_cli

    (tmp_path / "exercises.d").mkdir()
    (tmp_path / "exercises.d" / "lunge.toml").write_text('id = "lunge"\ndifficulty = 9\n')
    cfg = tmp_path / "config.toml"
    cfg.write_text("[schedule]\n")
    r = run_cli(capsys, "config", "check", cfg)
    assert r.code == 2
    assert "exercises.d/lunge.toml" in r.err and "difficulty" in r.err
    assert "OK" not in r.out
    (tmp_path / "exercises.d" / "lunge.toml").write_text('id = "lunge"\ndifficulty = 4\n')
    r = run_cli(capsys, "config", "check", cfg)
    assert r.code == 0 and "exercises: " in r.out


def glutecoach_at(columns: int, config: Path, *args: str) -> str:
    """The command as a user runs it, output piped, with COLUMNS set as a shell sets it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLUTECOACH_")}
    env.update(COLUMNS=str(columns), GLUTECOACH_CONFIG=str(config))
    done = subprocess.run([sys.executable, "-m", "glutecoach", *args], capture_output=True,
                          text=True, timeout=60, env=env)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return done.stdout


@pytest.mark.parametrize("columns", [80, 120])
def test_show_fits_the_width_and_hangs_wrapped_lines(config: Path, columns: int) -> None:
    out = glutecoach_at(columns, config, "exercises", "show", "clamshell")
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= columns
    inner = [line.strip("│").rstrip() for line in lines[1:-1]]
    start = inner.index(" CAUTIONS — skip it or take care")
    cautions = inner[start + 1:inner.index("", start)]
    # Each caution starts with "!"; its wrapped lines hang under its text, not under the "!".
    assert all(line.startswith((" ! ", "   ")) and line[3] != " " for line in cautions), cautions
    read = " ".join(line[3:] for line in cautions)
    assert read == " ".join(load_library().get("clamshell").cautions)
    if columns == 80:
        assert any(line.startswith("   ") for line in cautions)  # the test saw a wrapped line


@pytest.mark.parametrize("columns", [80, 120])
def test_list_fits_the_width(config: Path, columns: int) -> None:
    out = glutecoach_at(columns, config, "exercises", "list")
    assert max(len(line) for line in out.splitlines()) <= columns
    assert "single-leg-squat" in out and "seated-hip-abduction-hands" in out

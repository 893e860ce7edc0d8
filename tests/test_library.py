"""The exercise library: the shipped files, the schema, broken files, user overrides (issue 4).

The evidence test reads the %MVIC table of shared/reference/evidence.md and checks that every
figure in the library appears there, for the same exercise, muscle and source: an invented or
misattributed number fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from glutecoach.library import MUSCLES, POSITIONS, SLINGS, load_library
from glutecoach.library.loader import shipped_dir
from glutecoach.library.model import Dose, intensity_band

REPO = Path(__file__).resolve().parents[1]
EVIDENCE_MD = REPO.parent / "shared" / "reference" / "evidence.md"

# Section 2 of evidence.md, as it stood when the library was written. Used where the shared
# reference is not checked out beside the repository (CI); where it is, it must still match.
EVIDENCE_TABLE_SNAPSHOT = """
| side plank with hip abduction (dominant leg down / up) | medius | 103 / 89 | Boren 2011, IJSPT |
| single-limb squat | medius | 82 | Boren 2011 |
| clamshell, progression 4 | medius | 77 | Boren 2011 |
| front plank with hip extension | medius | 75 | Boren 2011 |
| front plank with hip extension | maximus | 106 [2nd] | Boren 2011 |
| standing gluteal squeeze | maximus | 81 [2nd] | Boren 2011 |
| side-lying hip abduction (bodyweight) | medius | 81 +- 42 | Distefano 2009, JOSPT |
| clam (two variants) | medius | 40 +- 38; 38 +- 29 | Distefano 2009 |
| lunges (pooled) | medius | 48 +- 21 | Distefano 2009 |
| single-limb squat / single-limb deadlift | medius | 64 / 59 [2nd] | Distefano 2009 |
| single-limb squat / single-limb deadlift | maximus | 59 / 59 [2nd] | Distefano 2009 |
| forward step-up / lateral step-up (bodyweight) | medius | 62.7 +- 18.2 / 61 +- 20 | MacAskill, Durant & Wallace, IJSPT |
| forward step-up / lateral step-up (bodyweight) | maximus | 28.7 +- 18.7 / 31 +- 19.9 | MacAskill et al. |
| standing hip abduction | medius | 33 | compiled table, IJSPT 2014;9(2):157 |
| double-leg bridge / single-leg bridge | medius | 28 / 47-55 | IJSPT 2014 compiled |
| double-leg bridge / single-leg bridge | maximus | 25 / 40-54 | IJSPT 2014 compiled |
| quadruped arm-and-leg lift | maximus | 56 | IJSPT 2014 compiled |
| single-leg wall squat | maximus | 86 | Macadam & Feser 2019 (review) |
| cross-over step-up | maximus | 103 +- 64 [2nd] | Macadam 2015 (review) |
| hip thrust (loaded, pooled) / split squat / lunges | maximus | 75 +- 19 / 70 +- 15 / 67 | Neto 2020, J Sports Sci Med 19:195 |
| single-leg bridge / side-lying abduction / single-leg squat | minimus (posterior) | 49 / 43 / 40 (medians, fine-wire) | Moore 2019, J Sport Rehabil 28:544 |
| resisted hip abduction-extension | minimus (anterior) | 51 (median) | Moore 2019 |
| standing hip hitch with opposite-leg swing | medius, minimus | top-ranked (no number read) | Ganderton 2017, JOSPT |
"""  # noqa: E501

# Which rows of the table each exercise may cite: the exercise's name as evidence.md writes it.
# An exercise that gains evidence must be added here, which makes someone check the row.
MEASURED_AS = {
    "standing-glute-squeeze": {"standing gluteal squeeze"},
    "standing-hip-abduction": {"standing hip abduction"},
    "band-hip-abduction-extension": {"resisted hip abduction-extension"},
    "single-limb-deadlift": {"single-limb deadlift"},
    "split-squat": {"split squat"},
    "lunge": {"lunges"},
    "step-up": {"forward step-up"},
    "lateral-step-up": {"lateral step-up"},
    "cross-over-step-up": {"cross-over step-up"},
    "single-leg-squat": {"single-limb squat", "single-leg squat"},
    "single-leg-wall-squat": {"single-leg wall squat"},
    "glute-bridge": {"double-leg bridge"},
    "single-leg-bridge": {"single-leg bridge"},
    "clamshell": {"clam"},
    "clamshell-progression": {"clamshell, progression 4"},
    "side-lying-hip-abduction": {"side-lying hip abduction", "side-lying abduction"},
    "quadruped-arm-leg-lift": {"quadruped arm-and-leg lift"},
    "front-plank-hip-extension": {"front plank with hip extension"},
    "side-plank-abduction": {"side plank with hip abduction"},
}

# Every movement issue 4 names, and the id that covers it.
ISSUE_MOVEMENTS = {
    "walking": "brisk-walk",
    "stairs": "stair-climb",
    "standing glute squeeze hold": "standing-glute-squeeze",
    "half-squat": "half-squat",
    "sit-to-stand": "sit-to-stand",
    "calf raise": "calf-raise",
    "knee raise": "standing-knee-raise",
    "standing hip abduction": "standing-hip-abduction",
    "standing hip extension": "standing-hip-extension",
    "hip hitch": "hip-hitch",
    "single-limb deadlift": "single-limb-deadlift",
    "split squat": "split-squat",
    "lunge": "lunge",
    "forward step-up": "step-up",
    "lateral step-up": "lateral-step-up",
    "cross-over step-up": "cross-over-step-up",
    "side-steps": "side-step",
    "band side-steps": "band-side-step",
    "wall sit": "wall-sit",
    "single-leg squat": "single-leg-squat",
    "single-leg wall squat": "single-leg-wall-squat",
    "bridge": "glute-bridge",
    "single-leg bridge": "single-leg-bridge",
    "clamshell": "clamshell",
    "clamshell progression": "clamshell-progression",
    "side-lying abduction": "side-lying-hip-abduction",
    "quadruped arm-and-leg lift": "quadruped-arm-leg-lift",
    "front plank with hip extension": "front-plank-hip-extension",
    "side plank with abduction": "side-plank-abduction",
    "seated glute squeeze": "seated-glute-squeeze",
    "seated hip abduction against hands": "seated-hip-abduction-hands",
    "seated hip abduction against a band": "seated-band-abduction",
    "seated knee lift": "seated-knee-lift",
    "seated marching": "seated-marching",
}


# --- parsing evidence.md ----------------------------------------------------------------------


def _table_rows(text: str, *, whole: bool = False) -> list[list[str]]:
    """The rows of the table under the "%MVIC" heading (or of all of `text` when whole)."""
    rows = []
    in_section = whole
    for line in text.splitlines():
        if line.startswith("## "):
            in_section = "%MVIC" in line
            continue
        if not line.startswith("|"):
            continue
        if not in_section:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] == "exercise" or set(cells[0]) <= {"-"}:
            continue
        rows.append(cells)
    return rows


def _numbers(cell: str) -> list[float]:
    """"62.7 +- 18.2" -> [62.7]; "47-55" -> [47, 55]; "40 +- 38; 38 +- 29" -> [40, 38]."""
    cell = re.sub(r"\+-\s*[\d.]+", "", cell)
    cell = re.sub(r"\([^)]*\)|\[[^\]]*\]", "", cell)
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", cell)]


def allowed_figures(rows: list[list[str]]) -> set[tuple[str, str, float, str]]:
    """(exercise as written, muscle, %MVIC, source) for every figure the table gives.

    "a / b" exercises pair with "x / y" figures in order; a range yields both ends."""
    out = set()
    for exercise_cell, muscle_cell, figures_cell, source in rows:
        names = [n.strip() for n in re.sub(r"\([^)]*\)", "", exercise_cell).split(" / ")]
        parts = figures_cell.split(" / ")
        muscles = [m.strip().split()[0] for m in muscle_cell.split(",")]
        pairs = (zip(names, parts, strict=True) if len(names) == len(parts)
                 else ((n, figures_cell) for n in names))
        for name, part in pairs:
            for value in _numbers(part):
                for muscle in muscles:
                    out.add((name, muscle, value, source))
    return out


def evidence_rows() -> list[list[str]]:
    snapshot = _table_rows(EVIDENCE_TABLE_SNAPSHOT, whole=True)
    if EVIDENCE_MD.exists():
        real = _table_rows(EVIDENCE_MD.read_text(encoding="utf-8"))
        assert real, f"no %MVIC table found in {EVIDENCE_MD}"
        return real
    return snapshot


def test_snapshot_matches_evidence_md() -> None:
    if not EVIDENCE_MD.exists():
        pytest.skip(f"{EVIDENCE_MD} is not checked out here; the snapshot stands in for it")
    real = _table_rows(EVIDENCE_MD.read_text(encoding="utf-8"))
    assert real == _table_rows(EVIDENCE_TABLE_SNAPSHOT, whole=True), (
        "evidence.md changed: update the snapshot here, then the library")


def test_table_parser_reads_ranges_pairs_and_variants() -> None:
    figures = allowed_figures(_table_rows(EVIDENCE_TABLE_SNAPSHOT, whole=True))
    assert ("single-leg bridge", "medius", 47.0, "IJSPT 2014 compiled") in figures
    assert ("single-leg bridge", "medius", 55.0, "IJSPT 2014 compiled") in figures
    assert ("double-leg bridge", "medius", 28.0, "IJSPT 2014 compiled") in figures
    assert ("double-leg bridge", "medius", 47.0, "IJSPT 2014 compiled") not in figures
    assert ("clam", "medius", 38.0, "Distefano 2009") in figures
    assert ("forward step-up", "medius", 62.7, "MacAskill, Durant & Wallace, IJSPT") in figures
    assert ("lateral step-up", "medius", 62.7, "MacAskill, Durant & Wallace, IJSPT") not in figures
    # "+- 42" is a spread, not a figure; "top-ranked" has no number at all.
    assert not any(v == 42.0 for _, _, v, _ in figures)
    assert not any(s.startswith("Ganderton") for *_, s in figures)


# --- the shipped library ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def library():  # type: ignore[no-untyped-def]
    return load_library()


def test_every_shipped_file_loads_without_warnings(library) -> None:  # type: ignore[no-untyped-def]
    assert library.warnings == []
    files = sorted(p.stem for p in shipped_dir().iterdir() if not p.name.startswith("."))
    assert files == library.ids()
    assert len(library) >= 40
    assert not (shipped_dir() / ".keep").exists()


def test_issue_movements_are_all_there(library) -> None:  # type: ignore[no-untyped-def]
    missing = {what: i for what, i in ISSUE_MOVEMENTS.items() if i not in library}
    assert missing == {}
    assert library.get("side-step").equipment == []  # band optional: both versions exist
    assert library.get("band-side-step").equipment == ["band"]


def test_coverage_of_muscles_slings_and_positions(library) -> None:  # type: ignore[no-untyped-def]
    for muscle in MUSCLES:
        assert len(library.filter(muscle=muscle)) >= 8, muscle
    assert {s for e in library for s in e.slings} == set(SLINGS)
    assert {e.position for e in library} == set(POSITIONS)
    seated = library.filter(position="seated")
    # Someone who cannot stand right now still gets a choice, discreet ones included.
    assert len(seated) >= 5
    assert len([e for e in seated if e.discreet]) >= 4
    assert {m for e in seated for m in e.primary_muscles} == set(MUSCLES)
    assert len([e for e in library if e.discreet and e.position != "floor"]) >= 10


def test_every_figure_comes_from_evidence_md(library) -> None:  # type: ignore[no-untyped-def]
    allowed = allowed_figures(evidence_rows())
    cited = 0
    for e in library:
        if not e.evidence:
            continue
        names = MEASURED_AS.get(e.id)
        assert names, f"{e.id} cites evidence: add it to MEASURED_AS after checking the row"
        for ev in e.evidence:
            ok = any((name, ev.muscle, ev.percent_mvic, ev.source) in allowed for name in names)
            assert ok, (f"{e.id}: {ev.muscle} {ev.percent_mvic}% from {ev.source!r} is not in "
                        "evidence.md for this exercise")
            cited += 1
    assert cited >= 25


def test_figures_in_why_lines_and_notes_come_from_evidence_md(library) -> None:  # type: ignore[no-untyped-def]
    known = {value for _, _, value, _ in allowed_figures(evidence_rows())}
    for e in library:
        texts = [e.why] + [ev.note or "" for ev in e.evidence]
        for text in texts:
            for low, high in re.findall(r"(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?%", text):
                for figure in filter(None, (low, high)):
                    assert float(figure) in known, f"{e.id}: {figure}% is not in evidence.md"


def test_no_figure_where_none_was_measured(library) -> None:  # type: ignore[no-untyped-def]
    for exercise_id in ("seated-glute-squeeze", "seated-single-glute-squeeze", "sit-to-stand",
                        "brisk-walk", "stair-climb", "hip-hitch", "half-squat"):
        e = library.get(exercise_id)
        assert e.evidence == [] and e.intensity is None, exercise_id
    for exercise_id in ("seated-glute-squeeze", "sit-to-stand"):
        assert "no measured figure" in library.get(exercise_id).why


def test_intensity_follows_the_highest_figure(library) -> None:  # type: ignore[no-untyped-def]
    for e in library:
        if e.evidence:
            assert e.intensity == intensity_band(max(v.percent_mvic for v in e.evidence)), e.id
    assert library.get("glute-bridge").intensity == "moderate"
    assert library.get("single-leg-bridge").intensity == "high"
    assert library.get("side-plank-abduction").intensity == "very-high"


def test_intensity_bands() -> None:
    assert [intensity_band(p) for p in (5, 20, 21, 40, 41, 60, 60.5, 106)] == [
        "low", "low", "moderate", "moderate", "high", "high", "very-high", "very-high"]


def test_texts_and_doses_are_complete(library) -> None:  # type: ignore[no-untyped-def]
    for e in library:
        assert len(e.steps) >= 3 and e.cues and e.cautions, e.id
        assert len(e.why) <= 200, e.id
        assert 20 <= e.seconds <= 180, e.id
        assert e.seconds >= e.dose.minimum_seconds(), e.id


def test_regressions_are_easier_and_progressions_harder(library) -> None:  # type: ignore[no-untyped-def]
    for e in library:
        for r in e.regressions:
            assert library.get(r).difficulty <= e.difficulty, (e.id, r)
        for p in e.progressions:
            assert library.get(p).difficulty >= e.difficulty, (e.id, p)
    # Everything but the easiest has somewhere gentler to go.
    assert all(e.regressions for e in library if e.difficulty >= 3)


def test_filters(library) -> None:  # type: ignore[no-untyped-def]
    assert all("minimus" in e.primary_muscles for e in library.filter(muscle="minimus"))
    assert all(e.position == "floor" for e in library.filter(position="floor"))
    assert all("band" in e.equipment for e in library.filter(equipment="band"))
    assert all(e.equipment == [] for e in library.filter(equipment="none"))
    at_desk = library.filter(available=["chair"])
    assert at_desk and all(set(e.equipment) <= {"chair"} for e in at_desk)
    both = library.filter(muscle="medius", position="standing", equipment="step")
    assert {e.id for e in both} >= {"step-up", "lateral-step-up"}
    assert library.get("no-such-thing") is None
    assert library.suggest("brige") == "glute-bridge"
    assert library.suggest("clam") == "clamshell"


def test_dose_text() -> None:
    assert Dose(reps=10, sets=2).describe() == "2 sets of 10 reps"
    assert Dose(reps=5, hold_seconds=10, per_side=True).describe() == "5 × 10 s hold, each side"
    assert Dose(duration_seconds=120).describe() == "2 min"
    assert Dose(reps=8, per_side=True).minimum_seconds() == 32


def test_importing_the_package_does_not_load_pydantic() -> None:
    code = ("import sys, glutecoach.library as l; assert 'pydantic' not in sys.modules; "
            "assert l.MUSCLES; l.load_library; assert 'pydantic' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- broken files and user files --------------------------------------------------------------

GOOD = '''
id = "{id}"
name = "Desk push"
primary_muscles = ["medius"]
position = "standing"
discreet = true
difficulty = 2
seconds = 40
why = "A test exercise."
steps = ["Stand.", "Push.", "Rest."]

[dose]
reps = 10
'''


def _write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _with(text: str, **changes: str) -> str:
    """GOOD with some `key = value` lines replaced (or added when absent)."""
    out = text
    for key, value in changes.items():
        line = re.compile(rf"^{key} = .*$", re.M)
        out = line.sub(f"{key} = {value}", out) if line.search(out) else (
            out.replace("\n[dose]", f"{key} = {value}\n\n[dose]"))
    return out


@pytest.mark.parametrize(("text", "expected"), [
    ("id = \"bad\"\nname = [unclosed\n", "exercises.d/bad.toml: not valid TOML"),
    (_with(GOOD, difficulty="9"), "exercises.d/bad.toml: difficulty: must be 1-5"),
    (_with(GOOD, difficulty='"3"'), "exercises.d/bad.toml: difficulty: Input should be a valid "
                                    "integer"),
    (_with(GOOD, colour='"red"'), 'exercises.d/bad.toml: unknown key colour; known keys: '),
    (_with(GOOD, dificulty="2"), 'exercises.d/bad.toml: unknown key dificulty; did you mean '
                                 '"difficulty"?'),
    (_with(GOOD, primary_muscles='["gluteus"]'), "exercises.d/bad.toml: primary_muscles[0]: "),
    (_with(GOOD, position='"lying"'), "exercises.d/bad.toml: position: "),
    (_with(GOOD, equipment='["kettlebell"]'), "exercises.d/bad.toml: equipment[0]: "),
    (_with(GOOD, discreet='"yes"'), "exercises.d/bad.toml: discreet: "),
    (_with(GOOD, seconds="5000"), "exercises.d/bad.toml: seconds: must be 5-600"),
    (_with(GOOD, seconds="10"), "exercises.d/bad.toml: seconds: 10 is less than the dose"),
    (_with(GOOD, why='"""two\nlines"""'), "exercises.d/bad.toml: why: must be one line"),
    (_with(GOOD, intensity='"high"'), "exercises.d/bad.toml: intensity: leave it out"),
    (_with(GOOD, regressions='["Not An Id"]'), 'exercises.d/bad.toml: regressions: "Not An Id" is '
                                                'not an id'),
    (_with(GOOD, position='"floor"'), "exercises.d/bad.toml: discreet: a floor exercise"),
    (_with(GOOD, position='"seated"'), 'exercises.d/bad.toml: equipment: a seated exercise'),
    (GOOD.replace('name = "Desk push"\n', ""), "exercises.d/bad.toml: name: missing"),
    (GOOD.replace("reps = 10", "rep = 10"), 'exercises.d/bad.toml: unknown key dose.rep; did you '
                                            'mean "reps"?'),
    (GOOD.replace("reps = 10", "sets = 2"), "exercises.d/bad.toml: dose: needs reps or "
                                            "duration_seconds"),
    (GOOD + '\n[[evidence]]\nmuscle = "medius"\npercent_mvic = 0\nsource = "Boren 2011"\n',
     "exercises.d/bad.toml: evidence[0].percent_mvic: must be greater than 0"),
    (GOOD + '\n[[evidence]]\nmuscle = "medius"\npercent_mvic = 33\nsource = "x"\n',
     'exercises.d/bad.toml: intensity: must be "moderate" for a highest measured figure of 33%'),
    (GOOD + '\n[[evidence]]\nmuscle = "maximus"\npercent_mvic = 33\nsource = "x"\n',
     "exercises.d/bad.toml: evidence[0].muscle: maximus is not among"),
    (_with(GOOD, id='"other"'), 'exercises.d/bad.toml: id: "other"; must be "bad", the file'),
])
def test_a_broken_user_file_warns_with_file_and_key(tmp_path: Path, text: str,
                                                     expected: str) -> None:
    user = tmp_path / "exercises.d"
    _write(user, "bad", text.replace('"{id}"', '"bad"'))
    _write(user, "good", GOOD.replace("{id}", "good"))
    lib = load_library(user)
    assert len(lib.warnings) == 1, lib.warnings
    assert lib.warnings[0].startswith(expected), lib.warnings[0]
    assert "bad" not in lib
    assert "good" in lib and "lunge" in lib  # the rest still load


def test_the_good_template_is_valid(tmp_path: Path) -> None:
    lib = load_library(tmp_path / "exercises.d", shipped=_write(tmp_path / "lib", "x", GOOD
                                                                   .replace("{id}", "x")).parent)
    assert lib.warnings == [] and lib.ids() == ["x"]


def test_a_broken_shipped_file_is_skipped_and_the_others_load(tmp_path: Path) -> None:
    shipped = tmp_path / "exercises"
    shutil.copytree(shipped_dir(), shipped)
    (shipped / "wall-sit.toml").write_text(
        (shipped / "wall-sit.toml").read_text().replace("difficulty = 3", "difficulty = 0"))
    (shipped / "notes.txt").write_text("not an exercise")
    lib = load_library(shipped=shipped)
    assert lib.warnings[0] == "exercises/wall-sit.toml: difficulty: must be 1-5"
    assert "wall-sit" not in lib
    assert len(lib) == len(load_library()) - 1
    # Exercises that pointed at it lose the reference, with a warning each.
    assert "exercises/half-squat.toml: progressions: no exercise \"wall-sit\"" in lib.warnings
    assert "wall-sit" not in lib.get("half-squat").progressions
    assert lib.get("half-squat").progressions == ["split-squat"]


def test_a_reference_to_a_missing_id_warns_and_is_dropped(tmp_path: Path) -> None:
    user = tmp_path / "exercises.d"
    _write(user, "desk-push", _with(GOOD.replace("{id}", "desk-push"),
                                    regressions='["standing-hip-abduction", "no-such-one"]'))
    lib = load_library(user)
    assert lib.warnings == ['exercises.d/desk-push.toml: regressions: no exercise "no-such-one"']
    assert lib.get("desk-push").regressions == ["standing-hip-abduction"]


def test_user_files_add_and_override(tmp_path: Path) -> None:
    user = tmp_path / "exercises.d"
    _write(user, "desk-push", GOOD.replace("{id}", "desk-push"))
    # An override needs only the keys it changes; dose merges key by key.
    _write(user, "lunge", 'id = "lunge"\ndifficulty = 5\ncautions = ["Not on my bad knee."]\n'
                          "[dose]\nreps = 4\n")
    shipped = load_library()
    lib = load_library(user)
    assert lib.warnings == []
    assert len(lib) == len(shipped) + 1
    assert lib.get("desk-push").name == "Desk push"
    lunge, before = lib.get("lunge"), shipped.get("lunge")
    assert (lunge.difficulty, lunge.cautions, lunge.dose.reps) == (5, ["Not on my bad knee."], 4)
    assert lunge.dose.per_side and lunge.evidence == before.evidence and lunge.steps == before.steps


def test_a_broken_override_keeps_the_shipped_exercise(tmp_path: Path) -> None:
    user = tmp_path / "exercises.d"
    _write(user, "lunge", 'id = "lunge"\ndifficulty = 7\n')
    lib = load_library(user)
    assert lib.warnings == ["exercises.d/lunge.toml: difficulty: must be 1-5 "
                            "(the shipped one is used)"]
    assert lib.get("lunge") == load_library().get("lunge")


def test_a_missing_user_dir_is_fine(tmp_path: Path) -> None:
    lib = load_library(tmp_path / "nowhere")
    assert lib.warnings == [] and len(lib) == len(load_library())

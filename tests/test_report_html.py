"""`glutecoach report --html`: one self-contained page (no network, inline SVG charts), written
for the user alone, and opened in headless Chromium: the screenshot must show the charts.

Chromium is Debian's `chromium` package: a missing browser skips these tests on a developer's
machine and fails them in CI (CI=true), like the desktop tests."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import isolate, run_cli
from desktop.harness import need
from freezegun import freeze_time
from report_helpers import realistic_week, write_trace

from glutecoach.cli.main import cli
from glutecoach.cli.report_cmd import report
from glutecoach.config import parse_config
from glutecoach.library import SAFETY_NOTE
from glutecoach.report.html import SITTING, write_report_html
from glutecoach.report.week import IsoWeek
from glutecoach.store import Store
from glutecoach.store.tables import ExerciseLogRow

if "report" not in cli.commands:  # until glutecoach/cli/main.py registers it
    cli.add_command(report)

DATA = Path(__file__).parent / "data"
BERLIN_CFG = DATA / "berlin.toml"
W47 = IsoWeek(2026, 47)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    isolate(monkeypatch, tmp_path)
    yield


@pytest.fixture
def home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    """A home with W46 and W47 recorded from simulated weeks, and some exercises done."""
    h = tmp_path / "home"
    monkeypatch.setenv("GLUTECOACH_HOME", str(h))
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(BERLIN_CFG))
    for monday, seed in ((W47.previous().monday, 21), (W47.monday, 22)):
        trace = write_trace(tmp_path / f"{monday}.csv", realistic_week(monday, seed=seed))
        assert run_cli(capsys, "simulate", trace, "--record").code == 0
    store = Store.open(h)
    start = W47.start(parse_config(BERLIN_CFG.read_text()).schedule.zone())
    with store.session() as s:
        for i, exercise in enumerate(["clamshell", "glute-bridge", "lunge", "clamshell"]):
            at = (start + timedelta(days=i, hours=10)).astimezone(UTC).replace(tzinfo=None)
            s.add(ExerciseLogRow(at_utc=at, exercise=exercise, tz="Europe/Berlin"))
        s.commit()
    store.close()
    return h


def page(capsys: pytest.CaptureFixture[str], tmp_path: Path, week: str = "2026-W47") -> Path:
    out = tmp_path / "report.html"
    with freeze_time("2026-12-01 12:00:00"):
        r = run_cli(capsys, "report", "--week", week, "--html", out)
    assert r.code == 0, r.err
    assert r.out.strip() == f"Wrote the report of {week} to {out}"
    return out


def test_the_page_is_self_contained(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    out = page(capsys, tmp_path)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?:", text, re.IGNORECASE)  # nothing to fetch, not even a DTD
    assert not re.search(r"<(script|link|iframe|img)\b", text, re.IGNORECASE)
    assert not re.search(r"\bsrc\s*=|url\((?!#)", text, re.IGNORECASE)  # url(#clip) only
    assert text.count("<svg") == 5  # sitting, heat map, prompts, longest stretch, muscles
    assert "<style>" in text
    assert SAFETY_NOTE in text.replace("&#x27;", "'")
    assert "Buckley 2015" in text and "Your week 2026-W47" in text
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))  # the charts' SVG ids do not collide on one page


def test_an_empty_week_still_makes_a_page(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    text = page(capsys, tmp_path, "2026-W10").read_text(encoding="utf-8")
    assert "Nothing was recorded this week" in text
    assert text.count("<svg") == 4  # no muscle chart without exercises
    assert not re.search(r"https?:", text)


def test_write_report_html_for_the_tray(home: Path) -> None:
    cfg = parse_config(BERLIN_CFG.read_text())
    now = datetime(2026, 11, 20, 15, tzinfo=UTC)
    path = write_report_html(cfg, home, now=now)
    assert path == home / "reports" / "glutecoach-2026-W47.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert "<svg" in path.read_text(encoding="utf-8")
    other = write_report_html(cfg, home, "2026-W46", home / "w46.html", now=now)
    assert other == home / "w46.html" and "2026-W46" in other.read_text(encoding="utf-8")


def test_the_plotting_library_is_imported_only_for_html() -> None:
    code = (
        "import sys\n"
        "import glutecoach.report.build, glutecoach.report.export, glutecoach.report.summary\n"
        "import glutecoach.report.terminal, glutecoach.report.html, glutecoach.cli.report_cmd\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- in a real browser ---------------------------------------------------------------------------


def screenshot(chromium: str, html: Path, png: Path) -> None:
    profile = tempfile.mkdtemp(prefix="chromium-")
    try:
        done = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                "--window-size=1366,900",
                "--hide-scrollbars",
                html.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert png.exists(), f"chromium wrote no screenshot (exit {done.returncode}): {done.stderr}"


def pixels_near(image: Any, colour: str, tolerance: int = 24) -> int:
    """How many pixels are within `tolerance` of `colour` ("#rrggbb") on every channel."""
    import numpy as np

    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(np.asarray(image, dtype=int) - rgb) <= tolerance).all(axis=2).sum())


def test_chromium_shows_the_charts(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    """The page against itself with the charts hidden (the same layout): the charts must add
    a good share of the laptop-sized screenshot, and the sitting bars their colour."""
    from PIL import Image, ImageChops

    chromium = need("chromium")["chromium"]
    html = page(capsys, tmp_path)
    blank = tmp_path / "blank.html"
    blank.write_text(
        html.read_text(encoding="utf-8").replace(
            "</style>", "svg.chart { visibility: hidden; }</style>"
        ),
        encoding="utf-8",
    )
    screenshot(chromium, html, tmp_path / "page.png")
    screenshot(chromium, blank, tmp_path / "blank.png")

    with Image.open(tmp_path / "page.png") as a, Image.open(tmp_path / "blank.png") as b:
        shown, hidden = a.convert("RGB"), b.convert("RGB")
    assert shown.size == (1366, 900)
    diff = ImageChops.difference(shown, hidden).convert("L").point(lambda v: 255 if v > 40 else 0)
    changed = diff.histogram()[255] / (shown.width * shown.height)
    assert changed > 0.04, f"the charts change only {changed:.1%} of the screenshot"
    box = diff.getbbox()
    assert box is not None and box[1] < 450  # the first charts are above the fold
    bars = pixels_near(shown, SITTING)
    assert bars > 2000, f"{bars} pixels of the sitting bars' colour"
    assert pixels_near(hidden, SITTING) < 50

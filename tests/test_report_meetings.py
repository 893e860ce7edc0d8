"""The weekly report counts prompts deferred by meetings (issue 7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cli_helpers import isolate, run_cli
from freezegun import freeze_time

from glutecoach.history import History, Prompt
from glutecoach.store import Store


def test_deferred_prompts_are_counted_by_signal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    isolate(monkeypatch, tmp_path)
    home = tmp_path / "home"
    cfg = tmp_path / "c.toml"
    cfg.write_text('[schedule]\ntimezone = "UTC"\n')
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    prompts = [Prompt(n, monday + timedelta(hours=n), monday + timedelta(hours=n), 0, "done",
                      True, monday + timedelta(hours=n, minutes=3), None, deferred=signal)
               for n, signal in enumerate(["camera", None, "camera", "calendar"], start=1)]
    store = Store.open(home)
    store.record(History(prompts=prompts), "UTC", "simulate")
    store.close()
    with freeze_time("2026-12-01 12:00:00"):
        doc = run_cli(capsys, "--home", home, "--config", cfg, "report", "--week", "2026-W48",
                      "--json").json()
        text = run_cli(capsys, "--home", home, "--config", cfg, "report", "--week",
                       "2026-W48").out
    assert doc["extra"]["deferred_by_meetings"] == {"camera": 2, "calendar": 1}
    assert doc["totals"]["prompts"] == 4
    assert "waited for a meeting to end: 3 (1 by calendar, 2 by camera)" in " ".join(text.split())

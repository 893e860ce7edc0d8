"""Shared fixtures. The rules tests' helpers live in rules_helpers.py (importable from any test
module here); these fixtures hand the same helpers to tests that prefer fixtures."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# rules_helpers sits next to this file; keep it importable even if tests/ becomes a package.
sys.path.insert(0, str(Path(__file__).parent))

from rules_helpers import Run, run_trace, schedule


@pytest.fixture
def simulate_trace() -> Callable[..., Run]:
    """`simulate_trace(text, config_toml=None)`: a trace replayed through the rules (Run)."""
    return run_trace


@pytest.fixture
def schedule_toml() -> Callable[..., str]:
    """`schedule_toml(timezone=..., hours={...}, sit_minutes=...)`: a config file's text."""
    return schedule

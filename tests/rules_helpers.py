"""Running small traces through the real rules on a virtual clock, and reading the result.

A trace is the CSV of spec/sitting-rules.md ("Trace files"); the header may be left out. Times
without an offset are local times in the config's zone, as in a real trace file.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from glutecoach.config import Config, parse_config
from glutecoach.days import summarize_days
from glutecoach.engine import PromptShown, Rules
from glutecoach.history import History
from glutecoach.simulate import Simulation, simulate
from glutecoach.trace import HEADER, parse_instant, parse_trace
from glutecoach.workhours import WorkHours

TRACE_HEADER = ",".join(HEADER)


def schedule(
    timezone: str = "Europe/Berlin", hours: dict[str, list[str]] | None = None, **keys: float
) -> str:
    """A config file's text: `[schedule]` with these keys (the rest default), and `hours` if given
    (given hours replace the default Monday-to-Friday 09:00-17:30 entirely)."""
    lines = ["[schedule]", f'timezone = "{timezone}"']
    lines += [f"{k} = {v!r}" for k, v in keys.items()]
    if hours is not None:
        lines.append("[schedule.hours]")
        lines += [f"{day} = [{', '.join(repr(w) for w in ws)}]" for day, ws in hours.items()]
    return "\n".join(lines) + "\n"


@dataclass
class Run:
    """A simulated trace and what the CLI would report for it."""

    sim: Simulation
    days: list[dict[str, Any]]  # the DAY objects of `simulate --json`
    zone: ZoneInfo
    config: Config
    shown: list[PromptShown]  # the engine's actions as each prompt was shown

    @property
    def history(self) -> History:
        return self.sim.history

    def at(self, text: str) -> datetime:
        """A local time of the trace's zone (as a trace row would read it), in UTC."""
        return parse_instant(text, self.zone).astimezone(UTC)

    def local(self, t: datetime | None, fmt: str = "%H:%M:%S") -> str | None:
        return None if t is None else t.astimezone(self.zone).strftime(fmt)

    def prompts(self, fmt: str = "%H:%M:%S") -> list[tuple[str | None, str, bool, str | None]]:
        """(shown, outcome, auto, resolved) per prompt, in local time."""
        return [(self.local(p.at, fmt), p.outcome, p.auto, self.local(p.answered_at, fmt))
                for p in self.history.prompts]

    def stretches(self, fmt: str = "%H:%M:%S") -> list[tuple[str | None, str | None]]:
        return [(self.local(s.start, fmt), self.local(s.end, fmt))
                for s in self.history.stretches]

    def breaks(self, fmt: str = "%H:%M:%S") -> list[tuple[str | None, str | None, str, str]]:
        """(gap began, became a break, kind, reason) per break, in local time."""
        return [(self.local(b.start, fmt), self.local(b.became, fmt), b.kind, b.reason)
                for b in self.history.breaks]

    def day(self, date: str) -> dict[str, Any]:
        (found,) = [d for d in self.days if d["date"] == date]
        return found

    def sitting_minutes(self) -> float:
        """The whole trace's sitting, summed over its days."""
        return round(sum(d["sitting_minutes"] for d in self.days), 2)


def trace_text(text: str) -> str:
    body = textwrap.dedent(text).strip()
    return body if body.startswith(TRACE_HEADER) else f"{TRACE_HEADER}\n{body}"


def config_of(config_toml: str | None) -> Config:
    return parse_config(config_toml if config_toml is not None else schedule())


def run_trace(text: str, config_toml: str | None = None) -> Run:
    """Parse `text` as a trace (header optional) and replay it under `config_toml` (default: the
    spec's defaults in Europe/Berlin), exactly as `glutecoach simulate` does."""
    cfg = config_of(config_toml)
    zone = cfg.schedule.zone()
    rows = parse_trace(trace_text(text), zone)
    shown: list[PromptShown] = []

    def note(action: PromptShown, history: History) -> None:
        shown.append(action)  # simulate's exercise hook sees every prompt as it is shown

    sim = simulate(rows, Rules.from_schedule(cfg.schedule), WorkHours(cfg.schedule.hours, zone),
                   choose_exercise=note)
    days = summarize_days(sim.history, zone, sim.start.astimezone(zone).date(),
                          sim.end.astimezone(zone).date())
    return Run(sim, [d.as_json() for d in days], zone, cfg, shown)

"""Printing: JSON for machines (stdout holds one document and nothing else), rich for people."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from glutecoach.errors import printable

if TYPE_CHECKING:
    from rich.console import Console


def emit_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def local_iso(t: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 local time with its UTC offset, as cli.md wants."""
    return None if t is None else t.astimezone(zone).isoformat(timespec="seconds")


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    c = Console(stderr=stderr, highlight=False)
    if not c.is_terminal:
        # Piped or captured output has no width; day tables need about 100 columns.
        c = Console(stderr=stderr, highlight=False, width=max(c.width, 110))
    return c


def minutes_text(minutes: float) -> str:
    """90.5 -> "1:31" (hours:minutes), compact enough for a day table."""
    m = round(minutes)
    return f"{m // 60}:{m % 60:02d}"


def percent_text(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio:.0%}"


def warn(message: str) -> None:
    """One warning line on stderr, escaped like error lines (errors.printable)."""
    print(f"glutecoach: warning: {printable(message)}", file=sys.stderr)

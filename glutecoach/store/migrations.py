"""Schema versions (SQLite's user_version) and the steps between them.

A step is plain SQL run in one transaction; a copy of the file is kept before the first step, so
an upgrade can never lose recorded history.
"""

from __future__ import annotations

CURRENT_VERSION = 2

# version -> statements that take a database from that version to the next
STEPS: dict[int, list[str]] = {
    1: [
        # Issue 3 records whether each prompt reached the desktop.
        "ALTER TABLE prompts ADD COLUMN delivered BOOLEAN",
    ],
}

"""Schema versions (SQLite's user_version) and the steps between them.

A step is plain SQL run in one transaction; a copy of the file is kept before the first step, so
an upgrade can never lose recorded history.
"""

from __future__ import annotations

CURRENT_VERSION = 4

# version -> statements that take a database from that version to the next
STEPS: dict[int, list[str]] = {
    1: [
        # Issue 3 records whether each prompt reached the desktop.
        "ALTER TABLE prompts ADD COLUMN delivered BOOLEAN",
    ],
    2: [
        # Issue 4: each prompt keeps the whole plan it showed, and the levels that feedback sets.
        "ALTER TABLE prompts ADD COLUMN plan_json VARCHAR",
        # The same statement create_all makes for tables.LevelRow.
        "CREATE TABLE levels (muscle VARCHAR NOT NULL, level INTEGER NOT NULL, "
        "updated_utc DATETIME NOT NULL, PRIMARY KEY (muscle))",
    ],
    3: [
        # Issue 7: the meeting signal a prompt waited for (NULL: it did not wait).
        "ALTER TABLE prompts ADD COLUMN deferred VARCHAR",
    ],
}

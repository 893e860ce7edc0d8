"""Matching the names an OS gives an app ("ZOOM VoiceEngine", "libreoffice-impress", "zoom")
against the short names a user writes in the config ("zoom", "impress").

A pattern matches a name when it appears in it as whole words, ignoring case: "zoom" matches
"ZOOM VoiceEngine" and "zoom.real" but not "zoomer"; "impress" matches "libreoffice-impress".
Whole words keep a short pattern like "meet" from matching "meeting-notes". "*" matches anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def _word_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9]){re.escape(pattern)}(?![a-z0-9])")


class AppNames:
    """A list of app patterns from the config, compiled once (they are checked at every poll)."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = [p.strip().lower() for p in patterns if p.strip()]
        self._compiled = [(p, _word_pattern(p)) for p in self.patterns if p != "*"]
        self._any = "*" in self.patterns

    def match(self, *names: str | None) -> str | None:
        """The first pattern that matches one of `names` (None and "" are skipped), or None."""
        candidates = [n.lower() for n in names if n]
        if not candidates:
            return None
        for pattern, compiled in self._compiled:
            if any(compiled.search(name) for name in candidates):
                return pattern
        return "*" if self._any else None

    def __bool__(self) -> bool:
        return bool(self.patterns)

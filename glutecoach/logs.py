"""Logging: a rotating file under the home, and the terminal with --verbose."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_NAME = "glutecoach.log"


def setup_logging(home: Path, verbose: bool) -> Path:
    path = home / LOG_NAME
    root = logging.getLogger("glutecoach")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    # 1 MB x 3 files: weeks of a day's worth of lines, never unbounded.
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                        encoding="utf-8")
    file_handler.setFormatter(fmt)
    root.addHandler(file_handler)
    if verbose:
        term = logging.StreamHandler()
        term.setFormatter(fmt)
        root.addHandler(term)
    return path

"""Errors a user can cause or meet, each shown as one line with its exit code (cli.md)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


class GlutecoachError(Exception):
    """A failure at run time: exit 1."""

    exit_code = 1


class InputError(GlutecoachError):
    """A bad option, file or config: exit 2."""

    exit_code = 2


@contextmanager
def one_line_errors() -> Iterator[None]:
    """How a command or the coach's process ends on a failure: one line on stderr and the exit
    code, never a traceback. Shared by the command line and the coach's own process."""
    try:
        yield
    except GlutecoachError as exc:
        print(f"glutecoach: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except PermissionError as exc:
        # A file or folder this user may not touch, met where no command expected it.
        print(f"glutecoach: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        sys.exit(1)

"""Errors a user can cause or meet, each shown as one line with its exit code (cli.md)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


class GlutecoachError(Exception):
    """A failure at run time: exit 1.

    `more` holds further problems found at the same time (every error of a config file): the
    command line prints each on a line of its own; str() is the first, with a count of the rest,
    for callers that have room for one line only (the coach's reply to `reload`)."""

    exit_code = 1

    def __init__(self, message: str, *more: str) -> None:
        super().__init__(message)
        self.more = more

    def __str__(self) -> str:
        first = str(self.args[0]) if self.args else ""
        return f"{first} (and {len(self.more)} more)" if self.more else first

    def lines(self) -> list[str]:
        """Every problem, one line each."""
        return [str(self.args[0]) if self.args else "", *self.more]


class InputError(GlutecoachError):
    """A bad option, file or config: exit 2."""

    exit_code = 2


def printable(text: str) -> str:
    """`text` with control and format characters escaped (\\x1b, \\x00, \\u202e), so that what a
    file holds cannot clear the terminal, move the cursor, reorder the line or break it in two
    when an error or warning quotes it."""
    import unicodedata  # only when something goes wrong: not in the coach's memory all day

    return "".join(_escape(c) if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                   for c in text)


def _escape(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def print_error(message: str) -> None:
    print(f"glutecoach: error: {printable(message)}", file=sys.stderr)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """How a command or the coach's process ends on a failure: one line on stderr per problem
    and the exit code, never a traceback. Shared by the command line and the coach's own
    process."""
    try:
        yield
    except GlutecoachError as exc:
        for line in exc.lines():
            print_error(line)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except PermissionError as exc:
        # A file or folder this user may not touch, met where no command expected it.
        print_error(f"{exc.filename}: {exc.strerror}")
        sys.exit(1)

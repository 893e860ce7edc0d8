"""Errors a user can cause or meet, each shown as one line with its exit code (cli.md)."""


class GlutecoachError(Exception):
    """A failure at run time: exit 1."""

    exit_code = 1


class InputError(GlutecoachError):
    """A bad option, file or config: exit 2."""

    exit_code = 2

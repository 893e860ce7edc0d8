"""The coach's own process: `glutecoach run` checks the config, then replaces itself with a lean
interpreter that runs only the coach.

Why a second interpreter: the coach runs all day, so what it holds in memory matters more than
what a command holds for a second. The command line's process has click and the help texts of
every command loaded; the coach needs neither. The new interpreter runs with -OO, which drops
docstrings (SQLAlchemy's alone are several MB) and asserts (ours only narrow types). Together
that is ~6 MB of a ~65 MB coach (see benchmarks/footprint.py and the README's figures).

`os.execv` keeps the process id, the terminal, stdin/stdout/stderr and the environment, so a
service manager, an autostart entry or a terminal's Ctrl+C see one process, as before. Where
exec cannot keep those (Windows starts a new process and returns at once; a frozen app has no
interpreter to start) the coach runs in the command's own process instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from glutecoach.errors import InputError, one_line_errors

# How the coach's interpreter (and its break window's) runs: -OO drops docstrings and asserts;
# no_debug_ranges keeps no column positions in code objects (a traceback in the log still names
# the line, without the carets under it): 0.4 MB of the coach's memory.
LEAN = ("-OO", "-X", "no_debug_ranges")


def coach_argv(home: Path, config_path: Path | None, *, headless: bool,
               verbose: bool, exercises_dir: Path | None = None,
               watch: Path | None = None) -> list[str]:
    """The command line of the coach's process: the config already resolved by `run`, so the
    coach reads exactly the file that was checked, and the folder of the user's own exercises
    (resolving the default config folder would cost the coach platformdirs all day). `watch`:
    without a config file, where the default one will be: the coach applies it once saved."""
    argv = [sys.executable, *LEAN, *safe_path(), "-m", "glutecoach.coach",
            "--home", str(home.absolute())]
    if config_path is not None:
        argv += ["--config", str(config_path.absolute())]
    if exercises_dir is not None:
        argv += ["--exercises", str(exercises_dir.absolute())]
    if watch is not None and config_path is None:
        argv += ["--watch", str(watch.absolute())]
    if headless:
        argv.append("--headless")
    if verbose:
        argv.append("--verbose")
    return argv


def safe_path() -> list[str]:
    """-P (Python 3.11+: no current folder on sys.path) when this glutecoach is found without it,
    so a `glutecoach` folder where the user happens to stand (a checkout of another version) is
    never what the coach runs. Run from a checkout itself (`python -m glutecoach` there), the
    current folder is how it is found, and stays."""
    import glutecoach

    root = Path(glutecoach.__file__).resolve().parent.parent
    found_elsewhere = any(p and Path(p).resolve() == root for p in sys.path[1:])
    return ["-P"] if found_elsewhere else []


def can_exec() -> bool:
    return os.name == "posix" and not getattr(sys, "frozen", False) and bool(sys.executable)


def exec_coach(home: Path, config_path: Path | None, *, headless: bool, verbose: bool,
               exercises_dir: Path | None = None, watch: Path | None = None) -> None:
    """Replace this process with the coach's. Returns only when exec fails (seen where this user
    may not open the interpreter's path anew); the caller then runs the coach in this process,
    which costs memory, not function."""
    argv = coach_argv(home, config_path, headless=headless, verbose=verbose,
                      exercises_dir=exercises_dir, watch=watch)
    sys.stdout.flush()
    sys.stderr.flush()
    with contextlib.suppress(OSError):
        os.execv(argv[0], argv)


@dataclass(frozen=True)
class CoachArgs:
    home: Path
    config: Path | None = None
    exercises: Path | None = None
    headless: bool = False
    verbose: bool = False
    watch: Path | None = None


def parse_coach_args(args: list[str]) -> CoachArgs:
    """The coach's own command line, as `coach_argv` writes it. Not argparse: the coach would
    keep argparse and gettext in its memory all day for a line no user types."""
    paths: dict[str, Path] = {}
    flags: set[str] = set()
    words = iter(args)
    for word in words:
        if word in ("--headless", "--verbose"):
            flags.add(word)
        elif word in ("--home", "--config", "--exercises", "--watch") and (
                value := next(words, None)):
            paths[word] = Path(value)
        else:
            raise InputError(f"the coach's process does not take {word!r} (see `glutecoach run`)")
    if "--home" not in paths:
        raise InputError("the coach's process needs --home (see `glutecoach run`)")
    return CoachArgs(paths["--home"], paths.get("--config"), paths.get("--exercises"),
                     "--headless" in flags, "--verbose" in flags, paths.get("--watch"))


def refuse_tls() -> None:
    """Keep OpenSSL out of the coach's process. The coach has no network code (README, privacy),
    but asyncio, which APScheduler and SQLAlchemy import, imports `ssl` when it can, and hashlib
    its OpenSSL-backed `_hashlib`: together OpenSSL's libcrypto and libssl, about 3 MB resident
    all day for nothing. A None in sys.modules makes those imports fail, which both expect (ssl
    is optional in asyncio; hashlib then uses CPython's own md5, sha1, sha2, sha3 and blake2);
    any TLS in the coach would fail the same way, which is the point."""
    for name in ("ssl", "_hashlib"):
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]


def main(args: list[str] | None = None) -> None:
    """`python -OO -m glutecoach.coach`: what `glutecoach run` becomes. Not meant to be typed:
    errors end as one line and an exit code, as for every glutecoach command."""
    os.umask(0o077)  # as in the command line: everything the coach writes is the user's alone
    refuse_tls()
    with one_line_errors():
        opts = parse_coach_args(sys.argv[1:] if args is None else args)
        from glutecoach import days_off

        # Public holidays come from a child process: the holidays package would cost the coach
        # about 10 MB all day (days_off.py).
        days_off.in_child()
        from glutecoach.coach.runner import run_coach
        from glutecoach.config import Config, load_config

        config = load_config(opts.config) if opts.config is not None else Config()
        run_coach(config, opts.config, opts.home, headless=opts.headless, verbose=opts.verbose,
                  exercises_dir=opts.exercises, config_file=opts.watch)

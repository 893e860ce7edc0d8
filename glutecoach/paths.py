"""Where the coach keeps its state: the home directory (database, logs, socket, lock)."""

from __future__ import annotations

import os
from pathlib import Path

from glutecoach.errors import GlutecoachError


def resolve_home(option: Path | None) -> Path:
    """--home, else $GLUTECOACH_HOME, else the platform's user data dir."""
    if option is not None:
        return option
    env = os.environ.get("GLUTECOACH_HOME")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("glutecoach", appauthor=False))


def ensure_home(home: Path) -> Path:
    """Create the home readable by the user only (health data stays private)."""
    try:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix" and home.stat().st_mode & 0o077:
            home.chmod(0o700)
    except OSError as exc:
        raise GlutecoachError(
            f"{home}: cannot create the GluteCoach home ({exc.strerror})") from None
    return home


def package_file(name: str) -> Path:
    """A data file shipped in the wheel (glutecoach/NAME), or at the repository's top level when
    running from a checkout or an editable install."""
    here = Path(__file__).resolve().parent  # the glutecoach package
    for candidate in (here / name, here.parent / name):
        if candidate.exists():
            return candidate
    raise GlutecoachError(f"{name} is missing from this installation; reinstall GluteCoach")

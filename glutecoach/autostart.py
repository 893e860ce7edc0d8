"""Start the coach at login: an XDG autostart entry (or a systemd user unit) on Linux, a
LaunchAgent on macOS, a command file in the Startup folder on Windows.

Each entry runs one argument list (by default this interpreter with `-m glutecoach run`, plus the
home and config in force when it was enabled), written in the quoting its reader expects, so a
path with spaces or `%` survives. Nothing here runs a
shell. Entries are files in the user's own config, readable by the user only. They take effect at
the next login; none of them starts the coach now.
"""

from __future__ import annotations

import os
import plistlib
import sys
from collections.abc import Mapping
from pathlib import Path

from glutecoach.errors import GlutecoachError, InputError
from glutecoach.paths import resolve_home

NAME = "glutecoach"
LAUNCH_AGENT_LABEL = "org.glutecoach.coach"
# The target GNOME, KDE and other systemd-managed sessions start once the display is there, so
# the unit gets DISPLAY / WAYLAND_DISPLAY from the session (default.target would come too early).
SYSTEMD_TARGET = "graphical-session.target"

KINDS = {"linux": ("xdg", "systemd"), "darwin": ("launchagent",), "win32": ("startup",)}


def platform_name(platform: str | None = None) -> str:
    """'linux', 'darwin' or 'win32'; other Unix desktops follow the XDG rules like Linux."""
    platform = platform or sys.platform
    if platform == "darwin":
        return "darwin"
    if platform in ("win32", "cygwin"):
        return "win32"
    return "linux"


def default_command(platform: str | None = None) -> list[str]:
    """This interpreter running the coach; on Windows pythonw.exe, so no console window opens."""
    python = Path(sys.executable)
    if platform_name(platform) == "win32" and python.name.lower() == "python.exe":
        windowless = python.with_name("pythonw.exe")
        if windowless.exists():
            python = windowless
    return [str(python), "-m", "glutecoach", "run"]


def login_options(home_option: Path | None = None,
                  config_option: Path | None = None) -> list[str]:
    """`--home` and `--config` for the home and config in force now: from the options, else
    from $GLUTECOACH_HOME / $GLUTECOACH_CONFIG. A login session has none of this shell's
    variables, so they go into the entry as options, as absolute paths. Left out where neither
    is set: the coach then finds its platform defaults at login as it does here."""
    from glutecoach.config import resolve_config_path

    options: list[str] = []
    if home_option is not None or os.environ.get("GLUTECOACH_HOME"):
        options += ["--home", str(resolve_home(home_option).resolve())]
    config, source = resolve_config_path(config_option)
    if source != "default":
        options += ["--config", str(config.resolve())]
    return options


def coach_command(options: list[str], platform: str | None = None) -> list[str]:
    """default_command with these global options (login_options) before `run`."""
    *interpreter, run = default_command(platform)  # [python, "-m", "glutecoach"], "run"
    return [*interpreter, *options, run]


def entry_paths(
    platform: str | None = None, home: Path | None = None, env: Mapping[str, str] | None = None
) -> dict[str, Path]:
    """Where each kind of entry lives for this user, by kind."""
    platform = platform_name(platform)
    home = home if home is not None else Path.home()
    env = os.environ if env is None else env
    if platform == "darwin":
        return {"launchagent": home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"}
    if platform == "win32":
        appdata = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
        startup = appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
        return {"startup": startup / "GluteCoach.cmd"}
    config = env.get("XDG_CONFIG_HOME", "")
    # The spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    config_home = Path(config) if os.path.isabs(config) else home / ".config"
    return {
        "xdg": config_home / "autostart" / f"{NAME}.desktop",
        "systemd": config_home / "systemd" / "user" / f"{NAME}.service",
    }


def enable(
    kind: str = "auto",
    command: list[str] | None = None,
    *,
    platform: str | None = None,
    home: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Path:
    """Write the entry that starts the coach at login; returns its path.

    `kind` is "auto" (the platform's usual entry) or one of KINDS for this platform. Enabling
    one Linux kind removes the other, so the coach is not started twice.
    """
    name = platform_name(platform)
    if kind == "auto":
        kind = KINDS[name][0]
    if kind not in KINDS[name]:
        raise InputError(
            f"autostart kind {kind!r} is not for {name}; choose from {', '.join(KINDS[name])}")
    command = list(command) if command is not None else default_command(name)
    if not command or any(not arg or "\n" in arg or "\r" in arg for arg in command):
        raise InputError("the autostart command needs non-empty arguments without line breaks")
    data = _render(kind, command)  # before touching anything: a bad command changes nothing
    paths = entry_paths(name, home, env)
    for other_kind, other in paths.items():
        if other_kind != kind:
            _remove_entry(other_kind, other)
    path = paths[kind]
    _write_private(path, data)
    if kind == "systemd":
        _link_wanted(path)
    return path


def disable(
    *, platform: str | None = None, home: Path | None = None, env: Mapping[str, str] | None = None
) -> list[Path]:
    """Remove every autostart entry of this platform; returns the paths removed."""
    removed = []
    for kind, path in entry_paths(platform, home, env).items():
        if _remove_entry(kind, path):
            removed.append(path)
    return removed


def status(
    *, platform: str | None = None, home: Path | None = None, env: Mapping[str, str] | None = None
) -> list[Path]:
    """The autostart entries present for this user (empty: the coach does not start at login)."""
    return [path for path in entry_paths(platform, home, env).values() if path.exists()]


# --- the entries, each in its reader's quoting --------------------------------------------------


def _render(kind: str, command: list[str]) -> bytes:
    if kind == "xdg":
        return desktop_entry(command).encode()
    if kind == "systemd":
        return systemd_unit(command).encode()
    if kind == "launchagent":
        return launch_agent(command)
    return startup_cmd(command).encode()


# Characters the Desktop Entry spec reserves in Exec: an argument holding one must be quoted.
_DESKTOP_RESERVED = set(" \t\"'\\><~|&;$*?#()`")


def desktop_exec(command: list[str]) -> str:
    """The Exec value: spec quoting, then `%` doubled (field codes), then the string escapes."""
    words = []
    for arg in command:
        if _DESKTOP_RESERVED & set(arg):
            inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
            arg = f'"{inner}"'
        words.append(arg.replace("%", "%%"))
    # A desktop file's string values have their own escapes, so each backslash is doubled again.
    return " ".join(words).replace("\\", "\\\\")


def desktop_entry(command: list[str]) -> str:
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=GluteCoach\n"
        "Comment=Breaks up long sitting with short glute breaks\n"
        f"Exec={desktop_exec(command)}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def systemd_exec(command: list[str]) -> str:
    """ExecStart: each word double-quoted with C escapes and `%` doubled (specifiers); `$` doubled
    in the arguments, where systemd expands variables, but not in the program's path."""
    program = command[0]
    if set(program) & set("\"'\\"):
        raise InputError(f"systemd cannot start a program whose path has quotes or backslashes: "
                         f"{program}")
    words = [f'"{program}"'.replace("%", "%%")]
    for arg in command[1:]:
        quoted = '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
        words.append(quoted.replace("%", "%%").replace("$", "$$"))
    return " ".join(words)


def systemd_unit(command: list[str]) -> str:
    return (
        "[Unit]\n"
        "Description=GluteCoach, breaks up long sitting with short glute breaks\n"
        f"PartOf={SYSTEMD_TARGET}\n"
        f"After={SYSTEMD_TARGET}\n"
        "\n"
        "[Service]\n"
        f"ExecStart={systemd_exec(command)}\n"
        # Not on-failure: a second coach for the same home exits 1 by design and must not loop.
        "Restart=on-abnormal\n"
        "\n"
        "[Install]\n"
        f"WantedBy={SYSTEMD_TARGET}\n"
    )


def launch_agent(command: list[str]) -> bytes:
    return plistlib.dumps({
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": command,
        "RunAtLoad": True,
        # Only in a logged-in GUI session: the coach needs the screen and the menu bar.
        "LimitLoadToSessionType": "Aqua",
        "ProcessType": "Interactive",
    })  # fmt: skip


_CMD_SPECIAL = set(" \t&|<>^(),;=!")


def startup_cmd(command: list[str]) -> str:
    """A .cmd file: `start` returns at once, so the login is not held up by a console."""
    words = []
    for arg in command:
        if '"' in arg:
            raise InputError(f"a double quote cannot be passed through a .cmd file: {arg}")
        if _CMD_SPECIAL & set(arg):
            arg = f'"{arg}"'
        words.append(arg.replace("%", "%%"))  # cmd expands %VAR% even inside quotes
    return (
        "@echo off\r\n"
        "rem Starts GluteCoach at login (written by `glutecoach autostart enable`).\r\n"
        f'start "" {" ".join(words)}\r\n'
    )


# --- files ---------------------------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically, readable by the user only, creating missing folders as private."""
    try:
        _make_dirs(path.parent)
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        raise GlutecoachError(
            f"{path}: cannot write the autostart entry ({exc.strerror})") from None


def _make_dirs(folder: Path) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=0o700)


def _wants_link(unit: Path) -> Path:
    return unit.parent / f"{SYSTEMD_TARGET}.wants" / unit.name


def _link_wanted(unit: Path) -> None:
    """What `systemctl --user enable` does, without needing a running user manager."""
    link = _wants_link(unit)
    try:
        _make_dirs(link.parent)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(unit)
    except OSError as exc:
        raise GlutecoachError(f"{link}: cannot enable the systemd unit ({exc.strerror})") from None


def _remove_entry(kind: str, path: Path) -> bool:
    """Remove one entry (and the systemd link); True when there was an entry."""
    found = False
    try:
        if kind == "systemd":
            link = _wants_link(path)
            if link.is_symlink() or link.exists():
                link.unlink()
        if path.exists() or path.is_symlink():
            path.unlink()
            found = True
    except OSError as exc:
        raise GlutecoachError(
            f"{path}: cannot remove the autostart entry ({exc.strerror})") from None
    return found

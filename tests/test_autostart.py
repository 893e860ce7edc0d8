"""Autostart entries for each platform, written into a temporary home and read back the way
their readers read them (GLib's `gio launch` and `systemd-analyze` where installed)."""

from __future__ import annotations

import configparser
import os
import plistlib
import re
import shlex
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glutecoach import autostart
from glutecoach.errors import GlutecoachError, InputError

# An argument list that needs every kind of quoting: spaces, quotes, $, %, backslash, backquote.
AWKWARD = ["/opt/Glute Coach/bin/python3", "-m", "glutecoach", "run", "--home",
           "/home/ann/it's \"mine\" $HOME 100% a\\b `x`"]  # fmt: skip


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- how each reader parses its entry ---------------------------------------------------------


def read_desktop_exec(path: Path) -> list[str]:
    """Exec as the Desktop Entry spec reads it: string escapes, then quoting, then `%%`."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(path, encoding="utf-8")
    raw = parser["Desktop Entry"]["Exec"]
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}

    def unescape(m: re.Match[str]) -> str:
        # The spec allows no other escape: a bare `\$` would be read differently by each reader.
        assert m.group(1) in escapes, f"invalid escape {m.group(0)!r} in {raw!r}"
        return escapes[m.group(1)]

    value = re.sub(r"\\(.)", unescape, raw)
    return [arg.replace("%%", "%") for arg in split_exec(value)]


def split_exec(value: str) -> list[str]:
    """The spec's own rules (not a shell's): inside double quotes a backslash escapes only
    `"`, backquote, `$` and itself."""
    words: list[str] = []
    word: str | None = None
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == " ":
            if word is not None:
                words.append(word)
            word = None
        elif ch == '"':
            word = word or ""
            i += 1
            while value[i] != '"':
                if value[i] == "\\" and value[i + 1] in '"`$\\':
                    i += 1
                word += value[i]
                i += 1
        else:
            word = (word or "") + ch
        i += 1
    if word is not None:
        words.append(word)
    return words


def read_systemd_exec(path: Path) -> list[str]:
    """ExecStart: `%%` specifiers, then C-style quoting, then `$$` in the arguments."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read(path, encoding="utf-8")
    words = shlex.split(parser["Service"]["ExecStart"].replace("%%", "%"))
    return words[:1] + [w.replace("$$", "$") for w in words[1:]]


def read_startup_cmd(path: Path) -> list[str]:
    """The arguments of the `start "" ...` line, as cmd.exe splits and expands them."""
    line = next(x for x in path.read_bytes().decode().split("\r\n") if x.startswith("start "))
    words = [q if q or not bare else bare for q, bare in re.findall(r'"([^"]*)"|(\S+)', line)]
    assert words[:2] == ["start", ""], line  # an empty window title, then the program
    return [w.replace("%%", "%") for w in words[2:]]


# --- Linux -----------------------------------------------------------------------------------


def test_default_command_is_this_interpreter_running_the_coach() -> None:
    assert autostart.default_command("linux") == [sys.executable, "-m", "glutecoach", "run"]


def test_linux_default_is_an_xdg_entry_that_runs_the_coach(tmp_path: Path) -> None:
    path = autostart.enable(platform="linux", home=tmp_path, env={})
    assert path == tmp_path / ".config" / "autostart" / "glutecoach.desktop"
    assert read_desktop_exec(path) == [sys.executable, "-m", "glutecoach", "run"]
    text = path.read_text()
    assert "Type=Application" in text and "Name=GluteCoach" in text


def test_xdg_entry_honours_xdg_config_home(tmp_path: Path) -> None:
    config = tmp_path / "elsewhere"
    path = autostart.enable("xdg", platform="linux", home=tmp_path,
                            env={"XDG_CONFIG_HOME": str(config)})  # fmt: skip
    assert path == config / "autostart" / "glutecoach.desktop"
    assert autostart.status(platform="linux", home=tmp_path,
                            env={"XDG_CONFIG_HOME": str(config)}) == [path]  # fmt: skip


def test_relative_xdg_config_home_is_ignored_as_the_spec_says(tmp_path: Path) -> None:
    path = autostart.enable("xdg", platform="linux", home=tmp_path,
                            env={"XDG_CONFIG_HOME": "relative/dir"})  # fmt: skip
    assert path == tmp_path / ".config" / "autostart" / "glutecoach.desktop"


def test_xdg_exec_keeps_awkward_arguments_intact(tmp_path: Path) -> None:
    path = autostart.enable("xdg", AWKWARD, platform="linux", home=tmp_path, env={})
    assert read_desktop_exec(path) == AWKWARD


def test_desktop_file_validate_accepts_the_entry(tmp_path: Path) -> None:
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate (desktop-file-utils) is not installed")
    path = autostart.enable("xdg", AWKWARD, platform="linux", home=tmp_path, env={})
    done = subprocess.run([validate, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_glib_launches_the_xdg_entry_with_exactly_our_arguments(tmp_path: Path) -> None:
    """GLib is what GNOME, XFCE and others use to start autostart entries."""
    gio = shutil.which("gio")
    if gio is None:
        pytest.skip("gio (libglib2.0-bin) is not installed")
    # GLib looks the program up before expanding %%, so the program's path has no % here.
    folder = tmp_path / "Glute Coach $x 'q' \"d\" b\\s"
    folder.mkdir()
    record = tmp_path / "argv.txt"
    fake = folder / "fake-python"
    fake.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "{record}"\n')
    fake.chmod(0o700)
    command = [str(fake), "run", "--home", "/h/it's \"mine\" $HOME 100% a\\b `x` %u"]
    path = autostart.enable("xdg", command, platform="linux", home=tmp_path, env={})
    subprocess.run([gio, "launch", str(path)], check=True, timeout=20)
    deadline = time.monotonic() + 10
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.read_text().splitlines() == command[1:]


def test_the_default_entry_really_starts_this_coach(tmp_path: Path) -> None:
    path = autostart.enable(platform="linux", home=tmp_path, env={})
    argv = read_desktop_exec(path)
    assert argv[-1] == "run"
    done = subprocess.run([*argv[:-1], "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("glutecoach ")


def test_entry_and_new_folders_are_private(tmp_path: Path) -> None:
    path = autostart.enable("xdg", platform="linux", home=tmp_path, env={})
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert mode(tmp_path / ".config") == 0o700


def test_existing_folders_keep_their_mode(tmp_path: Path) -> None:
    autostart_dir = tmp_path / ".config" / "autostart"
    autostart_dir.mkdir(parents=True)
    autostart_dir.chmod(0o755)
    autostart.enable("xdg", platform="linux", home=tmp_path, env={})
    assert mode(autostart_dir) == 0o755


def test_systemd_unit_runs_the_command_in_the_graphical_session(tmp_path: Path) -> None:
    path = autostart.enable("systemd", AWKWARD[1:4], platform="linux", home=tmp_path, env={})
    assert path == tmp_path / ".config" / "systemd" / "user" / "glutecoach.service"
    assert read_systemd_exec(path) == AWKWARD[1:4]
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    assert parser["Install"]["WantedBy"] == "graphical-session.target"
    link = path.parent / "graphical-session.target.wants" / "glutecoach.service"
    assert link.is_symlink() and link.resolve() == path.resolve()
    assert mode(path) == 0o600


def test_systemd_exec_keeps_awkward_arguments_intact(tmp_path: Path) -> None:
    command = ["/opt/Glute Coach/bin/python3", *AWKWARD[1:]]
    path = autostart.enable("systemd", command, platform="linux", home=tmp_path, env={})
    assert read_systemd_exec(path) == command


def test_systemd_analyze_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    command = [sys.executable, "-m", "glutecoach", "run", "--home", "/h/$HOME 100% \"q\""]
    path = autostart.enable("systemd", command, platform="linux", home=tmp_path, env={})
    done = subprocess.run([analyze, "verify", str(path)], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_systemd_refuses_a_program_path_it_cannot_run_and_changes_nothing(tmp_path: Path) -> None:
    xdg = autostart.enable("xdg", platform="linux", home=tmp_path, env={})
    with pytest.raises(InputError, match="quotes or backslashes"):
        autostart.enable("systemd", ['/opt/a"b/python', "-m", "glutecoach", "run"],
                         platform="linux", home=tmp_path, env={})  # fmt: skip
    assert xdg.exists()


def test_enabling_one_linux_kind_removes_the_other(tmp_path: Path) -> None:
    unit = autostart.enable("systemd", platform="linux", home=tmp_path, env={})
    entry = autostart.enable("xdg", platform="linux", home=tmp_path, env={})
    assert entry.exists() and not unit.exists()
    assert not (unit.parent / "graphical-session.target.wants" / unit.name).is_symlink()
    assert autostart.status(platform="linux", home=tmp_path, env={}) == [entry]


def test_enable_twice_rewrites_the_same_entry(tmp_path: Path) -> None:
    first = autostart.enable("xdg", ["/bin/a"], platform="linux", home=tmp_path, env={})
    second = autostart.enable("xdg", ["/bin/b"], platform="linux", home=tmp_path, env={})
    assert first == second and read_desktop_exec(second) == ["/bin/b"]
    assert [p.name for p in second.parent.iterdir()] == ["glutecoach.desktop"]  # no temp left


def test_disable_removes_every_entry_and_says_which(tmp_path: Path) -> None:
    unit = autostart.enable("systemd", platform="linux", home=tmp_path, env={})
    assert autostart.disable(platform="linux", home=tmp_path, env={}) == [unit]
    assert not unit.exists()
    assert autostart.status(platform="linux", home=tmp_path, env={}) == []
    assert autostart.disable(platform="linux", home=tmp_path, env={}) == []


def test_unknown_kind_for_the_platform_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="launchagent"):
        autostart.enable("systemd", platform="darwin", home=tmp_path, env={})
    with pytest.raises(InputError):
        autostart.enable("cron", platform="linux", home=tmp_path, env={})


def test_a_command_with_a_line_break_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        autostart.enable("xdg", ["/bin/python", "run\nrm -rf ~"], platform="linux",
                         home=tmp_path, env={})  # fmt: skip
    assert autostart.status(platform="linux", home=tmp_path, env={}) == []


def test_an_unwritable_config_folder_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / ".config").write_text("a file where a folder should be")
    with pytest.raises(GlutecoachError, match="cannot write the autostart entry"):
        autostart.enable("xdg", platform="linux", home=tmp_path, env={})


# --- macOS -----------------------------------------------------------------------------------


def test_macos_launch_agent_runs_the_command_at_login(tmp_path: Path) -> None:
    path = autostart.enable("auto", AWKWARD, platform="darwin", home=tmp_path, env={})
    assert path == tmp_path / "Library" / "LaunchAgents" / "org.glutecoach.coach.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["ProgramArguments"] == AWKWARD
    assert agent["Label"] == "org.glutecoach.coach"
    assert agent["RunAtLoad"] is True
    assert "KeepAlive" not in agent  # a second coach exits 1 by design: no restart loop
    assert mode(path) == 0o600
    assert autostart.status(platform="darwin", home=tmp_path, env={}) == [path]
    assert autostart.disable(platform="darwin", home=tmp_path, env={}) == [path]
    assert not path.exists()


# --- Windows ---------------------------------------------------------------------------------


def test_windows_startup_entry_lives_in_the_roaming_startup_folder(tmp_path: Path) -> None:
    appdata = tmp_path / "AppData" / "Roaming"
    command = ["C:\\Program Files\\Python311\\pythonw.exe", "-m", "glutecoach", "run"]
    path = autostart.enable(command=command, platform="win32", home=tmp_path,
                            env={"APPDATA": str(appdata)})  # fmt: skip
    assert path == (appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
                    / "GluteCoach.cmd")  # fmt: skip
    assert read_startup_cmd(path) == command
    assert b"\r\n" in path.read_bytes()
    assert autostart.status(platform="win32", home=tmp_path,
                            env={"APPDATA": str(appdata)}) == [path]  # fmt: skip


def test_windows_entry_doubles_percent_and_quotes_special_characters(tmp_path: Path) -> None:
    command = ["C:\\Users\\Ann & Bob\\py\\pythonw.exe", "-m", "glutecoach", "run", "--home",
               "D:\\100%\\coach (home)"]  # fmt: skip
    path = autostart.enable(command=command, platform="win32", home=tmp_path, env={})
    assert read_startup_cmd(path) == command
    text = path.read_text()
    assert "100%%" in text and '"C:\\Users\\Ann & Bob\\py\\pythonw.exe"' in text


def test_windows_without_appdata_falls_back_to_the_home(tmp_path: Path) -> None:
    path = autostart.enable(command=["C:\\py\\pythonw.exe"], platform="win32", home=tmp_path,
                            env={})  # fmt: skip
    assert path.is_relative_to(tmp_path / "AppData" / "Roaming")


def test_windows_refuses_a_double_quote_in_an_argument(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="double quote"):
        autostart.enable(command=["C:\\py\\pythonw.exe", 'say "hi"'], platform="win32",
                         home=tmp_path, env={})  # fmt: skip


def test_windows_default_prefers_the_windowless_interpreter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    python = tmp_path / "python.exe"
    python.write_text("")
    (tmp_path / "pythonw.exe").write_text("")
    monkeypatch.setattr(sys, "executable", str(python))
    assert autostart.default_command("win32")[0] == str(tmp_path / "pythonw.exe")
    assert autostart.default_command("linux")[0] == str(python)


# --- the home and config in force go into every kind of entry -------------------------------------

# Awkward on purpose: a space, `%`, `$`, quotes: each entry's quoting must carry them through.
HOME_NAME = "coach home 100% $HOME 'q'"


def enable_from_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`glutecoach autostart enable` as a user runs it, with this environment on top of a clean
    one (the user's own GLUTECOACH_* and XDG dirs left out)."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("GLUTECOACH_", "XDG_"))}
    clean.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "xdg"), **env)
    done = subprocess.run([sys.executable, "-m", "glutecoach", "autostart", "enable", *args],
                          capture_output=True, text=True, timeout=60, env=clean)
    assert done.returncode == 0, done.stderr
    return done


def home_and_config(tmp_path: Path) -> tuple[Path, Path]:
    """A home and a config that only tries the freedesktop presence source: a coach that read
    it names that source alone when it finds no session bus."""
    config = tmp_path / "conf dir" / "c.toml"
    config.parent.mkdir()
    config.write_text('[desktop]\npresence = "freedesktop"\n', encoding="utf-8")
    return tmp_path / HOME_NAME, config


def home_and_config_in(argv: list[str]) -> tuple[str, str]:
    assert argv[-1] == "run" and argv[1:3] == ["-m", "glutecoach"], argv
    options = dict(zip(argv[3:-1:2], argv[4:-1:2], strict=True))
    assert set(options) == {"--home", "--config"}, argv
    return options["--home"], options["--config"]


def test_the_xdg_entry_carries_the_home_and_config_of_the_environment(tmp_path: Path) -> None:
    """GLUTECOACH_HOME / GLUTECOACH_CONFIG set in the shell: the entry names both, it is a valid
    desktop entry, and its Exec line, split as the Desktop Entry spec says and run with a login's
    environment (none of those variables), starts the coach on that home with that config."""
    home, config = home_and_config(tmp_path)
    done = enable_from_cli(tmp_path, GLUTECOACH_HOME=str(home), GLUTECOACH_CONFIG=str(config))
    entry = tmp_path / "xdg" / "autostart" / "glutecoach.desktop"
    assert f"It will use the home {home}" in done.stdout and done.stderr == ""
    assert "To start it now: glutecoach run\n" in done.stdout  # this shell has the variables

    validate = shutil.which("desktop-file-validate")
    if validate is not None:
        checked = subprocess.run([validate, str(entry)], capture_output=True, text=True,
                                 timeout=60)
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout

    argv = read_desktop_exec(entry)
    assert home_and_config_in(argv) == (str(home), str(config))
    login = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8",
             "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
             "XDG_RUNTIME_DIR": str(tmp_path / "run"),
             "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}",
             "DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}"}
    ran = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=login,
                         cwd=tmp_path)
    # No display and no bus here, so the coach stops at once, saying why: after opening its
    # home, and having tried only the presence source that the config names.
    assert ran.returncode == 1, ran.stderr
    assert ran.stderr.startswith("glutecoach: error: cannot tell when you are at the keyboard: "
                                 "freedesktop: "), ran.stderr
    assert (home / "glutecoach.db").exists()
    assert not (tmp_path / "data" / "glutecoach").exists()  # not the default home


def test_the_systemd_unit_carries_them_and_options_beat_the_environment(tmp_path: Path) -> None:
    home, config = home_and_config(tmp_path)
    enable_from_cli(tmp_path, "--home", str(home), "--kind", "systemd",
                    GLUTECOACH_HOME=str(tmp_path / "not this one"), GLUTECOACH_CONFIG=str(config))
    unit = tmp_path / "xdg" / "systemd" / "user" / "glutecoach.service"
    assert home_and_config_in(read_systemd_exec(unit)) == (str(home), str(config))
    analyze = shutil.which("systemd-analyze")
    if analyze is not None:
        checked = subprocess.run([analyze, "verify", str(unit)], capture_output=True,
                                 text=True, timeout=60)
        assert checked.returncode == 0, checked.stderr


def test_a_relative_home_is_written_as_an_absolute_path(tmp_path: Path) -> None:
    (tmp_path / "conf dir").mkdir()
    (tmp_path / "conf dir" / "c.toml").write_text("", encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GLUTECOACH_", "XDG_"))}
    clean.update(XDG_CONFIG_HOME=str(tmp_path / "xdg"), GLUTECOACH_HOME="rel home",
                 GLUTECOACH_CONFIG="conf dir/c.toml")
    done = subprocess.run([sys.executable, "-m", "glutecoach", "autostart", "enable"],
                          capture_output=True, text=True, timeout=60, env=clean, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    argv = read_desktop_exec(tmp_path / "xdg" / "autostart" / "glutecoach.desktop")
    assert home_and_config_in(argv) == (str(tmp_path.resolve() / "rel home"),
                                        str(tmp_path.resolve() / "conf dir" / "c.toml"))


def test_without_a_home_or_config_set_the_entry_names_neither(tmp_path: Path) -> None:
    enable_from_cli(tmp_path)
    argv = read_desktop_exec(tmp_path / "xdg" / "autostart" / "glutecoach.desktop")
    assert argv == [sys.executable, "-m", "glutecoach", "run"]


def test_a_config_that_does_not_exist_is_written_with_a_warning(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    done = enable_from_cli(tmp_path, GLUTECOACH_CONFIG=str(missing))
    assert done.stderr.startswith(f"glutecoach: warning: {missing} does not exist yet")
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_launch_agent_and_startup_file_carry_the_home_and_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, platform: str) -> None:
    home, config = tmp_path / "coach home 100%", tmp_path / "c (1).toml"
    monkeypatch.setenv("GLUTECOACH_HOME", str(home))
    monkeypatch.setenv("GLUTECOACH_CONFIG", str(config))
    command = autostart.coach_command(autostart.login_options(), platform)
    path = autostart.enable(command=command, platform=platform, home=tmp_path, env={})
    if platform == "darwin":
        argv = plistlib.loads(path.read_bytes())["ProgramArguments"]
    else:
        argv = read_startup_cmd(path)
    assert home_and_config_in(argv) == (str(home), str(config))

"""The settings window: the tabs, Save and Cancel, the keyboard, and what saving says.

Keyboard: Tab and Shift+Tab move between fields, Ctrl+Tab and Ctrl+Shift+Tab between tabs, and
Alt with a tab's underlined letter opens that tab; Ctrl+S saves and Escape cancels (so do Enter
on "Save" and the window's close button).

Saving reads every tab into the form, then checks the whole config as it would be written with
the models of `config check`. Each problem goes under its field (the window turns to the first
tab with one); nothing is written until there are none. When the file changed on disk since the
window read it (an editor, `config set`), the save is refused and the window offers to reload it.
"""

from __future__ import annotations

import os
import sys
import tkinter as tk
from dataclasses import dataclass, field
from pathlib import Path
from tkinter import ttk

from glutecoach.errors import GlutecoachError
from glutecoach.settings.fields import TABS
from glutecoach.settings.form import SettingsForm, problem_field, problem_text
from glutecoach.settings.tab_coach import CoachTab
from glutecoach.settings.tab_daysoff import DaysOffTab
from glutecoach.settings.tab_desktop import DesktopTab
from glutecoach.settings.tab_hours import HoursTab
from glutecoach.settings.tab_login import LoginTab
from glutecoach.settings.tab_schedule import ScheduleTab
from glutecoach.settings.widgets import Registry, Tab, style

TITLE = "GluteCoach settings"


@dataclass
class Outcome:
    """How the window ended: saved (with the keys written), or left without a change."""

    saved: bool = False
    keys: list[str] = field(default_factory=list)
    autostart: bool | None = None  # turned on (True) or off (False) by this window
    autostart_path: list[Path] = field(default_factory=list)


@dataclass
class Login:
    """What turning "start at login" on writes: the entry `autostart enable` would write with
    the same --home and --config options."""

    home_option: Path | None = None
    config_option: Path | None = None

    def is_on(self) -> bool:
        from glutecoach import autostart

        return bool(autostart.status())

    def turn(self, on: bool) -> list[Path]:
        from glutecoach import autostart

        if not on:
            return autostart.disable()
        options = autostart.login_options(self.home_option, self.config_option)
        return [autostart.enable("auto", autostart.coach_command(options))]


def open_display() -> tk.Tk:
    """The Tk root, or GlutecoachError with the reason there is no window to be had."""
    if sys.platform not in ("darwin", "win32") and not os.environ.get("DISPLAY"):
        raise GlutecoachError("the settings window needs a display, and DISPLAY is not set "
                              "(in a terminal: glutecoach config set KEY VALUE)")
    try:
        return tk.Tk(className="GluteCoach")
    except tk.TclError as exc:
        raise GlutecoachError(f"cannot open the settings window: {exc}") from None


def home_text(path: Path) -> str:
    """A path as a user reads it: ~/.config/glutecoach/config.toml."""
    try:
        return f"~{os.sep}{path.relative_to(Path.home())}"
    except (ValueError, RuntimeError):  # not under the home folder, or no home known
        return str(path)


FOOTER_PATH_CHARS = 60


def footer_text(path: Path, limit: int = FOOTER_PATH_CHARS) -> str:
    """The path for the footer beside Save and Cancel, shortened in the middle when long: the
    label asks Tk for its whole width, and a long path would widen the window past the screen
    or squeeze the buttons. The file name is kept; the title bar has the whole path."""
    text = home_text(path)
    if len(text) <= limit:
        return text
    tail = path.name if len(path.name) < limit - 10 else path.name[-(limit - 10):]
    head = text[: max(limit - len(tail) - 2, 6)]
    return f"{head}…{os.sep}{tail}"


class SettingsWindow:
    """One settings window over one config file. `run()` shows it until Save or Cancel."""

    def __init__(self, root: tk.Tk, path: Path, login: Login) -> None:
        self.root = root
        self.path = path
        self.login = login
        self.outcome = Outcome()
        self.family = style(root)
        root.title(f"{TITLE} — {home_text(path)}")
        root.protocol("WM_DELETE_WINDOW", self.cancel)
        root.bind("<Control-s>", lambda _e: self.save())
        root.bind("<Control-S>", lambda _e: self.save())
        root.bind("<Escape>", self._escape)
        self._geometry()
        self.autostart_on = login.is_on()
        self.body: ttk.Frame | None = None
        self._build(self._open())
        root.bind("<Map>", self._mapped, add="+")

    # --- building ---------------------------------------------------------------------------

    def _open(self) -> SettingsForm:
        from glutecoach.config_edit import ConfigDocument

        return SettingsForm(ConfigDocument.open(self.path))

    def _geometry(self) -> None:
        """Centred, and never larger than the screen: no window manager is needed for either."""
        screen_w, screen_h = self.root.winfo_screenwidth(), self.root.winfo_screenheight()
        width, height = min(940, screen_w - 20), min(680, screen_h - 40)
        self.root.geometry(f"{width}x{height}+{(screen_w - width) // 2}+"
                           f"{(screen_h - height) // 2}")

    def _build(self, form: SettingsForm, tab_index: int = 0) -> None:
        if self.body is not None:
            self.body.destroy()
        self.form = form
        self.registry = Registry()
        self.body = body = ttk.Frame(self.root)
        body.pack(fill="both", expand=True)
        self.message_frame = ttk.Frame(body, style="Message.TFrame")
        self.message = ttk.Label(self.message_frame, style="Message.TLabel", wraplength=740,
                                 justify="left")
        self.message.grid(row=0, column=0, sticky="ew")
        self.message_frame.columnconfigure(0, weight=1)
        self.reload_button = ttk.Button(self.message_frame, text="Reload the file",
                                        command=self.reload)
        self.notebook = ttk.Notebook(body)
        self.notebook.pack(fill="both", expand=True, padx=10, pady=(10, 0))
        self.notebook.enable_traversal()
        self.tabs: dict[str, Tab] = {}
        makers = {"schedule": ScheduleTab, "hours": HoursTab, "days-off": DaysOffTab,
                  "coach": CoachTab, "desktop": DesktopTab}
        for name, label, underline in TABS:
            if name == "login":
                tab: Tab = LoginTab(self.notebook, form, self.registry, self.autostart_on)
            else:
                tab = makers[name](self.notebook, form, self.registry)
            self.notebook.add(tab, text=label, underline=underline)
            self.tabs[name] = tab
        buttons = ttk.Frame(body, padding=(10, 8))
        buttons.pack(fill="x")
        # The buttons are packed first, so they keep their room whatever the label asks for.
        ttk.Button(buttons, text="Cancel", command=self.cancel).pack(side="right")
        ttk.Button(buttons, text="Save", style="Accent.TButton", command=self.save).pack(
            side="right", padx=(0, 8))
        ttk.Label(buttons, text=f"{footer_text(self.path)}   ·   Ctrl+S saves, Escape cancels",
                  style="Help.TLabel").pack(side="left")
        self.notebook.select(tab_index)
        problems = form.doc.problems()
        if problems:
            self._show_problems(problems, "The file as it is has")

    def first_field(self) -> tk.Misc:
        tab = self.tabs["schedule"]
        return tab.first_field() if isinstance(tab, ScheduleTab) else tab

    def _mapped(self, event: tk.Event) -> None:
        if event.widget is self.root:
            self.root.unbind("<Map>")
            # With no window manager nobody gives the new window the keyboard: take it, and
            # select the first field's text as Tab would, so typing replaces it.
            self.root.after(50, self._focus_first)

    def _focus_first(self) -> None:
        entry = self.first_field()
        entry.focus_force()
        if isinstance(entry, ttk.Entry):
            entry.selection_range(0, "end")
            entry.icursor("end")

    # --- messages ---------------------------------------------------------------------------

    def say(self, text: str | None, reload: bool = False) -> None:
        if not text:
            self.message_frame.pack_forget()
            return
        self.message.configure(text=text)
        self.message_frame.pack(fill="x", before=self.notebook, padx=10, pady=(10, 0))
        if reload:
            self.reload_button.grid(row=0, column=1, padx=8)
            self.reload_button.focus_set()  # Enter or Space reloads
        else:
            self.reload_button.grid_remove()

    def _show_problems(self, problems: dict[str, str], lead: str) -> None:
        by_slot: dict[str, list[str]] = {}
        elsewhere: list[str] = []
        for key, message in problems.items():
            slot = problem_field(key, self.registry.slots)
            text = problem_text(key, message, slot)
            if slot is None:
                elsewhere.append(text)
            else:
                by_slot.setdefault(slot, []).append(text)
        shown = self.registry.show({k: "\n".join(v) for k, v in by_slot.items()})
        order = [name for name, _label, _underline in TABS]
        shown.sort(key=lambda slot: order.index(slot.tab))
        tabs = list(dict.fromkeys(label for name, label, _u in TABS
                                  for slot in shown if slot.tab == name))
        count = len(problems)
        where = f" (in red, under the fields: {', '.join(tabs)})" if tabs else ""
        text = f"{lead} {count} problem{'s' if count != 1 else ''}{where}."
        if elsewhere:
            # An unknown key, a value of a kind no field here edits: only the file can say it.
            text += ("\nNo field here shows these; correct them in the file (`glutecoach config "
                     "check` names their lines), then open the settings again:\n"
                     + "\n".join(elsewhere))
        self.say(text)
        if shown:
            first = shown[0]
            self.notebook.select(self.tabs[first.tab])
            if first.focus is not None:
                first.focus.focus_set()

    # --- Save, Cancel, Reload ---------------------------------------------------------------

    def save(self) -> str:
        from glutecoach.config_edit import ConfigChanged

        self.registry.clear()
        for tab in self.tabs.values():
            tab.read()
        changes = self.form.changes()
        login_tab = self.tabs["login"]
        assert isinstance(login_tab, LoginTab)
        autostart = login_tab.autostart_wanted()
        if changes:
            problems = self.form.problems()
            if problems:
                self._show_problems(problems, "Not saved:")
                return "break"
        if autostart is not None:
            try:
                self.outcome.autostart_path = self.login.turn(autostart)
            except GlutecoachError as exc:
                self._show_problems({"autostart": str(exc)}, "Not saved:")
                return "break"
            login_tab.autostart_was = autostart
            self.outcome.autostart = autostart
        if changes:
            try:
                self.form.save()
            except ConfigChanged:
                self.say(f"Not saved: {self.path} changed on disk since this window read it "
                         "(an editor, `glutecoach config set` or another window saved it). "
                         "Reload it to see what it holds now (your changes here are "
                         "dropped), or Cancel to leave it as it is.", reload=True)
                return "break"
            except GlutecoachError as exc:
                self.say(f"Not saved: {exc}")
                return "break"
            self.outcome.saved = True
            self.outcome.keys = list(changes)
        self.root.destroy()
        return "break"

    def cancel(self) -> None:
        self.outcome = Outcome(autostart=self.outcome.autostart,
                               autostart_path=self.outcome.autostart_path)
        self.root.destroy()

    def _escape(self, _event: tk.Event) -> str:
        # Bound on the main window only: Escape in the copy dialog or in an open combobox list
        # (toplevels of their own) closes just that.
        self.cancel()
        return "break"

    def reload(self) -> None:
        current = self.notebook.index(self.notebook.select())
        try:
            form = self._open()
        except GlutecoachError as exc:
            self.say(f"Cannot reload: {exc}", reload=True)
            return
        self._build(form, current)
        self.say(f"Reloaded {self.path}: this is what it holds now.")
        self._focus_first()

    def run(self) -> Outcome:
        self.root.mainloop()
        return self.outcome

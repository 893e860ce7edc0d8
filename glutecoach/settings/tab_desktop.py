"""The Desktop & meetings tab: how prompts are shown (notifier, tray, break window, where idle
time comes from), the moment of the break (heads-up, sound, break screen, strict mode) and what
holds prompts back in a meeting (signals, calendar file, app lists)."""

from __future__ import annotations

import tkinter as tk
from tkinter import filedialog, ttk
from typing import get_args

from glutecoach.config import Desktop
from glutecoach.meetings.config import SIGNAL_NAMES
from glutecoach.settings.form import (
    SettingsForm,
    names_text,
    optional_text,
    parse_names,
    parse_number,
)
from glutecoach.settings.widgets import Registry, Tab, check_list, checked, number_text

SIGNAL_LABELS = {"camera": "Camera in use", "microphone": "Microphone in use",
                 "fullscreen": "Meeting app fullscreen", "inhibitor": "Screen kept awake",
                 "do-not-disturb": "Do not disturb", "calendar": "Busy in the calendar"}
APP_LISTS = (
    ("meetings.meeting_apps", "Meeting apps", "their fullscreen window or idle inhibitor is a "
                                              "meeting"),
    ("meetings.presenting_apps", "Presenting apps", 'their fullscreen window or inhibitor is a '
                                                    'presentation ("*": every one)'),
    ("meetings.ignore_apps", "Ignored apps", "their camera, microphone, fullscreen window or "
                                             "inhibitor is never a meeting"),
)


def choices(field: str) -> list[str]:
    """The values a Literal field of [desktop] allows, from the model itself."""
    annotation = Desktop.model_fields[field].annotation
    # "desktop-notifier" is the old name of "freedesktop": accepted in files, not offered.
    return [c for c in get_args(annotation) if c != "desktop-notifier"]


class DesktopTab(Tab):
    name = "desktop"

    def __init__(self, parent: tk.Misc, form: SettingsForm, registry: Registry) -> None:
        super().__init__(parent, form, registry)
        values = form.values
        desk = ttk.LabelFrame(self, text="Desktop", padding=(10, 6))
        desk.grid(row=0, column=0, sticky="ew")
        self.combos: dict[str, ttk.Combobox] = {}
        for n, (field, label, help_text) in enumerate((
            ("notifier", "Prompts shown by", '"auto": desktop notifications with buttons on '
                                             'Linux, plyer on macOS and Windows'),
            ("presence", "Idle time from", '"auto" picks X11, GNOME Mutter, the Wayland idle '
                                           'protocol or D-Bus as the session allows'),
        )):
            key = f"desktop.{field}"
            ttk.Label(desk, text=label).grid(row=3 * n, column=0, sticky="w")
            combo = ttk.Combobox(desk, state="readonly", width=14, values=choices(field))
            combo.set(values[key])
            combo.grid(row=3 * n, column=1, sticky="w", padx=(8, 8))
            ttk.Label(desk, text=help_text, style="Help.TLabel").grid(row=3 * n, column=2,
                                                                      sticky="w")
            self.error_line(desk, key, combo, row=3 * n + 1, column=1, columnspan=2)
            self.combos[key] = combo
        self.flags = {key: tk.BooleanVar(self, value=bool(values[key]))
                      for key in ("desktop.tray", "desktop.break_window")}
        ttk.Checkbutton(desk, text="Tray icon (where the desktop has a tray)",
                        variable=self.flags["desktop.tray"]).grid(
            row=6, column=0, columnspan=3, sticky="w", pady=(4, 0))
        ttk.Checkbutton(desk, text="Break window with the plan, a countdown and the answer "
                                   "buttons", variable=self.flags["desktop.break_window"]).grid(
            row=7, column=0, columnspan=3, sticky="w")

        self._build_break(values)

        meet = ttk.LabelFrame(self, text="Meetings: prompts wait while one of these is on",
                              padding=(10, 6))
        meet.grid(row=2, column=0, sticky="ew", pady=(10, 0))
        signals, self.signals = check_list(meet, [(s, SIGNAL_LABELS[s]) for s in SIGNAL_NAMES],
                                           values["meetings.signals"] or [], columns=3)
        signals.grid(row=0, column=0, columnspan=3, sticky="w")
        self.error_line(meet, "meetings.signals", signals, row=1, column=0, columnspan=3)
        ttk.Label(meet, text="Calendar file").grid(row=2, column=0, sticky="w", pady=(6, 0))
        self.calendar = ttk.Entry(meet, width=44)
        self.calendar.insert(0, values["meetings.calendar"] or "")
        self.calendar.grid(row=2, column=1, sticky="w", padx=(8, 4), pady=(6, 0))
        ttk.Button(meet, text="Browse…", command=self.browse).grid(row=2, column=2, sticky="w",
                                                                    pady=(6, 0))
        ttk.Label(meet, text="An .ics file; a busy event holds prompts back. Empty: none.",
                  style="Help.TLabel").grid(row=3, column=1, columnspan=2, sticky="w",
                                            padx=(8, 0))
        self.error_line(meet, "meetings.calendar", self.calendar, row=4, column=1,
                        columnspan=2, padx=(8, 0))
        self.apps: dict[str, ttk.Entry] = {}
        for n, (key, label, help_text) in enumerate(APP_LISTS):
            row = 5 + 3 * n
            ttk.Label(meet, text=label).grid(row=row, column=0, sticky="w", pady=(6, 0))
            entry = ttk.Entry(meet, width=60)
            entry.insert(0, names_text(values[key] or []))
            entry.grid(row=row, column=1, columnspan=2, sticky="w", padx=(8, 0), pady=(6, 0))
            ttk.Label(meet, text=f"Comma-separated: {help_text}.", style="Help.TLabel").grid(
                row=row + 1, column=1, columnspan=2, sticky="w", padx=(8, 0))
            self.error_line(meet, key, entry, row=row + 2, column=1, columnspan=2, padx=(8, 0))
            self.apps[key] = entry

    def _build_break(self, values: dict[str, object]) -> None:
        """Heads-up, sound, break screen and strict mode (issue 14): compact, two to a row."""
        frame = ttk.LabelFrame(self, text="The break", padding=(10, 6))
        frame.grid(row=1, column=0, sticky="ew", pady=(10, 0))
        self.numbers: dict[str, ttk.Entry] = {}
        for row, column, key, label, unit in (
            (0, 0, "desktop.heads_up_seconds", "Heads-up", "s before a prompt (0: none)"),
            (0, 3, "desktop.volume", "Volume", "0 to 1"),
        ):
            ttk.Label(frame, text=label).grid(row=row, column=column, sticky="w",
                                              padx=(16 if column else 0, 0))
            entry = ttk.Entry(frame, width=6)
            entry.insert(0, number_text(values[key]))
            entry.grid(row=row, column=column + 1, sticky="w", padx=(8, 4))
            ttk.Label(frame, text=unit, style="Help.TLabel").grid(row=row, column=column + 2,
                                                                  sticky="w")
            self.error_line(frame, key, entry, row=row + 1, column=column, columnspan=3)
            self.numbers[key] = entry
        for row, column, field, label in ((2, 0, "sound", "Sound"),
                                          (2, 3, "break_screen", "Break shown as")):
            key = f"desktop.{field}"
            ttk.Label(frame, text=label).grid(row=row, column=column, sticky="w",
                                              padx=(16 if column else 0, 0))
            combo = ttk.Combobox(frame, state="readonly", width=10, values=choices(field))
            combo.set(str(values[key]))
            combo.grid(row=row, column=column + 1, columnspan=2, sticky="w", padx=(8, 4))
            self.error_line(frame, key, combo, row=row + 1, column=column, columnspan=3)
            self.combos[key] = combo
        ttk.Label(frame, text='"fullscreen": the plan on the monitor with the pointer, the '
                              'others dimmed with the time left', style="Help.TLabel").grid(
            row=4, column=0, columnspan=6, sticky="w")
        self.flags["desktop.strict"] = tk.BooleanVar(self, value=bool(values["desktop.strict"]))
        ttk.Checkbutton(frame, text="Strict mode: no Skip or Snooze; the break screen stays for "
                                    "the break (emergency exit: hold Esc 3 s, counted as "
                                    "skipped)", variable=self.flags["desktop.strict"]).grid(
            row=5, column=0, columnspan=6, sticky="w", pady=(4, 0))

    def browse(self) -> None:
        path = filedialog.askopenfilename(
            parent=self, title="GluteCoach settings: calendar file",
            filetypes=[("Calendar files", "*.ics"), ("All files", "*")])
        if path:
            self.calendar.delete(0, "end")
            self.calendar.insert(0, path)

    def read(self) -> None:
        values = self.form.values
        for key, combo in self.combos.items():
            values[key] = combo.get()
        for key, var in self.flags.items():
            values[key] = var.get()
        for key, entry in self.numbers.items():
            values[key] = parse_number(entry.get())
        values["meetings.signals"] = checked(self.signals,
                                             self.form.initial["meetings.signals"] or [])
        values["meetings.calendar"] = optional_text(self.calendar.get())
        for key, entry in self.apps.items():
            names = parse_names(entry.get())
            # The same names in the same order as before are no change, however they are spaced.
            values[key] = self.form.initial[key] if names == self.form.initial[key] else names

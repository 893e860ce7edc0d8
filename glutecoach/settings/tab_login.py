"""The Login & summary tab: start at login (what `glutecoach autostart enable/disable` does) and
the weekly review (the daily movement goal, the weekly summary's day and time)."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from glutecoach.config import WEEKDAYS
from glutecoach.settings.fields import MOVEMENT_GOAL, WEEKDAY_NAMES
from glutecoach.settings.form import SettingsForm, parse_number
from glutecoach.settings.widgets import Registry, Tab, number_text


class LoginTab(Tab):
    name = "login"

    def __init__(self, parent: tk.Misc, form: SettingsForm, registry: Registry,
                 autostart_on: bool) -> None:
        super().__init__(parent, form, registry)
        values = form.values
        login = ttk.LabelFrame(self, text="Login", padding=(10, 6))
        login.grid(row=0, column=0, sticky="ew")
        self.autostart_was = autostart_on
        self.autostart = tk.BooleanVar(self, value=autostart_on)
        ttk.Checkbutton(login, text="Start GluteCoach when I log in",
                        variable=self.autostart).grid(row=0, column=0, sticky="w")
        ttk.Label(login, text="Writes or removes the autostart entry, as `glutecoach autostart "
                              "enable` / `disable` do; it takes effect at the next login.",
                  style="Help.TLabel").grid(row=1, column=0, sticky="w")
        self.autostart_error = self.error_line(login, "autostart", None, row=2, column=0)

        week = ttk.LabelFrame(self, text="Weekly review", padding=(10, 6))
        week.grid(row=1, column=0, sticky="ew", pady=(10, 0))
        ttk.Label(week, text=MOVEMENT_GOAL.label).grid(row=0, column=0, sticky="w")
        self.goal = ttk.Entry(week, width=8, justify="right")
        self.goal.insert(0, number_text(values[MOVEMENT_GOAL.key]))
        self.goal.grid(row=0, column=1, sticky="w", padx=(8, 6))
        ttk.Label(week, text=MOVEMENT_GOAL.unit).grid(row=0, column=2, sticky="w")
        ttk.Label(week, text=MOVEMENT_GOAL.why, style="Help.TLabel", wraplength=620,
                  justify="left").grid(row=1, column=1, columnspan=4, sticky="w", padx=(8, 0))
        self.error_line(week, MOVEMENT_GOAL.key, self.goal, row=2, column=1, columnspan=4,
                        padx=(8, 0))
        self.summary = tk.BooleanVar(self, value=bool(values["report.weekly_summary"]))
        # A row of its own: the help line above spans columns that would push these apart.
        when = ttk.Frame(week)
        when.grid(row=3, column=0, columnspan=5, sticky="w", pady=(10, 0))
        ttk.Checkbutton(when, text="A summary of the week as a notification, on",
                        variable=self.summary).grid(row=0, column=0, sticky="w")
        self.day = ttk.Combobox(when, state="readonly", width=11, values=WEEKDAY_NAMES)
        day = values["report.summary_day"]
        self.day.set(WEEKDAY_NAMES[WEEKDAYS.index(day)] if day in WEEKDAYS else day)
        self.day.grid(row=0, column=1, sticky="w", padx=(6, 6))
        ttk.Label(when, text="at").grid(row=0, column=2, sticky="w")
        self.time = ttk.Entry(when, width=6)
        self.time.insert(0, values["report.summary_time"])
        self.time.grid(row=0, column=3, sticky="w", padx=(6, 0))
        ttk.Label(when, text='a local time, "HH:MM"', style="Help.TLabel").grid(
            row=0, column=4, sticky="w", padx=(6, 0))
        self.error_line(when, "report.summary_day", self.day, row=1, column=1, columnspan=4)
        self.error_line(when, "report.summary_time", self.time, row=2, column=1, columnspan=4)

    def read(self) -> None:
        values = self.form.values
        values[MOVEMENT_GOAL.key] = parse_number(self.goal.get())
        values["report.weekly_summary"] = self.summary.get()
        day = self.day.get()
        values["report.summary_day"] = WEEKDAYS[WEEKDAY_NAMES.index(day)] \
            if day in WEEKDAY_NAMES else day
        values["report.summary_time"] = self.time.get().strip()

    def autostart_wanted(self) -> bool | None:
        """True or False when the checkbox changed, None when it did not."""
        now = self.autostart.get()
        return None if now == self.autostart_was else now

"""The Schedule tab: the sitting rules' numbers, each with its unit, range and the study behind
its default."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from glutecoach.settings.fields import SCHEDULE_FIELDS
from glutecoach.settings.form import SettingsForm, parse_number
from glutecoach.settings.widgets import Registry, Tab, number_text


class ScheduleTab(Tab):
    name = "schedule"

    def __init__(self, parent: tk.Misc, form: SettingsForm, registry: Registry) -> None:
        super().__init__(parent, form, registry)
        self.entries: dict[str, ttk.Entry] = {}
        ttk.Label(self, text="When a break is due, and how long it is. Empty a field for its "
                             "default.", style="Help.TLabel").grid(
            row=0, column=0, columnspan=4, sticky="w", pady=(0, 8))
        row = 1
        for spec in SCHEDULE_FIELDS:
            ttk.Label(self, text=spec.label).grid(row=row, column=0, sticky="w", padx=(0, 10))
            entry = ttk.Entry(self, width=8, justify="right")
            entry.insert(0, number_text(form.values[spec.key]))
            entry.grid(row=row, column=1, sticky="w")
            ttk.Label(self, text=spec.unit).grid(row=row, column=2, sticky="w", padx=(6, 14))
            ttk.Label(self, text=spec.range_text, style="Help.TLabel").grid(
                row=row, column=3, sticky="w")
            ttk.Label(self, text=spec.why, style="Help.TLabel", wraplength=640,
                      justify="left").grid(row=row + 1, column=1, columnspan=3, sticky="w")
            self.error_line(self, spec.key, entry, row=row + 2, column=1, columnspan=3)
            ttk.Frame(self, height=8).grid(row=row + 3, column=0)
            self.entries[spec.key] = entry
            row += 4
        self.columnconfigure(3, weight=1)

    def first_field(self) -> ttk.Entry:
        return self.entries[SCHEDULE_FIELDS[0].key]

    def read(self) -> None:
        for key, entry in self.entries.items():
            self.form.values[key] = parse_number(entry.get())

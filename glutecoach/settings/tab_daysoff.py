"""The Days off tab: vacations and other days off (`[[schedule.days_off]]`) as a list to add to
and remove from, and the country whose public holidays are days off (`schedule.holidays`)."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from glutecoach.settings.form import (
    DayOffRow,
    FieldError,
    SettingsForm,
    day_off_row,
    optional_text,
)
from glutecoach.settings.widgets import ErrorLine, Registry, Tab

DAYS_OFF = "schedule.days_off"


class DaysOffTab(Tab):
    name = "days-off"

    def __init__(self, parent: tk.Misc, form: SettingsForm, registry: Registry) -> None:
        super().__init__(parent, form, registry)
        ttk.Label(self, text="A day off has no work hours: no prompts (sitting is still "
                             "recorded), and the weekly report leaves it out of the goal's "
                             "streak.", style="Help.TLabel", wraplength=760,
                  justify="left").grid(row=0, column=0, columnspan=2, sticky="w", pady=(0, 8))
        self.rows: list[DayOffRow] = form.days_off()
        self.tree = ttk.Treeview(self, columns=("days", "note"), show="headings", height=8,
                                 selectmode="browse")
        self.tree.heading("days", text="Days")
        self.tree.heading("note", text="Note")
        self.tree.column("days", width=220, stretch=False)
        self.tree.column("note", width=420)
        self.tree.grid(row=1, column=0, sticky="nsew")
        self.tree.bind("<Delete>", lambda _e: self.remove())
        self.remove_button = ttk.Button(self, text="Remove", command=self.remove)
        self.remove_button.grid(row=1, column=1, sticky="nw", padx=(8, 0))
        self.error_line(self, DAYS_OFF, self.tree, row=2, column=0, columnspan=2)

        add = ttk.LabelFrame(self, text="Add days off", padding=(10, 6))
        add.grid(row=3, column=0, columnspan=2, sticky="ew", pady=(10, 0))
        self.first, self.last, self.note = (ttk.Entry(add, width=w) for w in (12, 12, 36))
        for n, (label, entry) in enumerate((("First day", self.first), ("Last day", self.last),
                                            ("Note", self.note))):
            ttk.Label(add, text=label).grid(row=0, column=n, sticky="w", padx=(0, 8))
            entry.grid(row=1, column=n, sticky="w", padx=(0, 8))
        ttk.Button(add, text="Add", command=self.add).grid(row=1, column=3, sticky="w")
        ttk.Label(add, text="Dates like 2026-12-24; leave the last day empty for one day.",
                  style="Help.TLabel").grid(row=2, column=0, columnspan=4, sticky="w")
        self.add_error = ErrorLine(add, row=3, column=0, columnspan=4)
        for entry in (self.first, self.last, self.note):
            entry.bind("<Return>", lambda _e: self.add())

        holidays = ttk.Frame(self)
        holidays.grid(row=4, column=0, columnspan=2, sticky="w", pady=(14, 0))
        ttk.Label(holidays, text="Public holidays of", style="Day.TLabel").grid(
            row=0, column=0, sticky="w")
        self.holidays = ttk.Entry(holidays, width=10)
        self.holidays.insert(0, form.values["schedule.holidays"] or "")
        self.holidays.grid(row=0, column=1, sticky="w", padx=(10, 0))
        ttk.Label(holidays, text='A country code and, optionally, its subdivision: "DE", '
                                 '"DE-BY", "US-CA", "GB". Empty: none.',
                  style="Help.TLabel").grid(row=1, column=1, sticky="w", padx=(10, 0))
        self.error_line(holidays, "schedule.holidays", self.holidays, row=2, column=1,
                        padx=(10, 0))
        self.columnconfigure(0, weight=1)
        self._fill()

    def _fill(self, select: int | None = None) -> None:
        self.tree.delete(*self.tree.get_children())
        for n, row in enumerate(self.rows):
            self.tree.insert("", "end", iid=str(n), values=(row.span_text(), row.note))
        if select is not None and self.rows:
            iid = str(min(select, len(self.rows) - 1))
            self.tree.selection_set(iid)
            self.tree.focus(iid)
            self.tree.see(iid)

    def add(self) -> None:
        try:
            row = day_off_row(self.first.get(), self.last.get(), self.note.get())
        except FieldError as exc:
            self.add_error.say(str(exc))
            return
        self.add_error.say(None)
        # Before the first later day, the others left in their order (as `off add` does): a
        # re-sorted list would be a reordered one, written anew without its comments.
        at = next((i for i, r in enumerate(self.rows) if r.first > row.first), len(self.rows))
        self.rows.insert(at, row)
        for entry in (self.first, self.last, self.note):
            entry.delete(0, "end")
        self._fill(at)
        self.first.focus_set()

    def remove(self) -> None:
        selected = self.tree.selection()
        if not selected:
            return
        index = int(selected[0])
        del self.rows[index]
        self._fill(index)

    def read(self) -> None:
        before = [DayOffRow.from_value(v) for v in self.form.initial[DAYS_OFF] or []]
        # Unchanged rows keep the value as the file has it (so an untouched list is no change).
        self.form.values[DAYS_OFF] = (self.form.initial[DAYS_OFF] if self.rows == before
                                      else [row.to_value() for row in self.rows])
        self.form.values["schedule.holidays"] = optional_text(self.holidays.get())

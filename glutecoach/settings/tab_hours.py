"""The Work hours tab: a week view (one row per weekday, several ranges a day, add, remove and
copy a day to others) and the time zone.

Keyboard: Tab goes through a day's ranges, then its "+ Range" and "Copy to…" buttons, then the
next day. "+ Range" puts the cursor in a new empty range; emptying a range removes it (the small
× beside it does the same with the mouse).
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from glutecoach.config import WEEKDAYS
from glutecoach.settings.fields import WEEKDAY_NAMES
from glutecoach.settings.form import SettingsForm, copy_day, parse_ranges
from glutecoach.settings.tab_zone import ZonePicker
from glutecoach.settings.widgets import Registry, Tab


class DayRow(ttk.Frame):
    """One weekday: its range entries, then "+ Range" and "Copy to…"."""

    def __init__(self, parent: tk.Misc, day: int, ranges: list[str], tab: HoursTab) -> None:
        super().__init__(parent)
        self.day = day
        self.tab = tab
        ttk.Label(self, text=WEEKDAY_NAMES[day], width=11, style="Day.TLabel").grid(
            row=0, column=0, sticky="w")
        # The ranges sit in a frame of their own made before the buttons, so a new range comes
        # before "+ Range" in the Tab order too (Tk's order is the order widgets were made in).
        self.ranges_frame = ttk.Frame(self)
        self.ranges_frame.grid(row=0, column=1, sticky="w")
        self.entries: list[ttk.Entry] = []
        self.add_button = ttk.Button(self, text="+ Range", width=8, command=self.add_range)
        self.add_button.grid(row=0, column=2, padx=(8, 4))
        self.copy_button = ttk.Button(self, text="Copy to…", width=9,
                                      command=lambda: tab.copy_dialog(day))
        self.copy_button.grid(row=0, column=3)
        self.set_ranges(ranges)

    def set_ranges(self, ranges: list[str]) -> None:
        for child in self.ranges_frame.winfo_children():
            child.destroy()
        self.entries = []
        for text in ranges:
            self._entry(text)
        self._none_label()

    def _entry(self, text: str) -> ttk.Entry:
        cell = ttk.Frame(self.ranges_frame)
        cell.pack(side="left", padx=(0, 6))
        entry = ttk.Entry(cell, width=12)
        entry.insert(0, text)
        entry.pack(side="left")
        # The mouse's way to remove a range; from the keyboard, empty it.
        ttk.Button(cell, text="×", width=2, takefocus=False, style="Small.TButton",
                   command=lambda: self._remove(cell, entry)).pack(side="left")
        self.entries.append(entry)
        return entry

    def _none_label(self) -> None:
        if not self.entries:
            ttk.Label(self.ranges_frame, text="no work hours", style="Help.TLabel").pack(
                side="left", padx=(0, 6))

    def add_range(self) -> None:
        for child in self.ranges_frame.winfo_children():
            if isinstance(child, ttk.Label):
                child.destroy()
        entry = self._entry("")
        entry.focus_set()

    def _remove(self, cell: ttk.Frame, entry: ttk.Entry) -> None:
        self.entries.remove(entry)
        cell.destroy()
        self._none_label()

    def ranges(self) -> list[str]:
        return parse_ranges(e.get() for e in self.entries)


class HoursTab(Tab):
    name = "hours"

    def __init__(self, parent: tk.Misc, form: SettingsForm, registry: Registry) -> None:
        super().__init__(parent, form, registry)
        ttk.Label(self, text='Prompts come only inside these hours, in the time zone below. '
                             'Ranges are "HH:MM-HH:MM" (24:00 ends a day); a day with none has '
                             'no prompts.', style="Help.TLabel", wraplength=760,
                  justify="left").grid(row=0, column=0, sticky="w", pady=(0, 8))
        week = ttk.Frame(self)
        week.grid(row=1, column=0, sticky="w")
        hours = form.hours()
        self.rows: list[DayRow] = []
        for n, day in enumerate(WEEKDAYS):
            row = DayRow(week, n, hours[day], self)
            row.grid(row=2 * n, column=0, sticky="w", pady=(3, 0))
            self.error_line(week, f"schedule.hours.{day}", row.add_button, row=2 * n + 1,
                            column=0, padx=(90, 0))
            self.rows.append(row)
        ttk.Separator(self).grid(row=2, column=0, sticky="ew", pady=10)
        self.zone = ZonePicker(self, form.values["schedule.timezone"])
        self.zone.grid(row=3, column=0, sticky="w")
        self.error_line(self, "schedule.timezone", self.zone.search, row=4, column=0)

    def copy_dialog(self, day: int) -> None:
        CopyDialog(self, day)

    def copy(self, source: int, targets: list[int]) -> None:
        hours = {WEEKDAYS[row.day]: row.ranges() for row in self.rows}
        copy_day(hours, WEEKDAYS[source], [WEEKDAYS[t] for t in targets])
        for t in targets:
            self.rows[t].set_ranges(hours[WEEKDAYS[t]])

    def read(self) -> None:
        for row in self.rows:
            self.form.values[f"schedule.hours.{WEEKDAYS[row.day]}"] = row.ranges()
        self.form.values["schedule.timezone"] = self.zone.value()


class CopyDialog(tk.Toplevel):
    """"Copy Monday to…": a checkbox per other weekday (Alt+its underlined letter), OK, Cancel.
    Return is OK, Escape is Cancel."""

    # The underlined letter of each day, unique within the week: Monday, Tuesday, Wednesday,
    # tHursday, Friday, sAturday, sUnday.
    MNEMONIC = (0, 0, 0, 1, 0, 1, 1)

    def __init__(self, tab: HoursTab, source: int) -> None:
        # A border of its own: with no window manager to frame it, it would melt into the
        # window below.
        super().__init__(tab, borderwidth=1, relief="solid")
        self.tab = tab
        self.source = source
        self.title(f"GluteCoach settings: copy {WEEKDAY_NAMES[source]}")
        self.transient(tab.winfo_toplevel())
        self.configure(background=tab.winfo_toplevel().cget("background"))
        body = ttk.Frame(self, padding=14)
        body.pack(fill="both", expand=True)
        ranges = tab.rows[source].ranges()
        ttk.Label(body, text=f"Copy {WEEKDAY_NAMES[source]}'s hours "
                             f"({' '.join(ranges) or 'none'}) to:").grid(
            row=0, column=0, columnspan=2, sticky="w", pady=(0, 6))
        self.vars: dict[int, tk.BooleanVar] = {}
        first: ttk.Checkbutton | None = None
        for n, name in enumerate(WEEKDAY_NAMES):
            if n == source:
                continue
            var = tk.BooleanVar(self, value=False)
            button = ttk.Checkbutton(body, text=name, variable=var, underline=self.MNEMONIC[n])
            button.grid(row=1 + n, column=0, columnspan=2, sticky="w")
            letter = name[self.MNEMONIC[n]].lower()
            self.bind(f"<Alt-{letter}>", lambda _e, v=var: v.set(not v.get()))
            self.vars[n] = var
            first = first or button
        buttons = ttk.Frame(body)
        buttons.grid(row=9, column=0, columnspan=2, sticky="e", pady=(10, 0))
        ttk.Button(buttons, text="Cancel", command=self.cancel).pack(side="right")
        ttk.Button(buttons, text="Copy", style="Accent.TButton", command=self.ok).pack(
            side="right", padx=(0, 6))
        self.bind("<Return>", lambda _e: self.ok())
        self.bind("<KP_Enter>", lambda _e: self.ok())
        self.bind("<Escape>", lambda _e: self.cancel())
        self.protocol("WM_DELETE_WINDOW", self.cancel)
        self._place()
        self.wait_visibility()
        self.grab_set()
        # focus_force, not focus_set: with no window manager (or a slow one) nothing hands the
        # new toplevel the keyboard, and the keys would still go to the settings window.
        self.focus_force()
        if first is not None:
            first.focus_set()

    def _place(self) -> None:
        """Over the settings window: with no window manager a new toplevel lands at 0,0."""
        self.update_idletasks()
        top = self.tab.winfo_toplevel()
        x = top.winfo_rootx() + (top.winfo_width() - self.winfo_reqwidth()) // 2
        y = top.winfo_rooty() + (top.winfo_height() - self.winfo_reqheight()) // 3
        self.geometry(f"+{max(x, 0)}+{max(y, 0)}")

    def cancel(self) -> None:
        copy_button = self.tab.rows[self.source].copy_button
        self.destroy()
        copy_button.winfo_toplevel().focus_force()
        copy_button.focus_set()

    def ok(self) -> None:
        targets = [n for n, var in self.vars.items() if var.get()]
        copy_button = self.tab.rows[self.source].copy_button
        self.tab.copy(self.source, targets)
        self.destroy()
        # The keyboard back to the settings window: with no window manager nothing gives it
        # back when the dialog goes, and the next keys would go nowhere.
        copy_button.winfo_toplevel().focus_force()
        copy_button.focus_set()

"""The time zone: a search field over the IANA names this system knows, and the list of matches.

The first line of the list is "the system's zone", which leaves `schedule.timezone` out of the
file (the default: the coach follows the machine when it travels).
"""

from __future__ import annotations

import tkinter as tk
import zoneinfo
from tkinter import ttk

from glutecoach.settings.widgets import scrolled_listbox


def system_zone_name() -> str:
    from glutecoach.config import system_zone

    return system_zone().key


class ZonePicker(ttk.Frame):
    def __init__(self, parent: tk.Misc, value: str | None) -> None:
        super().__init__(parent)
        self.system = f"The system's zone ({system_zone_name()})"
        self.names = sorted(n for n in zoneinfo.available_timezones()
                            if not n.startswith(("posix/", "right/")))
        self.chosen: str | None = value
        ttk.Label(self, text="Time zone", style="Day.TLabel").grid(row=0, column=0, sticky="w")
        self.current = ttk.Label(self, text=self._label())
        self.current.grid(row=0, column=1, sticky="w", padx=(10, 0))
        ttk.Label(self, text="Search", style="Help.TLabel").grid(row=1, column=0, sticky="w")
        self.query = tk.StringVar(self)
        self.search = ttk.Entry(self, textvariable=self.query, width=28)
        self.search.grid(row=1, column=1, sticky="w", padx=(10, 0), pady=(4, 4))
        frame, self.box = scrolled_listbox(self, height=5, width=40)
        frame.grid(row=2, column=1, sticky="w", padx=(10, 0))
        self.shown: list[str | None] = []
        self.query.trace_add("write", lambda *_: self._fill())
        self.box.bind("<<ListboxSelect>>", lambda _e: self._pick())
        # Down from the search field goes into the list, as in a browser's address bar.
        self.search.bind("<Down>", lambda _e: self._into_list())
        self.search.bind("<Return>", lambda _e: self._into_list())
        self._fill()

    def _label(self) -> str:
        return f"in force: {self.chosen}" if self.chosen else f"in force: {self.system}"

    def _fill(self) -> None:
        # "new york" finds America/New_York: the names have underscores for spaces.
        needle = self.query.get().strip().lower().replace(" ", "_")
        matches = [n for n in self.names if needle in n.lower()]
        self.shown = list(matches) if needle else [None, *matches]
        self.box.delete(0, "end")
        for name in self.shown:
            self.box.insert("end", self.system if name is None else name)
        if self.chosen in self.shown:
            index = self.shown.index(self.chosen)
            self.box.selection_set(index)
            self.box.see(index)
            self.box.activate(index)

    def _into_list(self) -> str:
        if self.shown:
            self.box.focus_set()
            if not self.box.curselection():
                self.box.selection_set(0)
                self.box.activate(0)
                self._pick()
        return "break"

    def _pick(self) -> None:
        selected = self.box.curselection()
        if selected:
            self.chosen = self.shown[selected[0]]
            self.current.configure(text=self._label())

    def value(self) -> str | None:
        return self.chosen

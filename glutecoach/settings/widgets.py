"""The Tk plumbing the tabs share: the look, a field's error line, and the registry that puts
each problem beside its field.

Made and used on the Tk main thread of the settings process only.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Iterable
from dataclasses import dataclass, field
from tkinter import ttk
from typing import Any

from glutecoach.settings.form import SettingsForm

# The break window's calm palette (window/tk_view.py), and a red that reads as "wrong" on it.
BG = "#f5f2eb"
PANEL = "#e9e4d8"
TEXT = "#2f3b37"
MUTED = "#6d7672"
ACCENT = "#3d7a6b"
ERROR = "#b3261e"
FAMILIES = ("Cantarell", "Noto Sans", "DejaVu Sans", "Segoe UI", "Helvetica Neue", "Helvetica")
WRAP = 560  # pixels: the width of a help or error line


def style(root: tk.Tk) -> str:
    """Set the window's ttk styles; returns the font family in use."""
    available = set(root.tk.splitlist(root.tk.call("font", "families")))
    family = next((f for f in FAMILIES if f in available), "TkDefaultFont")
    root.configure(background=BG)
    s = ttk.Style(root)
    s.theme_use("clam")
    base = (family, 10)
    s.configure(".", background=BG, foreground=TEXT, font=base, fieldbackground="white")
    s.configure("TNotebook", background=BG, borderwidth=0)
    s.configure("TNotebook.Tab", padding=(12, 5), background=PANEL)
    s.map("TNotebook.Tab", background=[("selected", BG)])
    s.configure("Help.TLabel", foreground=MUTED, font=(family, 9))
    s.configure("Error.TLabel", foreground=ERROR, font=(family, 9, "bold"))
    s.configure("Heading.TLabel", font=(family, 11, "bold"))
    s.configure("Day.TLabel", font=(family, 10, "bold"))
    s.configure("Message.TLabel", background=PANEL, padding=(10, 6))
    s.configure("Message.TFrame", background=PANEL)
    s.configure("Accent.TButton", background=ACCENT, foreground="white",
                font=(family, 10, "bold"))
    s.map("Accent.TButton", background=[("active", "#336a5c")])
    s.configure("Small.TButton", padding=(2, 0))
    root.option_add("*Listbox.font", base)
    root.option_add("*Listbox.background", "white")
    root.option_add("*Listbox.selectBackground", ACCENT)
    root.option_add("*Listbox.selectForeground", "white")
    root.option_add("*TCombobox*Listbox.font", base)
    return family


class ErrorLine(ttk.Label):
    """A red line under a field: hidden (taking no room) until it has something to say."""

    def __init__(self, parent: tk.Misc, **grid: Any) -> None:
        super().__init__(parent, style="Error.TLabel", wraplength=WRAP, justify="left")
        self._grid = {"sticky": "w", **grid}

    def say(self, message: str | None) -> None:
        if message:
            self.configure(text=message)
            self.grid(**self._grid)
        else:
            self.configure(text="")
            self.grid_remove()


@dataclass
class Slot:
    """Where a key's problems are shown: its tab, its error line, what takes the focus."""

    key: str
    tab: str
    error: ErrorLine
    focus: tk.Misc | None = None


@dataclass
class Registry:
    """Every field of the window by key, in the order the tabs show them."""

    slots: dict[str, Slot] = field(default_factory=dict)

    def add(self, key: str, tab: str, error: ErrorLine, focus: tk.Misc | None = None) -> None:
        self.slots[key] = Slot(key, tab, error, focus)

    def clear(self) -> None:
        for slot in self.slots.values():
            slot.error.say(None)

    def show(self, by_key: dict[str, str]) -> list[Slot]:
        """Put each message beside its field's slot; the slots that show one, in window order."""
        self.clear()
        for key, message in by_key.items():
            self.slots[key].error.say(message)
        return [slot for key, slot in self.slots.items() if key in by_key]


class Tab(ttk.Frame):
    """A tab: reads its widgets into the form (`read`)."""

    name = ""

    def __init__(self, parent: tk.Misc, form: SettingsForm, registry: Registry) -> None:
        super().__init__(parent, padding=(16, 12))
        self.form = form
        self.registry = registry

    def read(self) -> None:
        raise NotImplementedError

    def error_line(self, parent: tk.Misc, key: str, focus: tk.Misc | None = None,
                   **grid: Any) -> ErrorLine:
        line = ErrorLine(parent, **grid)
        self.registry.add(key, self.name, line, focus)
        return line


def number_text(value: Any) -> str:
    """A number for an entry: 30, not 30.0; nothing for None."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_list(parent: tk.Misc, choices: Iterable[tuple[str, str]], chosen: Iterable[str],
               columns: int = 5) -> tuple[ttk.Frame, dict[str, tk.BooleanVar]]:
    """A grid of checkbuttons, one per (value, label); the variables by value."""
    frame = ttk.Frame(parent)
    chosen = set(chosen)
    variables: dict[str, tk.BooleanVar] = {}
    for n, (value, label) in enumerate(choices):
        var = tk.BooleanVar(frame, value=value in chosen)
        variables[value] = var
        ttk.Checkbutton(frame, text=label, variable=var).grid(
            row=n // columns, column=n % columns, sticky="w", padx=(0, 12))
    return frame, variables


def checked(variables: dict[str, tk.BooleanVar], keep_order: Iterable[str] = ()) -> list[str]:
    """The checked values: those of `keep_order` first in its order (the file's), then the rest
    in the order shown, so re-saving an unchanged list never reorders it."""
    on = [value for value, var in variables.items() if var.get()]
    first = [v for v in keep_order if v in on]
    return first + [v for v in on if v not in first]


def scrolled_listbox(parent: tk.Misc, height: int, width: int = 30,
                     selectmode: str = "browse") -> tuple[ttk.Frame, tk.Listbox]:
    frame = ttk.Frame(parent)
    box = tk.Listbox(frame, height=height, width=width, selectmode=selectmode,
                     exportselection=False, activestyle="dotbox")
    bar = ttk.Scrollbar(frame, orient="vertical", command=box.yview)
    box.configure(yscrollcommand=bar.set)
    box.grid(row=0, column=0, sticky="nsew")
    bar.grid(row=0, column=1, sticky="ns")
    frame.columnconfigure(0, weight=1)
    frame.rowconfigure(0, weight=1)
    return frame, box

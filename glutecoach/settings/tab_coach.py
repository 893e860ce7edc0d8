"""The Coach tab: where you are (default location and the location profiles), the start level,
and what to leave out (exercises picked from the library by name, body areas)."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import Any

from glutecoach.config import _DEFAULT_LOCATIONS, LOCATION_NAME
from glutecoach.library import AREAS, EQUIPMENT
from glutecoach.settings.form import LOCATION_DEFAULTS, LOCATIONS, SettingsForm
from glutecoach.settings.widgets import (
    ErrorLine,
    Registry,
    Tab,
    check_list,
    checked,
    scrolled_listbox,
)

SHIPPED_LOCATIONS = tuple(_DEFAULT_LOCATIONS)


def exercise_names(form: SettingsForm) -> dict[str, str]:
    """Every exercise of the library in force (shipped and the user's exercises.d/ beside the
    config), id -> name, sorted by name."""
    from glutecoach.library import load_library
    from glutecoach.library.loader import USER_DIR_NAME

    library = load_library(form.path.parent / USER_DIR_NAME)
    return dict(sorted(((e.id, e.name) for e in library), key=lambda pair: pair[1].lower()))


class LocationEditor(ttk.LabelFrame):
    """The profiles by name on the left, the chosen one's fields on the right."""

    def __init__(self, tab: CoachTab) -> None:
        super().__init__(tab, text="Location profiles", padding=(10, 6))
        self.tab = tab
        self.profiles: dict[str, dict[str, Any]] = {
            name: dict(p) for name, p in tab.form.values[LOCATIONS].items()}
        self.current: str | None = None
        left = ttk.Frame(self)
        left.grid(row=0, column=0, sticky="nw", padx=(0, 12))
        frame, self.names = scrolled_listbox(left, height=5, width=14)
        frame.grid(row=0, column=0, columnspan=2, sticky="w")
        self.names.bind("<<ListboxSelect>>", lambda _e: self._choose())
        self.new_name = ttk.Entry(left, width=10)
        self.new_name.grid(row=1, column=0, sticky="w", pady=(6, 0))
        self.new_name.bind("<Return>", lambda _e: self.add())
        ttk.Button(left, text="Add", width=5, command=self.add).grid(
            row=1, column=1, sticky="w", pady=(6, 0), padx=(4, 0))
        self.remove_button = ttk.Button(left, text="Remove", command=self.remove)
        self.remove_button.grid(row=2, column=0, columnspan=2, sticky="w", pady=(4, 0))
        self.name_error = ErrorLine(left, row=3, column=0, columnspan=2)

        right = ttk.Frame(self)
        right.grid(row=0, column=1, sticky="nw")
        ttk.Label(right, text="When").grid(row=0, column=0, sticky="w")
        self.when = ttk.Entry(right, width=44)
        self.when.grid(row=0, column=1, sticky="w")
        ttk.Label(right, text='"DAYS HH:MM-HH:MM", several separated by ";", e.g. '
                              '"mon-fri 09:00-12:00; sat,sun 10:00-18:00". Empty: only as '
                              'the default location.', style="Help.TLabel", wraplength=420,
                  justify="left").grid(row=1, column=1, sticky="w")
        ttk.Label(right, text="Equipment").grid(row=3, column=0, sticky="w", pady=(6, 0))
        equipment, self.equipment = check_list(right, [(e, e) for e in EQUIPMENT], ())
        equipment.grid(row=3, column=1, sticky="w", pady=(6, 0))
        flags = ttk.Frame(right)
        flags.grid(row=4, column=1, sticky="w", pady=(4, 0))
        self.flags = {f: tk.BooleanVar(self) for f in ("discreet", "floor", "seated_only")}
        labels = {"discreet": "Discreet (open-plan office)", "floor": "Floor to lie on",
                  "seated_only": "Seated only"}
        for n, (f, var) in enumerate(self.flags.items()):
            ttk.Checkbutton(flags, text=labels[f], variable=var).grid(
                row=0, column=n, sticky="w", padx=(0, 12))
        self._fill_names(next(iter(self.profiles), None))

    def _fill_names(self, select: str | None) -> None:
        self.names.delete(0, "end")
        for name in self.profiles:
            self.names.insert("end", name)
        if select is not None:
            index = list(self.profiles).index(select)
            self.names.selection_clear(0, "end")
            self.names.selection_set(index)
            self.names.activate(index)
        self.current = None
        self._choose()
        self.tab.default_choices(list(self.profiles))

    def _choose(self) -> None:
        self.store()
        selected = self.names.curselection()
        if not selected:
            return
        name = self.names.get(selected[0])
        self.current = name
        profile = self.profiles[name]
        self.when.delete(0, "end")
        self.when.insert(0, "; ".join(profile.get("when") or []))
        for value, var in self.equipment.items():
            var.set(value in (profile.get("equipment") or []))
        for f, var in self.flags.items():
            var.set(bool(profile.get(f)))
        self.remove_button.state(["disabled" if name in SHIPPED_LOCATIONS else "!disabled"])

    def store(self) -> None:
        """Keep the fields of the profile shown (before another is shown, and on save)."""
        if self.current is None or self.current not in self.profiles:
            return
        profile = self.profiles[self.current]
        when = [w.strip() for w in self.when.get().split(";") if w.strip()]
        # Unchanged lists keep the file's order, so looking at a profile is no change.
        profile["when"] = when
        profile["equipment"] = checked(self.equipment, profile.get("equipment") or [])
        for f, var in self.flags.items():
            profile[f] = var.get()

    def add(self) -> None:
        name = self.new_name.get().strip()
        if not LOCATION_NAME.match(name):
            self.name_error.say("a name of lowercase letters, digits, - and _")
            return
        if name in self.profiles:
            self.name_error.say(f'"{name}" is there already')
            return
        self.name_error.say(None)
        self.store()
        self.profiles[name] = dict(LOCATION_DEFAULTS)
        self.new_name.delete(0, "end")
        self._fill_names(name)
        self.when.focus_set()

    def remove(self) -> None:
        if self.current is None or self.current in SHIPPED_LOCATIONS:
            return
        del self.profiles[self.current]
        self.current = None
        self._fill_names(next(iter(self.profiles), None))


class CoachTab(Tab):
    name = "coach"

    def __init__(self, parent: tk.Misc, form: SettingsForm, registry: Registry) -> None:
        super().__init__(parent, form, registry)
        values = form.values
        top = ttk.Frame(self)
        top.grid(row=0, column=0, sticky="w")
        ttk.Label(top, text="Default location").grid(row=0, column=0, sticky="w")
        self.default = ttk.Combobox(top, state="readonly", width=14)
        self.default.grid(row=0, column=1, sticky="w", padx=(8, 20))
        ttk.Label(top, text="Start level").grid(row=0, column=2, sticky="w")
        self.level = ttk.Spinbox(top, from_=1, to=5, width=4, state="readonly")
        self.level.set(str(values["coach.start_level"]))
        self.level.grid(row=0, column=3, sticky="w", padx=(8, 0))
        ttk.Label(top, text="Where you are when no profile's times match; the level (1-5) each "
                            "muscle starts at, 1 the gentlest.", style="Help.TLabel").grid(
            row=1, column=0, columnspan=4, sticky="w")
        self.error_line(top, "coach.default_location", self.default, row=2, column=0,
                        columnspan=4)
        self.error_line(top, "coach.start_level", self.level, row=3, column=0, columnspan=4)

        self.locations = LocationEditor(self)
        self.locations.grid(row=1, column=0, sticky="ew", pady=(8, 0))
        self.error_line(self, LOCATIONS, self.locations.names, row=2, column=0)
        self.default.set(values["coach.default_location"])

        leave = ttk.LabelFrame(self, text="Leave out", padding=(10, 6))
        leave.grid(row=3, column=0, sticky="ew", pady=(8, 0))
        self.exercises = exercise_names(form)
        excluded = list(values["coach.exclude_exercises"] or [])
        # An id the library does not have (a typo, an exercise file since removed) stays listed.
        for unknown in (e for e in excluded if e not in self.exercises):
            self.exercises[unknown] = f"{unknown} (not in the library)"
        ttk.Label(leave, text="Exercises (select to leave out)").grid(row=0, column=0,
                                                                      sticky="w")
        frame, self.exercise_box = scrolled_listbox(leave, height=6, width=34,
                                                    selectmode="multiple")
        frame.grid(row=1, column=0, sticky="nw", padx=(0, 16))
        self.exercise_ids = list(self.exercises)
        for n, exercise_id in enumerate(self.exercise_ids):
            self.exercise_box.insert("end", self.exercises[exercise_id])
            if exercise_id in excluded:
                self.exercise_box.selection_set(n)
        self.error_line(leave, "coach.exclude_exercises", self.exercise_box, row=2, column=0)
        ttk.Label(leave, text="Body areas").grid(row=0, column=1, sticky="w")
        areas, self.areas = check_list(leave, [(a, a) for a in AREAS],
                                       values["coach.exclude_areas"] or [], columns=2)
        areas.grid(row=1, column=1, sticky="nw")
        self.error_line(leave, "coach.exclude_areas", areas, row=2, column=1)

    def default_choices(self, names: list[str]) -> None:
        if hasattr(self, "default"):
            self.default.configure(values=names)

    def read(self) -> None:
        values = self.form.values
        values["coach.default_location"] = self.default.get()
        values["coach.start_level"] = int(self.level.get())
        chosen = [self.exercise_ids[i] for i in self.exercise_box.curselection()]
        before = list(self.form.initial["coach.exclude_exercises"] or [])
        values["coach.exclude_exercises"] = [e for e in before if e in chosen] + \
            [e for e in chosen if e not in before]
        values["coach.exclude_areas"] = checked(self.areas,
                                                self.form.initial["coach.exclude_areas"] or [])
        self.locations.store()
        values[LOCATIONS] = {name: dict(p) for name, p in self.locations.profiles.items()}

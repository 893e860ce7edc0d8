"""The settings window (`glutecoach settings`, and "Settings…" in the tray menu).

A Tk window over the config file in force: one tab per part of the config, every value checked by
the same models as `config check` before anything is written, and only the keys the user changed
written back (glutecoach.config_edit keeps the rest of the file, comments and all).

It runs in a process of its own, never inside the coach: Tk and tomlkit would stay in the coach's
memory all day (coach/tray_bridge.py starts `glutecoach settings` as a child instead).

    fields     what each field is: its key, label, unit, range and the study behind its default
    form       the form's logic without Tk: values, what changed, problems, saving
    widgets    the Tk plumbing: the look, error lines, the registry that puts each problem
               beside its field, the Tab base, list and checkbox helpers
    tab_*      one module per tab (tab_zone: the time zone picker of the Work hours tab)
    window     the window: tabs, Save and Cancel, keyboard, messages
"""

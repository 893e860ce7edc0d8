"""The weekly review (issue 5): `glutecoach report`, its exports and the weekly summary.

- `week`: ISO weeks (`2026-W48`), their local dates and loading their history;
- `figures`: beyond the day table of `glutecoach.days` (movement, heat map, muscles, streak);
- `build`: one `WeekReport` that every output reads;
- `terminal`, `export` (JSON, CSV), `html` (matplotlib, imported only there), `summary`.

Day figures always come from `glutecoach.days.summarize_days`, the code `simulate` uses, so a
simulated week that was recorded reports exactly what `simulate --json` printed.
Importing this package is cheap: the running coach imports `summary` without the plotting library.
"""

"""What the settings window shows for each value: label, unit, allowed range, and why the default.

Plain data, no Tk: the tabs lay these out, and the tests read them. The ranges are the models'
(glutecoach.config): a duration is at least one second (0.0167 min) and at most a day. The "why"
lines cite only what config.example.toml and ../shared/reference/evidence.md cite; where no study
sets a default, the line says so rather than borrowing a figure.
"""

from __future__ import annotations

from dataclasses import dataclass

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# The tabs, in order, with the letter of their Alt+key (ttk's notebook traversal).
TABS = (
    ("schedule", "Schedule", 0),
    ("hours", "Work hours", 0),
    ("days-off", "Days off", 0),
    ("coach", "Coach", 0),
    ("desktop", "Desktop & meetings", 3),  # Alt+K: Alt+D is "Days off"
    ("login", "Login & summary", 0),
)

MINUTES_RANGE = "0.0167–1440 min (1 s to 24 h)"


@dataclass(frozen=True)
class NumberField:
    """One number of the Schedule tab."""

    key: str
    label: str
    unit: str
    range_text: str
    why: str
    whole: bool = False  # a whole number (max_snoozes), else minutes that may be fractions


SCHEDULE_FIELDS = (
    NumberField(
        "schedule.sit_minutes", "Sitting limit", "min", MINUTES_RANGE,
        "Default 30: breaks every 20–30 min lowered glucose and insulin (Dunstan 2012; Dempsey "
        "2016, Diabetes Care); breaks every ≤30 min did more than rarer ones (Yin 2024)."),
    NumberField(
        "schedule.break_minutes", "Break length", "min", f"{MINUTES_RANGE}, ≤ away threshold",
        "Default 3: 3 min of walking or simple resistance moves every 30 min (Dempsey 2016); "
        "the shortest breaks studied were 2 min (Dunstan 2012)."),
    NumberField(
        "schedule.away_after_minutes", "Away threshold", "min", f"{MINUTES_RANGE}, ≥ break",
        "Default 5: a gap this long is a break on its own; 5-min standing or walking breaks "
        "every 30 min were effective (Henson 2016, Diabetes Care)."),
    NumberField(
        "schedule.snooze_minutes", "Snooze length", "min", MINUTES_RANGE,
        "Default 10: how long “Snooze” puts a prompt off. No study sets this; it is a "
        "product choice."),
    NumberField(
        "schedule.max_snoozes", "Snooze limit", "snoozes in a row", "0 or more (whole number)",
        "Default 2: after that, Snooze is not offered and counts as Skip. A product choice, "
        "not a study's figure.", whole=True),
    NumberField(
        "schedule.response_minutes", "Response time", "min", MINUTES_RANGE,
        "Default 10: a prompt with no answer and no break within this long is recorded as "
        "missed. A product choice, not a study's figure."),
)

MOVEMENT_GOAL = NumberField(
    "report.movement_goal_minutes", "Daily movement goal", "min a day", MINUTES_RANGE,
    "Default 120: desk workers should build up to 2 h a day of standing and light activity in "
    "working hours, then 4 h (Buckley 2015, Br J Sports Med 49:1357).")


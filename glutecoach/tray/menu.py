"""The tray menu as plain data, built from what the coach knows right now.

The menu is rebuilt from a TrayState whenever the state changes, so it never offers an answer
when no prompt waits, nor Resume when nothing is paused. The app turns these entries into
pystray items; keeping them plain data lets the tests read the menu without a desktop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from glutecoach.durations import break_in_text, sitting_text, when_text

STATES = ("active", "paused", "in-meeting", "outside-hours", "away")

# Every command name a menu entry can send to the coach (the daemon's `command` callback).
COMMANDS = frozenset({
    "break-now", "done", "snooze", "skip", "pause:30m", "pause:1h", "pause:until-tomorrow",
    "resume", "weekly-report", "settings", "quit",
    "feedback:easy", "feedback:right", "feedback:hard",
})  # fmt: skip

@dataclass(frozen=True)
class TrayState:
    """What the tray shows: a snapshot the daemon hands over on every refresh."""

    state: str  # "active" | "paused" | "in-meeting" | "outside-hours" | "away"
    sitting_minutes: float
    sit_limit_minutes: float
    next_prompt_at: datetime | None  # aware; shown as local HH:MM
    prompt_waiting: bool
    snooze_offered: bool  # what Coach.snooze_offered says: never under strict mode
    paused_until: datetime | None
    can_rate: bool = False  # a break was done lately: offer "how did it feel?"
    # Outside work hours because today is a day off: its note or holiday name ("" for none).
    day_off: str | None = None
    # [desktop] strict (issue 14): a waiting prompt offers Done only, no Snooze and no Skip.
    strict: bool = False
    # While the heads-up before a prompt is up: the moment that prompt is due (aware).
    heads_up_at: datetime | None = None

    def __post_init__(self) -> None:
        # A typo in the daemon should fail where the state is made, not as a blank tray.
        if self.state not in STATES:
            raise ValueError(f"unknown tray state {self.state!r}; expected one of {STATES}")

    @property
    def sitting_fraction(self) -> float:
        """How far into the sitting limit, 0..1 (1 also once past it)."""
        if self.sit_limit_minutes <= 0:
            return 1.0 if self.sitting_minutes > 0 else 0.0
        return min(1.0, max(0.0, self.sitting_minutes / self.sit_limit_minutes))


@dataclass(frozen=True)
class MenuEntry:
    """One line of the menu: clickable when it has a command, plain text when not."""

    label: str
    command: str | None = None
    separator: bool = False

    @property
    def enabled(self) -> bool:
        return self.command is not None


SEPARATOR = MenuEntry("", separator=True)


def status_line(state: TrayState, now: datetime | None = None) -> str:
    """The one-line summary shown at the top of the menu and as the icon's tooltip."""
    now = now if now is not None else datetime.now().astimezone()
    sat = sitting_text(state.sitting_minutes * 60)
    if state.state == "paused":
        if state.paused_until is None:
            return "Paused"
        return f"Paused until {when_text(state.paused_until, now)}"
    if state.state == "outside-hours":
        if state.day_off is not None:
            from glutecoach.days_off import day_off_text

            return day_off_text(state.day_off)
        return "Outside work hours"
    if state.state == "in-meeting":
        return f"In a meeting · sitting {sat} · prompts wait"
    if state.state == "away":
        return "Away"
    sitting = f"Sitting {sat}"
    if state.prompt_waiting:
        return f"{sitting} · time for a break"
    if state.heads_up_at is not None:
        # The heads-up's words: "Break in 1 min" rather than a clock time to work out.
        return f"{sitting} · break in {break_in_text((state.heads_up_at - now).total_seconds())}"
    if state.next_prompt_at is None:
        return sitting
    return f"{sitting} · next break {when_text(state.next_prompt_at, now)}"


def build_menu(state: TrayState, now: datetime | None = None) -> tuple[MenuEntry, ...]:
    """The menu for this state, top to bottom."""
    entries = [MenuEntry(status_line(state, now)), SEPARATOR]
    if state.prompt_waiting:
        entries.append(MenuEntry("Done", "done"))
        if state.snooze_offered:
            entries.append(MenuEntry("Snooze", "snooze"))
        if not state.strict:
            entries.append(MenuEntry("Skip", "skip"))
    else:
        entries.append(MenuEntry("Take a break now", "break-now"))
    entries.append(SEPARATOR)
    if state.state == "paused":
        entries.append(MenuEntry("Resume", "resume"))
    else:
        entries += [
            MenuEntry("Pause 30 min", "pause:30m"),
            MenuEntry("Pause 1 hour", "pause:1h"),
            MenuEntry("Pause until tomorrow", "pause:until-tomorrow"),
        ]
    if state.can_rate:
        entries += [
            SEPARATOR,
            MenuEntry("Last break felt easy", "feedback:easy"),
            MenuEntry("Last break felt just right", "feedback:right"),
            MenuEntry("Last break felt hard", "feedback:hard"),
        ]
    entries += [
        SEPARATOR,
        MenuEntry("Weekly report", "weekly-report"),
        MenuEntry("Settings…", "settings"),
        SEPARATOR,
        MenuEntry("Quit", "quit"),
    ]
    return tuple(entries)

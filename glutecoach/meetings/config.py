"""The `[meetings]` section: which meeting signals hold prompts back, and which apps count.

    [meetings]
    signals = ["camera", "microphone", "fullscreen", "inhibitor", "do-not-disturb"]
    calendar = "~/calendars/work.ics"   # optional; setting it turns the calendar signal on
    ignore_apps = ["pavucontrol"]       # their camera, microphone, fullscreen or inhibitor is none
    meeting_apps = ["zoom", "teams"]    # their fullscreen windows and idle inhibitors are a meeting
    presenting_apps = ["evince"]        # their fullscreen windows and inhibitors: a presentation
    poll_seconds = 20

Camera and microphone: any app counts except those in `ignore_apps` (a call holds them; little
else does for long). Fullscreen: a fullscreen window counts only when its app is in
`meeting_apps` or `presenting_apps` (a fullscreen video or game is not a call); `"*"` in
`presenting_apps` makes every fullscreen window count. Idle inhibitors (an app asking the desktop
to keep the screen awake): the same lists, and also any app whose reason names a call or a
presentation (players inhibit idle too, for hours). `ignore_apps` wins over both lists, so a user
can switch off one of the shipped names without rewriting the list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# In the order they are asked: the first signal that is on names the meeting.
SignalName = Literal[
    "camera", "microphone", "fullscreen", "inhibitor", "do-not-disturb", "calendar"
]  # fmt: skip
SIGNAL_NAMES: tuple[str, ...] = get_args(SignalName)
# Every signal but the calendar, which needs a file.
DEFAULT_SIGNALS = [name for name in SIGNAL_NAMES if name != "calendar"]

# Desktop clients of the big meeting services, by the names their processes and X windows carry.
DEFAULT_MEETING_APPS = [
    "zoom", "teams", "teams-for-linux", "skype", "skypeforlinux", "webex", "jitsi-meet",
]  # fmt: skip
# Slide and PDF viewers whose fullscreen mode is how one presents: LibreOffice's slide show
# window ("soffice"), Impress itself, the GNOME/MATE/KDE document viewers, pdfpc, Impressive.
DEFAULT_PRESENTING_APPS = [
    "libreoffice-impress", "soffice", "evince", "atril", "okular", "pdfpc", "impressive",
]  # fmt: skip
# Level meters and effect chains that keep a microphone stream open all day.
DEFAULT_IGNORE_APPS = ["pavucontrol", "pwvucontrol", "easyeffects"]


class MeetingsConfig(BaseModel):
    # Strict and closed like the main config's sections: a typo is an error, not a silent default.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    signals: list[SignalName] = Field(default_factory=lambda: list(DEFAULT_SIGNALS))
    calendar: str | None = None
    ignore_apps: list[str] = Field(default_factory=lambda: list(DEFAULT_IGNORE_APPS))
    meeting_apps: list[str] = Field(default_factory=lambda: list(DEFAULT_MEETING_APPS))
    presenting_apps: list[str] = Field(default_factory=lambda: list(DEFAULT_PRESENTING_APPS))
    poll_seconds: float = Field(20, ge=1, le=600)

    @field_validator("signals")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        repeated = sorted({s for s in value if value.count(s) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} listed more than once")
        return value

    @field_validator("ignore_apps", "meeting_apps", "presenting_apps")
    @classmethod
    def _names_not_blank(cls, value: list[str]) -> list[str]:
        if any(not name.strip() for name in value):
            raise ValueError("an app name is empty")
        return value

    @field_validator("calendar")
    @classmethod
    def _calendar_is_ics(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("calendar is empty; leave it out, or name an .ics file")
        return value

    @model_validator(mode="after")
    def _calendar_needs_a_file(self) -> MeetingsConfig:
        if "calendar" in self.signals and self.calendar is None:
            raise ValueError('"calendar" is in signals but no calendar file is set '
                             '(add calendar = "path/to/file.ics")')  # fmt: skip
        return self

    def enabled(self) -> list[str]:
        """The signals to open, in a fixed order: `signals`, and the calendar when a file is set."""
        wanted = set(self.signals) | ({"calendar"} if self.calendar else set())
        return [name for name in SIGNAL_NAMES if name in wanted]

    def calendar_path(self) -> Path | None:
        return Path(self.calendar).expanduser() if self.calendar else None

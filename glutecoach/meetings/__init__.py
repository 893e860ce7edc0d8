"""Meeting signals: camera, microphone, a fullscreen meeting or slide window, a call app's idle
inhibitor, the desktop's do-not-disturb and a local calendar, each an adapter that says plainly
when it cannot work here.

The coach opens them once (`open_meeting_sources`) and asks at each poll (`any_meeting`); while a
signal is on, prompts wait.
"""

from glutecoach.meetings.base import MeetingSignal, MeetingSource, SignalUnavailable
from glutecoach.meetings.config import MeetingsConfig
from glutecoach.meetings.select import any_meeting, close_all, open_meeting_sources

__all__ = [
    "MeetingSignal",
    "MeetingSource",
    "MeetingsConfig",
    "SignalUnavailable",
    "any_meeting",
    "close_all",
    "open_meeting_sources",
]

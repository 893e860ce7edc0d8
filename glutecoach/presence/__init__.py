"""Presence: how long since the user last touched keyboard or mouse, screen lock, and sleep.

One adapter per platform behind `PresenceSource`; `open_presence` picks one. Importing this
package is cheap and needs no display: the adapters load their libraries when opened.
"""

from glutecoach.presence.base import (
    PresenceError,
    PresenceReading,
    PresenceSource,
    PresenceUnavailable,
)
from glutecoach.presence.select import open_presence
from glutecoach.presence.sleep import SleepDetector

__all__ = [
    "PresenceError",
    "PresenceReading",
    "PresenceSource",
    "PresenceUnavailable",
    "SleepDetector",
    "open_presence",
]

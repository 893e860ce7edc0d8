"""Showing prompts and messages on the desktop: D-Bus notifications, plyer or the terminal.

Importing this package is cheap: the notification libraries are imported when first used.
"""

from glutecoach.notify.base import ANSWERS, Delivery, Notifier, PromptMessage
from glutecoach.notify.select import open_notifier
from glutecoach.notify.texts import prompt_message

__all__ = ["ANSWERS", "Delivery", "Notifier", "PromptMessage", "open_notifier", "prompt_message"]

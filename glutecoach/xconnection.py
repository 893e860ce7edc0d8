"""Connections to the X server (python-xlib) for idle time and fullscreen windows."""

from __future__ import annotations

import threading
from typing import Any


def open_display(name: str, extensions: tuple[str, ...] = ()) -> Any:
    """An Xlib connection that loads only the named X extensions.

    python-xlib's Display imports a module and makes a round trip for every extension the server
    offers (about fifteen on Xvfb or Xorg: RANDR, XInput, RECORD, ...): code the coach never calls,
    about 0.4 MB of its memory. The list it walks, `Xlib.ext.__extensions__`, is narrowed
    for the length of the call; the lock keeps two threads from connecting at once.
    """
    from Xlib import display as xdisplay
    from Xlib import ext

    with _CONNECTING:
        everything = ext.__extensions__
        ext.__extensions__ = [(x, mod) for x, mod in everything if x in extensions]
        try:
            return xdisplay.Display(name)
        finally:
            ext.__extensions__ = everything


_CONNECTING = threading.Lock()

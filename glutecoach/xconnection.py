"""Connections to the X server for idle time and fullscreen windows.

Light to import: python-xlib is loaded only when a connection is opened, by
`glutecoach.xprotocol` (its protocol core and the four requests the coach sends).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from glutecoach.xprotocol import XConnection


class XConnectionError(Exception):
    """The X server cannot be reached or refused the connection: one plain line."""


def open_display(name: str) -> XConnection:
    """A connection to the X server `name` (":0").

    Raises ImportError when python-xlib is missing and XConnectionError when the server cannot
    be reached.
    """
    # Imported at every call, not only the first: glutecoach.xprotocol stays loaded once
    # imported, and this is where a missing (or blocked) python-xlib must show.
    import Xlib  # noqa: F401

    from glutecoach.xprotocol import XConnection

    return XConnection(name)

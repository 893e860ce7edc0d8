"""Two monitors on one Xvfb, as a real multi-head X server shows them to clients.

Xvfb's own `+xinerama -screen 0 … -screen 1 …` puts every screen at (0, 0) (measured with
Xvfb 21.1: Xinerama answers two screens, both at the origin, and the root is as large as screen 0),
so its "second monitor" overlaps the first instead of standing beside it. A real X server with two
outputs has one wide root window and RandR 1.5 monitors on it, from which it also answers
Xinerama; `set_monitors` makes Xvfb do the same with RandR's SetMonitor (`xrandr --setmonitor`),
the first monitor taking Xvfb's one output, so the server's automatic whole-screen monitor goes.

python-xlib 0.33's own `xrandr_set_monitor` cannot pack its request (a bug in rq.Object), so the
request is laid out here, as in the RandR protocol (randrproto.txt, RRSetMonitor).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from Xlib import display as xdisplay
from Xlib.protocol import rq


class _SetMonitor(rq.Request):
    _request = rq.Struct(
        rq.Card8("opcode"),
        rq.Opcode(43),
        rq.RequestLength(),
        rq.Window("window"),
        rq.Card32("name"),
        rq.Bool("primary"),
        rq.Bool("automatic"),
        rq.LengthOf("outputs", 2),
        rq.Int16("x"),
        rq.Int16("y"),
        rq.Card16("width_in_pixels"),
        rq.Card16("height_in_pixels"),
        rq.Card32("width_in_millimeters"),
        rq.Card32("height_in_millimeters"),
        rq.List("outputs", rq.Card32Obj),
    )


@dataclass(frozen=True)
class Head:
    name: str
    x: int
    y: int
    width: int
    height: int
    width_mm: int
    height_mm: int


def set_monitors(display: str, heads: Sequence[Head]) -> None:
    """Define the monitors of a fresh Xvfb (whose screen holds them all); the first is primary."""
    d = xdisplay.Display(display)
    try:
        root = d.screen().root
        opcode = d.display.get_extension_major("RANDR")
        outputs = list(root.xrandr_get_screen_resources().outputs)
        for n, head in enumerate(heads):
            _SetMonitor(display=d.display, opcode=opcode, window=root,
                        name=d.intern_atom(head.name), primary=n == 0, automatic=False,
                        x=head.x, y=head.y, width_in_pixels=head.width,
                        height_in_pixels=head.height, width_in_millimeters=head.width_mm,
                        height_in_millimeters=head.height_mm,
                        outputs=outputs if n == 0 else [])  # fmt: skip
        d.sync()
    finally:
        d.close()


def xinerama_screens(display: str) -> list[tuple[int, int, int, int]]:
    """What a Xinerama client (most toolkits, window managers) sees: (x, y, width, height)."""
    d = xdisplay.Display(display)
    try:
        return [(s.x, s.y, s.width, s.height) for s in d.xinerama_query_screens().screens]
    finally:
        d.close()

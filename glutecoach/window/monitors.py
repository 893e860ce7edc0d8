"""The monitors of the desktop, which one has the pointer, and how much to scale for its DPI.

On X11 the monitors come from RandR 1.5 (GetMonitors: position, pixels and millimetres of each
monitor), else Xinerama (positions only), else the one X screen; Xft.dpi (the desktop's chosen
font DPI) stands in where a monitor does not say its size. On Windows and macOS a thin adapter
asks the platform (user32's EnumDisplayMonitors, CoreGraphics' display list); each takes its OS
calls as an argument so the tests can replace them. Tk's own `winfo_screen*` sees only the one
screen: it is the last resort, right where there is one monitor.

This runs in the window's process only (python-xlib's full `Xlib.display` is loaded here, never
in the coach).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

BASE_DPI = 96.0  # what the window's pixel sizes were drawn for
# A monitor claiming a size that gives a DPI outside this is lying (projectors, missing EDID,
# "0 mm"): its DPI is not used.
PLAUSIBLE_DPI = (50.0, 500.0)
MAX_SCALE = 3.0


@dataclass(frozen=True)
class Monitor:
    x: int
    y: int
    width: int
    height: int
    width_mm: int = 0  # 0: not known (the width alone gives the DPI)
    primary: bool = False

    def contains(self, px: int, py: int) -> bool:
        return self.x <= px < self.x + self.width and self.y <= py < self.y + self.height

    def physical_dpi(self) -> float | None:
        """Pixels per inch across the monitor, or None when its size is unknown or absurd."""
        if self.width_mm <= 0:
            return None
        dpi = self.width / (self.width_mm / 25.4)
        return dpi if PLAUSIBLE_DPI[0] <= dpi <= PLAUSIBLE_DPI[1] else None

    def geometry(self) -> str:
        return f"{self.width}x{self.height}+{self.x}+{self.y}"


def monitor_at(monitors: Sequence[Monitor], px: int, py: int) -> Monitor:
    """The monitor under the point; off every monitor (a gap between them), the nearest one."""
    for monitor in monitors:
        if monitor.contains(px, py):
            return monitor

    def distance(m: Monitor) -> int:
        dx = max(m.x - px, 0, px - (m.x + m.width - 1))
        dy = max(m.y - py, 0, py - (m.y + m.height - 1))
        return dx * dx + dy * dy

    return min(monitors, key=distance)


def scale_for(monitor: Monitor, xft_dpi: float | None = None) -> float:
    """How much larger than at 96 DPI to draw on this monitor: its own DPI when it says its size,
    else Xft.dpi, in quarter steps (crisp sizes), never smaller than 1 (no worse than before)."""
    dpi = monitor.physical_dpi() or xft_dpi or BASE_DPI
    return min(MAX_SCALE, max(1.0, round(dpi / BASE_DPI * 4) / 4))


def distinct(monitors: Sequence[Monitor]) -> list[Monitor]:
    """Mirrored outputs are one monitor to cover, and a monitor that holds two or more others (an
    output's automatic monitor beside monitors set with `xrandr --setmonitor`) is their union,
    not a monitor of its own."""
    unique = list(dict.fromkeys(monitors))

    def holds(m: Monitor, o: Monitor) -> bool:
        return (m.x <= o.x and m.y <= o.y and o.x + o.width <= m.x + m.width
                and o.y + o.height <= m.y + m.height)

    kept = [m for m in unique if sum(1 for o in unique if o != m and holds(m, o)) < 2]
    return kept or unique


# --- X11 ---------------------------------------------------------------------------------------


def x11_monitors(display_name: str | None) -> tuple[list[Monitor], float | None]:
    """The monitors of an X display and its Xft.dpi (None when not set)."""
    from Xlib import display as xdisplay

    d = xdisplay.Display(display_name)
    try:
        root = d.screen().root
        monitors = _randr_monitors(d, root) or _xinerama_monitors(d)
        if not monitors:
            screen = d.screen()
            monitors = [Monitor(0, 0, screen.width_in_pixels, screen.height_in_pixels,
                                screen.width_in_mms, True)]
        return distinct(monitors), _xft_dpi(d, root)
    finally:
        d.close()


def _randr_monitors(d: Any, root: Any) -> list[Monitor]:
    if not d.has_extension("RANDR"):
        return []
    try:
        version = d.xrandr_query_version()
        if (version.major_version, version.minor_version) < (1, 5):
            return []
        reply = root.xrandr_get_monitors(is_active=True)
    except Exception as exc:  # an odd server: Xinerama may still answer
        log.info("RandR monitors unavailable: %s", exc)
        return []
    return [Monitor(m.x, m.y, m.width_in_pixels, m.height_in_pixels, m.width_in_millimeters,
                    bool(m.primary))
            for m in reply.monitors if m.width_in_pixels and m.height_in_pixels]


def _xinerama_monitors(d: Any) -> list[Monitor]:
    if not d.has_extension("XINERAMA"):
        return []
    try:
        if not d.xinerama_is_active():
            return []
        screens = d.xinerama_query_screens().screens
    except Exception as exc:
        log.info("Xinerama screens unavailable: %s", exc)
        return []
    return [Monitor(s.x, s.y, s.width, s.height, primary=n == 0) for n, s in enumerate(screens)]


def _xft_dpi(d: Any, root: Any) -> float | None:
    """Xft.dpi from the root window's RESOURCE_MANAGER (what `xrdb -query` shows)."""
    try:
        prop = root.get_full_property(d.intern_atom("RESOURCE_MANAGER"), 0)
    except Exception:
        return None
    return parse_xft_dpi(prop.value if prop is not None else b"")


def parse_xft_dpi(resources: bytes | str) -> float | None:
    text = resources.decode("latin-1") if isinstance(resources, bytes) else resources
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "Xft.dpi":
            try:
                dpi = float(value.strip())
            except ValueError:
                return None
            return dpi if PLAUSIBLE_DPI[0] <= dpi <= PLAUSIBLE_DPI[1] else None
    return None


# --- Windows -----------------------------------------------------------------------------------

# (left, top, right, bottom, primary, dpi or 0) for each monitor: what the adapter needs of user32
# and shcore, as one call the tests can replace.
WinRects = Callable[[], list[tuple[int, int, int, int, bool, int]]]


def _win_rects() -> list[tuple[int, int, int, int, bool, int]]:  # pragma: no cover - Windows
    import ctypes
    from ctypes import wintypes

    user32 = ctypes.windll.user32  # type: ignore[attr-defined]
    try:
        shcore = ctypes.windll.shcore  # type: ignore[attr-defined]
    except OSError:
        shcore = None

    class MONITORINFO(ctypes.Structure):
        _fields_ = [("cbSize", wintypes.DWORD), ("rcMonitor", wintypes.RECT),
                    ("rcWork", wintypes.RECT), ("dwFlags", wintypes.DWORD)]

    found: list[tuple[int, int, int, int, bool, int]] = []

    def each(handle: int, _dc: int, _rect: Any, _data: int) -> bool:
        info = MONITORINFO()
        info.cbSize = ctypes.sizeof(MONITORINFO)
        user32.GetMonitorInfoW(handle, ctypes.byref(info))
        dpi_x, dpi_y = wintypes.UINT(0), wintypes.UINT(0)
        if shcore is not None:  # MDT_EFFECTIVE_DPI: the user's scale setting for this monitor
            shcore.GetDpiForMonitor(handle, 0, ctypes.byref(dpi_x), ctypes.byref(dpi_y))
        r = info.rcMonitor
        found.append((r.left, r.top, r.right, r.bottom, bool(info.dwFlags & 1), dpi_x.value))
        return True

    callback = ctypes.WINFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,  # type: ignore[attr-defined]
                                  ctypes.POINTER(wintypes.RECT), ctypes.c_void_p)(each)
    user32.EnumDisplayMonitors(None, None, callback, 0)
    return found


def windows_monitors(rects: WinRects = _win_rects) -> list[Monitor]:
    """Windows says each monitor's effective DPI rather than its size: turned into the size that
    gives that DPI, so `scale_for` treats every platform alike."""
    monitors = []
    for left, top, right, bottom, primary, dpi in rects():
        width, height = right - left, bottom - top
        mm = round(width / dpi * 25.4) if dpi else 0
        monitors.append(Monitor(left, top, width, height, mm, primary))
    return monitors


# --- macOS -------------------------------------------------------------------------------------

# (x, y, width, height in points, width_mm, height_mm, main) for each active display.
MacDisplays = Callable[[], list[tuple[int, int, int, int, int, int, bool]]]


def _mac_displays() -> list[tuple[int, int, int, int, int, int, bool]]:  # pragma: no cover
    import ctypes
    import ctypes.util

    cg = ctypes.CDLL(ctypes.util.find_library("CoreGraphics") or
                     "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics")

    class CGPoint(ctypes.Structure):
        _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double)]

    class CGSize(ctypes.Structure):
        _fields_ = [("width", ctypes.c_double), ("height", ctypes.c_double)]

    class CGRect(ctypes.Structure):
        _fields_ = [("origin", CGPoint), ("size", CGSize)]

    cg.CGDisplayBounds.restype = CGRect
    cg.CGDisplayScreenSize.restype = CGSize
    cg.CGMainDisplayID.restype = ctypes.c_uint32
    ids = (ctypes.c_uint32 * 16)()
    count = ctypes.c_uint32(0)
    cg.CGGetActiveDisplayList(16, ids, ctypes.byref(count))
    main = cg.CGMainDisplayID()
    found = []
    for display in ids[: count.value]:
        b, size = cg.CGDisplayBounds(display), cg.CGDisplayScreenSize(display)
        found.append((int(b.origin.x), int(b.origin.y), int(b.size.width), int(b.size.height),
                      int(size.width), int(size.height), display == main))
    return found


def mac_monitors(displays: MacDisplays = _mac_displays) -> list[Monitor]:
    """macOS gives bounds in points, already scaled for Retina by Tk too: the size in mm is
    passed on, but Tk on Aqua does its own scaling, so `scale_for` is not applied there."""
    return [Monitor(x, y, w, h, wmm, main) for x, y, w, h, wmm, _hmm, main in displays()]


# --- the one entry point -----------------------------------------------------------------------


@dataclass(frozen=True)
class Desktop:
    """The monitors, the one with the pointer, and the scale to draw at there."""

    monitors: list[Monitor]
    main: Monitor
    scale: float


def tk_monitor(root: Any) -> Monitor:
    """The one screen as Tk sees it: right only where there is one monitor."""
    return Monitor(0, 0, root.winfo_screenwidth(), root.winfo_screenheight(),
                   root.winfo_screenmmwidth(), True)


def find_desktop(root: Any, display_name: str | None) -> Desktop:
    """Ask the platform for the monitors, Tk for the pointer, and pick the main monitor."""
    xft_dpi: float | None = None
    monitors: list[Monitor] = []
    try:
        if sys.platform == "win32":
            monitors = windows_monitors()
        elif sys.platform == "darwin":
            monitors = mac_monitors()
        else:
            monitors, xft_dpi = x11_monitors(display_name)
    except Exception as exc:  # a missing library or an odd server: one screen, as Tk sees it
        log.warning("cannot list the monitors (%s); using the whole screen", exc)
    if not monitors:
        monitors = [tk_monitor(root)]
    px, py = root.winfo_pointerxy()
    main = monitor_at(monitors, px, py)
    # Tk on macOS scales for Retina itself (points, not pixels).
    scale = 1.0 if sys.platform == "darwin" else scale_for(main, xft_dpi)
    return Desktop(monitors, main, scale)

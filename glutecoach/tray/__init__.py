"""The tray icon: what the coach shows in the system tray and the menu it offers.

`menu` and `icon` are pure (a TrayState in, a menu description or a picture out); `app` runs the
icon with pystray. Importing this package stays cheap: pystray, Pillow and GTK are imported only
when an icon is drawn or the tray starts.
"""

from glutecoach.tray.menu import COMMANDS, MenuEntry, TrayState, build_menu, status_line

__all__ = ["COMMANDS", "MenuEntry", "TrayState", "build_menu", "status_line"]

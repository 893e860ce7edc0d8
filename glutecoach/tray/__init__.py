"""The tray icon: what the coach shows in the system tray and the menu it offers.

`menu` is pure (a TrayState in, a menu description out); `app` picks the kind of tray this
desktop takes: a StatusNotifierItem over D-Bus (`sni`, `dbusmenu`, with the pictures shipped in
`icons/` and named by `icon_files`) wherever a StatusNotifier host runs, or pystray
(`pystray_tray`, drawing with `icon`) on macOS, Windows and XEmbed-only Linux trays. Importing
this package stays cheap: pystray, Pillow and GTK are imported only when the pystray tray starts.
"""

from glutecoach.tray.menu import COMMANDS, MenuEntry, TrayState, build_menu, status_line

__all__ = ["COMMANDS", "MenuEntry", "TrayState", "build_menu", "status_line"]

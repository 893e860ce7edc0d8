"""A StatusNotifier desktop for the tray tests: Debian's `status-notifier-watcher` on a bus, and
`gtk-sni-tray-standalone` as the host (the panel) drawing the items on an X display.

The watcher runs as its own process, as a panel's does: gtk-sni-tray's `--watcher` starts one
inside the host and queries it before it serves its object, and then shuts its host down.
Both answer a moment after their names appear, so the helpers wait for answers, not for names.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from .harness import need, stop, wait_for

WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"


def call(address: str, name: str, path: str, interface: str, member: str,
         signature: str | None = None, body: tuple[Any, ...] = ()) -> tuple[Any, ...]:
    """One method call on its own connection, as a host makes it; DBusErrorResponse on error."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import unwrap_msg

    with open_dbus_connection(address) as conn:
        msg = new_method_call(DBusAddress(path, bus_name=name, interface=interface), member,
                              signature, body)  # fmt: skip
        return tuple(unwrap_msg(conn.send_and_get_reply(msg, timeout=5)))


def get_property(address: str, name: str, path: str, interface: str, prop: str) -> Any:
    (value,) = call(address, name, path, "org.freedesktop.DBus.Properties", "Get", "ss",
                    (interface, prop))  # fmt: skip
    return value[1]


class Watcher:
    """status-notifier-watcher on the bus at `address`, answering."""

    def __init__(self, address: str, log: Path) -> None:
        binary = need("status-notifier-watcher")["status-notifier-watcher"]
        self.address = address
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [binary], env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": address},
                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            wait_for(lambda: self.items() is not None, "the watcher to answer", timeout=10)
        except Exception:
            self.stop()
            raise

    def _get(self, prop: str) -> Any:
        return get_property(self.address, WATCHER, WATCHER_PATH, WATCHER, prop)

    def items(self) -> list[str]:
        """The bus names of the registered items."""
        return list(self._get("RegisteredStatusNotifierItems"))

    def host_registered(self) -> bool:
        return bool(self._get("IsStatusNotifierHostRegistered"))

    def stop(self) -> None:
        stop(self.proc)


def start_host(env: dict[str, str], watcher: Watcher, log: Path,
               size: int = 32) -> subprocess.Popen[bytes]:
    """gtk-sni-tray-standalone as a bar `size` pixels high along the top of the screen, icons
    at its right end; returned once it has registered with the watcher as the host."""
    binary = need("gtk-sni-tray-standalone")["gtk-sni-tray-standalone"]
    with open(log, "ab") as out:
        host = subprocess.Popen([binary, "--top", "--end", "-s", str(size)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_for(watcher.host_registered, "gtk-sni-tray to register as the host", timeout=15)
    except Exception:
        stop(host)
        raise
    return host

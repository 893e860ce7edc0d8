"""Follow the config file: call back once a save has settled, whoever saved it.

Savers differ: `config set` and the settings window write a temporary file and rename it over the
config; editors do that too, or truncate and rewrite the file in place, or delete and re-create
it; a first save may create the config's folder too. So the watch is on the folder, not the file
(a file renamed over is a new inode that a watch on the old one never sees), and each burst of
writes is called back once, after the file has been quiet for SETTLE_SECONDS.

On Linux the watch is inotify, read by a thread that blocks until something happens: no wakeups
while nothing changes. Elsewhere, or where inotify cannot be had (its per-user limits reached), a
thread looks at the file's (inode, size, mtime, ctime) every POLL_SECONDS.

inotify is called through ctypes here rather than through a library: `inotify_simple` (the
smallest maintained one) costs the coach 0.65 MB resident against 0.32 MB for ctypes alone, as it
builds enum classes and runs `ldconfig -p` to find the C library; watchdog costs 1.9 MB
(measured in the coach's -OO interpreter, see the README). The three calls it needs are below.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("glutecoach.config_watch")

# Quiet this long after the last write before calling back: an editor's several writes (and a
# truncate followed by the new text) become one reload, long before the 2 s a save may take.
SETTLE_SECONDS = 0.3
# ...but never wait longer than this after a burst began, however long the writing goes on.
LONGEST_WAIT_SECONDS = 1.5
# Without inotify: how often the file is looked at (a save is applied within this plus settling).
POLL_SECONDS = 1.0

# <sys/inotify.h>
IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x01000000
IN_MASK_ADD = 0x20000000

# The config's folder: anything that changes what the file's name holds. Not IN_OPEN, IN_ACCESS
# or IN_CLOSE_NOWRITE: the coach reading the file must not look like a save.
FOLDER_MASK = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
               | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
# A folder above it, while the config's folder does not exist yet: only its coming matters.
ANCESTOR_MASK = IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR
# The watched folder itself went away (or was moved): watch again from what is there now.
GONE = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED
# The file is complete: its writer closed it, or it was renamed, created or removed whole.
FINISHED = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE

_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len (of the name that follows)

Signature = tuple[int, int, int, int] | None


def signature(path: Path) -> Signature:
    """What tells one version of the file from the next without reading it; None: no file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class _Inotify:
    """An inotify descriptor (non-blocking, closed on exec) and the three calls it needs."""

    def __init__(self) -> None:
        import ctypes

        # The C library the interpreter already has loaded; ctypes.util.find_library would run
        # `ldconfig -p` in a subprocess to name it.
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._get_errno = ctypes.get_errno
        self.fd = self._call(self._libc.inotify_init1, os.O_NONBLOCK | os.O_CLOEXEC)

    def _call(self, function: Callable[..., int], *args: object) -> int:
        result = function(*args)
        if result == -1:
            errno = self._get_errno()
            raise OSError(errno, os.strerror(errno))
        return result

    def add(self, folder: Path, mask: int) -> int:
        # MASK_ADD: a folder watched twice (a dangling symlink's) keeps both masks.
        return self._call(self._libc.inotify_add_watch, self.fd, os.fsencode(folder),
                          mask | IN_MASK_ADD)

    def remove(self, wd: int) -> None:
        with contextlib.suppress(OSError):  # already gone with its folder
            self._call(self._libc.inotify_rm_watch, self.fd, wd)

    def read(self) -> list[tuple[int, int, str]]:
        """The events waiting now as (wd, mask, name); [] when none."""
        try:
            data = os.read(self.fd, 64 * 1024)
        except BlockingIOError:
            return []
        events = []
        pos = 0
        while pos + _EVENT.size <= len(data):
            wd, mask, _cookie, size = _EVENT.unpack_from(data, pos)
            pos += _EVENT.size
            name = data[pos:pos + size].split(b"\0", 1)[0]
            pos += size
            events.append((wd, mask, os.fsdecode(name)))
        return events

    def close(self) -> None:
        os.close(self.fd)


class ConfigWatcher:
    """Calls `on_change()` from its own thread once each save of `path` has settled: the file
    was written, replaced, created or removed (check which with the file itself). Nothing is
    called for a save while an earlier call is still running; that save is seen after it."""

    def __init__(self, path: Path, on_change: Callable[[], None], *,
                 settle_seconds: float = SETTLE_SECONDS,
                 longest_wait_seconds: float = LONGEST_WAIT_SECONDS,
                 poll_seconds: float = POLL_SECONDS, use_inotify: bool = True) -> None:
        self.path = Path(os.path.abspath(path))
        self.on_change = on_change
        self.settle = settle_seconds
        self.longest = longest_wait_seconds
        self.poll = poll_seconds
        self.use_inotify = use_inotify and sys.platform.startswith("linux")
        self.backend = ""  # "inotify" or "polling", once started
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._inotify: _Inotify | None = None
        self._wake: tuple[int, int] | None = None  # a pipe that ends the blocking wait
        # wd -> the file names that matter in its folder (None: a folder above the config's,
        # where only a new folder matters)
        self._watches: dict[int, set[str] | None] = {}
        self._last: Signature = None

    # --- starting and stopping ----------------------------------------------------------------

    def start(self) -> None:
        self._last = signature(self.path)
        if self.use_inotify:
            try:
                self._inotify = _Inotify()
                self._wake = os.pipe()
                self._arm()
            except OSError as exc:  # e.g. fs.inotify.max_user_instances or _watches reached
                log.info("cannot watch the config with inotify (%s); looking at it every %g s",
                         exc, self.poll)
                self._close_fds()
        self.backend = "inotify" if self._inotify is not None else "polling"
        run = self._run_inotify if self._inotify is not None else self._run_polling
        self._thread = threading.Thread(target=self._guarded, args=(run,),
                                        name="glutecoach-config-watch", daemon=True)
        self._thread.start()
        log.info("watching %s for saves (%s)", self.path, self.backend)

    def stop(self) -> None:
        self._stopping.set()
        if self._wake is not None:
            os.write(self._wake[1], b"x")
        if self._thread is not None:
            self._thread.join(5)
        self._close_fds()

    def _close_fds(self) -> None:
        if self._inotify is not None:
            self._inotify.close()
            self._inotify = None
        if self._wake is not None:
            for fd in self._wake:
                os.close(fd)
            self._wake = None

    def _guarded(self, run: Callable[[], None]) -> None:
        try:
            run()
        except Exception:  # the coach goes on without live changes; `reload` still works
            log.exception("watching the config file failed; `glutecoach reload` still applies it")

    # --- inotify ------------------------------------------------------------------------------

    def _arm(self) -> None:
        """Watch the config's folder (and a symlinked config's real folder), or, while the
        folder does not exist yet, the nearest folder above it that does."""
        ino = self._inotify
        assert ino is not None
        for wd in self._watches:
            ino.remove(wd)
        self._watches = {}
        targets = [self.path]
        real = Path(os.path.realpath(self.path))
        if real != self.path:
            targets.append(real)
        for target in targets:
            folder = target.parent
            if folder.is_dir():
                # The same folder twice (a symlink beside its target) is one watch, two names.
                names = self._watches.setdefault(ino.add(folder, FOLDER_MASK), set())
                if names is not None:
                    names.add(target.name)
                continue
            while not folder.is_dir() and folder != folder.parent:
                folder = folder.parent
            self._watches.setdefault(ino.add(folder, ANCESTOR_MASK), None)

    def _take_events(self, writing: bool) -> tuple[bool, bool]:
        """Read what happened: (did it touch the config?, is a writer still at it?)."""
        ino = self._inotify
        assert ino is not None
        hit = rearm = False
        for wd, mask, name in ino.read():
            if mask & IN_Q_OVERFLOW:  # events were lost: assume the worst
                hit = rearm = True
                continue
            if wd not in self._watches:
                continue  # a watch removed by _arm, saying so
            wanted = self._watches[wd]
            # The folder went, or one on the way to the config's came: watch again.
            if mask & GONE or wanted is None:
                hit = rearm = True
            elif name in wanted:
                hit = True
                # Written but not closed yet: the rest of the text is still coming.
                if mask & IN_MODIFY:
                    writing = True
                if mask & FINISHED:
                    writing = False
        if rearm:
            self._arm()
        return hit, writing

    def _run_inotify(self) -> None:
        assert self._inotify is not None and self._wake is not None
        poller = select.poll()
        poller.register(self._inotify.fd, select.POLLIN)
        poller.register(self._wake[0], select.POLLIN)
        began: float | None = None  # when the burst of writes being waited out began
        last = 0.0
        writing = False
        while not self._stopping.is_set():
            timeout = -1  # block: nothing is waiting to settle
            if began is not None:
                timeout = max(0, int((self._due(began, last, writing) - time.monotonic())
                                     * 1000) + 1)
            ready = poller.poll(timeout)
            if self._stopping.is_set():
                return
            if any(fd == self._inotify.fd for fd, _ in ready):
                hit, writing = self._take_events(writing)
                if hit:
                    last = time.monotonic()
                    began = last if began is None else began
            if began is not None and time.monotonic() >= self._due(began, last, writing):
                began, writing = None, False
                self._settled()

    def _due(self, began: float, last: float, writing: bool) -> float:
        if writing:  # wait for the writer to close the file, up to the longest wait
            return began + self.longest
        return min(last + self.settle, began + self.longest)

    # --- polling ------------------------------------------------------------------------------

    def _run_polling(self) -> None:
        while not self._stopping.wait(self.poll):
            seen = signature(self.path)
            if seen == self._last:
                continue
            began = time.monotonic()  # changed: wait until it stays the same for a moment
            while not self._stopping.wait(self.settle):
                again = signature(self.path)
                if again == seen or time.monotonic() - began >= self.longest:
                    break
                seen = again
            if not self._stopping.is_set():
                self._settled()

    # --- calling back -------------------------------------------------------------------------

    def _settled(self) -> None:
        now = signature(self.path)
        if now is None and self._last is None:
            return  # a folder on the way came, the file not yet: nothing to read
        # With inotify a settled event is enough, same signature or not: a file system with
        # coarse timestamps (FAT: 2 s) can give a quick second save the first one's mtime.
        if now == self._last and self._inotify is None:
            return
        self._last = now
        try:
            self.on_change()
        except Exception:
            log.exception("applying the saved config failed")

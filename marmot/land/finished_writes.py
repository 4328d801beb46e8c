"""Finished writes in one folder, reported by the kernel (Linux inotify, through ctypes).

The landing watcher polls every few seconds and takes a file once it stayed the same for one
whole poll: that works on every filesystem, but a drop waits 5-10 s for it. Where the kernel can
say that a writer closed a file (``IN_CLOSE_WRITE``) or that a finished upload was renamed into
the folder (``IN_MOVED_TO``), the watcher looks again at once. Writes on another machine of a
network share raise no event, and other systems have no inotify: there the poll alone works, as
before, so this only ever makes a drop start sooner.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import os
import struct
import sys
from pathlib import Path

IN_CLOSE_WRITE, IN_MOVED_TO = 0x8, 0x80
IN_NONBLOCK, IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc if hasattr(libc, "inotify_init1") else None


class FinishedWrites:
    """Files (``paths``) whose writing finished in ``folder`` and that the caller still keeps.

    ``async with FinishedWrites(folder) as writes``; ``writes.available`` is False where the
    folder cannot be watched (missing folder, no inotify), and then nothing is ever reported."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: set[Path] = set()
        self._fd = -1
        self._arrived = asyncio.Event()

    @property
    def available(self) -> bool:
        return self._fd >= 0

    async def __aenter__(self) -> FinishedWrites:
        libc = _libc()
        if libc is None:
            return self
        fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            return self
        if libc.inotify_add_watch(fd, os.fsencode(self.folder), IN_CLOSE_WRITE | IN_MOVED_TO) < 0:
            os.close(fd)  # e.g. the folder does not exist yet: polling finds its files
            return self
        self._fd = fd
        asyncio.get_running_loop().add_reader(fd, self._read)
        return self

    async def __aexit__(self, *exc) -> None:
        if self._fd >= 0:
            asyncio.get_running_loop().remove_reader(self._fd)
            os.close(self._fd)
            self._fd = -1

    def _read(self) -> None:
        try:
            data = os.read(self._fd, 64 * 1024)
        except BlockingIOError:
            return
        at = 0
        while at + _EVENT.size <= len(data):
            _, _, _, length = _EVENT.unpack_from(data, at)
            name = data[at + _EVENT.size:at + _EVENT.size + length].rstrip(b"\0")
            at += _EVENT.size + length
            if name:
                self.paths.add(self.folder / os.fsdecode(name))
        self._arrived.set()

    def keep(self, paths: set[Path]) -> None:
        """Forget every reported file but these."""
        self.paths &= paths

    def looking(self) -> None:
        """The caller looks at the folder now: only writes finished from here on end a wait early."""
        self._arrived.clear()

    async def wait(self, seconds: float) -> bool:
        """Sleep ``seconds``, or less if a write finished since ``looking()`` (True then)."""
        try:
            await asyncio.wait_for(self._arrived.wait(), seconds)
        except TimeoutError:
            return False
        return True

"""Files a long-lived process reads again and again (the language server checks the whole
goals folder after every pause in typing): a file whose `stat` has not changed since it was
read is not read again, and its parse-cache key is not hashed again.

A file is trusted unchanged only when its modification time, change time, size, inode and
device are all as they were, and its modification time was at least `SETTLED` older than the
moment it was read: a write in the same tick as the read (which may leave every field as it
was) is never missed, because such a file is read again every time (git treats a "racily
clean" entry of its index the same way)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from okrctl.store.yaml.read import SourceMap

SETTLED = 2_000_000_000
"""Nanoseconds a file's modification time must be older than its read to be trusted: the
coarsest timestamps in use (FAT's) tick every two seconds."""

LIMIT = 50_000
"""Entries remembered at most; beyond it, the memory starts again empty."""

MAPS_LIMIT = 20_000
"""Source maps remembered at most (each holds its file's positions, a few kilobytes, mostly
shared with the parse cache's entries); beyond it, they start again empty."""

Signature = tuple[int, int, int, int, int]
FileRead = tuple[bytes | None, str | None]
"""(content, problem), as a goals file is read: content is None when there is a problem."""


def signature(status: os.stat_result) -> Signature:
    """A file's identity as far as `stat` tells it: a file rewritten (in place or by a rename)
    has another, but for a write in the tick it was read (see `SETTLED`)."""
    return (status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino, status.st_dev)


class Rereads:
    """The bytes of each file read, by path, with the signature they were read under; and the
    parse-cache key of each (unit stem, bytes) hashed."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[Signature, bytes]] = {}
        self.keys: dict[tuple[str, bytes], str] = {}
        """The bytes of an unchanged file are the very object kept in `files`, whose hash
        Python keeps: a look-up hashes nothing."""
        self.maps: dict[str, SourceMap] = {}
        """Each cached unit's source map, by its parse-cache key, with the positions found in
        it (`SourceMap.known`): the next check asks for the same ones."""

    def read(self, path: str, read: Callable[[str], FileRead]) -> FileRead:
        """`path`'s content, from memory when its signature is unchanged, else by `read`."""
        try:
            status = os.stat(path)
        except OSError:
            self.files.pop(path, None)
            return read(path)  # which says what is wrong
        now = signature(status)
        known = self.files.get(path)
        if known is not None and known[0] == now:
            return known[1], None
        raw, problem = read(path)
        if raw is None or time.time_ns() - status.st_mtime_ns < SETTLED:
            self.files.pop(path, None)  # too fresh to tell from a write in the same tick
        else:
            if len(self.files) >= LIMIT:
                self.files.clear()
            self.files[path] = (now, raw)
        return raw, problem

    def source_map(self, key: str, positions: str) -> SourceMap:
        """The source map of the unit cached under `key` (its positions' index)."""
        found = self.maps.get(key)
        if found is None or found.index is not positions:
            from okrctl.store.yaml.read import SourceMap

            if len(self.maps) >= MAPS_LIMIT:
                self.maps.clear()
            found = self.maps[key] = SourceMap(index=positions, known={})
        return found

    def key(self, stem: str, raw: bytes, make: Callable[[bytes, str], str]) -> str:
        """The parse-cache key of `raw` as the unit `stem`, made by `make` once per object."""
        found = self.keys.get((stem, raw))
        if found is None:
            if len(self.keys) >= LIMIT:
                self.keys.clear()
            found = self.keys[(stem, raw)] = make(raw, stem)
        return found

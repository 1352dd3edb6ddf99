"""What a long-lived process keeps of the cache files it read, from one command to the next.

A command run by `okrctl serve` (docs/behaviour.md, "A resident server") reads the same parse
cache as the last one did: unpickling its 2,000 units was a fifth of a warm `check` at 2,000
teams. Once a process asked for it (`keep_reads`), what a cache file decoded to is kept beside
the file's identity (`rereads.signature`: device, inode, size, modification and change times):
the caches are replaced whole by a rename (`store/writefile.py`), so a file written since is
another identity and is read again. A file that changed while it was read is not kept. Without
`keep_reads` (a command-line run, a library caller) every read goes to the file, as before.

What is kept is shared by every command that reads it: a caller never changes it (it copies
what it would change), beyond filling in what it decodes lazily (the history index's rows)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from okrctl.store.rereads import Rereads, Signature, signature

Decoded = TypeVar("Decoded")

_kept: dict[str, tuple[Signature, object]] | None = None
_rereads: Rereads | None = None


def keep_reads() -> None:
    """From now on, this process keeps what the cache files it reads decode to, and the goals
    files it reads (`working_tree_rereads`)."""
    global _kept, _rereads
    if _kept is None:
        _kept, _rereads = {}, Rereads()


def forget_reads() -> None:
    """Back to reading every file each time (and nothing kept)."""
    global _kept, _rereads
    _kept, _rereads = None, None


def keeping_reads() -> bool:
    """Whether this process keeps what it reads (`keep_reads`)."""
    return _kept is not None


def working_tree_rereads() -> Rereads | None:
    """The memory of the goals files this process read (`store/rereads.py`, as the language
    server keeps it: a file whose `stat` is unchanged is not read or hashed again); None
    unless the process keeps its reads."""
    return _rereads


def read_kept(path: Path, decode: Callable[[Path], Decoded]) -> Decoded:
    """`decode(path)`, or what it gave last time for the very same file."""
    if _kept is None:
        return decode(path)
    before = _identity(path)
    if before is None:
        return decode(path)
    name = os.fspath(path)
    found = _kept.get(name)
    if found is not None and found[0] == before:
        return found[1]  # type: ignore[return-value]
    value = decode(path)
    if _identity(path) == before:
        _kept[name] = (before, value)
    else:
        _kept.pop(name, None)
    return value


def _identity(path: Path) -> Signature | None:
    try:
        return signature(os.stat(path))
    except OSError:
        return None

"""Reading a file bounded in size (a roll plan, a workflow's event, `okrctl.yaml`, a goals file):
a file many times what it could be is refused unread past the limit."""

from __future__ import annotations

import os
from pathlib import Path

from okrctl.model.errors import UsageError


def read_at_most(path: Path | str, limit: int) -> bytes | None:
    """`path`'s bytes; None when it holds more than `limit` (one larger by its size is not read
    at all, another read no further than one byte past it). An OSError when it cannot be read.
    Four system calls (open, its size, one read of that size, close) where `open().read()`
    makes eight: every command reads every goals file, 2,500 of them at 2,000 teams. A read
    that does not give the size the file had (shorter, or the file grew) reads on to its end."""
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        size = os.fstat(descriptor).st_size
        if size > limit:
            return None
        data = os.read(descriptor, size + 1)
        if len(data) != size:
            parts, total = [data], len(data)
            while total <= limit and (chunk := os.read(descriptor, 1 << 16)):
                parts.append(chunk)
                total += len(chunk)
            if total > limit:
                return None
            data = b"".join(parts)
        return data
    finally:
        os.close(descriptor)


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """At most `limit` bytes of `path`; a `UsageError` naming `what` when it cannot be read or
    is larger."""
    try:
        raw = read_at_most(path, limit)
    except OSError as error:
        raise UsageError(f"cannot read the {what} {path}: {error.strerror}") from None
    if raw is None:
        raise UsageError(f"the {what} {path} is over {limit:,} bytes: too large to be one")
    return raw

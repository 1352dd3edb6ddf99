"""Reading a file bounded in size (a roll plan, a workflow's event, `okrctl.yaml`, a goals file):
a file many times what it could be is refused unread past the limit."""

from __future__ import annotations

from pathlib import Path

from okrctl.model.errors import UsageError


def read_at_most(path: Path, limit: int) -> bytes | None:
    """`path`'s bytes; None when it holds more than `limit` (read no further than one byte
    past it). An OSError when it cannot be read."""
    with open(path, "rb") as file:
        raw = file.read(limit + 1)
    return raw if len(raw) <= limit else None


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

"""Reading a file someone hands okrctl (a roll plan, a workflow's event), bounded in size: a
file many times what it could be is refused unread past the limit."""

from __future__ import annotations

from pathlib import Path

from okrctl.model.errors import UsageError


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """At most `limit` bytes of `path`; a `UsageError` naming `what` when it cannot be read or
    is larger."""
    try:
        with open(path, "rb") as file:
            raw = file.read(limit + 1)
    except OSError as error:
        raise UsageError(f"cannot read the {what} {path}: {error.strerror}") from None
    if len(raw) > limit:
        raise UsageError(f"the {what} {path} is over {limit:,} bytes: too large to be one")
    return raw

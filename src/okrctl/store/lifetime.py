"""What a process that runs one command and ends keeps until it ends. `okrctl`'s own process
exits without freeing what it made (`okrctl/__main__.py`), so a large value dropped on the way
is better kept than freed one object at a time: a company report's context at 2,000 teams
took 22 ms to free as its rendering returned. A library caller's process, or `okrctl serve`,
goes on after a command: nothing is kept there."""

from __future__ import annotations

_KEPT: list[object] | None = None
"""What is kept; None until the process says it ends with its command."""


def ends_with_its_command() -> None:
    """Called by `okrctl`'s entry point, once it knows it runs the command itself."""
    global _KEPT
    if _KEPT is None:
        _KEPT = []


def keep_until_exit(value: object) -> None:
    """Keep `value` alive until the process ends, where that ends with the command."""
    if _KEPT is not None:
        _KEPT.append(value)

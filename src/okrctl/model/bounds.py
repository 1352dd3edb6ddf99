"""The ranges okrctl reads numbers and dates in, and what a number is: kept apart, importing
nothing of okrctl, so the model, the period arithmetic and the fast readers share them without
loading each other."""

from typing import TypeGuard

MIN_YEAR, MAX_YEAR = 1970, 9998
"""Years okrctl reads: git's clock starts in 1970, and a period or date after 9998 would end
past the last day a date can name (and `--as-of` means the end of its day)."""
MAX_MAGNITUDE = 1e15
"""The largest number a goal may carry: past it, JSON readers lose integer precision, and
arithmetic on such values only invites overflow."""
MIN_SPAN = 1e-9
"""The smallest distance between a baseline and its target that progress can be measured by."""
MAX_DAYS_BACK = 100 * 366
"""`--since Nd` reaches back a century at most."""


def is_number(value: object) -> TypeGuard[int | float]:
    """A number a goal may hold: an int or a float, never a bool (YAML's `true` is an int to
    Python, and a milestone's `done`, not a count)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def as_float(value: object) -> float | None:
    """`value` as a float when it is a number (`is_number`), else None."""
    return float(value) if is_number(value) else None

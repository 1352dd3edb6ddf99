"""Plain text for values and listings, with no imports: the fast paths (`history REF`) print
with these without loading the model or rich."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def format_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "done" if value else "not done"
    return str(value)


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned text columns, the last one left free (notes run as long as they are):
    a listing of thousands of check-ins prints in milliseconds, where a rich table lays out
    each cell for a millisecond or more."""
    if not rows:
        return ""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]])
        .rstrip()
        for row in rows
    )

"""What a plain YAML scalar means under the YAML 1.2 core schema, whatever parser read it: only
`true`/`false` are booleans, `2026` is a number, dates stay text (docs/format.md). One reading
of "is this a number" for goals files, check-ins, measured values and spreadsheet cells."""

from __future__ import annotations

import math
import re
from typing import Any

_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


# The core schema's other plain scalars, in the order the schema tries them, as one pattern: one
# match per scalar instead of up to seven (a tenth of composing a file full of numbers).
_CORE = re.compile(
    r"(?P<null>~|null|Null|NULL|)"
    r"|(?P<int10>[-+]?[0-9]+)"
    r"|(?P<int8>0o[0-7]+)"
    r"|(?P<int16>0x[0-9a-fA-F]+)"
    r"|(?P<float>[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)"
    r"|(?P<inf>[-+]?\.(?:inf|Inf|INF))"
    r"|(?P<nan>\.(?:nan|NaN|NAN))"
)


MAYBE_SPECIAL = frozenset("0123456789+-.~nNtTfF")


def plain_number(text: str) -> int | float | None:
    """The number a plain scalar means (YAML 1.2 core schema), or None for anything else: text,
    booleans, null and .nan. One reading of "is this a number" for check-ins, measured values
    and spreadsheet cells; infinities pass, for the caller's range check to refuse."""
    value = resolve_plain(text)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return value


def resolve_plain(value: str) -> Any:
    """YAML 1.2 core schema resolution of an untagged plain scalar."""
    if value and value[0] not in MAYBE_SPECIAL:
        return value  # the common case: ordinary text
    found = _CORE.fullmatch(value)
    if found is None:
        return _BOOL.get(value, value)
    kind = found.lastgroup
    try:
        if kind == "int10":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "null":
            return None
        if kind == "int8":
            return int(value[2:], 8)
        if kind == "int16":
            return int(value[2:], 16)
    except ValueError:  # over Python's 4,300-digit limit: no finite number anyway
        return -math.inf if value.startswith("-") else math.inf
    if kind == "inf":
        return -math.inf if value.startswith("-") else math.inf
    return math.nan

"""JSON as okrctl writes it for scripts and people: UTF-8 as is, no `NaN` or `Infinity` (not
JSON; scoring keeps every number finite, and a regression fails loudly here), json's own
separators."""

from __future__ import annotations

import json
from typing import Any


def compact(value: Any, indent: int | None = None) -> str:
    """`value` as JSON text, compact unless `indent` is given (json's C encoder runs only
    without it). The views build plain trees, so the check for cycles, a tenth of the
    encoding, is skipped."""
    return json.dumps(
        value, ensure_ascii=False, indent=indent, allow_nan=False, check_circular=False
    )

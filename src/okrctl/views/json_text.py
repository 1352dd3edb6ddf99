"""JSON as okrctl writes it for scripts: UTF-8 as is, no `NaN` or `Infinity` (not JSON; scoring
keeps every number finite, and a regression fails loudly here), json's own separators."""

from __future__ import annotations

import json
from typing import Any


def compact(value: Any) -> str:
    """`value` as compact JSON text (json's C encoder: the views build plain trees, so the
    check for cycles, a tenth of the encoding, is skipped)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, check_circular=False)

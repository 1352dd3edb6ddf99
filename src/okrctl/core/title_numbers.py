"""Numbers a key result's title states, against the numbers it holds (docs/rules.md,
`title-numbers`): "from 48h to 24h" with a baseline of 26 tells readers a different story from
the one it is scored on. Only phrases that name a start and an end ("from A to B") or a bound
("under 2%", "90% or above") are read, so "within 14 days" or "SOC 2" never count."""

from __future__ import annotations

import math
import re

from okrctl.model.goals import Bounds
from okrctl.model.money import ABBREVIATIONS, POWERS, is_money, magnitude

_SUFFIX = "|".join(
    ["%", *(mark if len(mark) > 1 else rf"{mark}(?![a-zA-Z])" for mark in ABBREVIATIONS)]
)  # (`k` not of `kg`, `M` not of `Mbps`)
_NUMBER = rf"[$€£]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?:{_SUFFIX})?"
_RANGE = re.compile(
    rf"\bfrom\s+(?P<start>{_NUMBER})[A-Za-z]*\s+to\s+(?P<end>{_NUMBER})[A-Za-z]*", re.IGNORECASE
)
_BOUND_BEFORE = re.compile(
    rf"\b(?:under|below|above|over|at least|at most|no more than|no less than|less than"
    rf"|more than)\s+(?P<n>{_NUMBER})",
    re.IGNORECASE,
)
_BOUND_AFTER = re.compile(
    rf"(?P<n>{_NUMBER})[A-Za-z]*\s+or\s+(?:above|more|higher|below|less|lower|better)\b",
    re.IGNORECASE,
)
_SCALE = {suffix: 10.0 ** POWERS[suffix] for suffix in ABBREVIATIONS}


def readings(token: str, unit: str | None = None) -> set[float]:
    """Every value a written number may stand for: `41k` is 41 (in a unit of thousands) or
    41,000; `38%` is 38 or 0.38; `$80M` is 80 or 80,000,000 (and 80,000 in a `$k` number). In
    a unit that says the scale itself (`38%` of a `%` number, `$80M` of a `$M` one) only the
    first: 0.38 there reads 0.38%, not the 38% the title says."""
    digits = token.lstrip("$€£")
    suffix = ""
    for mark in ("%", *ABBREVIATIONS):
        if digits.endswith(mark):
            digits, suffix = digits[: -len(mark)], mark
            break
    value = float(digits.replace(",", ""))
    found = {value}
    if suffix and unit is not None and _states_scale(unit, suffix):
        return found
    if suffix in _SCALE:
        found.add(value * _SCALE[suffix])
    counted_in = magnitude(unit) if unit is not None and is_money(unit) else None
    if suffix in _SCALE and counted_in in POWERS:  # `$80M` of a `$k` number: 80,000
        found.add(value * 10.0 ** (POWERS[suffix] - POWERS[counted_in]))
    if suffix == "%":
        found.add(value / 100)
    return found


def _states_scale(unit: str, suffix: str) -> bool:
    """Whether `unit` itself says what a title's `suffix` does: `%` for `38%`, `$M` (or
    `$M/month`) for `$80M`."""
    if suffix == "%":
        return unit.startswith("%")
    return unit == suffix or (is_money(unit) and magnitude(unit) == suffix)


def _matches(token: str, value: float | None, unit: str | None) -> bool:
    if value is None:
        return False
    return any(
        math.isclose(reading, value, rel_tol=1e-9, abs_tol=1e-12)
        for reading in readings(token, unit)
    )


def title_problem(
    title: str,
    baseline: float | None,
    target: float | None,
    keep: Bounds | None,
    unit: str | None = None,
) -> str | None:
    """What the title says that the numbers do not (None when they agree, or it says none);
    `unit` is the key result's."""
    if baseline is not None and target is not None:
        found = _RANGE.search(title)
        if found is None:
            return None
        start, end = found.group("start"), found.group("end")
        if _matches(start, baseline, unit) and _matches(end, target, unit):
            return None
        return (
            f"it says {found.group(0)!r}, and the numbers are "
            f"{plain_text(baseline)} → {plain_text(target)}{_in(unit)}"
        )
    if keep is not None:
        bounds = [b for b in (keep.min, keep.max) if b is not None]
        for pattern in (_BOUND_BEFORE, _BOUND_AFTER):
            for found in pattern.finditer(title):
                token = found.group("n")
                if not any(_matches(token, bound, unit) for bound in bounds):
                    shown = " and ".join(plain_text(b) for b in bounds)
                    return f"it says {found.group(0)!r}, and the band's bound is {shown}"
    return None


def _in(unit: str | None) -> str:
    """` (in %)`: what the numbers are counted in, which decides how the title reads them."""
    return f" (in {unit})" if unit else ""


def plain_text(value: float) -> str:
    """`7.35`, not `7.3500000000000005` (a sum of 5.40 and 1.95)."""
    return f"{float(value):.10g}"

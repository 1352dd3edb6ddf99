"""A number moved to another magnitude of its money (`$M` to `$k`: 97.5 becomes 97500) is the
same quantity counted again, not a check-in nor a goal-post moved (docs/commands.md,
"history"): history, `retro` and `review` count what came before in the unit it has now."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from okrctl.model.money import rescaling

IN_UNIT = frozenset({"current", "baseline", "target", "keep", "healthy", "warning"})
"""The fields of a key result or KPI counted in its unit (a confidence or a weight is not)."""


def recounted(value: Any, old_unit: object, new_unit: object) -> Any:
    """`value` (a number, or a band of them), counted in `old_unit`, in `new_unit` where the
    two are one currency at two magnitudes; as it is anywhere else (another quantity, a
    milestone's done, nothing)."""
    power = rescaling(old_unit, new_unit) if old_unit != new_unit else None
    if not power:
        return value
    if isinstance(value, dict):
        return {key: times_ten(bound, power) for key, bound in value.items()}
    return times_ten(value, power)


def recounted_fields(fields: dict[str, Any], old_unit: object, new_unit: object) -> dict[str, Any]:
    """A key result's or KPI's fields as written in one version, those counted in its unit
    counted in `new_unit` (the version after it, or the unit it has now)."""
    if old_unit == new_unit:
        return fields
    return {
        name: recounted(value, old_unit, new_unit) if name in IN_UNIT else value
        for name, value in fields.items()
    }


def times_ten(value: Any, power: int) -> Any:
    """`value` times 10^`power`, worked in decimals (86.2 thousands is 86200, not
    86200.00000000001); an integer stays one where the result is whole; anything but a number
    (a band, a milestone's done, nothing) as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    exact = Decimal(repr(value)).scaleb(power)
    if isinstance(value, int) and exact == exact.to_integral_value():
        return int(exact)
    return float(exact)

"""Whether a value checked in looks like a slip of the hand or of the unit (docs/commands.md,
"Check-ins"): 0.41 for a `%` number that runs 38 → 45 (a fraction typed for a percentage),
97,500,000 for a `$M` one (dollars typed for millions), 468 for 46,800 (digits lost). Such a
value scores the number near 0 or far past 1, and every report and chart shows it until someone
notices; a number that truly moved that far is checked in on purpose (`--force`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from okrctl.core.recount import times_ten
from okrctl.model.goals import KeyResult, Kpi

SLIP_FACTOR = 50
"""How many times larger than the largest value a number holds or aims for, or smaller than
the smallest (when none is zero), a value must be to look like a slip: a fraction typed for a
percentage is 100 times off, dollars for `$M` a million; a KPI in an incident (latency 25
times its healthy bound) and a falling key result far past its target (0.8 for 80 → 20) are
not slips, and stay under it."""


class Slip(NamedTuple):
    times: float
    """How many times larger (`larger`) or smaller than the nearest of the number's values."""
    larger: bool
    meant: float | None
    """The value moved by a power of ten to among the number's values (41 for 0.41), if one
    lands there."""


def slip(value: float, marks: Iterable[float | None]) -> Slip | None:
    """`value` against what the number holds and aims for (`marks`: its value now, baseline,
    target, bounds); None when it is among them, or when they say nothing of its size. One
    pass, no list: `check` asks it of every key result and KPI (22,000 at 2,000 teams)."""
    if value == 0:
        return None
    low = high = 0.0
    zero = False
    for mark in marks:
        if mark is None:
            continue
        if mark == 0:
            zero = True
            continue
        size = -mark if mark < 0 else mark
        if not high:
            low = high = size
        elif size > high:
            high = size
        elif size < low:
            low = size
    if not high:
        return None
    size = -value if value < 0 else value
    if size > high * SLIP_FACTOR:
        return Slip(size / high, True, _meant(value, low, high))
    if not zero and size * SLIP_FACTOR < low:  # from a zero mark, small is plausible
        return Slip(low / size, False, _meant(value, low, high))
    return None


def slip_of(model: KeyResult | Kpi, value: Any) -> Slip | None:
    """Whether `value`, given as a key result's or KPI's new value (typed in a check-in, read
    by `measure`), looks like a slip: never a milestone's state, no value, or the value the
    number already holds."""
    if isinstance(value, bool) or value is None or value == model.current:
        return None
    return slip(value, [model.current, *aims_of(model)])


KEY_RESULT_AIMS = ("baseline", "target", "keep min", "keep max")
KPI_AIMS = ("healthy min", "healthy max", "warning min", "warning max")
"""What `key_result_aims` and `kpi_aims` give, in their order."""


def aims_of(model: KeyResult | Kpi) -> tuple[float | None, ...]:
    """What a number aims for (`KEY_RESULT_AIMS` or `KPI_AIMS`; those not given are None)."""
    return key_result_aims(model) if isinstance(model, KeyResult) else kpi_aims(model)


def key_result_aims(model: KeyResult) -> tuple[float | None, ...]:
    keep = model.keep
    if keep is None:
        return (model.baseline, model.target, None, None)
    return (model.baseline, model.target, keep.min, keep.max)


def kpi_aims(model: Kpi) -> tuple[float | None, ...]:
    healthy, warning = model.healthy, model.warning
    return (
        *((None, None) if healthy is None else (healthy.min, healthy.max)),
        *((None, None) if warning is None else (warning.min, warning.max)),
    )


def goal_marks(model: KeyResult | Kpi) -> list[tuple[str, float]]:
    """What a number aims for, named (those given): `[("baseline", 38), ("target", 45)]`."""
    names = KEY_RESULT_AIMS if isinstance(model, KeyResult) else KPI_AIMS
    aims = zip(names, aims_of(model), strict=True)
    return [(name, value) for name, value in aims if value is not None]


def _meant(value: float, low: float, high: float) -> float | None:
    """`value` times the power of ten nearest 1 that puts it between half of `low` and twice
    `high`, written exactly (0.57 x 100 is 57, not 56.99999999999999)."""
    for power in sorted((p for p in range(-12, 13) if p), key=abs):
        moved = float(times_ten(value, power))
        if low / 2 <= abs(moved) <= high * 2:
            return moved
    return None

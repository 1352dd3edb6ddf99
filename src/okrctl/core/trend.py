"""Trends and forecasts from check-ins (docs/scoring.md): pure arithmetic, no git here.

The points of a period are its check-ins (time in days since the period started) and the value
in effect at the period's first commit. With two or more points at different times, the least-
squares line through them, evaluated at the period's end, is the forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from okrctl.core.periods import Period
from okrctl.core.score import clamp, measurable_span, progress
from okrctl.model.bounds import is_number

SPARKS = "▁▂▃▄▅▆▇█"
Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Forecast:
    value: float
    score: float
    projected: bool = True
    """False once no time remains: the value is the key result's own, and views that speak of
    where a number is heading (text, reports, the site) show none."""

    def as_json(self) -> dict[str, float]:
        return {"value": self.value, "score": self.score}


def period_points(
    checkins: Sequence[tuple[datetime, Any]],
    period: Period,
    moment: datetime,
    opening: tuple[datetime, Any] | None = None,
) -> list[Point]:
    """(days since the period started, value) of the numeric check-ins in the period up to
    `moment`, with `opening` (the value at the period's first commit) included."""
    found: dict[datetime, float] = {}
    if opening is not None and opening[0] <= moment and is_number(opening[1]):
        found[opening[0]] = float(opening[1])
    for date, value in checkins:
        if period.start <= date < period.end and date <= moment and is_number(value):
            found[date] = float(value)
    day = timedelta(days=1)
    return [((date - period.start) / day, value) for date, value in sorted(found.items())]


def least_squares(points: Sequence[Point]) -> tuple[float, float] | None:
    """(intercept, slope) of the least-squares line, or None without two distinct times."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y - slope * mean_x, slope


def forecast(
    points: Sequence[Point],
    period: Period,
    baseline: float,
    target: float,
    unit: str | None = None,
    most: float | None = None,
) -> Forecast | None:
    """Where the least-squares line through `points` stands at the period's end, made
    `plausible`; `most` is the highest value the quantity can take (a score: 1)."""
    line = least_squares(points)
    if line is None or not measurable_span(baseline, target):
        return None
    intercept, slope = line
    written = [baseline, target, *(value for _, value in points)]
    value = plausible(intercept + slope * period.days, written, unit)
    if most is not None:
        value = min(most, value)
    return Forecast(value, clamp(progress(baseline, target, value)))


def settled(value: float, baseline: float, target: float) -> Forecast | None:
    """The forecast once no time remains (as of the period's last day or later): the value
    itself, since there is nothing left to project (docs/scoring.md)."""
    if not measurable_span(baseline, target):
        return None
    return Forecast(value, clamp(progress(baseline, target, value)), projected=False)


MAX_DECIMALS = 6


def plausible(value: float, written: Sequence[float], unit: str | None) -> float:
    """A straight line can head anywhere; a forecast says only what the quantity allows, to the
    precision its numbers are written in: never below zero where every number written is zero
    or more (a count, a rate), never past 100 for a percentage written within 0..100, and
    rounded to the most decimals any of those numbers has (`54041.23 accounts` is 54041)."""
    if all(number >= 0 for number in written):
        value = max(0.0, value)
    if unit == "%" and all(0 <= number <= 100 for number in written):
        value = min(100.0, value)
    decimals = max((_decimals(number) for number in written), default=0)
    rounded = round(value, decimals)
    return float(rounded) if decimals else float(int(rounded))


def _decimals(number: float) -> int:
    """Decimals as the number is written: 40 → 0, 40.5 → 1, 0.125 → 3 (at most MAX_DECIMALS)."""
    if float(number).is_integer():
        return 0
    exponent = Decimal(repr(float(number))).normalize().as_tuple().exponent
    return min(MAX_DECIMALS, -exponent) if isinstance(exponent, int) else MAX_DECIMALS


def sparkline(values: Sequence[float]) -> str:
    """A tiny chart of the values, lowest ▁ to highest █."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    steps = len(SPARKS) - 1
    return "".join(SPARKS[round((v - low) / (high - low) * steps)] for v in values)

"""A value that looks like a slip (`core/slips.py`), said so that its owner sees at once what
went wrong: the value as typed, how far off it is, the number's range and value now, and what
was perhaps meant."""

from __future__ import annotations

from okrctl.core.slips import Slip, aims_of
from okrctl.model.goals import KeyResult, Kpi
from okrctl.render.textformat import bounds_text, cents_among, goal_range, with_unit


def slip_sentence(ref: str, typed: str, found: Slip, model: KeyResult | Kpi) -> str:
    """`0.41 is 93 times smaller than any value REF holds or aims for (38 → 45%, now 40.5%);
    did you mean 41%?` (`typed` as typed: written in its unit, 0.9995 would round to 1%)."""
    how = f"{found.times:,.0f} times {'larger' if found.larger else 'smaller'}"
    meant = "." if found.meant is None else f"; did you mean {with_unit(found.meant, model.unit)}?"
    return f"{typed} is {how} than any value {ref} holds or aims for ({_marks(model)}){meant}"


def _marks(model: KeyResult | Kpi) -> str:
    """`38 → 45%, now 40.5%`; `keep ≤ 5, now 3`; `healthy ≥ 99.9%, now 99.95%`."""
    unit = model.unit
    cents = cents_among((model.current, *aims_of(model)), unit)  # shown together: alike
    if isinstance(model, KeyResult):
        if model.keep is not None:
            said = f"keep {bounds_text(model.keep.min, model.keep.max, unit)}"
        else:
            said = goal_range(model.baseline, model.target, unit, cents=cents)
    else:
        band = model.healthy
        said = "" if band is None else f"healthy {bounds_text(band.min, band.max, unit)}"
    now = "" if model.current is None else f"now {with_unit(model.current, unit, cents=cents)}"
    return ", ".join(part for part in (said, now) if part)

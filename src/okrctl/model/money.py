"""Which units are money: written with the symbol in front (`$0.36`, `$97.5M`, `$7.35/month`)
when shown, and typed back that way in a check-in (docs/format.md, "Units")."""

from __future__ import annotations

MONEY = frozenset("$€£¥₹")
"""Currency symbols: a unit that starts with one is money."""

POWERS = {
    "": 0, "k": 3, "K": 3, "M": 6, "MM": 6, "m": 6, "mm": 6,
    "B": 9, "b": 9, "bn": 9, "Bn": 9, "T": 12, "tn": 12,
}  # fmt: skip
"""What may follow a money unit's symbol, and the power of ten it counts in (`$k`, `$M`,
`€bn`; `£m` and `$MM` are millions, as finance writes; nothing, single pieces of money)."""

MAGNITUDES = frozenset(POWERS) - {""}
"""Those that count thousands, millions or more."""

ABBREVIATIONS = ("bn", "Bn", "k", "K", "M", "B")
"""What may follow a number written as a title writes it (`41k`, `$1.2M`, `3bn`): the
magnitudes of `POWERS` read after any number, not only money's (`m` is not among them: minutes
and metres). Longest first, as a suffix is looked for."""


def is_money(unit: str | None) -> bool:
    return unit is not None and unit[:1] in MONEY


def magnitude(unit: str) -> str:
    """What follows a money unit's symbol up to a space or a slash: `M` of `$M/month`, `` of
    `$/month` (one of `MAGNITUDES` when it counts thousands or more)."""
    return unit[1:].replace("/", " ").split(" ", 1)[0]


def in_thousands(unit: str) -> bool:
    """Whether a money unit counts thousands or millions (`$M`, `$k/month`, `$M ARR`), whose
    numbers have no cents, rather than single pieces of money (`$`, `$/month`, `$ ARR`)."""
    return magnitude(unit) in MAGNITUDES


def rescaling(old: object, new: object) -> int | None:
    """The power of ten that turns a number counted in `old` into the same amount counted in
    `new`, where both are one currency at two magnitudes (`$M` to `$k`: 3; `€k/month` to
    `€/month`: 3; `$` to `$M`: -6); None where they are not the same quantity (another
    currency, another period, no money at all, or no unit a file could hold: a version of a
    file read from git may say anything)."""
    if not (isinstance(old, str) and isinstance(new, str)):
        return None
    if not (is_money(old) and is_money(new)) or old[0] != new[0]:
        return None
    old_magnitude, new_magnitude = magnitude(old), magnitude(new)
    if old_magnitude not in POWERS or new_magnitude not in POWERS:
        return None
    if old[1 + len(old_magnitude) :] != new[1 + len(new_magnitude) :]:
        return None
    return POWERS[old_magnitude] - POWERS[new_magnitude]

"""Which units are money: written with the symbol in front (`$0.36`, `$97.5M`, `$7.35/month`)
when shown, and typed back that way in a check-in (docs/format.md, "Units")."""

from __future__ import annotations

MONEY = frozenset("$€£¥₹")
"""Currency symbols: a unit that starts with one is money."""

MAGNITUDES = frozenset({"k", "K", "M", "MM", "m", "mm", "B", "b", "bn", "Bn", "T", "tn"})
"""What may follow the symbol to count thousands, millions or more (`$k`, `$M`, `€bn`)."""


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

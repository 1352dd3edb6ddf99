"""Which units are money: written with the symbol in front (`$0.36`, `$97.5M`, `$7.35/month`)
when shown, and typed back that way in a check-in (docs/format.md, "Units")."""

from __future__ import annotations

MONEY = frozenset("$€£¥₹")
"""Currency symbols: a unit that starts with one is money."""


def is_money(unit: str | None) -> bool:
    return unit is not None and unit[:1] in MONEY

"""How long a key result or KPI has gone without a check-in: one answer for the `stale` rule,
the reports' "needs attention" and the retro's stale list."""

from __future__ import annotations

from datetime import datetime

from okrctl.model.history import CheckIn, RefHistory


def silence(
    found: RefHistory | None, moment: datetime, period_start: datetime
) -> tuple[float, CheckIn | None] | None:
    """Days without a check-in at `moment`, counted from the later of the last check-in, the
    creation and the period start, and the last check-in; None for what is not committed yet."""
    if found is None or found.created is None or found.created > moment:
        return None
    checkins = found.checkins_until(moment)
    last = checkins[-1] if checkins else None
    since = max(d for d in (last and last.date, found.created, period_start) if d)
    return (moment - since).total_seconds() / 86_400, last

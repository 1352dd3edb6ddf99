"""How long a key result or KPI has gone without a check-in: one answer for the `stale` rule,
the reports' "needs attention" and the retro's stale list."""

from __future__ import annotations

from datetime import datetime

from okrctl.model.history import CheckIn, Seen


def watched_until(moment: datetime, period_end: datetime) -> datetime:
    """The moment silence is measured at: `moment`, or the period's end once it is over (a
    quarter read years later was quiet for its own weeks, not for every day since)."""
    return min(moment, period_end)


def silence(
    seen: Seen | None, moment: datetime, period_start: datetime
) -> tuple[float, CheckIn | None] | None:
    """Days without a check-in at `moment`, counted from the later of the last check-in, the
    creation and the period start, and the last check-in; None for what is not committed yet.
    `seen` is what history knows of the ref at `moment` (`History.seen`)."""
    if seen is None or seen.created is None or seen.created > moment:
        return None
    last = seen.last
    since = max(d for d in (last and last.date, seen.created, period_start) if d)
    return (moment - since).total_seconds() / 86_400, last

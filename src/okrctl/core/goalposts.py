"""What counts as moving the goal-posts, and when a change to a period's goals is "mid-period"
(docs/commands.md, "Quarters" and "Reviewing a change"): the one place `retro` and `review`
take it from.

A period's first 14 days are its grace: goals are still being set, so changing a target,
adding an objective or dropping one then is planning, not a move. After the grace, the same
change moves the goal-posts (a target changed), or the scope (an objective added or dropped).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from okrctl.core.periods import Period
from okrctl.model.bounds import is_number
from okrctl.model.goals import KeyResult

GRACE = timedelta(days=14)

RETRO_FIELDS = ("baseline", "target", "type")
"""What `retro` reports as a goal-post move: a key result's baseline or target, an objective's
type."""

REVIEW_FIELDS = {
    "key result": ("baseline", "target", "keep", "weight"),
    "objective": ("type",),
    "KPI": ("healthy", "warning"),
}
"""What `review` reports as a goal-post move, by kind: what `retro` reports, and a key result's
band and weight (its share of the objective's score), and a KPI's bands."""


def grace_end(period: Period) -> datetime:
    return period.start + GRACE


def is_mid_period(when: datetime, period: Period) -> bool:
    """Whether a change made at `when` falls after the period's grace (and so is a move)."""
    return when > grace_end(period)


def against_direction(key_result: KeyResult, old: Any, new: Any) -> bool:
    """A check-in that moves a key result away from its target: a number going the other way
    from baseline → target, or a milestone going from done back to not done. A keep band has
    no direction."""
    if key_result.milestone:
        return old is True and new is not True
    if not _numbers(old, new) or key_result.baseline is None or key_result.target is None:
        return False
    way = key_result.target - key_result.baseline
    return bool((new - old) * way < 0)


def jump_share(key_result: KeyResult, old: Any, new: Any) -> float | None:
    """How much of its baseline → target range a check-in moved a key result in one step;
    None where there is no range (a milestone, a band, a first value)."""
    if not _numbers(old, new) or key_result.baseline is None or key_result.target is None:
        return None
    span = abs(key_result.target - key_result.baseline)
    if span == 0:
        return None
    return float(abs(new - old) / span)


def confidence_dropped(old: Any, new: Any) -> bool:
    """A check-in whose confidence went down (from one number to a lower one)."""
    return _numbers(old, new) and new < old


def _numbers(*values: Any) -> bool:
    return all(is_number(v) for v in values)

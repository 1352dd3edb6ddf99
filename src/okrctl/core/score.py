"""Pure scoring arithmetic (docs/scoring.md). No I/O, no model loading: numbers in, numbers out."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TypeVar

from okrctl.model.bounds import MIN_SPAN
from okrctl.model.goals import KeyResult, Kpi, Objective

ASPIRATIONAL_SUCCESS = 0.7
ON_TRACK_PACE = -0.10
AT_RISK_PACE = -0.25


class Status(StrEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MISSED = "missed"


class Grade(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class Health(StrEnum):
    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"
    UNKNOWN = "unknown"


class Shape(StrEnum):
    NUMERIC = "numeric"
    MILESTONE = "milestone"
    KEEP = "keep"


def shape(key_result: KeyResult) -> Shape:
    if key_result.milestone:
        return Shape.MILESTONE
    if key_result.keep is not None:
        return Shape.KEEP
    return Shape.NUMERIC


def clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def progress(baseline: float, target: float, current: float) -> float:
    """How far from baseline to target; works for falling metrics; above 1 is over-achievement."""
    return (current - baseline) / (target - baseline)


def key_result_progress(key_result: KeyResult, kind: Shape | None = None) -> float | None:
    """Unclamped progress of a numeric key result; None without a current or a usable range.
    (`kind`: its `shape`, when the caller has it.)"""
    baseline, target, current = key_result.baseline, key_result.target, key_result.current
    if (kind or shape(key_result)) is not Shape.NUMERIC or current is None:
        return None
    if baseline is None or target is None or not measurable_span(baseline, target):
        return None
    return progress(baseline, target, current)


def measurable_span(baseline: float, target: float) -> bool:
    """Whether progress can be measured between these: they differ by at least MIN_SPAN, so the
    division stays finite (`baseline: 0, target: 5e-324` would make any check-in infinite)."""
    return abs(target - baseline) >= MIN_SPAN


def key_result_score(key_result: KeyResult) -> float:
    """Numeric: progress capped to [0, 1], 0 before any check-in; milestone: done; keep: in band."""
    return key_result_numbers(key_result)[2]


def key_result_numbers(key_result: KeyResult) -> tuple[Shape, float | None, float]:
    """A key result's shape, progress (`key_result_progress`) and score (`key_result_score`),
    each worked out once: a scorecard of 2,000 teams asks all three of 18,000 key results."""
    kind = shape(key_result)
    if kind is Shape.MILESTONE:
        return kind, None, 1.0 if key_result.done else 0.0
    if kind is Shape.KEEP:
        assert key_result.keep is not None
        current = key_result.current
        inside = current is not None and key_result.keep.contains(current)
        return kind, None, 1.0 if inside else 0.0
    value = key_result_progress(key_result, kind)
    return kind, value, 0.0 if value is None else clamp(value)


def weighted_mean(scores: Sequence[float], weights: Sequence[float]) -> float | None:
    total = sum(weights)
    if not scores or total == 0:
        return None
    return sum(s * w for s, w in zip(scores, weights, strict=True)) / total


def mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def grade(score: float) -> Grade:
    """Google's bands: < 0.4 red, < 0.7 yellow, else green."""
    if score < 0.4:
        return Grade.RED
    if score < 0.7:
        return Grade.YELLOW
    return Grade.GREEN


def expected(objective_type: str, elapsed: float) -> float:
    """Committed objectives are expected to track time; aspirational ones 0.7 of it."""
    return elapsed if objective_type == "committed" else ASPIRATIONAL_SUCCESS * elapsed


def pace_status(pace: float) -> Status:
    if pace >= ON_TRACK_PACE:
        return Status.ON_TRACK
    if pace >= AT_RISK_PACE:
        return Status.AT_RISK
    return Status.OFF_TRACK


def objective_status(score: float, objective_type: str, elapsed: float, over: bool) -> Status:
    """`done`, `missed` (a committed objective below 1 once the period is over), else by pace."""
    threshold = 1.0 if objective_type == "committed" else ASPIRATIONAL_SUCCESS
    if score >= threshold:
        return Status.DONE
    if over and objective_type == "committed":
        return Status.MISSED
    return pace_status(score - expected(objective_type, elapsed))


def key_result_status(
    key_result: KeyResult,
    score: float,
    objective_type: str,
    elapsed: float,
    over: bool,
    kind: Shape | None = None,
) -> Status:
    """Keep bands: on track inside, off track outside; others `done` at 1, else by the pace of
    their objective's type; committed ones below 1 are `missed` once the period is over.
    (`kind`: its `shape`, when the caller has it.)"""
    if (kind or shape(key_result)) is Shape.KEEP:
        if score >= 1:
            return Status.ON_TRACK
        return Status.MISSED if over and objective_type == "committed" else Status.OFF_TRACK
    if score >= 1:
        return Status.DONE
    if over and objective_type == "committed":
        return Status.MISSED
    return pace_status(score - expected(objective_type, elapsed))


def kpi_health(kpi: Kpi) -> Health:
    if kpi.current is None or kpi.healthy is None:
        return Health.UNKNOWN
    if kpi.healthy.contains(kpi.current):
        return Health.HEALTHY
    if kpi.warning is not None and kpi.warning.contains(kpi.current):
        return Health.WARNING
    return Health.CRITICAL


Identified = TypeVar("Identified", Objective, KeyResult, Kpi)


def first_of_each(items: Sequence[Identified]) -> list[Identified]:
    """Duplicated ids (a `duplicate-id` finding) are scored once, as the graph holds them."""
    if len({item.id for item in items}) == len(items):  # (the usual case: each id once)
        return list(items)
    seen: set[str] = set()
    kept: list[Identified] = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            kept.append(item)
    return kept


def objective_score(objective: Objective) -> float | None:
    """An objective's score: the weighted mean of its key results' scores, each id once (as the
    graph holds duplicates); time plays no part. What `status` shows and `diff` compares."""
    results = first_of_each(objective.key_results)
    return weighted_mean([key_result_score(kr) for kr in results], [kr.weight for kr in results])

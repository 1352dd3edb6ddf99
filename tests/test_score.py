"""The scoring arithmetic of docs/scoring.md: table tests with hand-computed numbers, and
properties."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from okrctl.core.score import (
    Grade,
    Health,
    Status,
    expected,
    grade,
    key_result_progress,
    key_result_score,
    key_result_status,
    kpi_health,
    mean,
    objective_status,
    weighted_mean,
)
from okrctl.model.goals import Bounds, KeyResult, Kpi


def numeric(baseline, target, current=None, **extra):
    return KeyResult(id="kr", title="t", baseline=baseline, target=target, current=current, **extra)


@pytest.mark.parametrize(
    ("baseline", "target", "current", "progress", "score"),
    [
        (38, 45, 40.5, 2.5 / 7, 2.5 / 7),  # docs/scoring.md's funded-rate: 0.3571
        (38, 45, 38, 0.0, 0.0),
        (38, 45, 45, 1.0, 1.0),
        (38, 45, 52, 2.0, 1.0),  # over-achievement kept, score capped
        (38, 45, 30, -8 / 7, 0.0),  # worse than the baseline
        (12, 8, 10.5, 0.375, 0.375),  # falling: bps of fraud losses
        (0.42, 0.30, 0.36, 0.5, 0.5),
        (100, 0, 65, 0.35, 0.35),
        (100, 0, -10, 1.1, 1.0),
    ],
)
def test_numeric_key_results(baseline, target, current, progress, score):
    key_result = numeric(baseline, target, current)
    assert key_result_progress(key_result) == pytest.approx(progress)
    assert key_result_score(key_result) == pytest.approx(score)


def test_never_checked_in_scores_zero_with_no_progress():
    key_result = numeric(38, 45)
    assert key_result_progress(key_result) is None
    assert key_result_score(key_result) == 0.0


def test_milestones():
    assert key_result_score(KeyResult(id="m", title="t", milestone=True, done=True)) == 1.0
    assert key_result_score(KeyResult(id="m", title="t", milestone=True, done=False)) == 0.0
    assert key_result_score(KeyResult(id="m", title="t", milestone=True)) == 0.0


@pytest.mark.parametrize(
    ("keep", "current", "score"),
    [
        ({"max": 1.0}, 0.8, 1.0),
        ({"max": 1.0}, 1.0, 1.0),  # bounds are inclusive
        ({"max": 1.0}, 1.01, 0.0),
        ({"min": 90, "max": 95}, 90, 1.0),
        ({"min": 90, "max": 95}, 89.9, 0.0),
        ({"min": 90}, None, 0.0),
    ],
)
def test_keep_bands(keep, current, score):
    key_result = KeyResult(id="k", title="t", keep=Bounds(**keep), current=current)
    assert key_result_score(key_result) == score


@pytest.mark.parametrize(
    ("value", "expected_grade"),
    [
        (0.0, Grade.RED),
        (0.399, Grade.RED),
        (0.4, Grade.YELLOW),
        (0.699, Grade.YELLOW),
        (0.7, Grade.GREEN),
        (1.0, Grade.GREEN),
    ],
)
def test_grade_bands(value, expected_grade):
    assert grade(value) is expected_grade


def test_expected_progress_by_type():
    assert expected("committed", 0.5) == 0.5
    assert expected("aspirational", 0.5) == pytest.approx(0.35)


@pytest.mark.parametrize(
    ("score", "kind", "elapsed", "over", "status"),
    [
        (0.4524, "committed", 0.5, False, Status.ON_TRACK),  # docs/scoring.md: pace -0.0476
        (0.40, "committed", 0.5, False, Status.ON_TRACK),  # pace -0.10 exactly
        (0.39, "committed", 0.5, False, Status.AT_RISK),
        (0.25, "committed", 0.5, False, Status.AT_RISK),  # pace -0.25 exactly
        (0.24, "committed", 0.5, False, Status.OFF_TRACK),
        (1.0, "committed", 0.5, False, Status.DONE),
        (0.99, "committed", 1.0, False, Status.ON_TRACK),  # last day: still inside
        (0.99, "committed", 1.0, True, Status.MISSED),
        (0.7, "aspirational", 0.2, False, Status.DONE),
        (0.25, "aspirational", 0.5, False, Status.ON_TRACK),  # expected 0.35, pace -0.10
        (0.5, "aspirational", 1.0, True, Status.AT_RISK),  # no `missed` for aspirational
        (0.2, "aspirational", 1.0, True, Status.OFF_TRACK),
    ],
)
def test_objective_status(score, kind, elapsed, over, status):
    assert objective_status(score, kind, elapsed, over) is status


def test_key_result_status():
    funded = numeric(38, 45, 40.5)
    assert key_result_status(funded, 2.5 / 7, "committed", 0.5, False) is Status.AT_RISK
    assert key_result_status(funded, 1.0, "committed", 0.5, False) is Status.DONE
    assert key_result_status(funded, 2.5 / 7, "committed", 1.0, True) is Status.MISSED
    assert key_result_status(funded, 2.5 / 7, "aspirational", 0.5, False) is Status.ON_TRACK
    keep = KeyResult(id="k", title="t", keep=Bounds(max=1), current=2)
    assert key_result_status(keep, 0.0, "committed", 0.1, False) is Status.OFF_TRACK
    assert key_result_status(keep, 1.0, "committed", 0.9, False) is Status.ON_TRACK
    assert key_result_status(keep, 0.0, "committed", 1.0, True) is Status.MISSED


@pytest.mark.parametrize(
    ("current", "healthy", "warning", "health"),
    [
        (3.4, {"min": 3.0}, {"min": 2.5}, Health.HEALTHY),
        (3.0, {"min": 3.0}, {"min": 2.5}, Health.HEALTHY),
        (2.7, {"min": 3.0}, {"min": 2.5}, Health.WARNING),
        (2.5, {"min": 3.0}, {"min": 2.5}, Health.WARNING),
        (2.4, {"min": 3.0}, {"min": 2.5}, Health.CRITICAL),
        (2.9, {"min": 3.0}, None, Health.CRITICAL),
        (None, {"min": 3.0}, None, Health.UNKNOWN),
        (0.9, {"max": 0.5}, {"max": 0.8}, Health.CRITICAL),
    ],
)
def test_kpi_health(current, healthy, warning, health):
    kpi = Kpi(
        id="k",
        title="t",
        current=current,
        healthy=Bounds(**healthy),
        warning=Bounds(**warning) if warning else None,
    )
    assert kpi_health(kpi) is health


def test_means():
    assert weighted_mean([2.5 / 7, 0.0, 1.0], [1, 1, 1]) == pytest.approx(0.4524, abs=1e-4)
    assert weighted_mean([1.0, 0.0], [3, 1]) == 0.75
    assert weighted_mean([], []) is None
    assert mean([0.5, None, 1.0]) == 0.75
    assert mean([None]) is None


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(finite, finite, finite)
def test_score_is_within_zero_and_one(baseline, target, current):
    assume(abs(target - baseline) > 1e-6)
    assert 0.0 <= key_result_score(numeric(baseline, target, current)) <= 1.0


@given(finite, finite, finite, st.floats(min_value=0, max_value=1))
def test_score_never_falls_as_current_moves_toward_target(baseline, target, current, step):
    assume(abs(target - baseline) > 1e-3)
    closer = current + (target - current) * step
    before = key_result_score(numeric(baseline, target, current))
    after = key_result_score(numeric(baseline, target, closer))
    assert after >= before - 1e-9


@given(finite, finite, finite)
def test_rising_and_falling_are_symmetric(baseline, target, current):
    assume(abs(target - baseline) > 1e-3)
    rising = key_result_score(numeric(baseline, target, current))
    falling = key_result_score(numeric(-baseline, -target, -current))
    assert rising == pytest.approx(falling, abs=1e-9)


@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0.01, 100)), min_size=1, max_size=8),
    st.floats(0.01, 100),
)
def test_weights(pairs, factor):
    scores = [s for s, _ in pairs]
    weights = [w for _, w in pairs]
    result = weighted_mean(scores, weights)
    assert min(scores) - 1e-9 <= result <= max(scores) + 1e-9
    scaled = weighted_mean(scores, [w * factor for w in weights])
    assert scaled == pytest.approx(result, abs=1e-9)
    # a weight of 2 counts like the same key result listed twice
    doubled = weighted_mean([*scores, scores[0]], [*weights, weights[0]])
    assert doubled == pytest.approx(weighted_mean(scores, [weights[0] * 2, *weights[1:]]), abs=1e-9)

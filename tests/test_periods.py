"""Periods and elapsed time, with hand-computed dates (docs/scoring.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from okrctl.core.periods import end_of_day, is_period, parse_period


@pytest.mark.parametrize(
    ("name", "fiscal_start", "first", "last"),
    [
        ("2026-Q1", 1, date(2026, 1, 1), date(2026, 3, 31)),
        ("2026-Q4", 1, date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-H1", 1, date(2026, 1, 1), date(2026, 6, 30)),
        ("2026-H2", 1, date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", 1, date(2026, 1, 1), date(2026, 12, 31)),
        # GitLab's convention: fiscal year 2020 starts 2019-02-01 and is named by its end.
        ("2020-Q2", 2, date(2019, 5, 1), date(2019, 7, 31)),
        ("2020", 2, date(2019, 2, 1), date(2020, 1, 31)),
        ("2020-Q4", 2, date(2019, 11, 1), date(2020, 1, 31)),
        ("2027-H1", 7, date(2026, 7, 1), date(2026, 12, 31)),
        ("2027-Q3", 10, date(2027, 4, 1), date(2027, 6, 30)),
        ("2024-Q1", 2, date(2023, 2, 1), date(2023, 4, 30)),
    ],
)
def test_period_bounds(name, fiscal_start, first, last):
    period = parse_period(name, fiscal_start)
    assert period.start == datetime(first.year, first.month, first.day, tzinfo=UTC)
    assert period.last_day == last
    assert period.end == end_of_day(last)


@pytest.mark.parametrize(
    ("as_of", "elapsed", "over"),
    [
        (date(2026, 9, 30), 0.0, False),  # the day before it starts: not yet begun
        (date(2026, 10, 1), 1 / 92, False),  # the end of the first day
        (date(2026, 11, 15), 0.5, False),  # docs/scoring.md: 46/92
        (date(2026, 12, 30), 91 / 92, False),
        (date(2026, 12, 31), 1.0, False),  # the last day is still inside, with elapsed 1.0
        (date(2027, 1, 1), 1.0, True),  # the day after: over
    ],
)
def test_elapsed_in_q4(as_of, elapsed, over):
    period = parse_period("2026-Q4")
    moment = end_of_day(as_of)
    assert period.elapsed(moment) == pytest.approx(elapsed)
    assert period.is_over(moment) is over


def test_elapsed_counts_fractions_of_days():
    period = parse_period("2026-Q4")
    noon = datetime(2026, 10, 2, 12, tzinfo=UTC)
    assert period.elapsed(noon) == pytest.approx(1.5 / 92)


def test_leap_year_quarter_has_91_days():
    assert parse_period("2024-Q1").days == 91


@pytest.mark.parametrize("word", ["2026-Q4", "2026-H2", "2026", "1999-Q1"])
def test_periods_are_recognised(word):
    assert is_period(word)


@pytest.mark.parametrize("word", ["2026-Q5", "2026-H3", "26-Q1", "main", "HEAD~2", "2026-q4"])
def test_other_words_are_not_periods(word):
    assert not is_period(word)

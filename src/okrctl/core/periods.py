"""Periods (quarters, halves, years; fiscal years named by the year they end) and elapsed time.

A period runs from its first day 00:00 to its last day 24:00, in UTC (docs/scoring.md).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from okrctl.model.bounds import MAX_DAYS_BACK, MAX_YEAR, MIN_YEAR

PERIOD_RE = re.compile(r"^(?P<year>[0-9]{4})(?:-(?P<kind>[QH])(?P<number>[1-4]))?$")


class Period(NamedTuple):
    name: str
    start: datetime
    """First day, 00:00 UTC."""
    end: datetime
    """The day after the last day, 00:00 UTC (= the last day 24:00)."""

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()

    @property
    def days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)

    def elapsed(self, moment: datetime) -> float:
        """Fraction of the period gone at `moment`, clamped to [0, 1], in days with fractions."""
        fraction = (moment - self.start) / (self.end - self.start)
        return min(1.0, max(0.0, fraction))

    def is_over(self, moment: datetime) -> bool:
        """True once `moment` is past the last day's 24:00."""
        return moment > self.end

    def days_left(self, as_of: date) -> int:
        """Whole days after `as_of` up to the last day (0 on it and after it)."""
        return max(0, (self.last_day - as_of).days)


def is_period(word: str) -> bool:
    """A word that matches a period pattern is a period, not a git revision (docs/commands.md,
    "Time travel")."""
    match = PERIOD_RE.match(word)
    if match is None:
        return False
    kind, number = match.group("kind"), match.group("number")
    return kind is None or (kind == "Q" and number in "1234") or (kind == "H" and number in "12")


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def parse_period(name: str, fiscal_year_start: int = 1) -> Period:
    """`2026-Q4`, `2026-H1` or `2026`; with `fiscal_year_start` m > 1, fiscal year Y starts on
    month m of Y-1 (GitLab's convention)."""
    if not is_period(name):
        raise ValueError(f"{name!r} is not a period: use YYYY-Qn, YYYY-Hn or YYYY")
    match = PERIOD_RE.match(name)
    assert match is not None
    year = int(match.group("year"))
    if not MIN_YEAR + 1 <= year <= MAX_YEAR:
        raise ValueError(
            f"{name!r} is out of range: periods are years {MIN_YEAR + 1} to {MAX_YEAR}"
        )
    first_year = year - 1 if fiscal_year_start > 1 else year
    kind = match.group("kind")
    number = int(match.group("number") or 1)
    offset, length = {None: (0, 12), "Q": (3 * (number - 1), 3), "H": (6 * (number - 1), 6)}[kind]
    start_year, start_month = _add_months(first_year, fiscal_year_start, offset)
    end_year, end_month = _add_months(start_year, start_month, length)
    return Period(
        name=name,
        start=datetime(start_year, start_month, 1, tzinfo=UTC),
        end=datetime(end_year, end_month, 1, tzinfo=UTC),
    )


def check_period(name: str, fiscal_year_start: int = 1) -> Period:
    """`parse_period` for a word from the command line: a bad one is a usage error (exit 2)."""
    from okrctl.model.errors import UsageError

    try:
        return parse_period(name, fiscal_year_start)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def period_problem(name: str) -> str | None:
    """Why a period written in a file cannot be used, or None."""
    try:
        parse_period(name)
    except ValueError as exc:
        return str(exc)
    return None


def end_of_day(day: date) -> datetime:
    """`--as-of DATE` means the end of that day: 24:00 UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def day_of(moment: datetime) -> date:
    """The day a moment falls in, midnight counting as the end of the day before: the day an
    as-of moment stands for (`end_of_day`'s inverse)."""
    return (moment - _JUST_BEFORE).date()


_JUST_BEFORE = timedelta(microseconds=1)


def parse_date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"{text!r} is out of range: use a date from {MIN_YEAR} to {MAX_YEAR}")
    return day


def days_before(day: date, days: int) -> date:
    """`--since Nd`: N days before `day`, at most a century back."""
    if days > MAX_DAYS_BACK:
        raise ValueError(f"{days} days is too far back: use at most {MAX_DAYS_BACK} days")
    return max(day - timedelta(days=days), date(MIN_YEAR, 1, 1))


def now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as the JSON shapes carry dates."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")

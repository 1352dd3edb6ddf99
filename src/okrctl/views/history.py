"""`okrctl history REF`: the check-ins of one key result or KPI, oldest first (its JSON:
docs/commands.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from okrctl.core.periods import iso_utc
from okrctl.model.history import CheckIn, TargetMove


def checkin_json(checkin: CheckIn, iso: Callable[[datetime], str] = iso_utc) -> dict[str, Any]:
    """A check-in as the JSON shapes carry it; `iso` writes its date (a report writes the
    dates of thousands of check-ins, most of them shared by a commit's many numbers)."""
    return {
        "date": iso(checkin.date),
        "author": checkin.author,
        "commit": checkin.commit,
        "value": checkin.value,
        "confidence": checkin.confidence,
        "note": checkin.note,
    }


def move_json(move: TargetMove) -> dict[str, Any]:
    """A target move as report templates get it (docs/templates.md, `target_moves`)."""
    return {
        "date": iso_utc(move.when),
        "day": move.when.date().isoformat(),
        "from": move.old,
        "to": move.new,
    }


class DerivedValues(NamedTuple):
    """A number taken `from:` others, which has no check-ins of its own: how it is derived,
    from which refs, and its value after each commit that moved one of them."""

    how: str
    sources: list[str]
    values: list[tuple[datetime, Any]]
    since: datetime | None = None
    """For a number checked in before it took its number `from:` others, the commit date of
    the change that took its own value out of its file (None: derived since it was written)."""

    def words(self) -> str:
        """Where the values come from, as a reader is told: `the sum of a and b`."""
        *rest, last = self.sources or ["its sources"]
        named = f"{', '.join(rest)} and {last}" if rest else last
        if self.how == "mirror":
            return f"the value of {named}"
        if self.how == "sum":
            return f"the sum of {named}"
        return f"the score of the objectives that support it, {named}"


class HistoryResult(NamedTuple):
    ref: str
    checkins: list[CheckIn]
    notes: list[str]
    """What the reader should know (a shallow clone, versions that could not be read)."""
    unit: str | None = None
    """What the number counts, as its file says now: every value is shown in it."""
    derived: DerivedValues | None = None
    """For a number taken `from:` others: its values as they moved."""

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "ref": self.ref,
            "unit": self.unit,
            "checkins": [checkin_json(c) for c in self.checkins],
        }
        if self.derived is not None:
            since = self.derived.since
            found["from"] = {
                "how": self.derived.how,
                "sources": self.derived.sources,
                "since": None if since is None else iso_utc(since),
            }
            found["values"] = [
                {"date": iso_utc(when), "value": value} for when, value in self.derived.values
            ]
        return found

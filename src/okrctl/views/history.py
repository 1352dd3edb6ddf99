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


class HistoryResult(NamedTuple):
    ref: str
    checkins: list[CheckIn]
    notes: list[str]
    """What the reader should know (a shallow clone, versions that could not be read)."""
    unit: str | None = None
    """What the number counts, as its file says now: every value is shown in it."""

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "unit": self.unit,
            "checkins": [checkin_json(c) for c in self.checkins],
        }

"""`okrctl review BASE [HEAD]` as data: what one change (a pull request) does to the period in
force at HEAD (docs/review.md), item by item, each with the commit and author that made it and
where it is in HEAD's files. `views/change_walk.py` credits each difference to a commit;
`views/reviewing.py` makes the items."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from okrctl.core import goalposts
from okrctl.core.graph import Graph
from okrctl.core.periods import Period, iso_utc
from okrctl.core.scorecard import Scorecard
from okrctl.model.findings import Finding, Severity


class FailOn(StrEnum):
    """What `--fail-on` may name: each kind of item a review can list."""

    ERROR = "error"
    WARNING = "warning"
    GOALPOST = "goalpost"
    SCOPE = "scope"
    BACKWARDS = "backwards"
    JUMP = "jump"
    CONFIDENCE = "confidence"
    OWNER = "owner"


@dataclass(frozen=True, slots=True)
class Credit:
    """Who made a difference, and when: a commit of the change, or the working tree's edits
    (no sha), or nobody known (a merge brought it in)."""

    sha: str | None
    author: str | None
    date: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "commit": self.sha or None,
            "author": self.author,
            "date": iso_utc(self.date) if self.date is not None else None,
        }


UNKNOWN = Credit(None, None, None)


@dataclass(frozen=True, slots=True)
class Place:
    """Where an item is in HEAD's files (paths from the goals repository's root)."""

    file: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Effect:
    """A score and status before and after: what a move does to its key result, objective
    (status) or KPI (health), with the old setting put back; or a unit's or objective's at
    BASE and at HEAD."""

    old_score: float | None
    new_score: float | None
    old_status: str | None
    new_status: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "score": {"old": self.old_score, "new": self.new_score},
            "status": {"old": self.old_status, "new": self.new_status},
        }


@dataclass(frozen=True, slots=True)
class Move:
    ref: str
    kind: str
    field: str
    old: Any
    new: Any
    credit: Credit
    place: Place | None
    effect: Effect
    reason: str = ""
    unit: str | None = None
    """What the number counts (`%`, `$`), for showing old and new."""

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "kind": self.kind, "field": self.field, "old": self.old,
            "new": self.new, **self.credit.as_json(), **_place_json(self.place),
            **self.effect.as_json(), "reason": self.reason,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ScopeChange:
    change: str
    """`added`, `dropped`, `realigned` or `renamed`."""
    ref: str
    kind: str
    credit: Credit
    place: Place | None
    old: Any = None
    new: Any = None
    left: list[tuple[str, int, int]] = field(default_factory=list)
    """For a realignment: each parent left behind, with its supporters before and after."""

    def as_json(self) -> dict[str, Any]:
        return {
            "change": self.change, "ref": self.ref, "kind": self.kind, "old": self.old,
            "new": self.new, **self.credit.as_json(), **_place_json(self.place),
            "left": [{"ref": r, "supporters": {"old": o, "new": n}} for r, o, n in self.left],
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Checkin:
    ref: str
    kind: str
    old: Any
    new: Any
    old_confidence: Any
    new_confidence: Any
    credit: Credit
    place: Place | None
    flags: list[FailOn]
    jump: float | None = None
    """The share of the range moved in this one step."""
    author_is: str | None = None
    """The person the author is (when the goals tie addresses to people)."""
    answerable: list[str] = field(default_factory=list)
    """Who answers for the number, when the author is not one of them."""
    unit: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "kind": self.kind, "old": self.old, "new": self.new,
            "confidence": {"old": self.old_confidence, "new": self.new_confidence},
            **self.credit.as_json(), **_place_json(self.place),
            "flags": [str(f) for f in self.flags], "jump": self.jump,
            "person": self.author_is, "answerable": self.answerable,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Delta:
    ref: str
    level: str
    """`unit` or `objective`."""
    change: Effect
    """Its score and status at BASE and at HEAD (a unit has no status)."""

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "level": self.level, **self.change.as_json()}


@dataclass(slots=True)
class Review:
    base: str
    """The merge base compared against."""
    head: str | None
    """HEAD's commit; None for the working tree."""
    period: Period
    as_of: date
    commits: int
    moves: list[Move] = field(default_factory=list)
    scope: list[ScopeChange] = field(default_factory=list)
    checkins: list[Checkin] = field(default_factory=list)
    deltas: list[Delta] = field(default_factory=list)
    new_findings: list[Finding] = field(default_factory=list)
    fixed_findings: int = 0
    base_findings: int = 0
    fail_on: list[FailOn] = field(default_factory=lambda: [FailOn.ERROR])
    notes: list[str] = field(default_factory=list)
    git_prefix: str = ""
    """The goals repository's root from the git top-level: annotations name files from there."""
    uncommitted: bool = False
    """Whether the working tree's edits to the goals are part of the change."""

    def happened(self) -> dict[FailOn, int]:
        """How many items of each kind the change has."""
        counts = Counter[FailOn]()
        for finding in self.new_findings:
            counts[FailOn.ERROR if finding.severity is Severity.ERROR else FailOn.WARNING] += 1
        counts[FailOn.GOALPOST] += len(self.moves)
        counts[FailOn.SCOPE] += sum(s.change != "renamed" for s in self.scope)
        for checkin in self.checkins:
            counts.update(checkin.flags)
        return {kind: counts[kind] for kind in FailOn if counts[kind]}

    @property
    def failures(self) -> dict[FailOn, int]:
        """What happened of what `--fail-on` names."""
        return {k: n for k, n in self.happened().items() if k in self.fail_on}

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    @property
    def grace_end(self) -> datetime:
        return goalposts.grace_end(self.period)

    def as_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "period": self.period.name,
            "as_of": self.as_of.isoformat(),
            "grace_end": iso_utc(self.grace_end),
            "commits": self.commits,
            "uncommitted": self.uncommitted,
            "goalpost_moves": [m.as_json() for m in self.moves],
            "scope_changes": [s.as_json() for s in self.scope],
            "checkins": [c.as_json() for c in self.checkins],
            "scores": [d.as_json() for d in self.deltas],
            "findings": {
                "new": [f.as_json() for f in self.new_findings],
                "fixed": self.fixed_findings,
                "on_base": self.base_findings,
            },
            "fail_on": [str(k) for k in self.fail_on],
            "failed": {str(k): n for k, n in self.failures.items()},
        }


def _place_json(place: Place | None) -> dict[str, Any]:
    if place is None:
        return {"file": None, "line": None, "column": None}
    return {"file": place.file, "line": place.line, "column": place.column}


@dataclass(frozen=True, slots=True)
class Sides:
    """Both ends of the change, loaded and scored."""

    base: Graph
    head: Graph
    base_card: Scorecard
    head_card: Scorecard
    base_findings: list[Finding]
    head_findings: list[Finding]
    git_prefix: str
    """The goals repository's root from the git top-level (`sub/` or empty)."""

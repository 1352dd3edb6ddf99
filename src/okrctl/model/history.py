"""What git history says about the goals, as plain records: check-ins, each ref's timeline,
versions that could not be read. The store reads them; the core scores and judges them.

The records made by the thousand (commits, check-ins) are named tuples: made several times
faster than frozen dataclasses, and a dataclass costs the start-up of every command to
define."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any, NamedTuple

from okrctl.model.names import unit_stem


class Commit(NamedTuple):
    sha: str
    author_date: datetime


class CheckIn(NamedTuple):
    ref: str
    date: datetime
    author: str
    commit: str
    value: Any
    confidence: Any
    note: str


@dataclass(slots=True)
class RefHistory:
    created: datetime | None = None
    checkins: list[CheckIn] = field(default_factory=list)
    timeline: list[tuple[datetime, Any]] = field(default_factory=list)
    """(commit date, value in effect from then on), an entry each time a commit changed the
    value: a file's every commit would repeat its other refs' values (in the index, nine
    entries in ten on a history of one check-in per commit)."""

    targets: list[tuple[datetime, Any]] = field(default_factory=list)
    """(commit date, target in effect from then on), an entry each time a commit moved the
    target: charts draw it as a step, the old target up to the move and the new one after."""

    def target_moves(self, start: datetime, end: datetime) -> list[TargetMove]:
        """Each move of the target after `start`, up to `end`, oldest first."""
        return moves_in(self.targets, start, end)

    def checkins_until(self, moment: datetime) -> list[CheckIn]:
        return [c for c in self.checkins if c.date <= moment]

    def checkins_between(self, start: datetime, end: datetime) -> list[CheckIn]:
        """The check-ins from `start` up to `end`, both included, oldest first."""
        return [c for c in self.checkins if start <= c.date <= end]

    def value_at(self, moment: datetime) -> Any:
        value = None
        for date, current in self.timeline:
            if date > moment:
                break
            value = current
        return value

    def under(self, ref: str) -> RefHistory:
        """This history as another ref's (a unit renamed): its check-ins name `ref`."""
        checkins = [checkin._replace(ref=ref) for checkin in self.checkins]
        return RefHistory(self.created, checkins, list(self.timeline), list(self.targets))

    def value_left(self) -> datetime | None:
        """The commit date since which its file has given no value of its own (a number
        that now takes it `from:` others); None while the last commit gives one."""
        left = None
        for date, value in reversed(self.timeline):
            if value is not None:
                break
            left = date
        return left


class TargetMove(NamedTuple):
    """A commit that moved a key result's target: charts step from `old` to `new` there."""

    when: datetime
    old: Any
    new: Any


def moves_in(
    targets: Sequence[tuple[datetime, Any]], start: datetime, end: datetime
) -> list[TargetMove]:
    """The moves in a target timeline after `start`, up to `end`."""
    return [
        TargetMove(when, old, new)
        for (_, old), (when, new) in pairwise(targets)
        if start < when <= end
    ]


class Seen(NamedTuple):
    """What staleness needs of a ref at a moment: when it was first committed, and its last
    check-in by then (None: never checked in)."""

    created: datetime | None
    last: CheckIn | None


class Refs(Mapping[str, RefHistory]):
    """Each ref's history, built on first access from a store's compact records; `seen`
    answers staleness without building the rest (every ref needs it, few need more)."""

    def seen(self, ref: str, moment: datetime) -> Seen | None:
        return seen_in(self.get(ref), moment)

    def seen_all(self, refs: Iterable[str], moment: datetime) -> dict[str, Seen | None]:
        return {ref: self.seen(ref, moment) for ref in refs}

    def dated_values(self, ref: str, opening: datetime | None) -> DatedValues | None:
        return dated_values_in(self.get(ref), opening)

    def target_moves(self, ref: str, start: datetime, end: datetime) -> list[TargetMove]:
        found = self.get(ref)
        return [] if found is None else found.target_moves(start, end)

    def checkins_between(self, ref: str, start: datetime, end: datetime) -> list[CheckIn]:
        found = self.get(ref)
        return [] if found is None else found.checkins_between(start, end)

    def checkins_between_all(
        self, refs: Iterable[str], start: datetime, end: datetime
    ) -> dict[str, list[CheckIn]]:
        return {ref: self.checkins_between(ref, start, end) for ref in refs}


class RenamedRefs(Refs):
    """`base` with some refs read under new names (new ref -> the ref `base` knows it by): a
    unit renamed in the working tree and not committed yet, read as history will read it once
    it is. A view: `base`, which a cache may be writing, stays as it was."""

    def __init__(self, base: Mapping[str, RefHistory], renamed: dict[str, str]) -> None:
        self.base, self.renamed = base, renamed
        self._built: dict[str, RefHistory] = {}

    def _old(self, ref: str) -> str:
        return self.renamed.get(ref, ref)

    def __getitem__(self, ref: str) -> RefHistory:
        old = self.renamed.get(ref)
        if old is None:
            return self.base[ref]
        found = self._built.get(ref)
        if found is None:
            found = self._built[ref] = self.base[old].under(ref)
        return found

    def __iter__(self) -> Iterator[str]:
        yield from self.base
        yield from (ref for ref in self.renamed if ref not in self.base)

    def __len__(self) -> int:
        return len(self.base) + sum(ref not in self.base for ref in self.renamed)

    def __contains__(self, ref: object) -> bool:
        return ref in self.renamed or ref in self.base

    def seen_all(self, refs: Iterable[str], moment: datetime) -> dict[str, Seen | None]:
        wanted = list(refs)
        base = self.base
        if not isinstance(base, Refs):
            return {ref: seen_in(self.get(ref), moment) for ref in wanted}
        found = base.seen_all([self._old(ref) for ref in wanted], moment)
        return {ref: found[self._old(ref)] for ref in wanted}

    def seen(self, ref: str, moment: datetime) -> Seen | None:
        return self.seen_all([ref], moment)[ref]

    def dated_values(self, ref: str, opening: datetime | None) -> DatedValues | None:
        base = self.base
        if isinstance(base, Refs):
            return base.dated_values(self._old(ref), opening)
        return super().dated_values(ref, opening)

    def target_moves(self, ref: str, start: datetime, end: datetime) -> list[TargetMove]:
        base = self.base
        if isinstance(base, Refs):
            return base.target_moves(self._old(ref), start, end)
        return super().target_moves(ref, start, end)

    def checkins_between_all(
        self, refs: Iterable[str], start: datetime, end: datetime
    ) -> dict[str, list[CheckIn]]:
        wanted = list(refs)
        base = self.base
        if not isinstance(base, Refs):
            return {ref: self.checkins_between(ref, start, end) for ref in wanted}
        found = base.checkins_between_all([self._old(ref) for ref in wanted], start, end)
        return {ref: self._named(ref, found[self._old(ref)]) for ref in wanted}

    def _named(self, ref: str, checkins: list[CheckIn]) -> list[CheckIn]:
        """`checkins` naming `ref` (those of a renamed ref name its old one)."""
        if ref not in self.renamed:
            return checkins
        return [checkin._replace(ref=ref) for checkin in checkins]


DatedValues = tuple[list[tuple[datetime, Any]], Any]
"""What a trend needs of a ref: its check-ins as (date, value), and the value in effect at the
period's opening commit (None without one)."""


def dated_values_in(found: RefHistory | None, opening: datetime | None) -> DatedValues | None:
    if found is None:
        return None
    values = [(c.date, c.value) for c in found.checkins]
    return values, None if opening is None else found.value_at(opening)


def seen_in(found: RefHistory | None, moment: datetime) -> Seen | None:
    if found is None:
        return None
    checkins = found.checkins_until(moment)
    return Seen(found.created, checkins[-1] if checkins else None)


class Skipped(NamedTuple):
    """A version of a goals file that history could not use, and why."""

    commit: str
    date: datetime
    path: str
    reason: str


@dataclass(slots=True)
class History:
    refs: Mapping[str, RefHistory] = field(default_factory=dict)
    """ref -> its history; read from an index, each ref is built on first access."""
    pending_commits: Callable[[], list[Commit]] | None = field(default=None, repr=False)
    """Makes `commits` on first use (an index holds thousands; `history REF` needs none)."""
    _commits: list[Commit] = field(default_factory=list, repr=False)
    truncated: bool = False
    """A shallow clone: the oldest check-ins are missing."""
    head: str | None = None
    """The commit this history runs up to."""
    latest: dict[str, tuple[Any, Any, Any, Any]] = field(default_factory=dict)
    """ref -> (value, confidence, target, unit) at `head`: where a walk over newer commits
    resumes."""
    skipped: list[Skipped] = field(default_factory=list)
    """Versions of goals files that could not be read, oldest first: left out, never fatal."""

    @property
    def commits(self) -> list[Commit]:
        """Every commit read, oldest first."""
        if self.pending_commits is not None:
            self._commits, self.pending_commits = self.pending_commits(), None
        return self._commits

    def skipped_notes(
        self, since: datetime | None = None, stems: set[str] | None = None
    ) -> list[str]:
        """A note per skipped version (after `since`, of files named in `stems`)."""
        return [
            f"history: skipped {s.path} at {s.commit[:10]} ({s.date.date()}): {s.reason}"
            for s in self.skipped
            if (since is None or s.date >= since) and (stems is None or unit_stem(s.path) in stems)
        ]

    def seen(self, ref: str, moment: datetime) -> Seen | None:
        """When `ref` was first committed and last checked in by `moment`; None when history
        does not know it."""
        refs = self.refs
        if isinstance(refs, Refs):
            return refs.seen(ref, moment)
        return seen_in(refs.get(ref), moment)

    def seen_all(self, refs: Iterable[str], moment: datetime) -> dict[str, Seen | None]:
        """`seen` of each of `refs`, in one pass (`stale` and a report ask it of every key
        result: 20,000 at 2,000 teams)."""
        known = self.refs
        if isinstance(known, Refs):
            return known.seen_all(refs, moment)
        return {ref: seen_in(known.get(ref), moment) for ref in refs}

    def dated_values(self, ref: str, opening: datetime | None) -> DatedValues | None:
        """`ref`'s check-ins as (date, value) and its value at `opening`; None when history
        does not know it. (Every numeric key result's trend asks; few need the rest.)"""
        refs = self.refs
        if isinstance(refs, Refs):
            return refs.dated_values(ref, opening)
        return dated_values_in(refs.get(ref), opening)

    def target_moves(self, ref: str, start: datetime, end: datetime) -> list[TargetMove]:
        """Each move of `ref`'s target after `start`, up to `end` (none when unknown)."""
        refs = self.refs
        if isinstance(refs, Refs):
            return refs.target_moves(ref, start, end)
        found = refs.get(ref)
        return [] if found is None else found.target_moves(start, end)

    def checkins_between(self, ref: str, start: datetime, end: datetime) -> list[CheckIn]:
        """`ref`'s check-ins from `start` up to `end` (a report's period so far); a report
        asks of every key result, and most have none."""
        refs = self.refs
        if isinstance(refs, Refs):
            return refs.checkins_between(ref, start, end)
        found = refs.get(ref)
        return [] if found is None else found.checkins_between(start, end)

    def checkins_between_all(
        self, refs: Iterable[str], start: datetime, end: datetime
    ) -> dict[str, list[CheckIn]]:
        """`checkins_between` of each of `refs`, in one pass (a report's every number)."""
        known = self.refs
        if isinstance(known, Refs):
            return known.checkins_between_all(refs, start, end)
        return {ref: self.checkins_between(ref, start, end) for ref in refs}

    def first_commit_from(self, moment: datetime) -> Commit | None:
        return next((c for c in self.commits if c.author_date >= moment), None)

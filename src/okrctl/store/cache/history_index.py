"""The history index: every check-in up to a commit, kept under `.git/okrctl/` so that a run
reads only the commits made since the last one.

An index describes commits, which never change, and names the commit it runs up to and the
shallow boundary it was read within. A run extends it only when HEAD has moved forward along a
straight line of new commits; a merge (which can bring in older commits), any other move of HEAD,
or a deepened or unshallowed clone builds a new one. It never describes the working tree, so no
edit can make it stale. It is written atomically (temp file and rename), so concurrent runs read
the old index or the new one, and carries a checksum of its content: one that cannot be read,
or is not byte for byte what okrctl wrote, is rebuilt.

It is kept in `marshal`'s format, plain tuples of numbers and text that Python reads back in C:
at 20,000 refs that is 40 ms where a line of JSON per ref took half a second to decode (and
`stale` needs every ref). The refs of each unit, and the list of commits, are marshalled apart
inside it and decoded on first use, and each ref's records are built on first access: `history
REF` decodes one unit's rows of thousands (on a history of 3,000 check-ins over 50 files,
decoding them all was a thirtieth of its run).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import math
import os
import re
from collections.abc import Iterable, Iterator, MutableMapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from okrctl.model.history import (
    CheckIn,
    Commit,
    DatedValues,
    History,
    RefHistory,
    Refs,
    Seen,
    Skipped,
    TargetMove,
    moves_in,
)
from okrctl.model.names import unit_of

FORMAT = 9


def _path(folder: Path, goals: str) -> Path:
    """One index per goals folder and per code that reads check-ins (a change to it starts a
    new index; store/cache/fingerprint.py): `history-<goals>-<code>.marshal`."""
    from okrctl.store.cache.fingerprint import HISTORY, READER, fingerprint

    made_by = fingerprint(READER, HISTORY)
    code = hashlib.sha256(f"{FORMAT}\0".encode() + made_by).hexdigest()[:12]
    return folder / f"{_prefix(goals)}{code}.marshal"


def _prefix(goals: str) -> str:
    return f"history-{hashlib.sha256(goals.encode()).hexdigest()[:12]}-"


_OLDER_NAME = re.compile(r"history-[0-9a-f]{16}\.marshal").fullmatch
"""How indexes were named before their name said which goals folder they are of."""


def _remove_older(path: Path, goals: str) -> None:
    """The indexes of these goals that other code wrote (an earlier okrctl: an upgrade starts a
    new one), and those named the earlier way, whose goals no name says: none will be read
    again, and a CI cache of `.git/okrctl/` would otherwise carry each, 3 MB at 2,000 teams,
    from upgrade to upgrade. Another goals folder's index is left alone."""
    prefix = _prefix(goals)
    with os.scandir(path.parent) as entries:
        for entry in entries:
            name = entry.name
            older = (name.startswith(prefix) and name.endswith(".marshal")) or _OLDER_NAME(name)
            if older and name != path.name and not entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _stamp(date: datetime) -> int:
    return int(date.timestamp())


def _date(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


class _Dates(dict[int, datetime]):
    """Unix seconds → date, each made once: the refs of one file share their commits' dates,
    and a lookup stays in C."""

    def __missing__(self, stamp: int) -> datetime:
        found = self[stamp] = _date(stamp)
        return found


class _LazyRefs(Refs, MutableMapping[str, RefHistory]):
    """Each unit's rows are decoded, and each ref's records built, on first access: `history
    REF` needs one of thousands, and `stale` needs of each only its creation and last check-in
    (`seen`), a trend its values (`dated_values`). Those two answer from the raw row, unless the
    ref was built: a walk that extends the index appends to the built records (and adds the
    refs it meets first), so for those the row is out of date. A CI run one check-in after the
    cached index builds the few refs its commits touch, not all 20,000."""

    def __init__(
        self,
        units: dict[str, bytes],
        dates: _Dates,
        decoded: dict[str, dict[str, _Row]] | None = None,
        settled: dict[str, tuple[float, Seen]] | None = None,
        dated: dict[tuple[str, datetime | None], DatedValues] | None = None,
    ) -> None:
        self._units = units
        """unit id -> its refs' rows, still marshalled."""
        self._raw: dict[str, _Row] = {}
        self._built: dict[str, RefHistory] = {}
        self._dates = dates
        self._decoded = decoded if decoded is not None else {}
        """unit id -> its refs' rows, as decoded (shared by the indexes a long-lived process
        makes of the same file: rows are never changed, a walk extends built records)."""
        self._settled = settled
        """ref -> (its last check-in's time, what `seen` answers from its row at any moment
        from then on), in a long-lived process (shared as `_decoded` is: `okrctl serve` made
        these for the busy org's 15,000 numbers on every `check`, decoding their units' rows
        again, 30 ms of it); None in a run of its own, which asks once of each ref."""
        self._dated = dated
        """(ref, opening) -> its trend's values from its row, kept as `_settled` is (they do
        not depend on the moment: the trend takes those up to it)."""

    def _unpacked(self, unit: str, packed: bytes) -> dict[str, _Row]:
        rows = self._decoded.get(unit)
        if rows is None:
            rows = self._decoded[unit] = marshal.loads(packed)
        return rows

    def _row(self, ref: str) -> _Row | None:
        row = self._raw.get(ref)
        if row is None:
            unit = unit_of(ref)
            packed = self._units.pop(unit, None)
            if packed is None:
                return None
            self._raw.update(self._unpacked(unit, packed))
            row = self._raw.get(ref)
        return row

    def _unbuilt(self, ref: str) -> _Row | None:
        """`ref`'s raw row while its records are unbuilt; None once they are (a walk may have
        appended to them) or when the index does not know it: the base class answers both."""
        return None if ref in self._built else self._row(ref)

    def _all(self) -> dict[str, _Row]:
        for unit, packed in self._units.items():
            self._raw.update(self._unpacked(unit, packed))
        self._units.clear()
        return self._raw

    def __getitem__(self, ref: str) -> RefHistory:
        found = self._built.get(ref)
        if found is None:
            row = self._row(ref)
            if row is None:
                raise KeyError(ref)
            created, checkins, timeline, targets = row
            when = self._dates.__getitem__
            found = self._built[ref] = RefHistory(
                created=None if created is None else when(created),
                checkins=[
                    CheckIn(ref, when(stamp), author, sha, value, confidence, note)
                    for stamp, author, sha, value, confidence, note in checkins
                ],
                timeline=[(when(stamp), value) for stamp, value in timeline],
                targets=[(when(stamp), target) for stamp, target in targets],
            )
        return found

    def seen(self, ref: str, moment: datetime) -> Seen | None:
        return self.seen_all([ref], moment)[ref]

    def seen_all(self, refs: Iterable[str], moment: datetime) -> dict[str, Seen | None]:
        limit, unbuilt = moment.timestamp(), self._unbuilt
        settled, built = self._settled or {}, self._built
        found: dict[str, Seen | None] = {}
        for ref in refs:
            kept = settled.get(ref)
            if kept is not None and kept[0] <= limit and ref not in built:
                found[ref] = kept[1]
                continue
            row = unbuilt(ref)
            found[ref] = super().seen(ref, moment) if row is None else self._seen(ref, row, limit)
        return found

    def _seen(self, ref: str, row: _Row, limit: float) -> Seen:
        created, checkins = row[0], row[1]
        last_time = checkins[-1][0] if checkins else -math.inf
        found = self._seen_at(created, checkins, ref, limit)
        if self._settled is not None and last_time <= limit:  # (not before its last check-in)
            self._settled[ref] = (last_time, found)
        return found

    def _seen_at(
        self, created: int | None, checkins: tuple[tuple[Any, ...], ...], ref: str, limit: float
    ) -> Seen:
        when = self._dates
        if not checkins:  # the usual answer for a silent org: never checked in
            return Seen(None if created is None else when[created], None)
        last: tuple[Any, ...] | None = checkins[-1]  # (usually: the moment is after it)
        if checkins[-1][0] > limit:
            last = next((c for c in reversed(checkins) if c[0] <= limit), None)
        return Seen(
            None if created is None else when[created],
            None if last is None else CheckIn(ref, when[last[0]], *last[1:]),
        )

    def dated_values(self, ref: str, opening: datetime | None) -> DatedValues | None:
        kept = self._dated
        if kept is not None and ref not in self._built:
            found = kept.get((ref, opening))
            if found is None:
                found = self._dated_values(ref, opening)
                if found is not None:
                    kept[ref, opening] = found
            return found
        return self._dated_values(ref, opening)

    def _dated_values(self, ref: str, opening: datetime | None) -> DatedValues | None:
        row = self._unbuilt(ref)
        if row is None:
            return super().dated_values(ref, opening)
        checkins, timeline = row[1], row[2]
        when = self._dates
        values = [(when[checkin[0]], checkin[3]) for checkin in checkins]
        if opening is None:
            return values, None
        limit = opening.timestamp()
        value = None
        for stamp, current in timeline:
            if stamp > limit:
                break
            value = current
        return values, value

    def target_moves(self, ref: str, start: datetime, end: datetime) -> list[TargetMove]:
        row = self._unbuilt(ref)
        if row is None:
            return super().target_moves(ref, start, end)
        when = self._dates
        return moves_in([(when[stamp], target) for stamp, target in row[3]], start, end)

    def checkins_between(self, ref: str, start: datetime, end: datetime) -> list[CheckIn]:
        return self.checkins_between_all([ref], start, end)[ref]

    def checkins_between_all(
        self, refs: Iterable[str], start: datetime, end: datetime
    ) -> dict[str, list[CheckIn]]:
        when, low, high, unbuilt = self._dates, start.timestamp(), end.timestamp(), self._unbuilt
        found: dict[str, list[CheckIn]] = {}
        for ref in refs:
            row = unbuilt(ref)
            if row is None:
                found[ref] = super().checkins_between(ref, start, end)
            elif not row[1]:
                found[ref] = []
            else:
                found[ref] = [
                    CheckIn(ref, when[c[0]], *c[1:]) for c in row[1] if low <= c[0] <= high
                ]
        return found

    def __setitem__(self, ref: str, found: RefHistory) -> None:
        self._row(ref)  # (its unit's other rows decoded: `packed_units` keeps them)
        self._built[ref] = found

    def __delitem__(self, ref: str) -> None:
        raise TypeError("a history's refs are never removed")

    def __iter__(self) -> Iterator[str]:
        rows = self._all()
        return iter([*rows, *(ref for ref in self._built if ref not in rows)])

    def __len__(self) -> int:
        rows = self._all()
        return len(rows) + sum(ref not in rows for ref in self._built)

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and (ref in self._built or self._row(ref) is not None)

    def packed_units(self) -> dict[str, bytes]:
        """Each unit's rows, marshalled as `save` writes them: a unit never decoded is the
        bytes it was read as, a decoded one its rows, built refs made rows again."""
        built = ((ref, _row_of(found)) for ref, found in self._built.items())
        packed = _packed([*self._raw.items(), *built])
        packed.update(self._units)
        return packed


_Row = tuple[
    int | None,
    tuple[tuple[Any, ...], ...],
    tuple[tuple[int, Any], ...],
    tuple[tuple[int, Any], ...],
]
"""A ref as the index keeps it: (created, check-ins, timeline, targets), dates as Unix seconds."""


def _row_of(found: RefHistory) -> _Row:
    return (
        _stamp(found.created) if found.created else None,
        tuple(
            (_stamp(c.date), c.author, c.commit, c.value, c.confidence, c.note)
            for c in found.checkins
        ),
        tuple((_stamp(d), v) for d, v in found.timeline),
        tuple((_stamp(d), v) for d, v in found.targets),
    )


def _packed(rows: Iterable[tuple[str, _Row]]) -> dict[str, bytes]:
    """Refs' rows grouped by unit, each unit's marshalled apart (decoded on first use)."""
    units: dict[str, dict[str, _Row]] = {}
    for ref, row in rows:
        units.setdefault(unit_of(ref), {})[ref] = row
    return {unit: marshal.dumps(unit_rows) for unit, unit_rows in units.items()}


def save(folder: Path, goals: str, boundary: str, history: History) -> None:
    from okrctl.model.errors import OkrctlError
    from okrctl.store.writefile import write_atomically

    refs = history.refs
    if isinstance(refs, _LazyRefs):
        packed = refs.packed_units()
    else:
        packed = _packed((ref, _row_of(found)) for ref, found in refs.items())
    path = _path(folder, goals)
    try:
        body = marshal.dumps(
            (
                FORMAT,
                goals,
                boundary,
                history.head,
                marshal.dumps(tuple((c.sha, _stamp(c.author_date)) for c in history.commits)),
                {ref: tuple(kept) for ref, kept in history.latest.items()},
                tuple((x.commit, _stamp(x.date), x.path, x.reason) for x in history.skipped),
                packed,
            )
        )
        path.parent.mkdir(exist_ok=True)
        write_atomically(path, _digest(body) + b"\n" + body, own_file=True)
        _remove_older(path, goals)
    except (OSError, ValueError, OkrctlError):
        pass  # a read-only .git (or a value marshal cannot keep): the next run walks again


def exists(folder: Path, goals: str) -> bool:
    """Whether an index of these goals was written (whatever it holds)."""
    return _path(folder, goals).exists()


def load(folder: Path, goals: str, boundary: str) -> History | None:
    """The index, when it is exactly what `save` wrote (its checksum matches) for these goals and
    this shallow boundary; anything else (corrupt, edited, truncated, another version, not a
    regular file) means rebuild. The checksum costs milliseconds where checking every row's
    shape would cost a walk over all of them. What the file decodes to may be kept by a
    long-lived process (`store/cache/kept_reads.py`): each load makes its own `History` of it."""
    from okrctl.store.cache.kept_reads import read_kept

    kept = read_kept(_path(folder, goals), _decode)
    if kept is None:
        return None
    version, for_goals, shallow, head, commits, latest, skipped, units = kept.fields
    if (version, for_goals, shallow) != (FORMAT, goals, boundary):
        return None
    try:
        dates = kept.dates
        history = History(truncated=bool(boundary), head=head)
        history.pending_commits = lambda: [
            Commit(sha, dates[stamp]) for sha, stamp in marshal.loads(commits)
        ]
        history.latest = dict(latest)  # (each a 4-tuple: `_decode` looked, once per file)
        history.skipped = [
            Skipped(sha, dates[stamp], path, why) for sha, stamp, path, why in skipped
        ]
        history.refs = _LazyRefs(dict(units), dates, kept.decoded, kept.settled, kept.dated)
    except (ValueError, TypeError, EOFError, OverflowError, OSError):
        return None  # checksummed, so only a hand-made file gets here
    return history


class _Kept(NamedTuple):
    fields: tuple[Any, ...]
    """The index's fields, as `save` marshalled them."""
    dates: _Dates
    decoded: dict[str, dict[str, _Row]]
    """Each unit's rows once decoded (by any load of this file, in a long-lived process)."""
    settled: dict[str, tuple[float, Seen]] | None
    """What `seen` answered of each ref from its last check-in on (by any load of this file),
    where the process keeps what it reads (`kept_reads.keeping_reads`)."""
    dated: dict[tuple[str, datetime | None], DatedValues] | None
    """Each ref's trend values from its row, by opening (as `settled`)."""


def _decode(path: Path) -> _Kept | None:
    from okrctl.store.writefile import read_cache_file

    raw = read_cache_file(path)
    if raw is None:
        return None
    digest, _, body = raw.partition(b"\n")
    if digest != _digest(body):
        return None
    try:
        fields = marshal.loads(body)
    except (ValueError, TypeError, EOFError):
        return None  # checksummed, so only a hand-made file gets here
    if type(fields) is not tuple or len(fields) != 8 or not _latest_values(fields[5]):
        return None
    from okrctl.store.cache.kept_reads import keeping_reads

    keeping = keeping_reads()
    return _Kept(fields, _Dates(), {}, {} if keeping else None, {} if keeping else None)


def _latest_values(latest: object) -> bool:
    """Whether `latest` is what `save` writes: ref -> (value, confidence, target, unit). Looked
    at once per file read (a long-lived process keeps what it decoded), where copying it
    field by field on every load took 3 ms of each warm run at 2,000 teams."""
    return type(latest) is dict and all(
        type(row) is tuple and len(row) == 4 for row in latest.values()
    )


def _digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=16).hexdigest().encode()

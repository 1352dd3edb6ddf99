"""The history index: every check-in up to a commit, kept under `.git/okrctl/` so that a run
reads only the commits made since the last one.

An index describes commits, which never change, and names the commit it runs up to and the
shallow boundary it was read within. A run extends it only when HEAD has moved forward along a
straight line of new commits; a merge (which can bring in older commits), any other move of HEAD,
or a deepened or unshallowed clone builds a new one. It never describes the working tree, so no
edit can make it stale. It is written atomically (temp file and rename), so concurrent runs read
the old index or the new one, and carries a checksum of its content: one that cannot be read,
or is not byte for byte what okrctl wrote, is rebuilt. After the header (head, commits, latest
values), each ref's history is a line of its own, decoded only when asked for: `history REF`
reads one of thousands.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from okrctl.model.history import CheckIn, Commit, History, RefHistory, Skipped
from okrctl.store import gitlog

FORMAT = 4


def _path(top: Path, goals: str) -> Path:
    key = hashlib.sha256(f"{FORMAT}\0{goals}".encode()).hexdigest()[:16]
    return gitlog.git_dir(top) / "okrctl" / f"history-{key}.json"


def _stamp(date: datetime) -> int:
    return int(date.timestamp())


def _date(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


class _LazyRefs(Mapping[str, RefHistory]):
    """Each ref's history is decoded on first access: `history REF` needs one of thousands, and
    decoding them all would be most of its time."""

    def __init__(self, raw: dict[str, bytes]) -> None:
        self._raw = raw
        self._built: dict[str, RefHistory] = {}
        self._dates: dict[int, datetime] = {}
        """Stamp → date: the refs of one file share their commits' dates."""

    def _date(self, stamp: int) -> datetime:
        found = self._dates.get(stamp)
        if found is None:
            found = self._dates[stamp] = _date(stamp)
        return found

    def __getitem__(self, ref: str) -> RefHistory:
        found = self._built.get(ref)
        if found is None:
            data = json.loads(self._raw[ref])
            when = self._date
            found = self._built[ref] = RefHistory(
                created=when(data["created"]) if data["created"] is not None else None,
                checkins=[
                    CheckIn(ref, when(stamp), author, sha, value, confidence, note)
                    for stamp, author, sha, value, confidence, note in data["checkins"]
                ],
                timeline=[(when(stamp), value) for stamp, value in data["timeline"]],
            )
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def save(top: Path, goals: str, boundary: str, history: History) -> None:
    from okrctl.model.errors import OkrctlError
    from okrctl.store.writefile import write_atomically

    header = {
        "format": FORMAT,
        "goals": goals,
        "head": history.head,
        "shallow": boundary,
        "commits": [[c.sha, _stamp(c.author_date)] for c in history.commits],
        "latest": {ref: list(pair) for ref, pair in history.latest.items()},
        "skipped": [[x.commit, _stamp(x.date), x.path, x.reason] for x in history.skipped],
    }
    lines = [json.dumps(header, separators=(",", ":"))]
    for ref, found in history.refs.items():  # a line each: a reader decodes only what it needs
        data = {
            "created": _stamp(found.created) if found.created else None,
            "checkins": [
                [_stamp(c.date), c.author, c.commit, c.value, c.confidence, c.note]
                for c in found.checkins
            ],
            "timeline": [[_stamp(d), v] for d, v in found.timeline],
        }
        lines.append(json.dumps(ref) + "\t" + json.dumps(data, separators=(",", ":")))
    body = "\n".join(lines).encode()
    path = _path(top, goals)
    try:
        path.parent.mkdir(exist_ok=True)
        write_atomically(path, _digest(body) + b"\n" + body, own_file=True)
    except (OSError, OkrctlError):
        pass  # a read-only .git: the next run walks the history again


def load(top: Path, goals: str, boundary: str) -> History | None:
    """The index, when it is exactly what `save` wrote (its checksum matches) for these goals and
    this shallow boundary; anything else (corrupt, edited, truncated, another version, not a
    regular file) means rebuild. The checksum costs milliseconds where checking every row's
    shape would cost a walk over all of them."""
    from okrctl.store.writefile import read_cache_file

    raw = read_cache_file(_path(top, goals))
    if raw is None:
        return None
    digest, _, body = raw.partition(b"\n")
    if digest != _digest(body):
        return None
    header_line, _, rest = body.partition(b"\n")
    try:
        payload = json.loads(header_line)
        if not (
            isinstance(payload, dict)
            and payload.get("format") == FORMAT
            and payload.get("goals") == goals
            and payload.get("shallow") == boundary
        ):
            return None
        refs: dict[str, bytes] = {}
        for line in rest.split(b"\n") if rest else ():
            ref, _, data = line.partition(b"\t")
            refs[json.loads(ref)] = data
    except (ValueError, RecursionError):
        return None
    history = History(truncated=bool(boundary), head=payload["head"])
    history.commits = [Commit(sha, _date(stamp)) for sha, stamp in payload["commits"]]
    history.latest = {ref: (pair[0], pair[1]) for ref, pair in payload["latest"].items()}
    history.skipped = [
        Skipped(sha, _date(stamp), path, why) for sha, stamp, path, why in payload["skipped"]
    ]
    history.refs = _LazyRefs(refs)
    return history


def _digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=16).hexdigest().encode()

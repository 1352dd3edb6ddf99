"""The history index: every check-in up to a commit, kept under `.git/okrctl/` so that a run
reads only the commits made since the last one.

An index describes commits, which never change, and names the commit it runs up to; a run whose
HEAD is not that commit or a descendant of it builds a new one. It never describes the working
tree, so no edit can make it stale. It is written atomically (temp file and rename), so
concurrent runs read the old index or the new one; one that cannot be read is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from okrctl import gitlog
from okrctl.history import CheckIn, History, RefHistory

FORMAT = 1


def _path(top: Path, goals: str) -> Path:
    key = hashlib.sha256(f"{FORMAT}\0{goals}".encode()).hexdigest()[:16]
    return gitlog.git_dir(top) / "okrctl" / f"history-{key}.json"


def _stamp(date: datetime) -> int:
    return int(date.timestamp())


def _date(stamp: int) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


class _LazyRefs(Mapping[str, RefHistory]):
    """Each ref's history is built on first access: `history REF` needs one of thousands."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self._built: dict[str, RefHistory] = {}

    def __getitem__(self, ref: str) -> RefHistory:
        found = self._built.get(ref)
        if found is None:
            data = self._raw[ref]
            found = self._built[ref] = RefHistory(
                created=_date(data["created"]) if data["created"] is not None else None,
                checkins=[
                    CheckIn(ref, _date(stamp), author, sha, value, confidence, note)
                    for stamp, author, sha, value, confidence, note in data["checkins"]
                ],
                timeline=[(_date(stamp), value) for stamp, value in data["timeline"]],
            )
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def save(top: Path, goals: str, history: History) -> None:
    from okrctl.errors import OkrctlError
    from okrctl.writefile import write_atomically

    payload = {
        "format": FORMAT,
        "goals": goals,
        "head": history.head,
        "shallow": history.truncated,
        "commits": [[c.sha, _stamp(c.author_date)] for c in history.commits],
        "latest": {ref: list(pair) for ref, pair in history.latest.items()},
        "refs": {
            ref: {
                "created": _stamp(found.created) if found.created else None,
                "checkins": [
                    [_stamp(c.date), c.author, c.commit, c.value, c.confidence, c.note]
                    for c in found.checkins
                ],
                "timeline": [[_stamp(d), v] for d, v in found.timeline],
            }
            for ref, found in history.refs.items()
        },
    }
    path = _path(top, goals)
    try:
        path.parent.mkdir(exist_ok=True)
        write_atomically(path, json.dumps(payload, separators=(",", ":")).encode())
    except (OSError, OkrctlError):
        pass  # a read-only .git: the next run walks the history again


def load(top: Path, goals: str, shallow: bool) -> History | None:
    try:
        payload: dict[str, Any] = json.loads(_path(top, goals).read_bytes())
        if payload["format"] != FORMAT or payload["goals"] != goals:
            return None
        if payload["shallow"] != shallow:  # fetched deeper (or made shallow): read it all again
            return None
        history = History(truncated=shallow, head=payload["head"])
        history.commits = [gitlog.Commit(sha, _date(stamp)) for sha, stamp in payload["commits"]]
        history.latest = {ref: (pair[0], pair[1]) for ref, pair in payload["latest"].items()}
        history.refs = _LazyRefs(payload["refs"])
        return history
    except (OSError, ValueError, KeyError, TypeError):
        return None

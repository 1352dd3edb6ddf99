"""Several files written as one: every file lands, or none does, even when the process is
killed half-way (docs/behaviour.md, "Writes that land whole").

The new bytes go to temp files beside their targets first. A journal, written before the first
temp file and again once they are all on disk, names each (target, temp) pair and the step
reached: `prepare` while temp files are being written, `commit` once all are. Only then are the
temp files renamed over their targets, and the journal removed. A run that is killed leaves the
journal behind; the next writing command (under the goals lock, before it reads anything) reads
it and finishes the job: a `prepare` journal's temp files are removed (the tree stays as it
was), a `commit` journal's remaining renames are made (the tree is the new one).
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

from okrctl.model.errors import OkrctlError
from okrctl.store.writefile import (
    current_umask,
    follow_links,
    read_cache_file,
    write_atomically,
)

JOURNAL_LIMIT = 1 << 24
"""Bytes a journal may have (a list of paths): anything larger is not okrctl's."""


def write_together(journal: Path, files: list[tuple[Path, bytes]]) -> None:
    """Write every (path, bytes) as one: all the new files, or (after a crash, once `recover`
    has run) all the old ones. The caller holds the goals lock."""
    pairs: list[tuple[Path, Path, int]] = []
    token = secrets.token_hex(4)
    for path, _ in files:
        real = follow_links(path)
        try:
            existing = real.stat()
        except FileNotFoundError:
            existing = None
        except OSError as exc:
            raise OkrctlError(f"cannot write {path}: {exc.strerror}") from None
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            raise OkrctlError(f"cannot write {path}: it is not a regular file")
        mode = existing.st_mode & 0o7777 if existing is not None else 0o666 & ~current_umask()
        pairs.append((real, real.parent / f".{real.name}.okrctl-{token}", mode))
    _write_journal(journal, "prepare", pairs)
    try:
        for (_, temp, mode), (path, data) in zip(pairs, files, strict=True):
            _write_temp(temp, data, mode, path)
        _write_journal(journal, "commit", pairs)
    except BaseException:
        for _, temp, _ in pairs:
            temp.unlink(missing_ok=True)
        journal.unlink(missing_ok=True)
        raise
    failed = _rename_all([(real, temp) for real, temp, _ in pairs])
    if failed:  # the journal stays: the next writing command tries these again
        raise OkrctlError(f"cannot write {', '.join(failed)}; okrctl will finish on its next run")
    journal.unlink(missing_ok=True)


def recover(journal: Path) -> int:
    """Finish or undo the write a killed run left; the number of files it touched."""
    raw = read_cache_file(journal, JOURNAL_LIMIT)
    if raw is None:
        return 0
    try:
        entry = json.loads(raw)
        state = entry["state"]
        pairs = [(Path(real), Path(temp)) for real, temp in entry["files"]]
        if state not in ("prepare", "commit"):
            raise ValueError(state)
    except (ValueError, KeyError, TypeError):  # not a journal okrctl finished writing
        journal.unlink(missing_ok=True)
        return 0
    touched = 0
    if state == "prepare":
        for _, temp in pairs:
            if temp.exists():
                temp.unlink()
                touched += 1
    else:
        present = [(real, temp) for real, temp in pairs if temp.exists()]
        if _rename_all(present):
            return len(present)  # still cannot: kept for the run after
        touched = len(present)
    journal.unlink(missing_ok=True)
    return touched


def _write_journal(journal: Path, state: str, pairs: list[tuple[Path, Path, int]]) -> None:
    body = {
        "state": state,
        "files": [[os.fsdecode(real), os.fsdecode(temp)] for real, temp, _ in pairs],
    }
    journal.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(journal, json.dumps(body).encode("utf-8"), own_file=True)


def _write_temp(temp: Path, data: bytes, mode: int, shown: Path) -> None:
    try:
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
    except OSError as exc:
        raise OkrctlError(f"cannot write {shown}: {exc.strerror}") from None


def _rename_all(pairs: list[tuple[Path, Path]]) -> list[str]:
    """Rename each temp file over its target; the targets that could not be written."""
    failed = []
    for real, temp in pairs:
        try:
            os.replace(temp, real)
        except OSError:
            failed.append(str(real))
    return failed

"""The one way goals files change: under one lock, read and written as bytes (a BOM and CRLF
line endings kept), each new text validated as `check` reads it, written atomically, committed,
and put back exactly as it was when the commit fails.

`checkin` and `roll` both go through here, so a check-in that lands while a roll runs is read by
the roll (it waits for the lock, then reads the files) instead of being written over.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from okrctl.model.errors import OkrctlError
from okrctl.store.bounded import read_at_most
from okrctl.store.git import writes as git_writes
from okrctl.store.workspace import Workspace
from okrctl.store.yaml.read import MAX_FILE_BYTES, TOO_BIG

LOCK_NAME = "okrctl-checkin.lock"
JOURNAL_NAME = "okrctl-write.journal"
BOM = b"\xef\xbb\xbf"


def private_file(workspace: Workspace, name: str, outside_git: str) -> Path:
    """Where okrctl keeps a file of its own beside the goals: `.git/NAME`, or, outside git (or
    where `.git` is read-only), `okrctl-<hash of the repository's path><outside_git>` in the
    temporary folder."""
    if workspace.top is not None:
        candidate = workspace.git_folder / name
        if os.access(candidate.parent, os.W_OK) and (
            not candidate.exists() or os.access(candidate, os.W_OK)
        ):
            return candidate
    digest = hashlib.sha256(os.fsencode(workspace.root.resolve())).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"okrctl-{digest}{outside_git}"


def journal_file(workspace: Workspace) -> Path:
    """The journal of a multi-file write (`store.journal`)."""
    return private_file(workspace, JOURNAL_NAME, "-write.journal")


@contextmanager
def goals_lock(workspace: Workspace) -> Iterator[None]:
    """An exclusive lock held from reading goals files to committing them (`filelock` makes it
    the same on POSIX and Windows). Once it is held, a write that a killed run left half-done is
    finished or undone first, so every writing command starts from a whole tree."""
    from filelock import FileLock

    from okrctl.store.journal import recover

    lock_file = private_file(workspace, LOCK_NAME, ".lock")
    lock = FileLock(lock_file, mode=0o666)
    try:
        lock.acquire()
    except OSError as exc:
        raise OkrctlError(f"cannot lock {lock_file}: {exc.strerror}") from None
    try:
        recover(journal_file(workspace))
        yield
    finally:
        lock.release()


@dataclass(frozen=True, slots=True)
class SourceText:
    """A file as read for an edit: its text (line endings as they are) and its BOM."""

    raw: bytes
    text: str
    bom: bytes

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode("utf-8")


def read_for_edit(path: Path) -> SourceText:
    try:
        raw = read_at_most(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise OkrctlError(f"cannot read {path}: {exc.strerror}") from None
    if raw is None:
        raise OkrctlError(f"{path}: {TOO_BIG}")
    bom = BOM if raw.startswith(BOM) else b""
    try:
        text = raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise OkrctlError(f"{path} is not valid UTF-8; save it as UTF-8") from None
    return SourceText(raw, text, bom)


@dataclass(frozen=True, slots=True)
class Target:
    """Where an edit of a goals file really lands: the file behind any symbolic links, and that
    file's path from the git top-level (what a commit names)."""

    shown: str
    """As the user knows it: relative to the goals repository root."""
    real: Path
    from_top: str | None


def target(root: Path, top: Path | None, relative: str) -> Target:
    """Follow links (a linked unit file, or a linked goals folder) to the file they reach; it
    must stay inside the repository, since that is what gets committed."""
    try:
        real = (root / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        raise OkrctlError(f"{relative}: cannot follow its symbolic links") from None
    inside = top if top is not None else root.resolve()
    if not real.is_relative_to(inside):
        raise OkrctlError(
            f"{relative} is a link to {real}, outside the repository; copy the file in"
        )
    return Target(relative, real, real.relative_to(top).as_posix() if top else None)


def refuse_unsafe(top: Path, targets: list[Target]) -> None:
    """What would make a commit take more, or other, than the edit: say so before writing."""
    if git_writes.is_detached(top):
        raise OkrctlError(
            "HEAD is detached: check out a branch first (or use --no-commit to only edit the file)"
        )
    operation = git_writes.operation_in_progress(top)
    if operation is not None:
        raise OkrctlError(
            f"{operation} is in progress: finish or abort it first "
            "(or use --no-commit to only edit the file)"
        )
    refuse_uncommitted(top, targets, ", so the commit holds only this edit (or use --no-commit)")


def refuse_uncommitted(top: Path, targets: list[Target], then: str) -> None:
    """Files with staged, unstaged or untracked changes are not written over: say which (`then`
    ends the message)."""
    by_path = {t.from_top: t.shown for t in targets if t.from_top is not None}
    busy = git_writes.changed_paths(top, list(by_path)) if by_path else []
    if busy:
        names = ", ".join(by_path[path] for path in busy)
        raise OkrctlError(
            f"{names} {'has' if len(busy) == 1 else 'have'} uncommitted changes: commit or stash "
            f"them first{then}"
        )


def write_and_commit(
    workspace: Workspace,
    top: Path | None,
    edits: list[tuple[Target, SourceText, bytes]],
    message: str | None,
    author: str | None = None,
) -> str | None:
    """Write every changed file, all as one (`store.journal`), then commit them together (an
    empty commit when nothing changed). If the commit fails, every file is put back as it was.
    The caller holds the goals lock."""
    from okrctl.store.journal import write_together

    changed = [(where, before, after) for where, before, after in edits if after != before.raw]
    write_together(journal_file(workspace), [(where.real, after) for where, _, after in changed])
    written = [(where, before) for where, before, _ in changed]
    try:
        if top is None or message is None:
            return None
        paths = [where.from_top for where, _ in written if where.from_top is not None]
        if paths:
            return git_writes.commit_paths(top, paths, message, author)
        return git_writes.commit_empty(top, message, author)
    except OkrctlError as error:
        _restore(workspace, written)
        names = ", ".join(where.shown for where, _ in written)
        restored = f"; {names} put back as {'it was' if len(written) == 1 else 'they were'}"
        raise OkrctlError(f"{error}{restored if written else ''}") from None
    except BaseException:
        _restore(workspace, written)
        raise


def _restore(workspace: Workspace, written: list[tuple[Target, SourceText]]) -> None:
    from okrctl.store.journal import write_together

    write_together(journal_file(workspace), [(where.real, before.raw) for where, before in written])

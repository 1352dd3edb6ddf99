"""The commits of one change (a pull request: BASE..HEAD), each with its goals files before and
after, read for `okrctl review` (docs/review.md). Uncommitted edits, when HEAD is the working
tree, come last as one more "commit" by whoever `git config` says is committing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from okrctl.core.compare import renamed_units
from okrctl.core.periods import now
from okrctl.model.errors import UsageError
from okrctl.store.git import objects as git_objects
from okrctl.store.git import process as git_process
from okrctl.store.history import LogCommit, LogEntry, Scope, goals_scope, read_log
from okrctl.store.load import read_entry
from okrctl.store.workspace import Workspace

if TYPE_CHECKING:
    from okrctl.model.units import UnitFile

ZERO = "0" * 40


@dataclass(frozen=True, slots=True)
class Change:
    """What one review reads: the commit it compares against, the commits in between, and the
    bytes of every version of a goals file they touch."""

    base: str
    """The merge base of BASE and HEAD: what HEAD changes, as a pull request's diff shows."""
    head: str | None
    """HEAD's commit, or None for the working tree."""
    commits: list[LogCommit]
    """Oldest first; the working tree's edits last, with an empty sha."""
    blobs: dict[str, bytes]
    """Every version touched, by git object id (the working tree's by its path)."""
    renames: dict[str, str]
    """Old path → new path (from the git top-level) of each goals file renamed from base to
    head, as git's rename detection finds it."""
    scope: Scope


def read_change(workspace: Workspace, base: str, head: str | None, goals_dir: str) -> Change:
    top = workspace.git_top("reviewing a change")
    base_sha = _commit(top, base)
    head_sha = _commit(top, head) if head is not None else _commit(top, "HEAD")
    merge_base = git_process.git_output(top, "merge-base", base_sha, head_sha, check=False)
    if not merge_base.strip():
        raise UsageError(
            f"{base!r} and {head or 'HEAD'!r} share no history here: in a shallow clone, fetch "
            "it all (`git fetch --unshallow`, or `fetch-depth: 0` in CI)"
        )
    since = merge_base.decode().strip()
    scope = goals_scope(workspace.root, top, goals_dir)
    commits = read_log(top, f"{since}..{head_sha}", scope)
    blobs: dict[str, bytes] = {}
    if head is None:
        edits = _working_tree(top, scope, blobs)
        if edits is not None:
            commits.append(edits)
    shas = {s for c in commits for e in c.entries for s in (e.sha, e.old_sha)}
    blobs |= git_objects.read_blobs(workspace.repo, shas - {ZERO, ""} - set(blobs))
    renames = _renames(top, since, head_sha if head is not None else None, scope)
    return Change(since, head_sha if head is not None else None, commits, blobs, renames, scope)


def _commit(top: Path, revision: str) -> str:
    sha = git_process.verify_commit(top, revision)
    if sha is None:
        raise UsageError(f"{revision!r} is not a git revision")
    return sha


def _raw_entries(out: bytes, scope: Scope) -> list[tuple[str, str, str, str, str | None]]:
    """(status, old sha, new sha, path, old path) of each goals file in `git diff --raw -z`."""
    fields = out.split(b"\0")
    found = []
    index = 0
    while index < len(fields) - 1:
        meta = fields[index].decode()
        if not meta.startswith(":"):
            index += 1
            continue
        parts = meta.split()
        status = parts[4][0]
        if status in "RC":
            old = fields[index + 1].decode("utf-8", "surrogateescape")
            path = fields[index + 2].decode("utf-8", "surrogateescape")
            index += 3
        else:
            old, path = None, fields[index + 1].decode("utf-8", "surrogateescape")
            index += 2
        if scope.read_as(path) is not None or (old and scope.read_as(old) is not None):
            found.append((status, parts[2], parts[3], path, old))
    return found


def renamed_since(
    workspace: Workspace,
    old: Mapping[str, UnitFile],
    new: Mapping[str, UnitFile],
    since: str,
    head: str | None,
    goals_dir: str,
) -> dict[str, str]:
    """Old id -> new id of the units renamed from the commit `since` (`old`: its units by id)
    to `head` (`new`; the working tree when None): `core/compare.renamed_units`, git asked
    which files moved only when a unit of `old` is gone from `new` (a diff or report of a
    period nobody reorganised starts no git process for it)."""
    if all(unit_id in new for unit_id in old):
        return {}
    return renamed_units(old, new, moved_files(workspace, since, head, goals_dir))


def moved_files(
    workspace: Workspace, since: str, head: str | None, goals_dir: str
) -> dict[str, str]:
    """Goals files git sees moved from the commit `since` to `head` (the working tree when
    None), old path -> new path as units' paths read (from the repository's root): a unit
    renamed with its file is the same unit (`core/compare.renamed_units`). None moved outside
    git."""
    top = workspace.top
    if top is None:
        return {}
    prefix = workspace.prefix
    scope = goals_scope(workspace.root, top, goals_dir)
    return {
        old.removeprefix(prefix): new.removeprefix(prefix)
        for old, new in _renames(top, since, head, scope).items()
    }


def _renames(top: Path, since: str, head: str | None, scope: Scope) -> dict[str, str]:
    """Goals files renamed from `since` to `head` (the working tree when None, staged renames
    included)."""
    out = git_process.git_output(
        top, "-c", "core.quotepath=off", "diff", "--raw", "-z", "-M", "--no-abbrev", since,
        *([head] if head is not None else []), "--", scope.folder or ".",
    )  # fmt: skip
    entries = _raw_entries(out, scope)
    return {old: path for status, _, _, path, old in entries if status == "R" and old}


def _working_tree(top: Path, scope: Scope, blobs: dict[str, bytes]) -> LogCommit | None:
    """Uncommitted edits to the goals (staged, unstaged and new files) as one more commit, by
    git's `user.name`, now; each new version's bytes go into `blobs` under its path."""
    folder = scope.folder or "."
    out = git_process.git_output(
        top, "-c", "core.quotepath=off", "diff", "--raw", "-z", "-M", "--no-abbrev", "HEAD",
        "--", folder,
    )  # fmt: skip
    entries: list[LogEntry] = []
    for status, old_sha, _, path, old in _raw_entries(out, scope):
        content = None if status == "D" else _read(top, path)
        key = f"worktree:{path}"
        if content is not None:
            blobs[key] = content
        entries.append(LogEntry(status, ZERO if content is None else key, path, old, old_sha))
    untracked = git_process.git_output(
        top, "-c", "core.quotepath=off", "ls-files", "-z", "--others", "--exclude-standard",
        "--", folder,
    )  # fmt: skip
    for listed in untracked.split(b"\0"):
        path = listed.decode("utf-8", "surrogateescape")
        if path and scope.read_as(path) is not None:
            content = _read(top, path)
            if content is not None:
                blobs[f"worktree:{path}"] = content
                entries.append(LogEntry("A", f"worktree:{path}", path, None, ZERO))
    if not entries:
        return None
    name = git_process.config_value(top, "user.name") or "you"
    email = git_process.config_value(top, "user.email")
    return LogCommit("", now(), name, "uncommitted changes", entries, email)


def _read(top: Path, path: str) -> bytes | None:
    """A working-tree goals file as the loader reads it (at most 2 MB), never through a link
    that leads out of the repository."""
    where = top / path
    if not where.resolve().is_relative_to(top.resolve()):
        return None
    return read_entry(path, where)[1]

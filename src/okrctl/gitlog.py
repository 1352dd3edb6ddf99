"""The only module that talks to git: plain `git` subprocesses, a few per command, never one per
file or per commit. Files at a revision are read from git objects, never by checking out."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from okrctl.errors import OkrctlError


class GitError(OkrctlError):
    """git failed or is not available."""


def _git(cwd: Path, *args: str, stdin: bytes | None = None, check: bool = True) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror}") from None
    if check and done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def toplevel(path: Path) -> Path | None:
    """The work tree root containing `path`, or None outside a git repository."""
    try:
        out = _git(path, "rev-parse", "--show-toplevel")
    except GitError:
        return None
    return Path(out.decode().strip()).resolve()


def verify_commit(top: Path, revision: str) -> str | None:
    """The full sha of a commit-ish, or None when it names nothing."""
    out = _git(
        top,
        "rev-parse",
        "-q",
        "--verify",
        "--end-of-options",
        f"{revision}^{{commit}}",
        check=False,
    )
    sha = out.decode().strip()
    return sha or None


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    author_date: datetime


def first_parent_log(top: Path, *paths: str) -> list[Commit]:
    """Commits on the first-parent line from HEAD, newest first, with author dates in UTC."""
    args = ["log", "--first-parent", "--format=%H %at"]
    if paths:
        args += ["--", *paths]
    out = _git(top, *args, check=False).decode()
    commits = []
    for line in out.splitlines():
        sha, stamp = line.split()
        commits.append(Commit(sha, datetime.fromtimestamp(int(stamp), UTC)))
    return commits


def commit_at_or_before(top: Path, instant: datetime) -> Commit | None:
    """The last first-parent commit whose author date is on or before `instant`."""
    return next((c for c in first_parent_log(top) if c.author_date <= instant), None)


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str
    kind: str
    sha: str
    size: int
    path: str


def list_tree(top: Path, revision: str, folder: str) -> list[TreeEntry]:
    """Every file below `folder` (relative to the top-level) at `revision`."""
    out = _git(top, "ls-tree", "-r", "-l", "-z", "--full-tree", revision, "--", folder)
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode, kind, sha, size = meta.decode().split()
        entries.append(
            TreeEntry(mode, kind, sha, int(size) if size != "-" else 0, path.decode("utf-8"))
        )
    return entries


def read_blobs(top: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """Many objects in one `git cat-file --batch`; each distinct sha read once."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    out = _git(top, "cat-file", "--batch", stdin=("\n".join(wanted) + "\n").encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for sha in wanted:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].decode().split()
        position = header_end + 1
        if len(header) < 3 or header[1] == "missing":
            continue
        size = int(header[2])
        blobs[sha] = out[position : position + size]
        position += size + 1
    return blobs


def read_file(top: Path, revision: str, path: str) -> bytes | None:
    """One file's content at `revision`, or None when it does not exist there."""
    sha = verify_object(top, f"{revision}:{path}")
    if sha is None:
        return None
    return read_blobs(top, [sha]).get(sha)


def verify_object(top: Path, name: str) -> str | None:
    out = _git(top, "rev-parse", "-q", "--verify", "--end-of-options", name, check=False)
    return out.decode().strip() or None


def git_dir(top: Path) -> Path:
    return (top / _git(top, "rev-parse", "--git-dir").decode().strip()).resolve()


def is_detached(top: Path) -> bool:
    return not _git(top, "symbolic-ref", "-q", "HEAD", check=False).strip()


def operation_in_progress(top: Path) -> str | None:
    """The name of a merge, rebase, cherry-pick or revert under way, if any."""
    folder = git_dir(top)
    for marker, name in (
        ("MERGE_HEAD", "a merge"),
        ("rebase-merge", "a rebase"),
        ("rebase-apply", "a rebase"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
    ):
        if (folder / marker).exists():
            return name
    return None


def has_changes(top: Path, path: str) -> bool:
    """True when `path` has staged, unstaged or untracked changes."""
    return bool(_git(top, "status", "--porcelain", "--", path).strip())


def commit_path(top: Path, path: str, message: str) -> str:
    """Commit just `path` (other staged changes stay staged); returns the new commit's sha."""
    _git(top, "commit", "-q", "--only", "-F", "-", "--", path, stdin=message.encode())
    return _git(top, "rev-parse", "HEAD").decode().strip()


def commit_empty(top: Path, message: str) -> str:
    """An empty commit that takes nothing from the index."""
    _git(top, "commit", "-q", "--allow-empty", "--only", "-F", "-", stdin=message.encode())
    return _git(top, "rev-parse", "HEAD").decode().strip()


def is_shallow(top: Path) -> bool:
    return _git(top, "rev-parse", "--is-shallow-repository", check=False).strip() == b"true"


LOG_FORMAT = "%x1e%H %at%x1f%an%x1f%B%x1f"


def log_raw(top: Path, revision: str = "HEAD") -> str:
    """The whole history up to `revision`, oldest first: a record per commit (separated by
    \\x1e; sha and author date, author, message, separated by \\x1f) and its raw file changes."""
    out = _git(
        top,
        "-c",
        "core.quotepath=off",
        "log",
        "--reverse",
        "--no-abbrev",
        "--raw",
        "-M",
        f"--format={LOG_FORMAT}",
        revision,
        "--",
        check=False,
    )
    return out.decode("utf-8", "replace")


def is_ancestor(top: Path, older: str, newer: str) -> bool:
    done = subprocess.run(
        ["git", "merge-base", "--is-ancestor", older, newer],
        cwd=top,
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def tags(top: Path, pattern: str) -> list[str]:
    out = _git(top, "tag", "--list", pattern, check=False).decode()
    return [line.strip() for line in out.splitlines() if line.strip()]


def tag_target(top: Path, tag: str) -> str | None:
    """The commit an existing tag points at, or None."""
    return verify_commit(top, f"refs/tags/{tag}")


def create_tag(top: Path, tag: str, commit: str, message: str, *, force: bool) -> None:
    args = ["tag", "-a", tag, "-F", "-", commit]
    if force:
        args.insert(1, "-f")
    _git(top, *args, stdin=message.encode())


def set_period_commit(top: Path, paths: list[str], message: str) -> str:
    """Commit exactly `paths` (other staged changes stay staged); returns the commit's sha."""
    _git(top, "commit", "-q", "--only", "-F", "-", "--", *paths, stdin=message.encode())
    return _git(top, "rev-parse", "HEAD").decode().strip()

"""The only module that talks to git, through GitPython (imported lazily: it costs 85 ms): a few
git commands per command, never one per file or per commit; blobs from GitPython's object
database (one persistent `cat-file`); the history streamed from one `git log`. Files at a
revision are read from git objects, never by checking out."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from okrctl.model.errors import OkrctlError
from okrctl.model.history import Commit

if TYPE_CHECKING:
    from git import Repo


class GitError(OkrctlError):
    """git failed or is not available."""


def _git(
    cwd: Path,
    *args: str,
    stdin: bytes | None = None,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> bytes:
    status, out, err = _execute(cwd, list(args), stdin=stdin, env=env)
    if check and status != 0:
        raise GitError(failure_message(args, err, status))
    return out


def _execute(
    cwd: Path, args: list[str], *, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> tuple[int, bytes, str]:
    """One git command through GitPython: (status, stdout bytes exactly, stderr text)."""
    import tempfile
    from contextlib import nullcontext

    from git import Git
    from git.exc import GitCommandNotFound

    try:
        # input goes through a file (Popen needs a real descriptor): only when there is any
        with tempfile.TemporaryFile() if stdin is not None else nullcontext() as input_file:
            if input_file is not None and stdin is not None:
                input_file.write(stdin)
                input_file.seek(0)
            status, out, err = Git(str(cwd)).execute(
                ["git", *args],
                istream=input_file,
                with_extended_output=True,
                with_exceptions=False,
                stdout_as_string=False,
                strip_newline_in_stdout=False,
                env=env,
            )
    except GitCommandNotFound as exc:
        raise GitError(f"cannot run git: {exc}") from None
    except OSError as exc:
        raise GitError(f"cannot run git in {cwd}: {exc.strerror}") from None
    return int(status or 0), bytes(out), str(err)


def failure_message(args: tuple[str, ...], stderr: str, returncode: int) -> str:
    """git's whole message (a hook's output included), and what to do about a stale lock."""
    command = next((a for a in args if not a.startswith("-") and "=" not in a), "git")
    text = stderr.strip() or f"exit status {returncode}"
    message = f"git {command} failed:\n{text}" if "\n" in text else f"git {command} failed: {text}"
    if "index.lock" in text and "File exists" in text:
        message += (
            "\nAnother git command may be running. If none is, a crashed one left the lock "
            "behind: remove .git/index.lock and run okrctl again."
        )
    return message


def run(cwd: Path, *args: str, env: dict[str, str] | None = None, stdin: str = "") -> str:
    """Any other git command (the demo's scripted commits); a failure is a GitError."""
    return _git(cwd, *args, stdin=stdin.encode() or None, env=env).decode()


def init_repository(path: Path, branch: str = "main") -> None:
    _git(path, "init", "-q", "-b", branch)


def default_branch_setting() -> str | None:
    """`init.defaultBranch` from the user's git configuration, if set."""
    out = _git(Path.cwd(), "config", "--get", "init.defaultBranch", check=False)
    return out.decode().strip() or None


def current_branch(top: Path) -> str | None:
    """The branch HEAD names (even before its first commit); None when detached."""
    out = _git(top, "symbolic-ref", "--short", "-q", "HEAD", check=False)
    return out.decode().strip() or None


class UnusableRepository(GitError):
    """git sees a repository here but refuses to work in it (such as "dubious ownership")."""

    exit_code = 2


def toplevel(path: Path) -> Path | None:
    """The work tree root containing `path`, or None outside a git repository. A repository git
    refuses to open is an error, never "no repository": that would quietly skip history and
    write check-ins without committing them.

    git's own discovery (`rev-parse`, run through GitPython), not `git.Repo(path,
    search_parent_directories=True)`: GitPython's walk ignores `safe.directory`,
    `GIT_CEILING_DIRECTORIES` and `GIT_DIR`, so it would open repositories git refuses. The
    `Workspace` asks once per command."""
    try:
        status, out, err = _execute(path, ["rev-parse", "--show-toplevel"])
    except GitError:
        return None  # no git at all (or no such folder): nothing here is a repository
    if status == 0:
        return Path(os.fsdecode(out.rstrip(b"\n"))).resolve()
    message = err.strip()
    if "not a git repository" in message.lower():
        return None
    raise UnusableRepository(f"git cannot use the repository at {path}:\n{message}")


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


def first_parent_log(top: Path, *paths: str) -> list[Commit]:
    """Commits on the first-parent line from HEAD, newest first, with author dates in UTC."""
    return [Commit(sha, written.astimezone(UTC)) for sha, written in _first_parent(top, *paths)]


def _first_parent(top: Path, *paths: str) -> list[tuple[str, datetime]]:
    """(sha, author date in the author's own offset) along the first-parent line, newest first."""
    args = ["log", "--first-parent", "--format=%H %aI"]
    if paths:
        args += ["--", *paths]
    out = _git(top, *args, check=False).decode()
    return [(sha, datetime.fromisoformat(stamp)) for sha, stamp in map(str.split, out.splitlines())]


def commit_at_or_before(top: Path, instant: datetime) -> Commit | None:
    """The last first-parent commit whose author date is on or before `instant`."""
    return next((c for c in first_parent_log(top) if c.author_date <= instant), None)


def last_commit_before_day(top: Path, day: date, zone: tzinfo | None = None) -> Commit | None:
    """The last first-parent commit made before `day` began: each commit's day read in `zone`
    (the repository's `timezone:`), else in its own (its author's offset), what a check-in "on
    June 1" means to the person who made it. `--since DAY` compares with it, so check-ins made
    on DAY are included."""
    return next(
        (
            Commit(sha, written.astimezone(UTC))
            for sha, written in _first_parent(top)
            if _day(written, zone) < day
        ),
        None,
    )


def commit_date(top: Path, revision: str, zone: tzinfo | None = None) -> date:
    """The day a commit was made, in `zone`, else in its author's own time zone."""
    stamp = _git(top, "log", "-1", "--format=%aI", revision).decode().strip()
    return _day(datetime.fromisoformat(stamp), zone)


def _day(written: datetime, zone: tzinfo | None) -> date:
    return (written.astimezone(zone) if zone is not None else written).date()


class TreeEntry(NamedTuple):
    mode: str
    kind: str
    sha: str
    size: int
    path: str


def list_tree(top: Path, revision: str, folder: str) -> list[TreeEntry]:
    """Every file below `folder` (relative to the top-level) at `revision`. A name that is not
    UTF-8 keeps its bytes as surrogates (`surrogateescape`), for the caller to report."""
    out = _git(top, "ls-tree", "-r", "-l", "-z", "--full-tree", revision, "--", folder)
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode, kind, sha, size = meta.decode().split()
        entries.append(
            TreeEntry(
                mode,
                kind,
                sha,
                int(size) if size != "-" else 0,
                path.decode("utf-8", "surrogateescape"),
            )
        )
    return entries


def read_blobs(repo: Repo, shas: Iterable[str]) -> dict[str, bytes]:
    """Many objects through GitPython's object database: the workspace's one persistent
    `git cat-file` for the whole command; each distinct sha read once; a missing one left out."""
    from binascii import unhexlify

    blobs: dict[str, bytes] = {}
    for sha in dict.fromkeys(shas):
        try:
            blobs[sha] = repo.odb.stream(unhexlify(sha)).read()
        except (ValueError, OSError):  # missing (a shallow clone), or not an object
            continue
    return blobs


def read_file(repo: Repo, revision: str, path: str) -> bytes | None:
    """One file's content at `revision`, or None when it does not exist there."""
    sha = verify_object(Path(str(repo.working_tree_dir)), f"{revision}:{path}")
    if sha is None:
        return None
    return read_blobs(repo, [sha]).get(sha)


def verify_object(top: Path, name: str) -> str | None:
    out = _git(top, "rev-parse", "-q", "--verify", "--end-of-options", name, check=False)
    return out.decode().strip() or None


def git_dir(top: Path) -> Path:
    """The repository's git folder (a linked worktree's own), found by GitPython without
    running git: several stores (locks, indexes, caches) ask for it in one command."""
    from git import Repo
    from git.exc import GitError as GitPythonError

    try:
        with Repo(top) as repo:
            return Path(repo.git_dir).resolve()
    except (GitPythonError, OSError):  # what GitPython cannot read, git itself explains
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


def changed_paths(top: Path, paths: list[str]) -> list[str]:
    """Which of `paths` have staged, unstaged or untracked changes, in one `git status`."""
    dirty = set(dirty_files(top, paths))
    return [path for path in paths if path in dirty]


def dirty_files(top: Path, paths: list[str]) -> list[str]:
    """Every file under `paths` (files or folders, from the top-level) with staged, unstaged or
    untracked changes, in one `git status`."""
    out = _git(top, "-c", "core.quotepath=off", "status", "--porcelain", "-z", "--", *paths)
    records = out.split(b"\0")
    found, skip = [], False
    for record in records:
        if skip:  # a rename's second record is its old path
            skip = False
            continue
        if len(record) > 3:
            found.append(record[3:].decode("utf-8", "surrogateescape"))
            skip = record[:1] in (b"R", b"C")
    return found


def commit_paths(top: Path, paths: list[str], message: str) -> str:
    """Commit exactly `paths` (other staged changes stay staged); returns the new commit."""
    _git(top, "commit", "-q", "--only", "-F", "-", "--", *paths, stdin=message.encode())
    return _git(top, "rev-parse", "HEAD").decode().strip()


def commit_empty(top: Path, message: str) -> str:
    """An empty commit that takes nothing from the index."""
    _git(top, "commit", "-q", "--allow-empty", "--only", "-F", "-", stdin=message.encode())
    return _git(top, "rev-parse", "HEAD").decode().strip()


def is_shallow(top: Path) -> bool:
    return _git(top, "rev-parse", "--is-shallow-repository", check=False).strip() == b"true"


def shallow_boundary(git_folder: Path) -> str:
    """A digest of where a shallow clone's history is cut ("" for a full clone): deepening or
    unshallowing changes it, so whatever was read from the old boundary is read again."""
    import hashlib

    from okrctl.store.writefile import read_cache_file

    content = read_cache_file(git_folder / "shallow")
    return hashlib.sha256(content).hexdigest()[:16] if content else ""


def has_merges(top: Path, revisions: str) -> bool:
    """Whether `old..new` brings in merge commits (and with them commits older than `old`)."""
    out = _git(top, "rev-list", "--merges", "--max-count=1", revisions, check=False)
    return bool(out.strip())


LOG_FORMAT = "%x1e%H %at%x1f%an%x1f%B%x1f"


def log_raw(top: Path, revision: str = "HEAD") -> str:
    """The whole history up to `revision`, oldest first: a record per commit (separated by
    \\x1e; sha and author date, author, message, separated by \\x1f) and its raw file changes."""
    from git import Git

    process = Git(str(top)).execute(
        [
            "git",
            "-c",
            "core.quotepath=off",
            "log",
            "--encoding=UTF-8",  # whatever i18n.logOutputEncoding says: this is read as UTF-8
            "--reverse",
            "--no-abbrev",
            "--raw",
            "-M",
            f"--format={LOG_FORMAT}",
            revision,
            "--",
        ],
        as_process=True,  # streamed: the whole history is never held twice
    )
    try:
        out = process.stdout.read()
    finally:
        if process.proc is not None:  # drain stderr and reap git (a log of no commits fails)
            process.proc.communicate()
    return bytes(out).decode("utf-8", "replace")


def is_ancestor(top: Path, older: str, newer: str) -> bool:
    try:
        _git(top, "merge-base", "--is-ancestor", older, newer)
    except GitError:
        return False
    return True


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


def file_versions(top: Path, path: str) -> list[tuple[str, str]]:
    """(commit, blob) for each first-parent commit that changed `path`, newest first; the blob
    is all zeros where the commit deleted it."""
    out = _git(
        top,
        "log",
        "--first-parent",
        "--no-abbrev",
        "--raw",
        "--format=%x1e%H",
        "--",
        path,
        check=False,
    ).decode()
    versions = []
    for record in out.split("\x1e")[1:]:
        lines = record.strip().splitlines()
        raw = next((line for line in lines[1:] if line.startswith(":")), None)
        if raw is not None:
            versions.append((lines[0], raw.split()[3]))
    return versions

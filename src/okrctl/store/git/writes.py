"""What okrctl changes in git: a new repository, commits of the files it wrote, tags of closed
periods; and what it checks first (the branch, an operation in progress, uncommitted edits)."""

from __future__ import annotations

from pathlib import Path

from okrctl.store.git.process import git_dir, git_output, verify_commit


def init_repository(path: Path, branch: str = "main") -> None:
    git_output(path, "init", "-q", "-b", branch)


def default_branch_setting() -> str | None:
    """`init.defaultBranch` from the user's git configuration, if set."""
    out = git_output(Path.cwd(), "config", "--get", "init.defaultBranch", check=False)
    return out.decode().strip() or None


def current_branch(top: Path) -> str | None:
    """The branch HEAD names (even before its first commit); None when detached."""
    out = git_output(top, "symbolic-ref", "--short", "-q", "HEAD", check=False)
    return out.decode().strip() or None


def is_detached(top: Path) -> bool:
    return not git_output(top, "symbolic-ref", "-q", "HEAD", check=False).strip()


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
    out = git_output(top, "-c", "core.quotepath=off", "status", "--porcelain", "-z", "--", *paths)
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


def commit_paths(top: Path, paths: list[str], message: str, author: str | None = None) -> str:
    """Commit exactly `paths` (other staged changes stay staged), by `author` (`Name <email>`)
    when given; returns the new commit."""
    by = [f"--author={author}"] if author else []
    args = ("commit", "-q", *by, "--only", "-F", "-", "--", *paths)
    git_output(top, *args, stdin=message.encode())
    return git_output(top, "rev-parse", "HEAD").decode().strip()


def commit_empty(top: Path, message: str, author: str | None = None) -> str:
    """An empty commit that takes nothing from the index."""
    by = [f"--author={author}"] if author else []
    args = ("commit", "-q", "--allow-empty", *by, "--only", "-F", "-")
    git_output(top, *args, stdin=message.encode())
    return git_output(top, "rev-parse", "HEAD").decode().strip()


def tags(top: Path, pattern: str) -> list[str]:
    out = git_output(top, "tag", "--list", pattern, check=False).decode()
    return [line.strip() for line in out.splitlines() if line.strip()]


def tag_target(top: Path, tag: str) -> str | None:
    """The commit an existing tag points at, or None."""
    return verify_commit(top, f"refs/tags/{tag}")


def create_tag(top: Path, tag: str, commit: str, message: str, *, force: bool) -> None:
    args = ["tag", "-a", tag, "-F", "-", commit]
    if force:
        args.insert(1, "-f")
    git_output(top, *args, stdin=message.encode())

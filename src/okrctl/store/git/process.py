"""Running git through GitPython (imported lazily: it costs 85 ms): one command's bytes and
status, the work tree's top-level, revisions verified; every failure a `GitError` saying what to
do."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from okrctl.model.errors import OkrctlError


class GitError(OkrctlError):
    """git failed or is not available."""


def git_output(
    cwd: Path,
    *args: str,
    stdin: bytes | None = None,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> bytes:
    status, out, err = git_execute(cwd, list(args), stdin=stdin, env=env)
    if check and status != 0:
        raise GitError(failure_message(args, err, status))
    return out


def git_execute(
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


@contextlib.contextmanager
def git_stream(
    cwd: Path, args: list[str], *, istream: BinaryIO | None = None
) -> Iterator[BinaryIO]:
    """One git command whose output is read as it comes (GitPython's `as_process`): its
    stdout. Once the block ends git is waited for (its error output read, the process
    reaped); where the block stops early (an error, or a reader that found what it looked for
    in a long log) git, perhaps blocked writing, is ended first. No git is left running."""
    from git import Git
    from git.exc import GitCommandNotFound

    try:
        process = Git(str(cwd)).execute(["git", *args], istream=istream, as_process=True)
    except GitCommandNotFound as exc:
        raise GitError(f"cannot run git: {exc}") from None
    except OSError as exc:
        raise GitError(f"cannot run git in {cwd}: {exc.strerror}") from None
    proc = process.proc
    try:
        yield process.stdout
    except BaseException:
        if proc is not None and proc.poll() is None:
            proc.kill()
        raise
    finally:
        if proc is not None:
            proc.communicate()


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
    return git_output(cwd, *args, stdin=stdin.encode() or None, env=env).decode()


def config_value(top: Path, key: str) -> str:
    """A git configuration value, or "" when it is not set."""
    return git_output(top, "config", "--get", key, check=False).decode().strip()


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
    found = toplevel_and_head(path, head=False)
    return None if found is None else found[0]


def toplevel_and_head(path: Path, *, head: bool = True) -> tuple[Path, str | None] | None:
    """`toplevel`, and (with `head`) HEAD's commit (None before the first one), asked of one
    `git rev-parse`: `okrctl serve` asks both for every command, and each git process took
    some 4 ms there."""
    asked = ["rev-parse", "--show-toplevel"]
    if head:
        asked += ["-q", "--verify", "--end-of-options", "HEAD^{commit}"]
    try:
        status, out, err = git_execute(path, asked)
    except GitError:
        return None  # no git at all (or no such folder): nothing here is a repository
    answered = out.rstrip(b"\n")
    if status == 0 and head:  # (the last line is the commit: a folder's name may hold a \n)
        where, _, sha = answered.rpartition(b"\n")
        return Path(os.fsdecode(where)).resolve(), sha.decode()
    if status == 0 or (status == 1 and head and answered):  # (1: no commit yet)
        return Path(os.fsdecode(answered)).resolve(), None
    message = err.strip()
    if "not a git repository" in message.lower():
        return None
    raise UnusableRepository(f"git cannot use the repository at {path}:\n{message}")


def verify_commit(top: Path, revision: str) -> str | None:
    """The full sha of a commit-ish, or None when it names nothing."""
    out = git_output(
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


def verify_object(top: Path, name: str) -> str | None:
    out = git_output(top, "rev-parse", "-q", "--verify", "--end-of-options", name, check=False)
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
        return (top / git_output(top, "rev-parse", "--git-dir").decode().strip()).resolve()


def wide_reader(pipe: BinaryIO) -> BinaryIO:
    """`pipe` read in large gulps. A thread reading git's output while the main thread
    composes the goals gives the interpreter up at each read and waits to get it back, while
    git, its pipe full (64 KB), waits too. Where Linux allows it, the pipe is widened to 1 MB
    and read through a buffer as wide: a fresh clone's log of 3,000 commits (1 MB, written
    commit by commit) is now read before the goals are composed, where the walk after them
    waited 45-260 ms for it (benchmarks/RESULTS.md)."""
    import io

    descriptor = pipe.fileno()
    with contextlib.suppress(ImportError, OSError, AttributeError):  # (Linux only)
        import fcntl

        fcntl.fcntl(descriptor, fcntl.F_SETPIPE_SZ, WIDE)
    return io.BufferedReader(io.FileIO(descriptor, "rb", closefd=False), buffer_size=WIDE)


WIDE = 1 << 20
"""The widest pipe Linux grants without privileges (`/proc/sys/fs/pipe-max-size`)."""

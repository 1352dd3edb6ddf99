"""Files at a revision, read from git's objects (never by checking out): trees, and blobs from
GitPython's object database (one persistent `cat-file`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from okrctl.store.git.process import git_output, verify_object

if TYPE_CHECKING:
    from git import Repo


class TreeEntry(NamedTuple):
    mode: str
    kind: str
    sha: str
    size: int
    path: str


def list_tree(top: Path, revision: str, folder: str) -> list[TreeEntry]:
    """Every file below `folder` (relative to the top-level) at `revision`. A name that is not
    UTF-8 keeps its bytes as surrogates (`surrogateescape`), for the caller to report."""
    out = git_output(top, "ls-tree", "-r", "-l", "-z", "--full-tree", revision, "--", folder)
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

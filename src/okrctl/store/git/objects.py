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


def read_blobs_at_once(top: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """Many objects through one `git cat-file --batch` of their own, every request written
    before the first answer is read (from a file, so neither side waits on the other): for a
    thread reading ahead, where the workspace's persistent `cat-file` answers one object at a
    time to the main thread. A missing object is left out."""
    import tempfile

    from git import Git

    wanted = list(dict.fromkeys(shas))
    blobs: dict[str, bytes] = {}
    if not wanted:
        return blobs
    with tempfile.TemporaryFile() as requests:
        requests.write("".join(f"{sha}\n" for sha in wanted).encode())
        requests.seek(0)
        process = Git(str(top)).execute(
            ["git", "cat-file", "--batch"], istream=requests, as_process=True
        )
        try:
            out = process.stdout
            for _ in wanted:
                header = out.readline().split()
                if len(header) != 3:
                    continue  # "<sha> missing"
                data = out.read(int(header[2]))
                out.read(1)  # the newline after each object
                blobs[header[0].decode()] = data
        finally:
            if process.proc is not None:
                process.proc.communicate()
    return blobs


def read_file(repo: Repo, revision: str, path: str) -> bytes | None:
    """One file's content at `revision`, or None when it does not exist there."""
    sha = verify_object(Path(str(repo.working_tree_dir)), f"{revision}:{path}")
    if sha is None:
        return None
    return read_blobs(repo, [sha]).get(sha)

"""Files at a revision, read from git's objects (never by checking out): trees, and blobs from
GitPython's object database (one persistent `cat-file`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from okrctl.store.git.process import git_output, git_stream, verify_object, wide_reader
from okrctl.store.yaml.read import MAX_FILE_BYTES

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


def blob_id(raw: bytes, algorithm: str = "sha1") -> str:
    """The id git gives a blob of these bytes (`git hash-object`), in a repository of SHA-1
    ids or, with `algorithm="sha256"`, of SHA-256 ones. Equal ids mean equal bytes."""
    digest = hashlib.new(algorithm, b"blob %d\0" % len(raw), usedforsecurity=False)
    digest.update(raw)
    return digest.hexdigest()


CHUNK = 1 << 20
"""Bytes read at a time from an object passed over for its size."""


def _read_past(read: Callable[[int], bytes], size: int) -> None:
    """Read `size` bytes of an object and keep none: a cat-file answers whole objects, and the
    next answer starts after this one."""
    left = size
    while left > 0:
        chunk = read(min(left, CHUNK))
        if not chunk:
            return
        left -= len(chunk)


def read_blobs(
    repo: Repo, shas: Iterable[str], *, over: dict[str, int] | None = None
) -> dict[str, bytes]:
    """Many objects through GitPython's object database: the workspace's one persistent
    `git cat-file` for the whole command; each distinct sha read once; a missing one left out.
    With `over`, an object larger than a goals file may be is read past, never held, and its
    size noted there instead."""
    from binascii import unhexlify

    blobs: dict[str, bytes] = {}
    for sha in dict.fromkeys(shas):
        try:
            stream = repo.odb.stream(unhexlify(sha))
            if over is not None and stream.size > MAX_FILE_BYTES:
                _read_past(stream.read, stream.size)
                over[sha] = stream.size
                continue
            blobs[sha] = stream.read()
        except (ValueError, OSError):  # missing (a shallow clone), or not an object
            continue
    return blobs


def read_blobs_at_once(top: Path, shas: Iterable[str], over: dict[str, int]) -> dict[str, bytes]:
    """Many objects through one `git cat-file --batch` of their own, every request written
    before the first answer is read (from a file, so neither side waits on the other): for a
    thread reading ahead, where the workspace's persistent `cat-file` answers one object at a
    time to the main thread. A missing object is left out; one larger than a goals file may
    be is read past, never held, and its size noted in `over`."""
    import tempfile

    wanted = list(dict.fromkeys(shas))
    blobs: dict[str, bytes] = {}
    if not wanted:
        return blobs
    with tempfile.TemporaryFile() as requests:
        requests.write("".join(f"{sha}\n" for sha in wanted).encode())
        requests.seek(0)
        with git_stream(top, ["cat-file", "--batch"], istream=requests) as stream:
            out = wide_reader(stream)
            for _ in wanted:
                header = out.readline().split()
                if len(header) != 3:
                    continue  # "<sha> missing"
                size = int(header[2])
                if size > MAX_FILE_BYTES:
                    _read_past(out.read, size)
                    over[header[0].decode()] = size
                else:
                    blobs[header[0].decode()] = out.read(size)
                out.read(1)  # the newline after each object
    return blobs


def read_file(
    repo: Repo, revision: str, path: str, *, over: dict[str, int] | None = None
) -> bytes | None:
    """One file's content at `revision`, or None when it does not exist there (or, with
    `over`, when it is larger than a goals file may be: read past, its size noted there)."""
    sha = verify_object(Path(str(repo.working_tree_dir)), f"{revision}:{path}")
    if sha is None:
        return None
    return read_blobs(repo, [sha], over=over).get(sha)

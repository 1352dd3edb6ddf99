"""okrctl's own report templates, compiled, kept under `.git/okrctl/templates/`: a report then
skips Jinja's compiling of its template and macros (a twentieth of the report of a pillar at
2,000 teams, benchmarks/RESULTS.md). Jinja's own file cache: each entry is keyed by the
template's name and file, checked against a hash of its source and Jinja's and Python's
versions, and written to a temporary file renamed into place. Like every cache here, an
entry is read only from a regular file, and one that cannot be read (damaged, a FIFO in its
place) or written is compiled again, never an error. Only for the plain environment of
okrctl's own templates: a repository's templates run in the sandbox, whose code is compiled
differently, and are never cached."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemBytecodeCache

from okrctl.store.writefile import read_cache_file

if TYPE_CHECKING:
    from jinja2.bccache import Bucket

    from okrctl.store.workspace import Workspace

FOLDER = "templates"
PATTERN = "%s.report"
"""One file per template, named for the report environment (other environments compile the
same files with other settings: they may not share it)."""
MAX_ENTRY_BYTES = 16 * 1024 * 1024
"""Larger than any template okrctl ships compiles to; a larger file is not read."""


class _KeptTemplates(FileSystemBytecodeCache):
    def load_bytecode(self, bucket: Bucket) -> None:
        raw = read_cache_file(Path(self._get_cache_filename(bucket)), MAX_ENTRY_BYTES)
        if raw is None:
            return
        try:
            bucket.load_bytecode(io.BytesIO(raw))
        except Exception:  # damaged: Jinja's reader raises what its pickle and marshal raise
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        folder = Path(self.directory)
        with contextlib.suppress(OSError):  # a read-only or full disk: compiled again next time
            folder.mkdir(parents=True, exist_ok=True)  # with the first template kept
            if not folder.is_symlink() and folder.is_dir():
                super().dump_bytecode(bucket)


def compiled_reports(workspace: Workspace) -> Any | None:
    """The cache of compiled report templates; None where nothing is cached or written (caching
    off, outside git, a read-only workspace, a folder that is a link or a file). Its folder is
    made when a template is first kept: a repository's own templates never make it."""
    folder = None if workspace.read_only else workspace.cache_folder
    if folder is None:
        return None
    target = folder / FOLDER
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        return None
    return _KeptTemplates(str(target), PATTERN)

"""okrctl's own report templates, compiled, kept under `.git/okrctl/templates/`: a report then
skips Jinja's compiling of its template and macros (a twentieth of the report of a pillar at
2,000 teams, benchmarks/RESULTS.md). Jinja's own file cache: each entry is keyed by the
template's name and file, checked against a hash of its source and Jinja's and Python's
versions, and written to a temporary file renamed into place. Only for the plain environment
of okrctl's own templates: a repository's templates run in the sandbox, whose code is
compiled differently, and are never cached."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from okrctl.store.workspace import Workspace

FOLDER = "templates"
PATTERN = "%s.report"
"""One file per template, named for the report environment (other environments compile the
same files with other settings: they may not share it)."""


def compiled_reports(workspace: Workspace) -> Any | None:
    """The cache of compiled report templates; None where nothing is cached or written (caching
    off, outside git, a read-only workspace, a folder that cannot be made or is a link)."""
    folder = None if workspace.read_only else workspace.cache_folder
    if folder is None:
        return None
    target = folder / FOLDER
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if target.is_symlink() or not target.is_dir():
        return None
    from jinja2 import FileSystemBytecodeCache

    return FileSystemBytecodeCache(str(target), PATTERN)

"""`okrctl fmt [FILES] [--check]`: every goals file (or the files given) in one layout, written
as one under the goals lock (docs/commands.md, `okrctl fmt`)."""

from __future__ import annotations

from pathlib import Path

from okrctl.store.workspace import Workspace
from okrctl.store.yaml.fmt import Entry, Formatted, format_files


def format_repo(
    repo: Workspace | Path | str | None,
    paths: list[Path] | None = None,
    *,
    check: bool = False,
) -> Formatted:
    """The goals files of the repository, found as `check` finds them (or just `paths`),
    formatted under the goals lock and written as one (all files, or none). Without `repo`,
    files name their repository (a pre-commit hook runs from the git top-level)."""
    if repo is None and paths:
        from okrctl.store.root import root_of_files

        repo = root_of_files(paths)
    workspace = Workspace.of(repo)
    if check:
        return format_files(_entries(workspace, paths), check=True)
    from okrctl.store.edits import goals_lock, journal_file
    from okrctl.store.journal import write_together

    with goals_lock(workspace):  # read under the lock: a check-in landing now is kept
        result = format_files(_entries(workspace, paths), check=False)
        write_together(journal_file(workspace), result.writes)
        return result


def _entries(workspace: Workspace, paths: list[Path] | None) -> list[Entry]:
    from okrctl.store.config import load_config
    from okrctl.store.load import read_entry, working_tree_files

    root = workspace.root
    if paths:
        entries: list[Entry] = []
        for path in paths:
            shown, raw, why = read_entry(str(path), path)
            entries.append((shown, path, raw, why))
        return entries
    return [
        (shown, root / shown, raw, why)
        for shown, raw, why in working_tree_files(root, load_config(root).goals_path)
    ]

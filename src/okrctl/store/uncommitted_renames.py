"""Units renamed in the working tree and not committed yet (a file moved with `git mv`, or its
`id:` edited where it stands): history knows their numbers under the old id only. They are
read under the new one, as history will read them once the rename is committed, so a check run
before the commit sees what CI will (docs/commands.md, "Check-ins").

Asked of git only when a unit in the working tree has numbers history has never met (a unit
renamed, or a new one still being written): a repository at rest asks nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from okrctl.model.errors import OkrctlError
from okrctl.model.history import RenamedRefs
from okrctl.model.names import renamed_unit, translate, unit_stem
from okrctl.store.yaml.read import MAX_FILE_BYTES

if TYPE_CHECKING:
    from okrctl.core.graph import Graph
    from okrctl.model.history import History
    from okrctl.model.units import UnitFile
    from okrctl.store.workspace import Workspace


def follow_uncommitted_renames(
    workspace: Workspace, graph: Graph, history: History, goals_dir: str, *, moves: bool = True
) -> History:
    """`history` with the numbers of each unit renamed since HEAD also under their new refs
    (`history` itself, which the history index may be being written from, stays as it was).
    Without `moves`, only an `id:` edited where the file stands is followed, and git's rename
    detection is not asked (an editor's analysis after each edit: a file renamed there is not
    staged)."""
    latest = history.latest
    known = latest.keys()
    if known >= graph.key_results.keys() and known >= graph.kpis.keys():
        return history  # every number met (the usual run: 1.0 ms at 2,500 units, not 2.9)
    if not latest:
        return history  # none met: nothing committed to be renamed (2 ms at 2,000 teams)
    unmet = [
        unit_file
        for unit_file in graph.units.values()
        if (first := _first_number(unit_file)) is not None and first not in latest
    ]
    if not unmet or workspace.top is None:
        return history
    from okrctl.store.change import moved_files

    try:
        moved = moved_files(workspace, "HEAD", None, goals_dir) if moves else {}
    except OkrctlError:
        return history  # (no commit yet, say: nothing was renamed)
    try:
        tree = workspace.repo.head.commit.tree
    except ValueError:  # (no commit yet: nothing was renamed)
        return history
    came_from = {new: old for old, new in moved.items()}
    renamed: dict[str, str] = {}
    for unit_file in unmet:
        numbers = _numbers(unit_file)
        path = came_from.get(unit_file.path, unit_file.path)
        unit = renamed_unit(_numbers_in(tree, workspace.prefix + path), numbers)
        if unit is None:
            continue
        as_old = {unit[1]: unit[0]}
        renamed |= {
            ref: old
            for ref in numbers
            if (old := translate(ref, as_old)) in latest and ref not in latest
        }
    if not renamed:
        return history
    return replace(
        history,
        refs=RenamedRefs(history.refs, renamed),
        latest={**latest, **{ref: latest[old] for ref, old in renamed.items()}},
    )


def _first_number(unit_file: UnitFile) -> str | None:
    """The ref of a unit's first key result or KPI (none: it has neither)."""
    unit = unit_file.unit
    for objective in unit.objectives:
        if objective.key_results:
            return f"{unit.id}/{objective.id}/{objective.key_results[0].id}"
    return f"{unit.id}/{unit.kpis[0].id}" if unit.kpis else None


def _numbers(unit_file: UnitFile) -> list[str]:
    """The refs of a unit's key results and KPIs, in its file's order."""
    unit = unit_file.unit
    found = [f"{unit.id}/{o.id}/{kr.id}" for o in unit.objectives for kr in o.key_results]
    return found + [f"{unit.id}/{kpi.id}" for kpi in unit.kpis]


def _numbers_in(tree: Any, path: str) -> list[str]:
    """The refs of the key results and KPIs the file at `path` (from the git top-level) held
    in `tree` (HEAD's); none when it has no such file, or it does not read."""
    from okrctl.store.versions import read_version

    try:
        blob = tree / path
        if blob.size > MAX_FILE_BYTES:
            return []
        raw = blob.data_stream.read()
    except (KeyError, ValueError, OSError):
        return []
    version = read_version(raw, unit_stem(path))
    return [*version.key_results, *version.kpis]

"""`okrctl history REF`: a key result's or KPI's check-ins from git, oldest first."""

from __future__ import annotations

from pathlib import Path

from okrctl.store.history import ref_history
from okrctl.store.workspace import Workspace
from okrctl.views.history import HistoryResult


def history(repo: Workspace | Path | str | None, ref: str) -> HistoryResult:
    """The check-ins of `ref` from git; a ref that names nothing is a usage error. A number
    taken `from:` others has none of its own: a note names its sources (the goals are loaded
    only then)."""
    workspace = Workspace.of(repo)
    ref, found, notes, unit = ref_history(workspace, ref)
    if not found.checkins:
        notes = [*notes, *_derived_note(workspace, ref)]
    return HistoryResult(ref, found.checkins, notes, unit)


def _derived_note(workspace: Workspace, ref: str) -> list[str]:
    from okrctl.core.graph import build_graph
    from okrctl.store.load import load_repo

    graph = build_graph(load_repo(workspace))
    node = graph.key_result_or_kpi(ref)
    if node is None or node.model.derived_from is None:
        return []
    derived = graph.derivations.values.get(ref)
    sources = ", ".join(f"`{s.ref}`" for s in derived.sources) if derived else "its `from`"
    return [f"{ref} takes its number from {sources}: their check-ins are its history"]

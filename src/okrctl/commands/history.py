"""`okrctl history REF`: a key result's or KPI's check-ins from git, oldest first."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from okrctl.store.history import ref_history
from okrctl.store.workspace import Workspace
from okrctl.views.history import DerivedValues, HistoryResult


def history(repo: Workspace | Path | str | None, ref: str) -> HistoryResult:
    """The check-ins of `ref` from git; a ref that names nothing is a usage error. A number
    taken `from:` others has none of its own: its values as its sources moved are given
    instead, after its check-ins of before, when it had a value of its own then (the goals
    and the whole history are read only for a derived number)."""
    workspace = Workspace.of(repo)
    ref, found, notes, unit, derived_now, gone = ref_history(workspace, ref)
    if gone:  # (its values are then written bare: no file says its unit)
        notes = [
            *notes,
            f"{ref} is in no goals file now (removed, or its unit renamed): these are its "
            "check-ins while it was",
        ]
    if found.checkins and not derived_now:
        return HistoryResult(ref, found.checkins, notes, unit)
    since = found.created
    if found.checkins:
        since = found.value_left()
        if since is None:  # the `from:` is in the working tree, not committed yet
            said = f"{ref} takes its number `from:` others in a change not committed yet"
            return HistoryResult(ref, found.checkins, [*notes, said], unit)
    derived, said_too = _derived_values(workspace, ref, since)
    if derived is not None and found.checkins:
        derived = derived._replace(since=since)
    return HistoryResult(ref, found.checkins, [*notes, *said_too], unit, derived)


def _derived_values(
    workspace: Workspace, ref: str, created: datetime | None
) -> tuple[DerivedValues | None, list[str]]:
    """`ref`'s values after each commit that moved one of its sources, as charts draw it
    (docs/scoring.md, "Derived numbers"), from the commit that `created` it, or that took its
    own value out of its file (its sources may be older: what they summed to before is no
    value it had); None for a number that is not derived, with a note when its `from:` cannot
    be followed."""
    from okrctl.core.derived_timeline import DerivedTimeline
    from okrctl.core.graph import build_graph
    from okrctl.store.history import read_history
    from okrctl.store.load import load_repo

    repository = load_repo(workspace)
    graph = build_graph(repository)
    node = graph.key_result_or_kpi(ref)
    derived = graph.derivations.values.get(ref)
    if node is None or node.model.derived_from is None:
        return None, []
    if derived is None:
        unfollowed = "a `from:` that cannot be followed (`okrctl check` says why)"
        return None, [f"{ref} takes its number from {unfollowed}"]
    history = read_history(workspace, repository.config.config.goals_dir)
    dated = None if history is None else DerivedTimeline(history, graph, None).dated(ref)
    values = [] if dated is None else [(when, v) for when, v in dated[0] if v is not None]
    if created is not None:
        opening = [(created, value) for when, value in values if when <= created][-1:]
        values = opening + [(when, value) for when, value in values if when > created]
    return DerivedValues(derived.how, [source.ref for source in derived.sources], values), []

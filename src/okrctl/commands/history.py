"""`okrctl history REF`: a key result's or KPI's check-ins from git, oldest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrctl.model.history import History, RefHistory
from okrctl.store.history import ref_history
from okrctl.store.workspace import Workspace
from okrctl.views.history import DerivedValues, HistoryResult

if TYPE_CHECKING:
    from okrctl.core.graph import Graph


def history(repo: Workspace | Path | str | None, ref: str) -> HistoryResult:
    """The check-ins of `ref` from git; a ref that names nothing is a usage error. A number
    taken `from:` others has none of its own: its values as its sources moved are given
    instead, after its check-ins of before, when it had a value of its own then. (The goals
    are loaded only for a derived number, or one no goals file holds now.)"""
    workspace = Workspace.of(repo)
    ref, found, notes, unit, derived_now, gone = ref_history(workspace, ref)
    if gone:  # (no file holds it, nor says its unit: its values are written bare)
        now = _renamed_as(workspace, ref, found)
        said = (
            f"{ref} is in no goals file now (removed, or its unit renamed): these are its "
            "check-ins while it was"
            if now is None
            else f"{ref} is in no goals file now: its unit was renamed, and it is {now} "
            f"(`okrctl history {now}` goes on from here); these are its check-ins until then"
        )
        return HistoryResult(ref, found.checkins, [*notes, said], unit)
    if not derived_now:
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


def _renamed_as(workspace: Workspace, ref: str, found: RefHistory) -> str | None:
    """What a number no goals file holds now is called since its unit was renamed: the number
    of the working tree with the same objective and key result ids whose history goes on from
    this one's (history carries a renamed unit's numbers over, check-ins and all); None for a
    number removed. (The goals are loaded only for a ref gone from them.)"""
    graph, read_history = _goals_and_history(workspace)
    tail = ref.partition("/")[2]
    candidates = [
        number
        for number in [*graph.key_results, *graph.kpis]
        if number.partition("/")[2] == tail and number != ref
    ]
    history = read_history() if candidates else None
    if history is None:
        return None
    followed = [
        number
        for number in candidates
        if (later := history.refs.get(number)) is not None and _goes_on_from(found, later)
    ]
    return followed[0] if len(followed) == 1 else None  # (two alike: neither is named)


def _goals_and_history(workspace: Workspace) -> tuple[Graph, Callable[[], History | None]]:
    """The working tree's goals, and how to read the whole history: what a number gone from
    the files, or taken `from:` others, needs beyond its own check-ins (history is read only
    once it is known to be needed: most numbers with no check-ins are neither)."""
    from okrctl.core.graph import build_graph
    from okrctl.store.history import read_history
    from okrctl.store.load import load_repo

    repository = load_repo(workspace)
    goals_dir = repository.config.config.goals_dir
    return build_graph(repository), partial(read_history, workspace, goals_dir)


def _goes_on_from(earlier: RefHistory, later: RefHistory) -> bool:
    """Whether `later`'s history begins with the whole of `earlier`'s: made at the same moment,
    with the same values, targets and check-ins (commit and value), then perhaps more."""

    def begins(longer: list[Any], shorter: list[Any]) -> bool:
        return longer[: len(shorter)] == shorter

    return (
        later.created == earlier.created
        and begins(later.timeline, earlier.timeline)
        and begins(later.targets, earlier.targets)
        and begins(
            [(c.commit, c.value) for c in later.checkins],
            [(c.commit, c.value) for c in earlier.checkins],
        )
    )


def _derived_values(
    workspace: Workspace, ref: str, created: datetime | None
) -> tuple[DerivedValues | None, list[str]]:
    """`ref`'s values after each commit that moved one of its sources, as charts draw it
    (docs/scoring.md, "Derived numbers"), from the commit that `created` it, or that took its
    own value out of its file (its sources may be older: what they summed to before is no
    value it had); None for a number that is not derived, with a note when its `from:` cannot
    be followed."""
    from okrctl.core.derived_timeline import DerivedTimeline

    graph, read_history = _goals_and_history(workspace)
    node = graph.key_result_or_kpi(ref)
    derived = graph.derivations.values.get(ref)
    if node is None or node.model.derived_from is None:
        return None, []
    if derived is None:
        unfollowed = "a `from:` that cannot be followed (`okrctl check` says why)"
        return None, [f"{ref} takes its number from {unfollowed}"]
    history = read_history()
    dated = None if history is None else DerivedTimeline(history, graph, None).dated(ref)
    values = [] if dated is None else [(when, v) for when, v in dated[0] if v is not None]
    if created is not None:
        opening = [(created, value) for when, value in values if when <= created][-1:]
        values = opening + [(when, value) for when, value in values if when > created]
    return DerivedValues(derived.how, [source.ref for source in derived.sources], values), []

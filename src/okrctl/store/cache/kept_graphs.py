"""The last graph a long-lived process built, kept for its next commands on the same goals.

A graph is a function of the units it is built from, the units that failed to load and the
period (core/graph.py reads nothing else, and nothing changes a graph once built). `okrctl
serve` keeps the units of files that did not change (`kept_reads`), so a command on goals
unchanged since the last one is given the graph built then: building it again was 30 ms of
a served `status` at 2,000 teams, a seventh of it. A graph is kept under each unit's path and
very object: it holds those objects, so none of them can be freed and another take its place.
Scores and findings are not kept: they depend on the moment they are made for. Without
`keep_reads` (a command-line run, a library caller), every graph is built afresh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from okrctl.core.graph import build_graph
from okrctl.store.cache.kept_reads import keeping_reads

if TYPE_CHECKING:
    from okrctl.core.graph import Graph
    from okrctl.model.units import Repository

_last: tuple[tuple[object, ...], Graph] | None = None
"""The last graph built, under its key. Only the last: a graph holds its units alive (at
20,000 units, 30 MB of graph over 550 MB of units), and once the goals change, those of the
graph before are no longer the ones the caches hold."""


def graph_of(repository: Repository) -> Graph:
    """`build_graph(repository)`, or the same graph built for the same units last time."""
    global _last
    if not keeping_reads():
        _last = None
        return build_graph(repository)
    key = (
        repository.config.config.period,
        frozenset(repository.broken_unit_ids),
        tuple((unit_file.path, id(unit_file.unit)) for unit_file in repository.units),
    )
    if _last is not None and _last[0] == key:
        return _last[1]
    _last = None  # (before building: the graph before is not needed for it)
    graph = build_graph(repository)
    _last = (key, graph)
    return graph

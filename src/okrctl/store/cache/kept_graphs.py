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

from collections import OrderedDict
from typing import TYPE_CHECKING

from okrctl.core.graph import build_graph
from okrctl.store.cache.kept_reads import keeping_reads

if TYPE_CHECKING:
    from okrctl.core.graph import Graph
    from okrctl.model.units import Repository

KEPT = 1
"""Graphs kept at most: the last one. A graph holds its units alive (at 20,000 units, 30 MB
of graph over 550 MB of units): once the goals change, the units of the graph before are no
longer those the caches hold, and a second graph kept would keep them too."""

_kept: OrderedDict[tuple[object, ...], Graph] = OrderedDict()


def graph_of(repository: Repository) -> Graph:
    """`build_graph(repository)`, or the same graph built for the same units before."""
    if not keeping_reads():
        _kept.clear()
        return build_graph(repository)
    key = (
        repository.config.config.period,
        frozenset(repository.broken_unit_ids),
        tuple((unit_file.path, id(unit_file.unit)) for unit_file in repository.units),
    )
    graph = _kept.get(key)
    if graph is None:
        while len(_kept) >= KEPT:  # (before building: the graph before is not needed for it)
            _kept.popitem(last=False)
        graph = _kept[key] = build_graph(repository)
    else:
        _kept.move_to_end(key)
    return graph

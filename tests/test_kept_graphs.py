"""What `okrctl serve` keeps of a graph (store/cache/kept_graphs.py): a command on goals
unchanged since an earlier one is given the graph built then; a file edited or broken, or
another period, gives a new one; a process that keeps nothing builds a graph for each."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CONFIG, PILLAR, write_repo
from okrctl.core.graph import Graph
from okrctl.store.cache.kept_reads import forget_reads, keep_reads
from okrctl.store.snapshot import take_snapshot

PILLAR_FILE = "goals/pillars/growth.yaml"


@pytest.fixture
def keeping() -> Iterator[None]:
    keep_reads()
    try:
        yield
    finally:
        forget_reads()


def goals_repo(tmp_path: Path) -> Path:
    root = write_repo(tmp_path, {})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def graph_of(root: Path) -> Graph:
    return take_snapshot(root).graph


def settled(root: Path) -> Graph:
    """The graph once the caches a change wrote are read back (a command after an edit writes
    the units it parsed; the next reads them as kept objects): the same one from then on."""
    graphs = [graph_of(root)]
    while len(graphs) < 4 and (len(graphs) < 2 or graphs[-1] is not graphs[-2]):
        graphs.append(graph_of(root))
    assert graphs[-1] is graphs[-2], "no command on unchanged goals was given the last graph"
    return graphs[-1]


def test_unchanged_goals_are_given_the_graph_built_for_them(tmp_path, keeping):
    root = goals_repo(tmp_path)
    kept = settled(root)
    assert graph_of(root) is kept
    assert take_snapshot(root, as_of=None).graph is kept


def test_an_edit_a_broken_file_or_another_period_builds_a_new_graph(tmp_path, keeping):
    root = goals_repo(tmp_path)
    before = settled(root)
    (root / PILLAR_FILE).write_text(PILLAR.replace("Convert signups", "Fund signups"))
    edited = settled(root)
    assert edited is not before
    assert edited.objectives["growth/convert"].objective.title == "Fund signups"
    (root / "goals/teams/broken.yaml").write_text("kind: team\nobjectives: [\n")
    broken = settled(root)
    assert broken is not edited and "broken" in broken.broken_unit_ids
    (root / "okrctl.yaml").write_text(CONFIG.replace("2026-Q4", "2027-Q1"))
    later = settled(root)
    assert later is not broken
    assert later.units.keys() == broken.units.keys()  # the same units, read for another period


def test_a_process_that_keeps_nothing_builds_each_graph(tmp_path):
    root = goals_repo(tmp_path)
    graph_of(root)
    assert graph_of(root) is not graph_of(root)

"""What changed between two versions of the goals (core/compare.py), against its definition
written out node by node: the objectives, key results and KPIs of the units asked for, a
unit read unchanged (the same object at both ends) only for its derived numbers, which may
move with another unit's."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from conftest import run_cli
from okrctl.core.compare import compare, snapshot_items, unchanged_units
from okrctl.core.graph import Graph, build_graph
from okrctl.store.load import load_repo
from okrctl.store.workspace import Workspace


def by_definition(graph: Graph, same: frozenset[str], units: set[str] | None) -> list[str]:
    def kept(owner: str, derived: bool) -> bool:
        return (units is None or owner in units) and (owner not in same or derived)

    return [
        *(r for r, o in graph.objectives.items() if kept(o.owner.unit.id, False)),
        *(
            r
            for r, k in graph.key_results.items()
            if kept(k.owner.unit.id, k.key_result.derived_from is not None)
        ),
        *(
            r
            for r, k in graph.kpis.items()
            if kept(k.owner.unit.id, k.kpi.derived_from is not None)
        ),
    ]


@pytest.fixture(scope="module")
def graphs(quarter, tmp_path_factory) -> dict[str, Any]:
    """The goals now, in the middle of the quarter, and before the last check-in."""
    root = tmp_path_factory.mktemp("compare") / "demo"
    subprocess.run(["git", "clone", "-q", str(quarter), str(root)], check=True)
    done = run_cli("checkin", "signups/effortless-funding/funded-rate", "0.9", "--repo", root)
    assert done.exit_code == 0, done.stderr
    revisions = subprocess.run(
        ["git", "-C", str(root), "rev-list", "--reverse", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    workspace = Workspace.of(root)
    now = build_graph(load_repo(workspace))
    return {
        "now": now,
        "middle": build_graph(load_repo(workspace, revision=revisions[len(revisions) // 2])),
        "last": build_graph(load_repo(workspace, revision=revisions[-2])),
    }


@pytest.mark.parametrize("units", [None, {"growth"}, {"growth", "signups"}, {"signups"}])
def test_a_unit_read_unchanged_keeps_its_derived_numbers_only(graphs, units):
    """(A unit holding a derived number is rebuilt by the graph, so never read unchanged in
    practice: `same` is given here.)"""
    now = graphs["now"]
    same = frozenset({"growth", "trust", "signups"})
    items = snapshot_items(now, same, units)
    assert list(items) == by_definition(now, same, units)
    mirrored = [r for r, k in now.key_results.items() if k.key_result.derived_from]
    growth = [r for r in now.key_results if r.startswith("growth/")]
    shown = units is None or "growth" in units
    expected = [r for r in growth if r in mirrored] if shown else []
    assert [r for r in items if r.startswith("growth/")] == expected
    assert expected or not shown  # (the pillar has a derived key result)


@pytest.mark.parametrize("since", ["middle", "last"])
@pytest.mark.parametrize(
    "units", [None, {"growth", "signups", "referrals", "lifecycle"}, {"trust"}, set()]
)
def test_the_items_compared_are_those_of_the_definition(graphs, since, units):
    old, new = graphs[since], graphs["now"]
    same = unchanged_units(old, new)
    assert 0 < len(same) < len(new.units)  # some units read unchanged, some not
    for graph in (old, new):
        assert list(snapshot_items(graph, same, units)) == by_definition(graph, same, units)
    found = compare(old, new, units)
    everything = compare(old, new)
    shown = units if units is not None else set(new.units)
    assert found.changed == [c for c in everything.changed if c.ref.split("/")[0] in shown]
    assert found.added == [r for r in everything.added if r.split("/")[0] in shown]

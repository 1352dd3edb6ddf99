"""What changed between two versions of the goals (core/compare.py), against its definition
written out node by node: the objectives, key results and KPIs of the units asked for, a
unit read unchanged (the same object at both ends) only for its derived numbers, which may
move with another unit's."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from okrctl.core.compare import compare, read_by_comparison, snapshot_items, unchanged_units
from okrctl.core.graph import Graph, build_graph
from okrctl.core.scorecard import cascade_order
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
    done = run_cli("checkin", "signups/effortless-funding/funded-rate", "41.5", "--repo", root)
    assert done.exit_code == 0, done.stderr
    revisions = subprocess.run(
        ["git", "-C", str(root), "rev-list", "--reverse", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    workspace = Workspace.of(root)
    now = build_graph(load_repo(workspace))
    read = {
        "middle": load_repo(workspace, revision=revisions[len(revisions) // 2]),
        "last": load_repo(workspace, revision=revisions[-2]),
    }
    return {"now": now, "read": read, **{name: build_graph(found) for name, found in read.items()}}


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


@pytest.fixture(scope="module")
def plain_history(tmp_path_factory) -> dict[str, Any]:
    """Goals without a number derived `from:` others, before and after a fortnight: a team
    checked in, a team added, a team with the same id as another (the first file is the
    unit), one file unchanged in a new place, and a team dropped."""
    from conftest import BASE, TEAM
    from gitrepo import GitRepo

    twin = TEAM.replace("lead: sam", "lead: ana")
    repo = GitRepo(tmp_path_factory.mktemp("plain") / "okrs")
    old = repo.commit(
        {
            **BASE,
            "goals/teams/payments.yaml": TEAM.replace("id: funding", "id: rails"),
            "goals/teams/zz/signups.yaml": twin,
            "goals/teams/ledger.yaml": TEAM.replace("Ship instant ACH", "Close the books"),
        },
        "2026-11-01",
    )
    repo.commit(
        {
            "goals/teams/signups.yaml": TEAM.replace("done: false", "done: true"),
            "goals/teams/referrals.yaml": TEAM.replace("id: funding", "id: invite"),
            "goals/teams/ledger.yaml": None,
            "goals/teams/payments.yaml": None,
            "goals/teams/moved/payments.yaml": TEAM.replace("id: funding", "id: rails"),
        },
        "2026-11-14",
    )
    workspace = Workspace.of(repo.root)
    read = load_repo(workspace, revision=old)
    return {"read": read, "whole": build_graph(read), "now": build_graph(load_repo(workspace))}


@pytest.mark.parametrize("since", ["middle", "last", "plain"])
def test_a_comparison_builds_the_units_that_changed_unless_one_takes_a_number_from_others(
    graphs, plain_history, since
):
    """The company's and every unit's scope (its units in the cascade) compared with the goals
    as they were, built whole or only as far as `read_by_comparison` says: the same
    comparison. Where a unit compared takes a number `from:` others, every unit is built;
    else only those that changed, and the units read unchanged are those the graphs tell."""
    if since == "plain":
        old, whole, new = plain_history["read"], plain_history["whole"], plain_history["now"]
    else:
        old, whole, new = graphs["read"][since], graphs[since], graphs["now"]
    kinds = set()
    for scope in [None, *new.units]:
        units = None if scope is None else {u for u, _ in cascade_order(new, scope)}
        part, same = read_by_comparison(old, new, units)
        found = compare(build_graph(part), new, units, same)
        assert found == compare(whole, new, units), scope
        derived = any(
            node.model.derived_from is not None
            for nodes in (whole.key_results, whole.kpis)
            for node in nodes.values()
            if units is None or node.owner.unit.id in units
        )
        assert (part is old and same is None) == derived, scope
        if not derived:
            assert same is not None
            unchanged = unchanged_units(whole, new)
            assert same == {u for u in unchanged if units is None or u in units}
            compared = [u for u in whole.units if units is None or u in units]
            assert [u.unit.id for u in part.units] == [u for u in compared if u not in same]
        kinds.add((derived, bool(found.added or found.removed or found.changed)))
    assert (since != "plain", True) in kinds  # (the quarter's derive: with changes to find)
    assert (False, True) in kinds


def test_models_read_field_by_field_are_what_pydantic_dumps(quarter):
    """Compared and reviewed settings read a model (a band, a derivation) field by field,
    without building its serializer: every model in the demo company and the quarter's
    goals, and a band in a list, gives what `model_dump` gives, with `exclude_none` too."""
    from pydantic import BaseModel

    from okrctl.model.fields import plain
    from okrctl.model.goals import Bounds

    def models(value: Any) -> list[BaseModel]:
        if isinstance(value, BaseModel):
            fields = [getattr(value, name) for name in type(value).model_fields]
            return [value, *(found for field in fields for found in models(field))]
        if isinstance(value, list | tuple):
            return [found for item in value for found in models(item)]
        return []

    found = [
        model
        for root in (Path(__file__).parent.parent, quarter)
        for unit_file in load_repo(root).units
        for model in models(unit_file.unit)
    ]
    kinds = {type(model).__name__ for model in found}
    assert {"Unit", "Objective", "KeyResult", "Kpi", "Bounds"} <= kinds
    for model in found:
        assert plain(model) == model.model_dump()
        assert plain(model, exclude_none=True) == model.model_dump(exclude_none=True)
    listed = [Bounds(min=1), Bounds(max=2.5)]
    assert plain(listed) is listed  # (a value that is not a model, as it is)
    assert plain(found[0].model_copy(update={"accomplishments": listed}))["accomplishments"] == [
        {"min": 1, "max": None},
        {"min": None, "max": 2.5},
    ]

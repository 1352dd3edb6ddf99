"""`okrctl diff A [B]`: goals added, removed and changed between two periods or revisions,
with score deltas (docs/commands.md, "Quarters")."""

from __future__ import annotations

from pathlib import Path

from okrctl.core.compare import Comparison, compare, compare_units
from okrctl.core.graph import build_graph
from okrctl.model.names import translate, unit_of
from okrctl.store.change import renamed_since
from okrctl.store.load import load_repo
from okrctl.store.revisions import resolve
from okrctl.store.workspace import Workspace
from okrctl.views.diff import (
    CHECKIN_FIELDS,
    Diff,
    ScoreDelta,
    cascade_places,
    in_cascade_order,
    objective_scores,
    titles_of,
)


def diff(
    repo: Workspace | Path | str | None, source: str, target: str | None, *, values: bool
) -> Diff:
    workspace = Workspace.of(repo)
    old_revision = resolve(workspace, source)
    old_repository = load_repo(workspace, revision=old_revision)
    old = build_graph(old_repository)
    new_revision = resolve(workspace, target) if target is not None else None
    new = build_graph(load_repo(workspace, revision=new_revision))
    goals_dir = old_repository.config.config.goals_dir
    renamed = renamed_since(workspace, old.units, new.units, old_revision, new_revision, goals_dir)
    place = cascade_places(new, old)
    goals, units = compare(old, new, renamed=renamed), compare_units(old, new, renamed)
    comparison = in_cascade_order(
        Comparison(  # (a unit's own line before its goals': the order is stable)
            [*units.added, *goals.added],
            [*units.removed, *goals.removed],
            [*units.changed, *goals.changed],
        ),
        place,
    )
    if not values:
        comparison = Comparison(
            comparison.added,
            comparison.removed,
            [c for c in comparison.changed if c.field not in CHECKIN_FIELDS],
        )
    before = {translate(ref, renamed): score for ref, score in objective_scores(old).items()}
    after = objective_scores(new)
    scores = [
        ScoreDelta(ref, before[ref], after[ref])
        for ref in sorted(after, key=lambda ref: place(unit_of(ref)))
        if ref in before and before[ref] != after[ref]
    ]
    named = [*comparison.added, *comparison.removed, *(s.ref for s in scores)]
    titles = titles_of(named, new, old)
    return Diff(source, target or "working tree", comparison, scores, titles)

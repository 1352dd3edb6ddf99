"""`okrctl diff A [B]`: what changed between two periods or revisions (B: the working tree).

Intent first: units, objectives, key results and KPIs added, removed and changed (a unit's id,
kind, name, parent, lead and mission; goals' titles, baselines, targets, units, sources,
`from:`, types, owners, alignment), with each objective's score delta. Check-in values and
confidences join only with `--values`, so the intent stays readable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from okrctl.core.compare import VALUE_FIELDS, Comparison
from okrctl.core.graph import Graph
from okrctl.core.score import objective_score
from okrctl.core.scorecard import cascade_order
from okrctl.model.names import unit_of

CHECKIN_FIELDS = (*VALUE_FIELDS, "confidence")


@dataclass(frozen=True, slots=True)
class ScoreDelta:
    ref: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old


@dataclass(frozen=True, slots=True)
class Diff:
    source: str
    target: str
    comparison: Comparison
    scores: list[ScoreDelta]
    titles: dict[str, str] = field(default_factory=dict)
    """Each ref added, removed or rescored: its title (as B has it, else as A had it)."""

    def as_json(self) -> dict[str, Any]:
        """docs/commands.md's JSON: from, to, added, removed, changed; plus the objectives' score
        deltas."""
        return {
            "from": self.source,
            "to": self.target,
            "added": self.comparison.added,
            "removed": self.comparison.removed,
            "changed": [
                {"ref": c.ref, "field": c.field, "old": c.old, "new": c.new}
                for c in self.comparison.changed
            ],
            "scores": [
                {"ref": s.ref, "old": s.old, "new": s.new, "delta": s.delta} for s in self.scores
            ],
        }


def cascade_places(new: Graph, old: Graph) -> Callable[[str], int]:
    """Each unit's place in the cascade, as B has it, then A's units B no longer has."""
    places: dict[str, int] = {}
    for graph in (new, old):
        for unit_id, _ in cascade_order(graph):
            places.setdefault(unit_id, len(places))
    return lambda unit_id: places.get(unit_id, len(places))


def in_cascade_order(comparison: Comparison, place: Callable[[str], int]) -> Comparison:
    """`comparison`'s lists in cascade order (`place`: `cascade_places`), a unit's own
    together in the order its file has them: `diff` listed them by file name (the company,
    then the people, then the pillars)."""

    def ordered(refs: list[str]) -> list[str]:
        return sorted(refs, key=lambda ref: place(unit_of(ref)))

    changed = sorted(comparison.changed, key=lambda change: place(unit_of(change.ref)))
    return Comparison(ordered(comparison.added), ordered(comparison.removed), changed)


def objective_scores(graph: Graph) -> dict[str, float | None]:
    """Each objective's score, as `status` computes it (time plays no part)."""
    return {ref: objective_score(node.objective) for ref, node in graph.objectives.items()}


def titles_of(refs: list[str], new: Graph, old: Graph) -> dict[str, str]:
    """What a reader knows a goal by: `refs`' titles (a unit's name), from `new`, else from
    `old`."""
    found = {}
    for ref in refs:
        title = new.title_of(ref) or old.title_of(ref) or _name_of(ref, new, old)
        if title is not None:
            found[ref] = title
    return found


def _name_of(ref: str, new: Graph, old: Graph) -> str | None:
    unit_file = new.units.get(ref) or old.units.get(ref)
    return None if unit_file is None else unit_file.unit.display_name

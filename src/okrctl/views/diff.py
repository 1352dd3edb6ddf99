"""`okrctl diff A [B]`: what changed between two periods or revisions (B: the working tree).

Intent first: objectives, key results and KPIs added, removed and changed (titles, baselines,
targets, types, owners, alignment), with each objective's score delta. Check-in values and
confidences join only with `--values`, so the intent stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from okrctl.core.compare import VALUE_FIELDS, Comparison
from okrctl.core.graph import Graph
from okrctl.core.score import objective_score

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


def objective_scores(graph: Graph) -> dict[str, float | None]:
    """Each objective's score, as `status` computes it (time plays no part)."""
    return {ref: objective_score(node.objective) for ref, node in graph.objectives.items()}


def titles_of(refs: list[str], new: Graph, old: Graph) -> dict[str, str]:
    """What a reader knows a goal by: `refs`' titles, from `new`, else from `old`."""
    found = {}
    for ref in refs:
        title = new.title_of(ref) or old.title_of(ref)
        if title is not None:
            found[ref] = title
    return found

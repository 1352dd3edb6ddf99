"""The hits of the rules that read one unit at a time, kept per unit between the runs of a
caller that checks again and again (the language server, after every pause in typing): a unit
unchanged since the last run is the very same parsed object (the parse cache hands it out
again for the same bytes), so its hits are taken as they were, and only the units an edit
changed are read by those rules again. The cross-unit rules always run over everything."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from okrctl.core.rules.registry import Context, Hit, Rule
from okrctl.model.goals import Unit

Kept = dict[str, list[Hit]]
"""A unit's hits, by rule."""


class UnitHits:
    """What the per-unit rules found in each unit, for the next run."""

    def __init__(self) -> None:
        self.settings: Any = None
        """What every per-unit rule reads besides its unit: okrctl.yaml's settings, the
        period, and which rules are on. Any change forgets everything."""
        self.units: dict[int, tuple[Unit, str, Kept]] = {}
        """id of a unit's model -> (the model, kept alive so the id stays its own; its file;
        its hits)."""

    def hits(self, context: Context, rules: Sequence[Rule]) -> dict[str, list[Hit]]:
        """Each rule's hits over the whole graph, as `rule.check(context)` would find them
        (in another order: the runner sorts them)."""
        settings = (context.repository.config.config, context.period, [r.name for r in rules])
        if settings != self.settings:
            self.units.clear()
            self.settings = settings
        graph = context.graph
        found: dict[str, list[Hit]] = {r.name: [] for r in rules}
        fresh: list[str] = []
        current: dict[int, tuple[Unit, str, Kept]] = {}
        for unit_id, unit_file in graph.units.items():
            kept = self.units.get(id(unit_file.unit))
            if kept is not None and kept[0] is unit_file.unit and kept[1] == unit_file.path:
                current[id(unit_file.unit)] = kept
                for name, hits in kept[2].items():
                    found[name].extend(hits)
            else:
                fresh.append(unit_id)
        if fresh:
            part = replace(context, graph=graph.restricted(fresh))
            by_path: dict[str, Kept] = {}
            for unit_id in fresh:
                unit_file = graph.units[unit_id]
                kept_hits: Kept = {r.name: [] for r in rules}
                by_path[unit_file.path] = kept_hits
                current[id(unit_file.unit)] = (unit_file.unit, unit_file.path, kept_hits)
            for rule in rules:
                for hit in rule.check(part):
                    by_path[hit.path][rule.name].append(hit)
                    found[rule.name].append(hit)
        self.units = current  # units gone or changed are forgotten
        return found

"""The hits of the rules that read one unit at a time, kept per unit between the runs of a
caller that checks again and again (the language server, after every pause in typing): a unit
unchanged since the last run is the very same parsed object (the parse cache hands it out
again for the same bytes), so its hits are taken as they were, and only the units an edit
changed are read by those rules again. The cross-unit rules always run over everything.

`check` keeps them between runs too (`store/cache/unit_hits.py`): across processes a unit is
known by its file's path and content (`key_of`), and its hits come back as plain tuples."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from okrctl.core.graph import Graph
from okrctl.core.rules.registry import Context, Hit, Rule
from okrctl.model.findings import Finding, Position
from okrctl.model.goals import Unit
from okrctl.model.units import UnitFile

Kept = dict[str, list[Hit]]
"""A unit's hits, by rule."""

Stored = dict[str, list[tuple[int, int, str, str | None]]]
"""A unit's hits as kept on disk, by rule: (line, column, message, ref); the path is the
unit file's."""


class UnitHits:
    """What the per-unit rules found in each unit, for the next run."""

    def __init__(self) -> None:
        self.settings: Any = None
        """What every per-unit rule reads besides its unit: okrctl.yaml's settings, the
        period, and which rules are on. Any change forgets everything."""
        self.units: dict[int, tuple[Unit, str, Kept]] = {}
        """id of a unit's model -> (the model, kept alive so the id stays its own; its file;
        its hits)."""
        self.stored: Mapping[str, Stored] = {}
        """Hits kept by an earlier process, by the key of their file's path and content."""
        self.key_of: Callable[[str], str] | None = None
        """A unit file's key (from its path) in `stored`; None: nothing is stored."""
        self.revived: dict[str, Kept] = {}
        """The hits of `stored` made again, by key: shared by the commands of a long-lived
        process that read the same kept file (`okrctl serve` made the busy org's 2,500 units'
        hits again on every `check`, 6 ms)."""

    @classmethod
    def known(
        cls,
        context: Context,
        rules: Sequence[Rule],
        stored: Mapping[str, Stored],
        key_of: Callable[[str], str],
        revived: dict[str, Kept] | None = None,
    ) -> UnitHits:
        """Hits an earlier process kept, for the settings and rules of `context`: the caller
        makes sure they were found with these (`settings_of`), as were those of `revived`."""
        kept = cls()
        kept.settings = settings_of(context, rules)
        kept.stored, kept.key_of = stored, key_of
        if revived is not None:
            kept.revived = revived
        return kept

    def unknown(self, graph: Graph) -> int:
        """How many of `graph`'s units the per-unit rules would read afresh."""
        return sum(
            1
            for unit_file in graph.units.values()
            if self._found_here(unit_file) is None and self._found_before(unit_file) is None
        )

    def storable(self) -> dict[str, Stored]:
        """The hits of the last run's units, by their key, to keep for the next process."""
        key_of = self.key_of
        assert key_of is not None
        return {key_of(path): stored_hits(hits) for _, path, hits in self.units.values()}

    def _found_here(self, unit_file: UnitFile) -> Kept | None:
        """The hits of `unit_file` from this process's last run: the same parsed unit, in the
        same file."""
        kept = self.units.get(id(unit_file.unit))
        if kept is not None and kept[0] is unit_file.unit and kept[1] == unit_file.path:
            return kept[2]
        return None

    def _found_before(self, unit_file: UnitFile) -> Stored | None:
        """The hits of `unit_file` an earlier process kept, by its path and content."""
        key_of = self.key_of
        return None if key_of is None else self.stored.get(key_of(unit_file.path))

    def _revived(self, unit_file: UnitFile, rules: Sequence[Rule]) -> Kept | None:
        """The hits of `unit_file` an earlier process kept, made again (once per key)."""
        key_of = self.key_of
        if key_of is None:
            return None
        key = key_of(unit_file.path)
        kept = self.revived.get(key)
        if kept is None:
            stored = self.stored.get(key)
            if stored is None:
                return None
            kept = self.revived[key] = revived_hits(unit_file.path, stored, rules)
        return kept

    def hits(self, context: Context, rules: Sequence[Rule]) -> dict[str, list[Hit]]:
        """Each rule's hits over the whole graph, as `rule.check(context)` would find them
        (in another order: the runner sorts them)."""
        settings = settings_of(context, rules)
        if settings != self.settings:
            self.units.clear()
            self.stored, self.revived = {}, {}
            self.settings = settings
        graph = context.graph
        found: dict[str, list[Hit]] = {r.name: [] for r in rules}
        fresh: list[str] = []
        current: dict[int, tuple[Unit, str, Kept]] = {}
        for unit_id, unit_file in graph.units.items():
            kept = self._found_here(unit_file)
            if kept is None:
                kept = self._revived(unit_file, rules)
            if kept is None:
                fresh.append(unit_id)
                continue
            current[id(unit_file.unit)] = (unit_file.unit, unit_file.path, kept)
            for name, hits in kept.items():
                found[name].extend(hits)
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


def settings_of(context: Context, rules: Sequence[Rule]) -> tuple[Any, ...]:
    """What every per-unit rule reads besides its unit: okrctl.yaml's settings, the period, and
    which rules are on."""
    return (context.repository.config.config, context.period, [r.name for r in rules])


def stored_hits(kept: Kept) -> Stored:
    return {
        name: [(h.position.line, h.position.column, h.message, h.ref) for h in hits]
        for name, hits in kept.items()
    }


def revived_hits(path: str, stored: Stored, rules: Sequence[Rule]) -> Kept:
    """`stored` as the hits of the unit file at `path`, a list for each of `rules`."""
    return {
        rule.name: [
            Hit(path, Position(line, column), message, ref)
            for line, column, message, ref in stored.get(rule.name, ())
        ]
        for rule in rules
    }


def kept_from_findings(
    graph: Graph, rules: Sequence[Rule], findings: Iterable[Finding]
) -> dict[str, Stored]:
    """Each unit file's hits of the per-unit `rules`, by path, as a run over the whole graph
    found them (a first `check`, its rules shared between two processes): what `hits` would
    have kept of that run."""
    names = {rule.name for rule in rules}
    by_path: dict[str, Stored] = {
        unit_file.path: {name: [] for name in names} for unit_file in graph.units.values()
    }
    for f in findings:
        if f.rule in names and f.file in by_path:
            by_path[f.file][f.rule].append((f.line, f.column, f.message, f.ref))
    return by_path

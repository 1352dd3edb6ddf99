"""Resolve refs into a graph: units and their children, what each objective aligns to, and
the reverse (what supports it). Built once from the valid units; the first of duplicates wins
(the duplicate itself is the `duplicate-id` rule's business)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from okrctl.core.derive import Derivations, as_derived, derive
from okrctl.model.goals import KeyResult, Kind, Kpi, Objective
from okrctl.model.measure import Measure
from okrctl.model.names import unit_of
from okrctl.model.units import Repository, UnitFile

MISSION = "mission"


class RefKind(StrEnum):
    MISSION = "mission"
    UNIT = "unit"
    OBJECTIVE = "objective"
    KEY_RESULT = "key_result"
    KPI = "kpi"


@dataclass(slots=True, eq=False)
class ObjectiveNode:
    """Graph nodes are made once per objective, key result and KPI (tens of thousands in a big
    org) and never changed; each is one identity in its graph (`eq=False`). Not frozen: a
    frozen dataclass is made twice as slowly."""

    ref: str
    owner: UnitFile
    index: int
    objective: Objective

    def path(self, *rest: str | int) -> tuple[str | int, ...]:
        return ("objectives", self.index, *rest)

    @property
    def owner_handle(self) -> str | None:
        """The objective's owner; in a person file, that person unless it says otherwise."""
        unit = self.owner.unit
        return self.objective.owner or (unit.id if unit.kind is Kind.PERSON else None)


@dataclass(slots=True, eq=False)
class KeyResultNode:
    ref: str
    parent: ObjectiveNode
    index: int
    key_result: KeyResult

    @property
    def owner(self) -> UnitFile:
        return self.parent.owner

    @property
    def model(self) -> KeyResult:
        """The key result, under the name a KPI node gives its KPI too."""
        return self.key_result

    def path(self, *rest: str | int) -> tuple[str | int, ...]:
        return self.parent.path("key_results", self.index, *rest)


@dataclass(slots=True, eq=False)
class KpiNode:
    ref: str
    owner: UnitFile
    index: int
    kpi: Kpi

    @property
    def model(self) -> Kpi:
        """The KPI, under the name a key result node gives its key result too."""
        return self.kpi

    def path(self, *rest: str | int) -> tuple[str | int, ...]:
        return ("kpis", self.index, *rest)


@dataclass(frozen=True, slots=True)
class MeasureSite:
    """A key result or KPI with a `measure:` block: where it is written and what it holds now."""

    ref: str
    owner: UnitFile
    path: tuple[str | int, ...]
    """The key result's or KPI's own path in its file; the block is at `(*path, "measure")`."""
    measure: Measure
    milestone: bool
    current: Any
    """`current`, or `done` for a milestone."""


@dataclass(slots=True)
class Graph:
    units: dict[str, UnitFile] = field(default_factory=dict)
    objectives: dict[str, ObjectiveNode] = field(default_factory=dict)
    key_results: dict[str, KeyResultNode] = field(default_factory=dict)
    kpis: dict[str, KpiNode] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    supporters: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """Target ref -> refs of the objectives whose `aligns_to` names it."""
    broken_unit_ids: set[str] = field(default_factory=set)
    derivations: Derivations = field(default_factory=lambda: Derivations())
    """Values taken `from:` others (already in the key results' `current`), and what stopped
    the others (the `derivation` and `unknown-ref` rules report those)."""

    def restricted(self, unit_ids: list[str]) -> Graph:
        """Only the units `unit_ids` and the nodes of theirs this graph holds, in this graph's
        order when `unit_ids` are: for the rules that read one unit at a time, and a scoped
        comparison. (A ref starts with its unit's id, and a unit left out of this graph, as a
        second one with the same id, left no node in it.)"""
        graph = Graph()
        for unit_id in unit_ids:
            unit_file = graph.units[unit_id] = self.units[unit_id]
            for objective in unit_file.unit.objectives:
                ref = f"{unit_id}/{objective.id}"
                node = self.objectives.get(ref)
                if node is not None:
                    graph.objectives.setdefault(ref, node)
                for key_result in objective.key_results:
                    found = self.key_results.get(f"{ref}/{key_result.id}")
                    if found is not None:
                        graph.key_results.setdefault(found.ref, found)
            for kpi in unit_file.unit.kpis:
                kpi_node = self.kpis.get(f"{unit_id}/{kpi.id}")
                if kpi_node is not None:
                    graph.kpis.setdefault(kpi_node.ref, kpi_node)
        return graph

    @property
    def company(self) -> UnitFile | None:
        return next((u for u in self.units.values() if u.unit.kind is Kind.COMPANY), None)

    def kind_of(self, ref: str) -> RefKind | None:
        """What a ref names, or None when it names nothing."""
        if ref == MISSION:
            return RefKind.MISSION if self.company is not None else None
        if ref in self.units:
            return RefKind.UNIT
        if ref in self.objectives:
            return RefKind.OBJECTIVE
        if ref in self.key_results:
            return RefKind.KEY_RESULT
        if ref in self.kpis:
            return RefKind.KPI
        return None

    def into_broken_file(self, ref: str) -> bool:
        """Refs into a file that failed `schema` are not reported again (docs/rules.md,
        "schema")."""
        return unit_of(ref) in self.broken_unit_ids

    def key_result_or_kpi(self, ref: str) -> KeyResultNode | KpiNode | None:
        """The node of a key result or KPI (what check-ins, `from:` and `stale` are about)."""
        return self.key_results.get(ref) or self.kpis.get(ref)

    def title_of(self, ref: str) -> str | None:
        """The title of the objective, key result or KPI `ref` names (None: it names none)."""
        objective = self.objectives.get(ref)
        if objective is not None:
            return objective.objective.title
        node = self.key_result_or_kpi(ref)
        return None if node is None else node.model.title

    def objective_of(self, ref: str) -> str | None:
        """The objective a ref belongs to: itself, or a key result's objective."""
        if ref in self.objectives:
            return ref
        node = self.key_results.get(ref)
        return node.parent.ref if node is not None else None

    def all_refs(self) -> list[str]:
        return [*self.objectives, *self.key_results, *self.kpis]

    def measure_sites(self) -> list[MeasureSite]:
        """Every key result and KPI that reads its number from a `measure:` block."""
        sites = []
        for kr in self.key_results.values():
            model = kr.key_result
            if model.measure is not None:
                current = model.done if model.milestone else model.current
                sites.append(
                    MeasureSite(
                        kr.ref, kr.owner, kr.path(), model.measure, model.milestone, current
                    )
                )
        for kpi in self.kpis.values():
            if kpi.kpi.measure is not None:
                sites.append(
                    MeasureSite(
                        kpi.ref, kpi.owner, kpi.path(), kpi.kpi.measure, False, kpi.kpi.current
                    )
                )
        return sites

    def units_supporting(self, unit_ids: Container[str]) -> set[str]:
        """The units holding an objective that supports an objective of `unit_ids` or one of
        its key results (`supported_by` of each), read from the alignments themselves: at
        2,000 teams, asking each objective was 25,000 look-ups for a few thousand alignments."""
        found: set[str] = set()
        objectives = self.objectives
        for target, backers in self.supporters.items():
            parts = target.split("/")
            if not backers or parts[0] not in unit_ids:
                continue
            if len(parts) == 2:
                if target not in objectives:
                    continue
            elif len(parts) == 3:
                node = objectives.get(f"{parts[0]}/{parts[1]}")
                if node is None or all(kr.id != parts[2] for kr in node.objective.key_results):
                    continue
            else:
                continue
            found.update(unit_of(backer) for backer in backers)
        return found

    def supported_by(self, objective_ref: str) -> list[str]:
        """Objectives aligned to this objective or to any of its key results."""
        node = self.objectives[objective_ref]
        found = list(self.supporters.get(objective_ref, ()))
        for key_result in node.objective.key_results:
            found.extend(self.supporters.get(f"{objective_ref}/{key_result.id}", ()))
        return list(dict.fromkeys(found))


def build_graph(repository: Repository) -> Graph:
    """The graph of the valid units; where a key result or KPI takes its number `from:` others,
    the graph holds it with that number as its `current` (core/derive.py)."""
    graph = _build(repository)
    derivations = derive(graph, repository.config.config.period)
    if derivations.refs:
        graph.derivations = derivations
        _write_derived(graph, derivations)
    return graph


def _write_derived(graph: Graph, derivations: Derivations) -> None:
    """Each derived value as its key result's or KPI's `current`, in copies of the models of
    the units that hold one (the loaded models stay as they were read; every other unit, and
    its nodes, is left alone)."""
    values = {ref: d.value for ref, d in derivations.values.items()}
    for unit_id in dict.fromkeys(unit_of(ref) for ref in derivations.refs):
        old = graph.units[unit_id]
        unit = old.unit
        objectives = [
            objective.model_copy(
                update={
                    "key_results": [
                        as_derived(kr, values.get(f"{unit_id}/{objective.id}/{kr.id}"))
                        for kr in objective.key_results
                    ]
                }
            )
            for objective in unit.objectives
        ]
        kpis = [as_derived(kpi, values.get(f"{unit_id}/{kpi.id}")) for kpi in unit.kpis]
        new = UnitFile(
            old.path, unit.model_copy(update={"objectives": objectives, "kpis": kpis}), old.source
        )
        graph.units[unit_id] = new
        for objective in objectives:
            node = graph.objectives.get(f"{unit_id}/{objective.id}")
            if node is None or node.owner is not old or node.objective.id != objective.id:
                continue
            node.owner, node.objective = new, objective
            for kr in objective.key_results:
                kr_node = graph.key_results.get(f"{node.ref}/{kr.id}")
                if kr_node is not None and kr_node.parent is node:
                    kr_node.key_result = kr
        for kpi in kpis:
            kpi_node = graph.kpis.get(f"{unit_id}/{kpi.id}")
            if kpi_node is not None and kpi_node.owner is old:
                kpi_node.owner, kpi_node.kpi = new, kpi


def _build(repository: Repository) -> Graph:
    graph = Graph(broken_unit_ids=set(repository.broken_unit_ids))
    for unit_file in repository.units:
        unit = unit_file.unit
        if unit.id in graph.units:
            continue
        graph.units[unit.id] = unit_file
        for index, objective in enumerate(unit.objectives):
            node = ObjectiveNode(f"{unit.id}/{objective.id}", unit_file, index, objective)
            graph.objectives.setdefault(node.ref, node)
            for kr_index, key_result in enumerate(objective.key_results):
                kr_node = KeyResultNode(f"{node.ref}/{key_result.id}", node, kr_index, key_result)
                graph.key_results.setdefault(kr_node.ref, kr_node)
        for index, kpi in enumerate(unit.kpis):
            graph.kpis.setdefault(
                f"{unit.id}/{kpi.id}", KpiNode(f"{unit.id}/{kpi.id}", unit_file, index, kpi)
            )
    for unit_id, unit_file in graph.units.items():
        if unit_file.unit.parent is not None:
            graph.children[unit_file.unit.parent].append(unit_id)
    for node in graph.objectives.values():
        for target in dict.fromkeys(node.objective.aligns_to):
            graph.supporters[target].append(node.ref)
    return graph

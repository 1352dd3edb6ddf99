"""Numbers that flow up the cascade (docs/scoring.md, "Derived numbers"): a key result or KPI
with `from:` takes its current value from others instead of check-ins. A mirror is the same
number as one other key result or KPI; a sum adds up several (or every key result of the
objectives that align to it). The derived key result keeps its own baseline and target: only
its current value is derived.

Resolved once per graph, before anything is scored: `build_graph` hands every reader the
derived values, so status, show, report, site, export and diff agree on one number."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar

from okrctl.core import score as arithmetic
from okrctl.model.goals import KeyResult, Kpi, ScoreOf, SumOf


class Graph(Protocol):
    """What derivation reads of `core.graph.Graph` (which calls it: imported here, it would
    make a circle)."""

    @property
    def objectives(self) -> Mapping[str, Any]: ...
    @property
    def key_results(self) -> Mapping[str, Any]: ...
    @property
    def kpis(self) -> Mapping[str, Any]: ...
    @property
    def supporters(self) -> Mapping[str, list[str]]: ...

    def key_result_or_kpi(self, ref: str) -> Any: ...

    def into_broken_file(self, ref: str) -> bool: ...


class Node(Protocol):
    """A key result's or KPI's graph node (`core.graph`)."""

    @property
    def ref(self) -> str: ...
    @property
    def owner(self) -> Any: ...
    @property
    def model(self) -> KeyResult | Kpi: ...


SUPPORTERS = "supporters"
Numbered = TypeVar("Numbered", KeyResult, Kpi)


class Source(NamedTuple):
    """One number a derived value is made of: its ref, its value (None: not checked in), and
    its share of the derived value (None where a share means nothing)."""

    ref: str
    value: float | None
    share: float | None


class Derived(NamedTuple):
    """A derived current value: how (`mirror` or `sum`), the value (None while no source has
    one), and each source."""

    how: str
    value: float | None
    sources: list[Source]

    def as_json(self) -> dict[str, Any]:
        return {
            "how": self.how,
            "from": [{"ref": s.ref, "value": s.value, "share": s.share} for s in self.sources],
        }


class Problem(NamedTuple):
    """Why a `from:` cannot be followed, found on `ref` (its `from` field)."""

    ref: str
    message: str
    unknown: str | None = None
    """The ref it names that names nothing: the `unknown-ref` rule reports those."""


@dataclass(slots=True)
class Derivations:
    """Every derived value of a graph, and what stopped the others."""

    refs: list[str] = field(default_factory=list)
    """Every key result and KPI with a `from:`, followed or not."""
    values: dict[str, Derived] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def number_of(item: KeyResult | Kpi) -> float | None:
    """The value a source contributes: its current number (a milestone or a band has none
    worth adding; see docs/scoring.md)."""
    value = item.current
    if value is None or isinstance(value, bool):
        return None
    return float(value)


def derive(graph: Graph, current_period: str | None = None) -> Derivations:
    """Resolve every `from:` in `graph`, sources first (a derivation may name another derived
    key result); a loop is reported once, with the whole cycle, and derives nothing."""
    pending = {ref: node for ref, node in _derived_nodes(graph)}
    found = Derivations(refs=list(pending))
    done: dict[str, float | None] = {}
    failed: set[str] = set()

    def value(ref: str, path: list[str]) -> float | None:
        if ref in done:
            return done[ref]
        node = pending.get(ref)
        if node is None:  # checked in, not derived
            item = _item(graph, ref)
            return None if item is None else number_of(item)
        if ref in path:
            cycle = [*path[path.index(ref) :], ref]
            if not failed.intersection(cycle):
                loop = " → ".join(cycle)
                found.problems.append(
                    Problem(ref, f"`from` loops: {loop}; one of them must be checked in")
                )
            failed.update(cycle)
            return None
        result = _resolve(graph, node, lambda r: value(r, [*path, ref]), found, current_period)
        if ref in failed:
            done[ref] = None
            return None
        done[ref] = None if result is None else result.value
        if result is not None:
            found.values[ref] = result
        return done[ref]

    for ref in pending:
        value(ref, [])
    return found


def _derived_nodes(graph: Graph) -> list[tuple[str, Node]]:
    nodes: list[tuple[str, Node]] = []
    nodes += [(r, n) for r, n in graph.key_results.items() if n.key_result.derived_from]
    nodes += [(r, n) for r, n in graph.kpis.items() if n.kpi.derived_from]
    return nodes


def _period(node: Node | None) -> str | None:
    """The period a key result's or KPI's unit says it is for (None: the current one)."""
    return None if node is None else node.owner.unit.period


def _item(graph: Graph, ref: str) -> KeyResult | Kpi | None:
    node = graph.key_result_or_kpi(ref)
    return None if node is None else node.model


def _resolve(
    graph: Graph,
    node: Node,
    value_of: Any,
    found: Derivations,
    current_period: str | None = None,
) -> Derived | None:
    item = node.model
    spec = item.derived_from
    if isinstance(spec, ScoreOf):
        return _supporters_score(graph, node, value_of, found)
    if isinstance(spec, str):
        names, how = [spec], "mirror"
    else:
        assert isinstance(spec, SumOf)
        how = "sum"
        if spec.sum == SUPPORTERS:
            names = [
                f"{objective}/{kr.id}"
                for objective in graph.supporters.get(node.ref, [])
                for kr in graph.objectives[objective].objective.key_results
            ]
            if not names:
                found.problems.append(
                    Problem(node.ref, "`from: {sum: supporters}` but no objective aligns to it")
                )
                return None
        else:
            names = list(spec.sum)
    sources: list[Source] = []
    for name in names:
        source = _item(graph, name)
        if name == node.ref:
            found.problems.append(Problem(node.ref, "`from` names the key result itself"))
            return None
        if source is None:
            if not graph.into_broken_file(name):
                found.problems.append(
                    Problem(node.ref, f"`from` names `{name}`: no key result or KPI", unknown=name)
                )
            return None
        own_period = _period(node) or current_period
        its_period = _period(graph.key_result_or_kpi(name)) or current_period
        if own_period and its_period and own_period != its_period:
            found.problems.append(
                Problem(
                    node.ref,
                    f"`from` names `{name}` of {its_period}, and this key result is for "
                    f"{own_period}: derive only within one period",
                )
            )
            return None
        if source.unit != item.unit:
            found.problems.append(
                Problem(
                    node.ref,
                    f"`from` mixes units: `{name}` counts {_unit(source.unit)}, this "
                    f"{_unit(item.unit)}; derive only from numbers in the same unit",
                )
            )
            return None
        sources.append(Source(name, value_of(name), None))
    known = [s.value for s in sources if s.value is not None]
    total = add_up(known) if known else None
    if how == "sum" and total:
        sources = [s._replace(share=None if s.value is None else s.value / total) for s in sources]
    return Derived(how, total if how == "sum" else sources[0].value, sources)


def add_up(numbers: list[float]) -> float:
    """The sum, to 15 significant digits: 5.4 + 1.95 is 7.35, where binary floats make it
    7.3500000000000005, a number `export` and JSON then carried digit for digit; and a bank's
    deposits in dollars and cents (123,456,789,012.34 + 1) keep their cents. (Exact decimal
    arithmetic cost 70 µs a sum of 100, and a derived timeline sums at every check-in of its
    sources; this, 3 µs.)"""
    return float(f"{math.fsum(numbers):.15g}")


def as_derived(item: Numbered, value: float | None) -> Numbered:
    """A key result or KPI as the graph holds it: a derived one carries its derived value as
    its `current` (a copy: the loaded model stays as read); a score from supporters counts from
    0 to 1, even before it has one."""
    if isinstance(item, KeyResult) and isinstance(item.derived_from, ScoreOf):
        return scored_copy(item, value)  # type: ignore[return-value]
    if item.derived_from is None or value is None:
        return item
    whole = int(value) if float(value).is_integer() else value  # 420, not 420.0
    return item.model_copy(update={"current": whole})


def scored_copy(key_result: KeyResult, value: float | None) -> KeyResult:
    """A key result scored from its supporters as the graph holds it: a number from 0 to 1."""
    return key_result.model_copy(update={"baseline": 0, "target": 1, "current": value})


def _supporters_score(
    graph: Graph, node: Node, value_of: Any, found: Derivations
) -> Derived | None:
    """The mean score of the objectives that align to `node`, each scored from its key results
    as `status` scores it (derived ones with their derived value)."""
    objectives = graph.supporters.get(node.ref, [])
    if not objectives:
        found.problems.append(
            Problem(node.ref, "`from: {score: supporters}` but no objective aligns to it")
        )
        return None
    spec = node.model.derived_from
    by_target = isinstance(spec, ScoreOf) and spec.weighting == "target"
    sources, sizes = [], []
    for ref in objectives:
        objective = graph.objectives[ref].objective
        sizes.append(
            sum(
                abs(float(kr.target))
                for kr in objective.key_results
                if kr.target is not None and not kr.milestone and kr.keep is None
            )
        )
        effective = [
            kr if kr.derived_from is None else as_derived(kr, value_of(f"{ref}/{kr.id}"))
            for kr in objective.key_results
        ]
        score = arithmetic.objective_score(objective.model_copy(update={"key_results": effective}))
        sources.append(Source(ref, score, None))
    weights = sizes if by_target else [1.0] * len(sources)
    if by_target and not sum(weights):
        found.problems.append(
            Problem(node.ref, "`weighting: target` but no supporter has a numeric target")
        )
        return None
    total = sum(weights)
    sources = [s._replace(share=w / total) for s, w in zip(sources, weights, strict=True)]
    counted = [(s.value, w) for s, w in zip(sources, weights, strict=True) if s.value is not None]
    weight = sum(w for _, w in counted)
    value = sum(v * w for v, w in counted) / weight if counted and weight else None
    return Derived("score", value, sources)


def _unit(unit: str | None) -> str:
    return f"`{unit}`" if unit else "no unit"

"""Rules about the shape of the cascade: schema, ids, references, orphans and loops."""

from __future__ import annotations

from collections.abc import Iterator

from okrctl.core.graph import MISSION, RefKind
from okrctl.core.rules.registry import Context, Hit, hit, rule
from okrctl.core.suggest import Suggester
from okrctl.model.findings import Position, Severity
from okrctl.model.goals import Kind
from okrctl.model.units import UnitFile


@rule(
    "schema",
    Severity.ERROR,
    "YAML syntax errors, duplicate keys, wrong types, unknown fields, bad ids",
)
def schema(ctx: Context) -> Iterator[Hit]:
    for finding in ctx.repository.findings:
        yield Hit(
            finding.file, Position(finding.line, finding.column), finding.message, finding.ref
        )


@rule("duplicate-id", Severity.ERROR, "two units, objectives, key results or KPIs with one ref")
def duplicate_id(ctx: Context) -> Iterator[Hit]:
    first_unit: dict[str, UnitFile] = {}
    for unit_file in ctx.repository.units:
        unit = unit_file.unit
        earlier = first_unit.setdefault(unit.id, unit_file)
        if earlier is not unit_file:
            where = earlier.source.at("id")
            yield hit(
                unit_file,
                ("id",),
                f"unit id `{unit.id}` is already used by {earlier.path}:{where.line}; "
                f"give this unit another id",
                unit.id,
            )
        seen: dict[str, tuple[str | int, ...]] = {}
        entries = [("objectives", i, o.id) for i, o in enumerate(unit.objectives)]
        entries += [("kpis", i, k.id) for i, k in enumerate(unit.kpis)]
        for section, index, item_id in entries:
            path: tuple[str | int, ...] = (section, index, "id")
            if item_id in seen:
                line = unit_file.source.at(*seen[item_id]).line
                yield hit(
                    unit_file,
                    path,
                    f"`{item_id}` is already an objective or KPI id in this unit (line {line}); "
                    f"objectives and KPIs share one namespace",
                    f"{unit.id}/{item_id}",
                )
            else:
                seen[item_id] = path
        for o_index, objective in enumerate(unit.objectives):
            kr_seen: dict[str, int] = {}
            for k_index, key_result in enumerate(objective.key_results):
                kr_path = ("objectives", o_index, "key_results", k_index, "id")
                if key_result.id in kr_seen:
                    line = unit_file.source.at(
                        "objectives", o_index, "key_results", kr_seen[key_result.id], "id"
                    ).line
                    yield hit(
                        unit_file,
                        kr_path,
                        f"key result id `{key_result.id}` is already used in this objective "
                        f"(line {line})",
                        f"{unit.id}/{objective.id}/{key_result.id}",
                    )
                else:
                    kr_seen[key_result.id] = k_index


@rule(
    "unknown-ref",
    Severity.ERROR,
    "`parent`, `aligns_to`, owners (when a roster exists) or a `measure:` database that name "
    "nothing",
)
def unknown_ref(ctx: Context) -> Iterator[Hit]:
    graph = ctx.graph
    units = Suggester(graph.units)
    refs = Suggester([MISSION, *graph.all_refs()])
    for unit_file in graph.units.values():
        unit = unit_file.unit
        parent = unit.parent
        if parent is not None and parent != unit.id and not graph.into_broken_file(parent):
            parent_file = graph.units.get(parent)
            if parent_file is None:
                yield hit(
                    unit_file,
                    ("parent",),
                    f"parent `{parent}` names no unit{units.hint(parent)}",
                    unit.id,
                )
            elif parent_file.unit.kind is Kind.PERSON:
                yield hit(
                    unit_file,
                    ("parent",),
                    f"parent `{parent}` is a person; a parent must be the company, "
                    f"a pillar or a team",
                    unit.id,
                )
    for node in graph.objectives.values():
        for index, target in enumerate(node.objective.aligns_to):
            if target == node.ref or graph.objective_of(target) == node.ref:
                continue  # aligning to itself is an alignment-cycle
            kind = graph.kind_of(target)
            if kind is None and not graph.into_broken_file(target):
                yield hit(
                    node.owner,
                    node.path("aligns_to", index),
                    f"`{target}` names no objective, key result or KPI{refs.hint(target)}",
                    node.ref,
                )
            elif kind is RefKind.UNIT:
                options = [r for r in refs.children.get(target, []) if r in graph.objectives][:3]
                yield hit(
                    node.owner,
                    node.path("aligns_to", index),
                    f"`{target}` is a unit; align to one of its objectives or KPIs"
                    + (f", such as {', '.join(f'`{o}`' for o in options)}" if options else ""),
                    node.ref,
                )
    for problem in graph.derivations.problems:
        if problem.unknown is not None:
            derived = graph.key_result_or_kpi(problem.ref)
            assert derived is not None
            yield hit(
                derived.owner,
                derived.path("from"),
                f"`from` names `{problem.unknown}`, which is no key result or KPI"
                f"{refs.hint(problem.unknown)}",
                problem.ref,
            )
    yield from _roster(ctx)
    yield from _databases(ctx)


def _databases(ctx: Context) -> Iterator[Hit]:
    """A `measure:` naming a database okrctl.yaml does not declare."""
    declared = ctx.repository.config.config.databases
    names = Suggester(declared)
    for site in ctx.graph.measure_sites():
        database = site.measure.database
        if database is None or database in declared:
            continue
        where = (
            f"; okrctl.yaml declares {', '.join(f'`{d}`' for d in declared)}"
            if declared
            else "; declare it under `databases:` in okrctl.yaml"
        )
        yield hit(
            site.owner,
            (*site.path, "measure", "database"),
            f"database `{database}` is not declared{names.hint(database)}{where}",
            site.ref,
        )


def _roster(ctx: Context) -> Iterator[Hit]:
    roster = ctx.roster
    if roster is None:
        return
    handles = Suggester(roster)

    def check(
        unit_file: UnitFile,
        path: tuple[str | int, ...],
        handle: str | None,
        what: str,
        ref: str | None,
    ) -> Iterator[Hit]:
        if handle is not None and handle not in roster:
            yield hit(
                unit_file,
                path,
                f"{what} `{handle}` is not on the roster (`people:` in okrctl.yaml)"
                f"{handles.hint(handle)}; add them there or fix the handle",
                ref,
            )

    for unit_file in ctx.graph.units.values():
        unit = unit_file.unit
        if unit.kind is Kind.PERSON:
            yield from check(unit_file, ("id",), unit.id, "person", unit.id)
        yield from check(unit_file, ("lead",), unit.lead, "lead", unit.id)
    for node in ctx.graph.objectives.values():
        yield from check(node.owner, node.path("owner"), node.objective.owner, "owner", node.ref)
    for kr in ctx.graph.key_results.values():
        yield from check(kr.owner, kr.path("owner"), kr.key_result.owner, "owner", kr.ref)
    for kpi in ctx.graph.kpis.values():
        yield from check(kpi.owner, kpi.path("owner"), kpi.kpi.owner, "owner", kpi.ref)


@rule(
    "orphan",
    Severity.ERROR,
    "a non-company objective with no `aligns_to`; a non-company unit with no `parent`",
)
def orphan(ctx: Context) -> Iterator[Hit]:
    for unit_file in ctx.graph.units.values():
        unit = unit_file.unit
        if unit.kind is not Kind.COMPANY and unit.parent is None:
            yield hit(
                unit_file,
                (),
                f"{unit.kind} `{unit.id}` has no `parent`: name the unit it belongs to",
                unit.id,
            )
    for node in ctx.graph.objectives.values():
        if node.owner.unit.kind is not Kind.COMPANY and not node.objective.aligns_to:
            yield hit(
                node.owner,
                node.path(),
                f"objective `{node.objective.id}` aligns to nothing: add `aligns_to` with the "
                f"objective, key result or KPI it moves (or `mission`)",
                node.ref,
            )


@rule(
    "alignment-cycle",
    Severity.ERROR,
    "objectives that align to each other in a loop, or units whose `parent`s loop",
)
def alignment_cycle(ctx: Context) -> Iterator[Hit]:
    graph = ctx.graph
    edges: dict[str, list[str]] = {}
    for node in graph.objectives.values():
        targets = []
        for target in node.objective.aligns_to:
            objective = graph.objective_of(target)
            if objective is not None:
                targets.append(objective)
        edges[node.ref] = targets
    for cycle in _cycles(edges):
        first = graph.objectives[cycle[0]]
        successor = cycle[1] if len(cycle) > 1 else cycle[0]
        index = next(
            i for i, t in enumerate(first.objective.aligns_to) if graph.objective_of(t) == successor
        )
        if len(cycle) == 1:
            message = f"objective `{first.ref}` aligns to itself; align it to something it moves"
        else:
            loop = " → ".join(f"`{r}`" for r in [*cycle, cycle[0]])
            message = f"alignment loop: {loop}; break it by aligning one of them upward"
        yield hit(first.owner, first.path("aligns_to", index), message, first.ref)
    unit_edges = {
        unit_id: [u.unit.parent] if u.unit.parent in graph.units else []
        for unit_id, u in graph.units.items()
    }
    for cycle in _cycles(unit_edges):
        first_unit = graph.units[cycle[0]]
        loop = " → ".join(f"`{r}`" for r in [*cycle, cycle[0]])
        message = f"parent loop: {loop}; one of them must sit higher"
        yield hit(first_unit, ("parent",), message, cycle[0])


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Each elementary loop found by a depth-first walk, once, starting at its smallest member."""
    found: dict[tuple[str, ...], list[str]] = {}
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    for start in sorted(edges):
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(edges.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, successors = stack[-1]
            advanced = False
            for successor in successors:
                if state.get(successor) == 1:
                    cycle = path[path.index(successor) :]
                    pivot = cycle.index(min(cycle))
                    rotated = cycle[pivot:] + cycle[:pivot]
                    found.setdefault(tuple(rotated), rotated)
                elif not state.get(successor) and successor in edges:
                    state[successor] = 1
                    path.append(successor)
                    stack.append((successor, iter(edges.get(successor, ()))))
                    advanced = True
                    break
            if not advanced:
                state[node] = 2
                stack.pop()
                path.pop()
    return sorted(found.values())

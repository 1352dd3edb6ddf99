"""`okrctl export`: the goals as a table, one row per key result and per KPI, with the numbers,
score, status and last check-in; the same columns `okrctl import` reads back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from okrctl.core.graph import Graph
from okrctl.core.scorecard import cascade_order, check_scope, evaluate
from okrctl.model.goals import Kind, SumOf
from okrctl.store.snapshot import take_snapshot
from okrctl.store.workspace import Workspace

COLUMNS = [
    "kind", "team", "team name", "parent", "lead", "mission", "period",
    "objective id", "objective", "why", "committed", "category", "origin", "aligns to",
    "objective owner",
    "id", "key result", "kpi", "owner", "unit",
    "baseline", "target", "current", "from", "resets", "milestone", "done", "keep min",
    "keep max", "healthy min", "healthy max", "warning min", "warning max",
    "confidence", "weight", "source",
    "score", "expected", "status", "last check-in",
]  # fmt: skip
"""Every column, in order; `okrctl import` reads the same names."""

FORMATS = {
    "score": "0.00",
    "expected": "0.00",
    "confidence": "0.00",
    "last check-in": "yyyy-mm-dd",
}


@dataclass(slots=True)
class Exported:
    rows: list[list[Any]] = field(default_factory=list)
    groups: dict[str, list[list[Any]]] = field(default_factory=dict)
    """The rows again, by pillar (the company's own and those under no pillar: "Company")."""
    notes: list[str] = field(default_factory=list)


def export(
    repo: Workspace | Path | str | None,
    file: Path,
    scope: str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
) -> Exported:
    """Every key result and KPI in scope as a row of `file` (.csv, or .xlsx with a sheet per
    pillar), written whole or not at all."""
    from okrctl.store.spreadsheet import kind_of, write_csv, write_xlsx

    kind = kind_of(file)  # an unknown extension is refused before any work
    result = export_rows(repo, scope, at=at, as_of=as_of)
    if kind == "csv":
        write_csv(file, COLUMNS, result.rows)
    else:
        write_xlsx(file, COLUMNS, {"All": result.rows, **result.groups}, FORMATS)
    return result


def export_rows(
    repo: Workspace | Path | str | None = None,
    scope: str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
) -> Exported:
    """The rows of an export, and by pillar."""
    snapshot = take_snapshot(repo, at=at, as_of=as_of, history_soon=True)
    graph = snapshot.graph
    scope = check_scope(graph, scope)
    history = snapshot.read_history("the last check-in dates")
    card = evaluate(graph, snapshot.period, snapshot.moment, scope, history)
    moment = snapshot.moment.instant
    result = Exported(notes=list(snapshot.notes))

    def last_checkin(ref: str) -> date | None:
        seen = history.seen(ref, moment) if history is not None else None
        return seen.last.date.date() if seen is not None and seen.last else None

    for unit_id, _ in cascade_order(graph, scope):
        unit = graph.units[unit_id].unit
        head = [
            unit.kind.value, unit.id, unit.name or "", unit.parent or "", unit.lead or "",
            unit.mission or "", unit.period or "",
        ]  # fmt: skip
        group = _pillar(graph, unit_id)
        rows: list[list[Any]] = []
        unit_score = next((u for u in card.units if u.id == unit_id), None)
        for objective_score in unit_score.objectives if unit_score else []:
            objective = objective_score.node.objective
            middle = [
                objective.id, objective.title, objective.why or "",
                "yes" if objective.type == "committed" else "no", objective.category,
                objective.origin or "", ", ".join(objective.aligns_to), objective.owner or "",
            ]  # fmt: skip
            if not objective_score.key_results:
                rows.append([*head, *middle, *[""] * (len(COLUMNS) - len(head) - len(middle))])
            for kr_score in objective_score.key_results:
                kr = kr_score.node.key_result
                rows.append(
                    [
                        *head, *middle, kr.id, kr.title, "", kr.owner or "",
                        kr.unit or "", kr.baseline, kr.target, kr.current,
                        derivation_text(kr.derived_from), kr.resets or "",
                        "yes" if kr.milestone else "",
                        _yes_no(kr.done),
                        kr.keep.min if kr.keep else None, kr.keep.max if kr.keep else None,
                        None, None, None, None, kr.confidence, kr.weight, kr.source or "",
                        kr_score.score, objective_score.expected,
                        (kr_score.status.value if kr_score.status else ""),
                        last_checkin(kr_score.ref),
                    ]
                )  # fmt: skip
        for kpi_score in unit_score.kpis if unit_score else []:
            kpi = kpi_score.node.kpi
            rows.append(
                [
                    *head, "", "", kpi.why or "", "", "", "", "", "", kpi.id, "", kpi.title,
                    kpi.owner or "",
                    kpi.unit or "", None, None, kpi.current,
                    derivation_text(kpi.derived_from), "", "", "", None, None,
                    kpi.healthy.min if kpi.healthy else None,
                    kpi.healthy.max if kpi.healthy else None,
                    kpi.warning.min if kpi.warning else None,
                    kpi.warning.max if kpi.warning else None,
                    None, None, kpi.source or "", None, None, kpi_score.health.value,
                    last_checkin(kpi_score.ref),
                ]
            )  # fmt: skip
        if not rows:  # a unit with no goals still has a row: its place in the cascade
            rows.append([*head, *[""] * (len(COLUMNS) - len(head))])
        result.rows += rows
        result.groups.setdefault(group, []).extend(rows)
    return result


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _pillar(graph: Graph, unit_id: str) -> str:
    """The display name of the pillar a unit sits under, or "Company"."""
    seen: set[str] = set()
    current: str | None = unit_id
    while current is not None and current in graph.units and current not in seen:
        seen.add(current)
        unit = graph.units[current].unit
        if unit.kind is Kind.PILLAR:
            return unit.name or unit.id
        current = unit.parent
    return "Company"


def derivation_text(spec: Any) -> str:
    """A `from:` as one cell: `REF`, `sum: REF, REF` or `sum: supporters`, `score: supporters`
    (`okrctl import` reads it back, docs/spreadsheet.md)."""
    if spec is None:
        return ""
    if isinstance(spec, str):
        return spec
    if isinstance(spec, SumOf):
        return "sum: " + (spec.sum if isinstance(spec.sum, str) else ", ".join(spec.sum))
    return "score: supporters"

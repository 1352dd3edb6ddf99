"""`okrctl show REF`: one unit, objective, key result or KPI with its numbers, its why-ladder up
to the mission, and what supports it (the roll-up a lead reads to see who could use help)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from okrctl.core.evaluate import ObjectiveScore, Scorecard
from okrctl.core.graph import MISSION, Graph, RefKind
from okrctl.core.refs import check_ref
from okrctl.store.workspace import Workspace
from okrctl.views.status import Scored, key_result_json, kpi_json, objective_json, status


@dataclass(frozen=True, slots=True)
class Shown:
    """One ref's page: SPEC §6's `show` JSON, and the scored snapshot it was read from."""

    data: dict[str, Any]
    scored: Scored

    def as_json(self) -> dict[str, Any]:
        return self.data


def show(
    repo: Workspace | Path | str | None,
    ref: str,
    *,
    at: str | None = None,
    as_of: date | None = None,
) -> Shown:
    """A unit, objective, key result or KPI: numbers, why-ladder, what supports it."""
    scored = status(repo, at=at, as_of=as_of)
    return Shown(show_json(scored.card, scored.snapshot.graph, ref), scored)


def ladder(graph: Graph, ref: str, seen: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """The steps above `ref`: what it aligns to, and what that aligns to, up to the mission.
    Several `aligns_to` make several branches; a loop stops where it would repeat."""
    company = graph.company
    mission_step: dict[str, Any] = {
        "ref": MISSION,
        "kind": "mission",
        "title": company.unit.mission if company else None,
        "why": None,
        "up": [],
    }
    objective_ref = graph.objective_of(ref)
    if objective_ref is None:
        if ref in graph.kpis or ref in graph.units:
            return [mission_step]
        return []
    node = graph.objectives[objective_ref]
    if not node.objective.aligns_to:
        return [mission_step] if node.owner.unit.kind == "company" else []
    steps = []
    for target in node.objective.aligns_to:
        if target == MISSION:
            steps.append(mission_step)
            continue
        kind = graph.kind_of(target)
        if kind is None or target in seen or graph.objective_of(target) == objective_ref:
            continue
        steps.append(_step(graph, target, kind, seen | {objective_ref}))
    return steps


def _step(graph: Graph, ref: str, kind: RefKind, seen: frozenset[str]) -> dict[str, Any]:
    if kind is RefKind.KPI:
        kpi = graph.kpis[ref].kpi
        title, why = kpi.title, kpi.why
    elif kind is RefKind.KEY_RESULT:
        node = graph.key_results[ref]
        title, why = node.key_result.title, node.parent.objective.why
    else:
        objective = graph.objectives[ref].objective
        title, why = objective.title, objective.why
    return {
        "ref": ref,
        "kind": str(kind),
        "title": title,
        "why": why,
        "up": ladder(graph, ref, seen),
    }


def supporters(card: Scorecard, graph: Graph, refs: list[str]) -> list[dict[str, Any]]:
    """The objectives aligned to something, weakest first: who could use help leads the list."""
    rows = [_supporter(card, graph, ref) for ref in refs]
    return sorted(rows, key=lambda r: (r["score"] is None, r["score"] or 0.0, r["ref"]))


def _supporter(card: Scorecard, graph: Graph, ref: str) -> dict[str, Any]:
    scored: ObjectiveScore | None = card.objectives.get(ref)
    node = graph.objectives[ref]
    return {
        "ref": ref,
        "title": node.objective.title,
        "unit": node.owner.unit.display_name,
        "owner": node.owner_handle,
        "score": scored.score if scored else None,
        "status": scored.status if scored else None,
    }


def show_json(card: Scorecard, graph: Graph, ref: str) -> dict[str, Any]:
    """Everything `show` prints, as data. `card` must cover the whole company."""
    kind = check_ref(graph, ref)
    data: dict[str, Any] = {
        "ref": ref,
        "kind": str(kind),
        "period": card.period.name,
        "as_of": card.moment.as_of.isoformat(),
        "elapsed": card.elapsed,
    }
    if kind is RefKind.MISSION:
        company = graph.company
        assert company is not None
        data |= {
            "mission": company.unit.mission,
            "vision": company.unit.vision,
            "bhag": company.unit.bhag,
            "supported_by": supporters(card, graph, list(graph.supporters.get(MISSION, ()))),
        }
        return data
    if kind is RefKind.UNIT:
        unit = next(u for u in card.units if u.id == ref)
        model = unit.unit_file.unit
        chain = []
        parent = model.parent
        while parent in graph.units and parent not in chain and parent != ref:
            chain.append(parent)
            parent = graph.units[parent].unit.parent
        data |= {
            "name": model.display_name,
            "unit_kind": str(model.kind),
            "lead": model.lead,
            "file": unit.unit_file.path,
            "parents": chain,
            "score": unit.score,
            "objectives": [objective_json(o) for o in unit.objectives],
            "kpis": [kpi_json(k) for k in unit.kpis],
            "children": [
                {
                    "id": c,
                    "name": graph.units[c].unit.display_name,
                    "kind": str(graph.units[c].unit.kind),
                    "score": next((u.score for u in card.units if u.id == c), None),
                }
                for c in sorted(graph.children.get(ref, ()))
            ],
            "accomplishments": list(model.accomplishments),
        }
        if model.kind == "company":
            data |= {"mission": model.mission, "vision": model.vision, "bhag": model.bhag}
        return data
    if kind is RefKind.OBJECTIVE:
        objective = card.objectives[ref]
        data |= objective_json(objective) | {
            "why": objective.node.objective.why,
            "unit_name": objective.node.owner.unit.display_name,
            "file": objective.node.owner.path,
            "ladder": ladder(graph, ref),
            "supported_by": supporters(card, graph, list(objective.supported_by)),
        }
        return data
    if kind is RefKind.KEY_RESULT:
        key_result = card.key_results[ref]
        node = key_result.node
        data |= key_result_json(key_result) | {
            "objective": node.parent.ref,
            "objective_title": node.parent.objective.title,
            "source": node.key_result.source,
            "unit_name": node.owner.unit.display_name,
            "file": node.owner.path,
            "ladder": [_step(graph, node.parent.ref, RefKind.OBJECTIVE, frozenset())],
            "supported_by": supporters(card, graph, list(graph.supporters.get(ref, ()))),
        }
        return data
    kpi = card.kpis[ref]
    data |= kpi_json(kpi) | {
        "why": kpi.node.kpi.why,
        "source": kpi.node.kpi.source,
        "owner": kpi.node.kpi.owner,
        "unit_name": kpi.node.owner.unit.display_name,
        "file": kpi.node.owner.path,
        "ladder": ladder(graph, ref),
        "supported_by": supporters(card, graph, list(graph.supporters.get(ref, ()))),
    }
    return data

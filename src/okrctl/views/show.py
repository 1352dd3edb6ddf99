"""`okrctl show REF`: one unit, objective, key result or KPI with its numbers, its why-ladder up
to the mission, and what supports it (the roll-up a lead reads to see who could use help)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from okrctl.core.graph import MISSION, Graph, RefKind
from okrctl.core.refs import check_ref
from okrctl.core.scorecard import (
    KeyResultScore,
    KpiScore,
    ObjectiveScore,
    Scorecard,
    UnitScore,
    sibling_order,
)
from okrctl.core.staleness import LastSeen, Silence, is_watched
from okrctl.model.goals import Kind
from okrctl.views.status import Scored, key_result_json, kpi_json, objective_json


@dataclass(frozen=True, slots=True)
class Step:
    """A rung of the why-ladder: what a goal aligns to, and what that aligns to in turn."""

    ref: str
    kind: str
    title: str | None
    why: str | None
    up: list[Step]

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "kind": self.kind,
            "title": self.title,
            "why": self.why,
            "up": [s.as_json() for s in self.up],
        }


@dataclass(frozen=True, slots=True)
class Supporter:
    """An objective aligned to the shown goal, with how it is doing."""

    ref: str
    title: str
    unit: str
    owner: str | None
    score: float | None
    status: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "title": self.title,
            "unit": self.unit,
            "owner": self.owner,
            "score": self.score,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class ChildUnit:
    id: str
    name: str
    kind: Kind
    score: float | None


@dataclass(frozen=True, slots=True)
class Heard:
    """When a key result or KPI was last checked in, and whether it has been quiet too long:
    the one thing a number's page must say before anyone acts on it."""

    silence: Silence
    stale_after_days: int
    as_of: date

    @property
    def days(self) -> int:
        """Days without a check-in, counted on the calendar as every output counts them."""
        return self.silence.day_count

    @property
    def last_seen(self) -> LastSeen | None:
        """The last check-in's day, author and calendar days since (None: never)."""
        return self.silence.last_seen(self.as_of)

    @property
    def stale(self) -> bool:
        return self.silence.longer_than(self.stale_after_days)

    def as_json(self) -> dict[str, Any]:
        last = self.silence.last
        return {
            "days_quiet": self.days,
            "stale": self.stale,
            "stale_after_days": self.stale_after_days,
            "last_checkin": None
            if last is None
            else {"date": last.date.isoformat(), "author": last.author, "commit": last.commit},
            "quiet_through": self.silence.through,
        }


@dataclass(frozen=True, slots=True)
class Page:
    """What `show` prints about one ref; each kind of ref adds its own fields."""

    ref: str
    kind: RefKind
    card: Scorecard

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "kind": str(self.kind),
            "period": self.card.period.name,
            "as_of": self.card.moment.as_of.isoformat(),
            "elapsed": self.card.elapsed,
        }


@dataclass(frozen=True, slots=True)
class MissionPage(Page):
    mission: str | None
    vision: str | None
    bhag: str | None
    supported_by: list[Supporter]

    def as_json(self) -> dict[str, Any]:
        return Page.as_json(self) | {
            "mission": self.mission,
            "vision": self.vision,
            "bhag": self.bhag,
            "supported_by": [s.as_json() for s in self.supported_by],
        }


@dataclass(frozen=True, slots=True)
class UnitPage(Page):
    unit: UnitScore
    parents: list[str]
    children: list[ChildUnit]

    def as_json(self) -> dict[str, Any]:
        model = self.unit.unit_file.unit
        data = Page.as_json(self) | {
            "name": model.display_name,
            "unit_kind": str(model.kind),
            "lead": model.lead,
            "file": self.unit.unit_file.path,
            "parents": self.parents,
            "score": self.unit.score,
            "objectives": [objective_json(o) for o in self.unit.objectives],
            "kpis": [kpi_json(k) for k in self.unit.kpis],
            "children": [
                {"id": c.id, "name": c.name, "kind": str(c.kind), "score": c.score}
                for c in self.children
            ],
            "accomplishments": list(model.accomplishments),
        }
        if model.kind == "company":
            data |= {"mission": model.mission, "vision": model.vision, "bhag": model.bhag}
        return data


@dataclass(frozen=True, slots=True)
class ObjectivePage(Page):
    objective: ObjectiveScore
    ladder: list[Step]
    supported_by: list[Supporter]

    def as_json(self) -> dict[str, Any]:
        node = self.objective.node
        return (
            Page.as_json(self)
            | objective_json(self.objective)
            | {
                "why": node.objective.why,
                "unit_name": node.owner.unit.display_name,
                "file": node.owner.path,
                "ladder": [s.as_json() for s in self.ladder],
                "supported_by": [s.as_json() for s in self.supported_by],
            }
        )


@dataclass(frozen=True, slots=True)
class KeyResultPage(Page):
    key_result: KeyResultScore
    ladder: list[Step]
    supported_by: list[Supporter]
    heard: Heard | None = None
    """None outside git, or for a finished milestone (nothing more to check in)."""

    def as_json(self) -> dict[str, Any]:
        node = self.key_result.node
        return (
            Page.as_json(self)
            | key_result_json(self.key_result)
            | {
                "objective": node.parent.ref,
                "objective_title": node.parent.objective.title,
                "source": node.key_result.source,
                "unit_name": node.owner.unit.display_name,
                "file": node.owner.path,
                "heard": None if self.heard is None else self.heard.as_json(),
                "ladder": [s.as_json() for s in self.ladder],
                "supported_by": [s.as_json() for s in self.supported_by],
            }
        )


@dataclass(frozen=True, slots=True)
class KpiPage(Page):
    kpi: KpiScore
    ladder: list[Step]
    supported_by: list[Supporter]
    heard: Heard | None = None
    """None outside git."""

    def as_json(self) -> dict[str, Any]:
        node = self.kpi.node
        return (
            Page.as_json(self)
            | kpi_json(self.kpi)
            | {
                "why": node.kpi.why,
                "source": node.kpi.source,
                "owner": node.kpi.owner,
                "unit_name": node.owner.unit.display_name,
                "file": node.owner.path,
                "heard": None if self.heard is None else self.heard.as_json(),
                "ladder": [s.as_json() for s in self.ladder],
                "supported_by": [s.as_json() for s in self.supported_by],
            }
        )


@dataclass(frozen=True, slots=True)
class Shown:
    """One ref's page (`.as_json()` is the `show` JSON of docs/commands.md) and the scored
    snapshot it was read from."""

    page: Page
    scored: Scored

    def as_json(self) -> dict[str, Any]:
        return self.page.as_json()


def ladder(graph: Graph, ref: str, seen: frozenset[str] = frozenset()) -> list[Step]:
    """The steps above `ref`: what it aligns to, and what that aligns to, up to the mission.
    Several `aligns_to` make several branches; a loop stops where it would repeat."""
    objective_ref = graph.objective_of(ref)
    if objective_ref is None:
        if ref in graph.kpis or ref in graph.units:
            return [_mission_step(graph)]
        return []
    node = graph.objectives[objective_ref]
    if not node.objective.aligns_to:
        return [_mission_step(graph)] if node.owner.unit.kind == "company" else []
    steps = []
    for target in node.objective.aligns_to:
        if target == MISSION:
            steps.append(_mission_step(graph))
            continue
        kind = graph.kind_of(target)
        if kind is None or target in seen or graph.objective_of(target) == objective_ref:
            continue
        steps.append(_step(graph, target, kind, seen | {objective_ref}))
    return steps


def _mission_step(graph: Graph) -> Step:
    company = graph.company
    return Step(MISSION, "mission", company.unit.mission if company else None, None, [])


def _step(graph: Graph, ref: str, kind: RefKind, seen: frozenset[str]) -> Step:
    if kind is RefKind.KPI:
        kpi = graph.kpis[ref].kpi
        title, why = kpi.title, kpi.why
    elif kind is RefKind.KEY_RESULT:
        node = graph.key_results[ref]
        title, why = node.key_result.title, node.parent.objective.why
    else:
        objective = graph.objectives[ref].objective
        title, why = objective.title, objective.why
    return Step(ref, str(kind), title, why, ladder(graph, ref, seen))


def supporters(card: Scorecard, graph: Graph, refs: list[str]) -> list[Supporter]:
    """The objectives aligned to something, weakest first: who could use help leads the list."""
    rows = [_supporter(card, graph, ref) for ref in refs]
    return sorted(rows, key=lambda r: (r.score is None, r.score or 0.0, r.ref))


def _supporter(card: Scorecard, graph: Graph, ref: str) -> Supporter:
    scored: ObjectiveScore | None = card.objectives.get(ref)
    node = graph.objectives[ref]
    return Supporter(
        ref,
        node.objective.title,
        node.owner.unit.display_name,
        node.owner_handle,
        scored.score if scored else None,
        scored.status if scored else None,
    )


def page_of(
    card: Scorecard, graph: Graph, ref: str, heard: Callable[[str], Heard | None] | None = None
) -> Page:
    """Everything `show` prints about `ref`. `card` must cover the whole company; `heard`
    says when a key result or KPI was last checked in (none: not known)."""
    kind = check_ref(graph, ref)
    backers = supporters(card, graph, list(graph.supporters.get(ref, ())))
    if kind is RefKind.MISSION:
        company = graph.company
        assert company is not None
        unit = company.unit
        return MissionPage(ref, kind, card, unit.mission, unit.vision, unit.bhag, backers)
    if kind is RefKind.UNIT:
        unit_score = next(u for u in card.units if u.id == ref)
        chain: list[str] = []
        parent = unit_score.unit_file.unit.parent
        while parent in graph.units and parent not in chain and parent != ref:
            chain.append(parent)
            parent = graph.units[parent].unit.parent
        children = [
            ChildUnit(
                c,
                graph.units[c].unit.display_name,
                graph.units[c].unit.kind,
                next((u.score for u in card.units if u.id == c), None),
            )
            for c in sibling_order(graph, graph.children.get(ref, ()))
        ]
        return UnitPage(ref, kind, card, unit_score, chain, children)
    if kind is RefKind.OBJECTIVE:
        objective = card.objectives[ref]
        backers = supporters(card, graph, list(objective.supported_by))
        return ObjectivePage(ref, kind, card, objective, ladder(graph, ref), backers)
    if kind is RefKind.KEY_RESULT:
        key_result = card.key_results[ref]
        parent_ref = key_result.node.parent.ref
        steps = [_step(graph, parent_ref, RefKind.OBJECTIVE, frozenset())]
        watched = is_watched(key_result.node.key_result)
        last = heard(ref) if heard is not None and watched else None
        return KeyResultPage(ref, kind, card, key_result, steps, backers, last)
    last = heard(ref) if heard is not None else None
    return KpiPage(ref, kind, card, card.kpis[ref], ladder(graph, ref), backers, last)

"""Rules that keep goals few, explained, supported and owned by the people who set them."""

from __future__ import annotations

from collections.abc import Iterator

from okrctl.core.graph import Graph
from okrctl.core.rules.registry import Context, Hit, hit, rule
from okrctl.model.findings import Severity
from okrctl.model.goals import Kind

SELF_SET_MINIMUM = 0.4


@rule("missing-why", Severity.WARNING, "an objective or KPI without `why`", per_unit=True)
def missing_why(ctx: Context) -> Iterator[Hit]:
    for node in ctx.graph.objectives.values():
        if not (node.objective.why or "").strip():
            yield hit(
                node.owner,
                node.path(),
                f"objective `{node.objective.id}` has no `why`: say why it matters, "
                f"in a sentence that ladders up to the mission",
                node.ref,
            )
    for kpi in ctx.graph.kpis.values():
        if not (kpi.kpi.why or "").strip():
            yield hit(
                kpi.owner,
                kpi.path(),
                f"KPI `{kpi.kpi.id}` has no `why`: say what its health protects",
                kpi.ref,
            )


@rule(
    "too-many-objectives",
    Severity.WARNING,
    "a unit over `limits.objectives_per_unit`",
    per_unit=True,
)
def too_many_objectives(ctx: Context) -> Iterator[Hit]:
    limit = ctx.limits.objectives_per_unit
    for unit_file in ctx.graph.units.values():
        count = len(unit_file.unit.objectives)
        if count > limit:
            yield hit(
                unit_file,
                ("objectives",),
                f"{count} objectives, over the limit of {limit}: keep the few that matter "
                f"most (limits.objectives_per_unit)",
                unit_file.unit.id,
                key=True,
            )


@rule(
    "too-many-key-results",
    Severity.WARNING,
    "an objective over `limits.key_results_per_objective`",
    per_unit=True,
)
def too_many_key_results(ctx: Context) -> Iterator[Hit]:
    limit = ctx.limits.key_results_per_objective
    for node in ctx.graph.objectives.values():
        count = len(node.objective.key_results)
        if count > limit:
            yield hit(
                node.owner,
                node.path("key_results"),
                f"objective `{node.objective.id}` has {count} key results, over the limit "
                f"of {limit}: measure what matters most (limits.key_results_per_objective)",
                node.ref,
                key=True,
            )


@rule("unsupported", Severity.WARNING, "a company or pillar objective that nothing aligns to")
def unsupported(ctx: Context) -> Iterator[Hit]:
    claimed = ctx.repository.broken_aligns_to
    for node in ctx.graph.objectives.values():
        kind = node.owner.unit.kind
        if kind not in (Kind.COMPANY, Kind.PILLAR) or ctx.graph.supported_by(node.ref):
            continue
        own_refs = {node.ref, *(f"{node.ref}/{kr.id}" for kr in node.objective.key_results)}
        if not own_refs & claimed:
            yield hit(
                node.owner,
                node.path(),
                f"{kind} objective `{node.objective.id}` has nothing aligned to it: "
                f"no team has taken it on",
                node.ref,
            )


@rule(
    "period-mismatch",
    Severity.WARNING,
    "a unit whose `period` is not the current one",
    per_unit=True,
)
def period_mismatch(ctx: Context) -> Iterator[Hit]:
    current = ctx.repository.config.config.period
    for unit_file in ctx.graph.units.values():
        period = unit_file.unit.period
        if period is not None and period != current:
            yield hit(
                unit_file,
                ("period",),
                f"period {period} is not the current period {current} (okrctl.yaml): "
                f"update the goals or the period",
                unit_file.unit.id,
            )


def self_set_shares(graph: Graph) -> dict[str, float]:
    """Each team's share of its members' personal objectives they proposed themselves
    (`origin: self`); teams whose members have none are left out."""
    shares = {}
    for team_id, team in graph.units.items():
        if team.unit.kind is not Kind.TEAM:
            continue
        origins = [
            objective.origin
            for member_id in graph.children.get(team_id, ())
            if graph.units[member_id].unit.kind is Kind.PERSON
            for objective in graph.units[member_id].unit.objectives
        ]
        if origins:
            shares[team_id] = sum(origin == "self" for origin in origins) / len(origins)
    return shares


@rule(
    "self-set-share",
    Severity.WARNING,
    "a team whose members set fewer than 40% of their personal objectives themselves",
)
def self_set_share(ctx: Context) -> Iterator[Hit]:
    graph = ctx.graph
    for team_id, share in self_set_shares(graph).items():
        team = graph.units[team_id]
        if share < SELF_SET_MINIMUM:
            yield hit(
                team,
                (),
                f"members of `{team_id}` set {share:.0%} of their personal objectives "
                f"themselves (under {SELF_SET_MINIMUM:.0%}); let people propose about half, "
                f"and mark those `origin: self`",
                team_id,
            )

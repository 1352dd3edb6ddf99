"""The items of a review (docs/review.md), from both ends of a change and its walk.

Net effect first: BASE (its merge base with HEAD) and HEAD are compared as wholes, so a target
moved twice in the change is one move. Each difference is then credited to the last commit of
the change that made it, whose date decides whether it falls after the grace.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from okrctl.core import goalposts
from okrctl.core import score as arithmetic
from okrctl.core.graph import Graph, KeyResultNode, KpiNode, ObjectiveNode
from okrctl.core.ownership import addresses, answerable, author_handle, knows_authors
from okrctl.core.periods import Period
from okrctl.core.recount import IN_UNIT, recounted
from okrctl.core.scorecard import Scorecard
from okrctl.model.fields import plain
from okrctl.model.findings import Finding
from okrctl.model.names import translate
from okrctl.store.change import Change
from okrctl.store.history import LogCommit, stated_reason
from okrctl.views.change_walk import Walk, credit, unit_renames, walk
from okrctl.views.review import (
    Checkin,
    Delta,
    Effect,
    FailOn,
    Move,
    Place,
    Review,
    ScopeChange,
    Sides,
)

# --- the review ----------------------------------------------------------------------------


def review(
    change: Change,
    sides: Sides,
    period: Period,
    as_of: date,
    *,
    jump_share: float,
    emails: dict[str, str],
    fail_on: list[FailOn],
) -> Review:
    renames = unit_renames(change, sides)
    done = walk(change, renames)
    commits = sum(1 for c in change.commits if c.sha)
    result = Review(change.base, change.head, period, as_of, commits, fail_on=fail_on)
    result.uncommitted = commits < len(change.commits)
    result.moves = _moves(sides, renames, done, period)
    result.scope = _scope(sides, renames, done, period)
    result.checkins = _checkins(sides.head, done, jump_share, emails)
    result.deltas = _deltas(sides, renames)
    result.new_findings, result.fixed_findings = _new_findings(sides, renames, change)
    result.base_findings = len(sides.base_findings)
    result.git_prefix = sides.git_prefix
    return result


def _node(graph: Graph, ref: str) -> tuple[str, ObjectiveNode | KeyResultNode | KpiNode] | None:
    if ref in graph.key_results:
        return "key result", graph.key_results[ref]
    if ref in graph.objectives:
        return "objective", graph.objectives[ref]
    if ref in graph.kpis:
        return "KPI", graph.kpis[ref]
    return None


def _place(node: ObjectiveNode | KeyResultNode | KpiNode, *rest: str) -> Place:
    position = node.owner.source.key_at(*node.path(*rest))
    return Place(node.owner.path, position.line, position.column)


def _setting(node: ObjectiveNode | KeyResultNode | KpiNode, name: str) -> Any:
    model = node.objective if isinstance(node, ObjectiveNode) else node.model
    return plain(getattr(model, name), exclude_none=True)


def _moves(sides: Sides, renames: dict[str, str], done: Walk, period: Period) -> list[Move]:
    moves = []
    base_refs: dict[str, ObjectiveNode | KeyResultNode | KpiNode] = {}
    for nodes in (sides.base.objectives, sides.base.key_results, sides.base.kpis):
        base_refs |= {translate(ref, renames): node for ref, node in nodes.items()}
    for ref, earlier in base_refs.items():
        found = _node(sides.head, ref)
        if found is None:
            continue
        kind, node = found
        for name in goalposts.REVIEW_FIELDS[kind]:
            old, new = _setting(earlier, name), _setting(node, name)
            if name in IN_UNIT:  # a number moved to another magnitude: counted again
                old = recounted(old, _unit(earlier), _unit(node))
            if old == new:
                continue
            commit = done.touched.get((ref, name))
            made = credit(commit)
            if made.date is not None and not goalposts.is_mid_period(made.date, period):
                continue  # set during the grace: planning, not a move
            moves.append(
                Move(ref, kind, name, old, new, made, _place(node, name),
                     _effect(sides.head_card, node, name, earlier),
                     _reason(commit), _unit(node))
            )  # fmt: skip
    return moves


def _unit(node: ObjectiveNode | KeyResultNode | KpiNode) -> str | None:
    return None if isinstance(node, ObjectiveNode) else node.model.unit


def _reason(commit: LogCommit | None) -> str:
    return stated_reason(commit.message) if commit is not None and commit.sha else ""


def _effect(
    card: Scorecard, node: ObjectiveNode | KeyResultNode | KpiNode, name: str, earlier: Any
) -> Effect:
    """The move's effect, against HEAD's goal with the old setting put back."""
    elapsed, over = card.elapsed, card.over
    if isinstance(node, KpiNode):
        old_kpi = node.kpi.model_copy(update={name: getattr(earlier.kpi, name)})
        return Effect(None, None, arithmetic.kpi_health(old_kpi), arithmetic.kpi_health(node.kpi))
    if isinstance(node, ObjectiveNode):
        scored = card.objectives.get(node.ref)
        score = scored.score if scored is not None else None
        old_type = earlier.objective.type
        if score is None:
            return Effect(None, None, None, None)
        return Effect(
            score, score,
            arithmetic.objective_status(score, old_type, elapsed, over),
            arithmetic.objective_status(score, node.objective.type, elapsed, over),
        )  # fmt: skip
    kind = node.parent.objective.type
    if name == "weight":  # a weight moves its objective's score
        objective = node.parent.objective
        now = arithmetic.objective_score(objective)
        weights = [k.weight for k in objective.key_results]
        weights[node.index] = earlier.key_result.weight
        scores = [arithmetic.key_result_score(k) for k in objective.key_results]
        before = arithmetic.weighted_mean(scores, weights)
        return Effect(
            before, now,
            None if before is None else arithmetic.objective_status(before, kind, elapsed, over),
            None if now is None else arithmetic.objective_status(now, kind, elapsed, over),
        )  # fmt: skip
    new_kr = node.key_result
    old_kr = new_kr.model_copy(update={name: getattr(earlier.key_result, name)})
    old_score, new_score = arithmetic.key_result_score(old_kr), arithmetic.key_result_score(new_kr)
    return Effect(
        old_score, new_score,
        arithmetic.key_result_status(old_kr, old_score, kind, elapsed, over),
        arithmetic.key_result_status(new_kr, new_score, kind, elapsed, over),
    )  # fmt: skip


def _scope(sides: Sides, renames: dict[str, str], done: Walk, period: Period) -> list[ScopeChange]:
    found: list[ScopeChange] = []
    for old_id, new_id in renames.items():
        unit = sides.head.units[new_id]
        commit = done.renamed.get(sides.git_prefix + unit.path)
        found.append(
            ScopeChange("renamed", new_id, "unit", credit(commit),
                        Place(unit.path, 1, 1), old_id, new_id)
        )  # fmt: skip
    base_refs = {translate(r, renames) for r in [*sides.base.objectives, *sides.base.key_results]}
    head_refs = [*sides.head.objectives, *sides.head.key_results]
    for ref in head_refs:
        if ref in base_refs:
            continue
        if ref in sides.head.key_results and ref.rsplit("/", 1)[0] not in base_refs:
            continue  # its objective is new: that says it
        if sides.base.into_broken_file(_untranslate(ref, renames)):
            continue  # its file did not load at BASE: nothing to compare it with
        made = credit(done.added.get(ref))
        if made.date is None or goalposts.is_mid_period(made.date, period):
            kind, node = _node(sides.head, ref) or ("", None)
            assert node is not None
            found.append(ScopeChange("added", ref, kind, made, _place(node)))
    base_nodes = {
        translate(ref, renames): (kind, node)
        for kind, nodes in (("objective", sides.base.objectives),
                            ("key result", sides.base.key_results))
        for ref, node in nodes.items()
    }  # fmt: skip
    for ref, (kind, _) in base_nodes.items():
        if ref in sides.head.objectives or ref in sides.head.key_results:
            continue
        if sides.head.into_broken_file(ref):
            continue  # its file does not load at HEAD: the new `schema` finding says so
        if kind == "key result" and ref.rsplit("/", 1)[0] not in sides.head.objectives:
            continue  # its objective was dropped: that says it
        made = credit(done.dropped.get(ref))
        if made.date is None or goalposts.is_mid_period(made.date, period):
            found.append(ScopeChange("dropped", ref, kind, made, None))
    for ref, node in sides.head.objectives.items():
        earlier = sides.base.objectives.get(_untranslate(ref, renames))
        if earlier is None:
            continue
        old = [translate(r, renames) for r in earlier.objective.aligns_to]
        new = list(node.objective.aligns_to)
        if old == new:
            continue
        made = credit(done.touched.get((ref, "aligns_to")))
        if made.date is not None and not goalposts.is_mid_period(made.date, period):
            continue
        left = [
            (parent, _supporters(sides.base, _untranslate(parent, renames)),
             _supporters(sides.head, parent))
            for parent in old if parent not in new
        ]  # fmt: skip
        found.append(
            ScopeChange("realigned", ref, "objective", made, _place(node, "aligns_to"), old, new,
                        left)
        )  # fmt: skip
    return found


def _untranslate(ref: str, renames: dict[str, str]) -> str:
    return translate(ref, {new: old for old, new in renames.items()})


def _supporters(graph: Graph, parent: str) -> int:
    """How many objectives align to `parent` (an objective: to it or any of its key results)."""
    if parent in graph.objectives:
        return len(graph.supported_by(parent))
    return len(graph.supporters.get(parent, ()))


def _checkins(graph: Graph, done: Walk, jump_share: float, emails: dict[str, str]) -> list[Checkin]:
    owners_known = knows_authors(graph, emails)
    known = addresses(graph, emails)
    found = []
    for ref, kind, before, after, commit in done.values:
        located = _node(graph, ref)
        if located is None or isinstance(located[1], ObjectiveNode):
            continue  # dropped since: the scope says so
        node = located[1]
        key = "done" if isinstance(node, KeyResultNode) and node.key_result.milestone else "current"
        old, new = before.get(key), after.get(key)
        flags: list[FailOn] = []
        share = None
        if isinstance(node, KeyResultNode) and old != new:
            if goalposts.against_direction(node.key_result, old, new):
                flags.append(FailOn.BACKWARDS)
            share = goalposts.jump_share(node.key_result, old, new)
            if share is not None and share > jump_share:
                flags.append(FailOn.JUMP)
        old_confidence, new_confidence = before.get("confidence"), after.get("confidence")
        if goalposts.confidence_dropped(old_confidence, new_confidence):
            flags.append(FailOn.CONFIDENCE)
        person, allowed = None, []
        if owners_known:
            person = author_handle(graph, known, commit.email)
            may = answerable(graph, ref)
            if person is not None and person not in may:
                flags.append(FailOn.OWNER)
                allowed = sorted(a for a in may if a)
        found.append(
            Checkin(ref, kind, old, new, old_confidence, new_confidence, credit(commit),
                    _place(node, key), flags, share, person, allowed, _unit(node))
        )  # fmt: skip
    found.sort(key=lambda c: (not c.flags, c.ref))
    return found


def _deltas(sides: Sides, renames: dict[str, str]) -> list[Delta]:
    before_units = {translate(u.id, renames): u for u in sides.base_card.units}
    before_objectives = {translate(r, renames): o for r, o in sides.base_card.objectives.items()}
    found = []
    for unit in sides.head_card.units:
        earlier = before_units.get(unit.id)
        old_score = earlier.score if earlier is not None else None
        if earlier is not None and old_score == unit.score:
            continue
        found.append(Delta(unit.id, "unit", Effect(old_score, unit.score, None, None)))
    for ref, objective in sides.head_card.objectives.items():
        was = before_objectives.get(ref)
        old = (was.score, _status(was.status)) if was is not None else (None, None)
        new = (objective.score, _status(objective.status))
        if was is not None and old == new:
            continue
        found.append(Delta(ref, "objective", Effect(old[0], new[0], old[1], new[1])))
    found.sort(key=lambda d: (d.change.new_score is None, d.change.new_score or 0.0, d.ref))
    return found


def _status(status: Any) -> str | None:
    return None if status is None else str(status)


def _new_findings(
    sides: Sides, renames: dict[str, str], change: Change
) -> tuple[list[Finding], int]:
    """HEAD's findings that BASE did not have (a finding is the same when its rule, severity,
    ref, or file where it has no ref, and message are; lines move with every edit)."""
    files = {old.removeprefix(sides.git_prefix): new.removeprefix(sides.git_prefix)
             for old, new in change.renames.items()}  # fmt: skip

    def key(finding: Finding, *, old: bool) -> tuple[str, str, str, str]:
        where = finding.ref and (translate(finding.ref, renames) if old else finding.ref)
        where = where or (files.get(finding.file, finding.file) if old else finding.file)
        return (finding.rule, str(finding.severity), where, finding.message)

    on_base = Counter(key(f, old=True) for f in sides.base_findings)
    new = []
    for finding in sides.head_findings:
        k = key(finding, old=False)
        if on_base[k]:
            on_base[k] -= 1
        else:
            new.append(finding)
    return new, sum(on_base.values())

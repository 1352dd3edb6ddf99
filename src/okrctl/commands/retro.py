"""`okrctl retro PERIOD`: how a closed (or current) period went, from its history: grades,
goal-posts moved, mid-period changes, check-in cadence, confidence calibration, what went stale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from okrctl.core.periods import check_period
from okrctl.core.roll_plan import Decision, decisions_in, rolled_into
from okrctl.core.scorecard import cascade_order, check_scope
from okrctl.store.git.log import roll_after
from okrctl.store.history import (
    goals_scope,
    read_history,
    read_log,
)
from okrctl.store.revisions import resolve
from okrctl.store.workspace import Workspace
from okrctl.views.retro import (
    Confidence,
    Retro,
    RolledInto,
    cadence,
    calibration,
    grade_period,
    stale_refs_of,
    walk_intent,
)


def retro(
    repo: Workspace | Path | str | None, period_name: str, scope: str | None = None
) -> Retro:
    """The retrospective of `period_name`, of `scope` and every unit below it when given (at
    2,000 teams the company's lists 6,000 objectives: a pillar's lead reads the pillar's)."""
    check_period(period_name)
    workspace = Workspace.of(repo)
    root = workspace.root
    revision = resolve(workspace, period_name)
    graded = grade_period(workspace, period_name, revision)
    graph, period, card = graded.graph, graded.period, graded.card
    scope = check_scope(graph, scope)  # (an unknown unit says so before history is read)
    goals_dir = graded.config.goals_dir
    history = read_history(workspace, goals_dir, revision=revision)
    assert history is not None  # resolve() already needed git
    top = workspace.top
    assert top is not None
    paths = goals_scope(root, top, goals_dir)
    log = [c for c in read_log(top, revision, paths) if period.start <= c.date < period.end]
    result = Retro(period, revision, card, scope=scope)
    if scope is not None:
        result.in_scope = frozenset(unit_id for unit_id, _ in cascade_order(graph, scope))
    mine = result.mine
    walk_intent(result, workspace, log, period, graph)
    result.goalpost_moves = [move for move in result.goalpost_moves if mine(move.ref)]
    result.added_mid_period = [ref for ref in result.added_mid_period if mine(ref)]
    result.dropped_mid_period = [ref for ref in result.dropped_mid_period if mine(ref)]
    stale = stale_refs_of(graph, history, period, graded.config.stale_after_days)
    result.stale = [ref for ref in stale if mine(ref)]
    result.cadence = [row for row in cadence(graph, history, period) if mine(row.unit)]
    result.confidence = [
        Confidence(kr.ref, kr.node.key_result.confidence, kr.score)
        for kr in card.key_results.values()
        if kr.node.key_result.confidence is not None and mine(kr.ref)
    ]
    found = calibration(workspace, top, period_name, graded, revision)
    result.calibration = [row for row in found if mine(row.unit)]
    result.titles = {ref: node.objective.title for ref, node in graph.objectives.items()}
    result.rolled = _rolled(top, revision, mine)
    return result


def _rolled(top: Path, revision: str, mine: Callable[[str], bool]) -> RolledInto | None:
    """What the roll into the next period did with each objective, from its commit message."""
    found = roll_after(top, revision)
    if found is None:
        return None
    sha, when, message = found
    into = rolled_into(message)
    if into is None:
        return None
    decisions = decisions_in(message)

    def objectives(decision: Decision) -> list[str]:
        return [ref for ref in decisions[decision] if ref.count("/") == 1 and mine(ref)]

    return RolledInto(
        into,
        sha,
        when,
        objectives(Decision.CARRY),
        objectives(Decision.KEEP),
        objectives(Decision.DROP),
    )

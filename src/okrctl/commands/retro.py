"""`okrctl retro PERIOD`: how a closed (or current) period went, from its history: grades,
goal-posts moved, mid-period changes, check-in cadence, confidence calibration, what went stale."""

from __future__ import annotations

from pathlib import Path

from okrctl.core.periods import check_period
from okrctl.core.roll_plan import Decision, decisions_in, rolled_into
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


def retro(repo: Workspace | Path | str | None, period_name: str) -> Retro:
    check_period(period_name)
    workspace = Workspace.of(repo)
    root = workspace.root
    revision = resolve(workspace, period_name)
    graded = grade_period(workspace, period_name, revision)
    graph, period, card = graded.graph, graded.period, graded.card
    goals_dir = graded.config.goals_dir
    history = read_history(workspace, goals_dir, revision=revision)
    assert history is not None  # resolve() already needed git
    top = workspace.top
    assert top is not None
    scope = goals_scope(root, top, goals_dir)
    log = [c for c in read_log(top, revision, scope) if period.start <= c.date < period.end]
    result = Retro(period, revision, card)
    walk_intent(result, workspace, log, period, graph)
    result.stale = stale_refs_of(graph, history, period, graded.config.stale_after_days)
    result.cadence = cadence(graph, history, period)
    result.confidence = [
        Confidence(kr.ref, kr.node.key_result.confidence, kr.score)
        for kr in card.key_results.values()
        if kr.node.key_result.confidence is not None
    ]
    result.calibration = calibration(workspace, top, period_name, card)
    result.titles = {ref: node.objective.title for ref, node in graph.objectives.items()}
    result.rolled = _rolled(top, revision)
    return result


def _rolled(top: Path, revision: str) -> RolledInto | None:
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
        return [ref for ref in decisions[decision] if ref.count("/") == 1]

    return RolledInto(
        into,
        sha,
        when,
        objectives(Decision.CARRY),
        objectives(Decision.KEEP),
        objectives(Decision.DROP),
    )

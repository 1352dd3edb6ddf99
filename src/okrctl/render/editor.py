"""The hover of a goal in an editor, in Markdown: what it is, how it scores today, who owns it,
when it was last checked in, and its why-ladder up to the mission (docs/editors.md)."""

from __future__ import annotations

from okrctl.core.ownership import key_result_owner, kpi_owner
from okrctl.core.staleness import quiet_of
from okrctl.render.textformat import (
    bounds_text,
    days_ago,
    goal_range,
    score_text,
    with_unit,
    words,
)
from okrctl.views.editor import Analysis, node_of
from okrctl.views.show import Step, ladder


def hover_markdown(analysis: Analysis, ref: str) -> str | None:
    """None for a word that names no goal."""
    graph, card = analysis.graph, analysis.card
    node = node_of(graph, ref)
    if node is None:
        unit = graph.units.get(ref)
        if unit is None:
            return None
        scored = next((u for u in card.units if u.id == ref), None)
        score = f" · score {score_text(scored.score)}" if scored is not None else ""
        return f"**{ref}** · {unit.unit.kind} · {_text(unit.unit.display_name)}{score}"
    lines = []
    if ref in card.key_results:
        kr = card.key_results[ref]
        key_result = kr.node.key_result
        lines.append(f"**{ref}** · key result")
        lines.append(_text(key_result.title))
        unit_of_value = key_result.unit
        if key_result.milestone:
            numbers = "done" if key_result.done else "not done yet"
        elif key_result.keep is not None:
            band = bounds_text(key_result.keep.min, key_result.keep.max, unit_of_value)
            numbers = f"{with_unit(key_result.current, unit_of_value)} (keep {band})"
        else:
            span = goal_range(key_result.baseline, key_result.target, unit_of_value)
            numbers = f"{with_unit(key_result.current, unit_of_value)} ({span})"
        lines.append(
            f"score {score_text(kr.score)} · {words(kr.status)} · {numbers} · owner "
            f"{key_result_owner(kr.node) or 'none'}{_last(analysis, ref)}"
        )
    elif ref in card.objectives:
        objective = card.objectives[ref]
        lines.append(f"**{ref}** · {objective.node.objective.type} objective")
        lines.append(_text(objective.node.objective.title))
        lines.append(
            f"score {score_text(objective.score)} · expected {score_text(objective.expected)} · "
            f"{words(objective.status)} · owner {objective.node.owner_handle or 'none'}"
        )
    elif ref in card.kpis:
        kpi = card.kpis[ref]
        watched = kpi.node.kpi
        lines.append(f"**{ref}** · KPI")
        lines.append(_text(watched.title))
        lines.append(
            f"{with_unit(watched.current, watched.unit)} · {words(kpi.health)} · owner "
            f"{kpi_owner(kpi.node) or 'none'}{_last(analysis, ref)}"
        )
    else:
        return None
    steps = ladder(graph, ref)
    rungs = _rungs(steps)
    if ref in graph.key_results:  # a key result's why is its objective's, then what that serves
        parent = graph.key_results[ref].parent
        rungs.insert(0, _rung(parent.ref, parent.objective.title, parent.objective.why))
    lines.append("Why: " + (" → ".join(rungs) if steps else "aligns to nothing"))
    return "\n\n".join(lines)


def _last(analysis: Analysis, ref: str) -> str:
    """` · last check-in 2026-10-01 (67 days ago)`, as `show` counts it; for a number taken
    `from:` others (never checked in itself: it read "never checked in"), its source's, named
    as `show` names it."""
    history = analysis.history
    if history is None:
        return ""
    moment = analysis.moment
    quiet = quiet_of(analysis.graph, history, ref, moment.instant, analysis.period)
    seen = None if quiet is None else quiet.last_seen(moment.as_of)
    source = "" if quiet is None or quiet.through is None else f", of its source {quiet.through}"
    if seen is None:
        return f" · never checked in{source}"
    return f" · last check-in {seen.day.isoformat()} ({days_ago(seen.days_ago)}){source}"


def _rungs(steps: list[Step]) -> list[str]:
    """The first branch up to the mission, each rung as `ref` (its title): its why."""
    rungs = []
    while steps:
        step = steps[0]
        rungs.append(_rung(step.ref, step.title, step.why))
        steps = step.up
    return rungs


def _rung(ref: str, title: str | None, why: str | None) -> str:
    text = f"`{ref}`"
    if title:
        text += f" ({_text(title)})"
    if why:
        text += f": {_text(why)}"
    return text


def _text(value: str) -> str:
    """What a person typed, as plain text in Markdown (no link, no tag, no emphasis)."""
    for mark in "\\`*_[]<>":
        value = value.replace(mark, "\\" + mark)
    return value.replace("\n", " ")

"""A roll's plan as the text `--dry-run` prints, `--edit` opens and `--plan FILE` reads back
(docs/commands.md, "Planning the next period"): one line per objective, and under it one per
key result, `DECISION REF`, then a comment with its title and the numbers it would get."""

from __future__ import annotations

from okrctl.core.roll_plan import Decision, Plan
from okrctl.core.score import Shape
from okrctl.core.scorecard import KeyResultScore
from okrctl.model.goals import ScoreOf
from okrctl.render.textformat import bounds_text, goal_range, score_text, with_unit

HEADER = """\
# okrctl roll: {closing} → {next}
#
# One line per objective, and under it one per key result: DECISION REF (# starts a comment).
#   carry  keep it; each number starts where it ended (baseline := its last value), scoring 0,
#          confidence cleared
#   reset  a number counted afresh each period: back to its baseline, target unchanged
#   keep   copy it as it is
#   drop   leave it in {closing}'s history (deleting its line drops it too)
# KPIs carry as they are. An empty plan rolls nothing.
"""


def format_plan(plan: Plan) -> str:
    """The plan, objectives in cascade order with their key results indented beneath."""
    lines = [HEADER.format(closing=plan.closing, next=plan.next)]
    width = max((len(ref) for ref in plan.decisions), default=0) + 2  # the comments line up
    stale = plan.stale_titles()
    for ref, objective in plan.objectives.items():
        model = objective.node.objective
        score = "no score" if objective.score is None else score_text(objective.score)
        lines.append(
            f"{plan.of(ref).value:<5} {ref:<{width + 2}}# {model.title} · {model.type} · {score}"
        )
        for kr in objective.key_results:
            decision = plan.of(kr.ref)
            note = outcome(kr, decision, plan.baseline_after(kr.ref), kr.ref in stale)
            lines.append(f"  {decision.value:<5} {kr.ref:<{width}}# {note}")
    return "\n".join(lines) + "\n"


def outcome(
    kr: KeyResultScore, decision: Decision, baseline: float | None, stale_title: bool
) -> str:
    """What the key result would count in the next period, and a title whose numbers would no
    longer match."""
    model = kr.node.key_result
    unit = model.unit
    if decision is Decision.DROP:
        return f"{model.title} (done)" if kr.score >= 1 else model.title
    if kr.shape is Shape.MILESTONE:
        state = "done" if model.done and decision is Decision.KEEP else "not done"
        return f"{model.title}: {state}"
    if kr.shape is Shape.KEEP:
        assert model.keep is not None
        band = bounds_text(model.keep.min, model.keep.max, unit)
        now = with_unit(model.current, unit) if decision is Decision.KEEP else "a new check-in"
        return f"{model.title}: keep {band}, {now}"
    if isinstance(model.derived_from, ScoreOf):
        return f"{model.title}: 0 → 1, scored from its supporters"
    target = model.target
    text = f"{model.title}: {goal_range(baseline, target, unit)}"
    if baseline != model.baseline:
        text += f" (was {goal_range(model.baseline, target, unit)})"
    if stale_title:
        text += "; rewrite its title"
    return text

"""The plan of a roll (docs/commands.md, "Planning the next period"): one decision for every
objective and key result of the closing period, shown, edited and read back as text like
`git rebase -i`'s todo list, then turned into edits of the files.

- `carry`: kept, and each number starts the next period where it ended: the baseline becomes
  its last value, `current` the same (so it scores 0), confidence cleared;
- `reset`: a number counted afresh each period (`resets: period`) goes back to its baseline;
- `keep`: copied as it is;
- `drop`: removed from the files; git history keeps it.

Defaults: unfinished committed objectives are carried (their done key results dropped, their
`resets: period` ones reset); done and aspirational objectives are dropped, unless something
that stays aligns to them, or takes a number `from:` them (a score or sum of supporters takes
it from every objective aligned to it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from okrctl.core.score import Shape
from okrctl.core.scorecard import KeyResultScore, ObjectiveScore, Scorecard
from okrctl.core.title_numbers import title_problem
from okrctl.model.goals import KeyResult, ScoreOf, SumOf


class Decision(StrEnum):
    CARRY = "carry"
    RESET = "reset"
    KEEP = "keep"
    DROP = "drop"


SHORT = {"c": Decision.CARRY, "r": Decision.RESET, "k": Decision.KEEP, "d": Decision.DROP}


class PlanError(ValueError):
    """A plan that cannot be followed: the line and why."""


@dataclass(frozen=True, slots=True)
class Change:
    """One field of a key result as the roll writes it: a value, a copy of another field as
    written (`copy`), or removed (`value` None and no `copy`)."""

    field: str
    value: Any = None
    copy: str | None = None


@dataclass(slots=True)
class Plan:
    closing: str
    next: str
    decisions: dict[str, Decision] = field(default_factory=dict)
    """Every objective's and key result's ref (`unit/objective[/kr]`), in cascade order."""
    objectives: dict[str, ObjectiveScore] = field(default_factory=dict, repr=False)
    key_results: dict[str, KeyResultScore] = field(default_factory=dict, repr=False)

    def of(self, ref: str) -> Decision:
        return self.decisions.get(ref, Decision.DROP)

    def refs(self, decision: Decision) -> list[str]:
        return [ref for ref, chosen in self.decisions.items() if chosen is decision]

    def changes(self, ref: str) -> list[Change]:
        """What the roll writes into a key result it carries or resets (none otherwise)."""
        return changes_for(self.key_results[ref], self.of(ref))

    def baseline_after(self, ref: str) -> float | None:
        """A key result's baseline once rolled (a carry moves it to where the number ended)."""
        model = self.key_results[ref].node.key_result
        baseline = model.baseline
        for change in self.changes(ref):
            if change.field == "baseline":
                baseline = model.current if change.copy == "current" else change.value
        return baseline

    def stale_titles(self) -> dict[str, str]:
        """Each key result whose baseline the roll moves and whose title then states other
        numbers (docs/rules.md, `title-numbers`), with what the title says."""
        found = {}
        for ref, kr in self.key_results.items():
            model = kr.node.key_result
            if self.of(ref) is Decision.DROP or model.baseline is None or model.target is None:
                continue
            baseline = self.baseline_after(ref)
            if baseline == model.baseline:
                continue
            problem = title_problem(model.title, baseline, model.target, None, model.unit)
            if problem is not None:
                found[ref] = problem
        return found


def default_plan(card: Scorecard, closing: str, next_period: str) -> Plan:
    """Every objective and key result of `card` with its default decision."""
    plan = Plan(closing, next_period)
    for unit in card.units:
        for objective in unit.objectives:
            plan.objectives[objective.ref] = objective
            committed = objective.node.objective.type == "committed"
            unfinished = (objective.score or 0) < 1
            choice = Decision.CARRY if committed and unfinished else Decision.DROP
            plan.decisions[objective.ref] = choice
            for kr in objective.key_results:
                plan.key_results[kr.ref] = kr
                plan.decisions[kr.ref] = _key_result_default(kr, choice)
    _keep_what_stays_needs(plan)
    return plan


def _tidy(value: float) -> float:
    """A derived sum as people write it: 7.35, not 7.3500000000000005."""
    rounded = float(f"{value:.12g}")
    return int(rounded) if rounded.is_integer() else rounded


def _done(kr: KeyResultScore) -> bool:
    model = kr.node.key_result
    if kr.shape is Shape.MILESTONE:
        return bool(model.done)
    return kr.shape is Shape.NUMERIC and kr.progress is not None and kr.progress >= 1


def _key_result_default(kr: KeyResultScore, objective: Decision) -> Decision:
    if objective in (Decision.DROP, Decision.KEEP):
        return objective
    if kr.node.key_result.resets == "period":
        return Decision.RESET
    return Decision.DROP if _done(kr) else Decision.CARRY


def _keep_what_stays_needs(plan: Plan) -> None:
    """What stays must not name what goes: an objective or key result that a staying objective
    aligns to, or that a staying key result takes its number `from:`, stays too (carried; kept
    as it is when it is done)."""
    changed = True
    while changed:
        changed = False
        for ref in _needed(plan):
            changed |= _stay(plan, ref)


def _needed(plan: Plan) -> list[str]:
    needed: list[str] = []
    for ref, objective in plan.objectives.items():
        if plan.of(ref) is Decision.DROP:
            continue
        needed += objective.node.objective.aligns_to
        for kr in objective.key_results:
            if plan.of(kr.ref) is Decision.DROP:
                continue
            needed += _sources(kr.node.key_result)
            if _from_supporters(kr.node.key_result):
                needed += [
                    other
                    for other, below in plan.objectives.items()
                    if kr.ref in below.node.objective.aligns_to
                ]
    return needed


def _from_supporters(kr: KeyResult) -> bool:
    spec = kr.derived_from
    return isinstance(spec, ScoreOf) or (isinstance(spec, SumOf) and spec.sum == "supporters")


def _sources(kr: KeyResult) -> list[str]:
    spec = kr.derived_from
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, SumOf) and isinstance(spec.sum, list):
        return list(spec.sum)
    return []


def _stay(plan: Plan, ref: str) -> bool:
    """Make `ref` (an objective or key result of the plan) stay; True when that changed it."""
    if ref in plan.key_results:
        objective_ref = ref.rsplit("/", 1)[0]
        changed = _stay(plan, objective_ref)
        if plan.of(ref) is Decision.DROP:
            kr = plan.key_results[ref]
            plan.decisions[ref] = Decision.KEEP if _done(kr) else Decision.CARRY
            changed = True
        return changed
    objective = plan.objectives.get(ref)
    if objective is None or plan.of(ref) is not Decision.DROP:
        return False  # a KPI, the mission, or already staying
    done = (objective.score or 0) >= 1
    choice = Decision.KEEP if done else Decision.CARRY
    plan.decisions[ref] = choice
    for kr in objective.key_results:
        plan.decisions[kr.ref] = _key_result_default(kr, choice)
    return True


def changes_for(kr: KeyResultScore, decision: Decision) -> list[Change]:
    """The fields a carry or a reset writes (docs/commands.md): a number starts where it ended
    (carry) or at its baseline again (reset); a band and a milestone wait for a new check-in."""
    if decision not in (Decision.CARRY, Decision.RESET):
        return []
    model = kr.node.key_result
    cleared = [Change("confidence")] if model.confidence is not None else []
    if isinstance(model.derived_from, ScoreOf):
        return cleared  # counts from 0 to 1 every period, from its supporters
    if kr.shape is Shape.MILESTONE:
        return [Change("done", False), *cleared]
    if kr.shape is Shape.KEEP:
        return [Change("current"), *cleared] if model.current is not None else cleared
    if decision is Decision.RESET:
        if model.derived_from is not None or model.current is None:
            return cleared
        return [Change("current", copy="baseline"), *cleared]
    if model.current is None:
        return cleared  # never checked in: it starts where it was meant to
    if model.derived_from is not None:  # no `current` in the file: the derived value
        return [Change("baseline", _tidy(model.current)), *cleared]
    return [Change("baseline", copy="current"), *cleared]


def parse_plan(text: str, plan: Plan) -> Plan:
    """The plan as edited: each line `DECISION REF` (a `#` starts a comment; `c`, `r`, `k`, `d`
    abbreviate); a ref left out is dropped. Raises `PlanError` naming the line."""
    chosen: dict[str, Decision] = {}
    where: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if len(words) != 2:
            raise PlanError(f"plan line {number}: expected DECISION REF, found {line!r}")
        word, ref = words
        decision = SHORT.get(word.lower()) or _decision(word)
        if decision is None:
            raise PlanError(
                f"plan line {number}: {word!r} is not a decision: carry, reset, keep or drop"
            )
        if ref not in plan.decisions:
            raise PlanError(
                f"plan line {number}: {ref} is not an objective or key result of {plan.closing}"
            )
        if ref in chosen:
            raise PlanError(f"plan line {number}: {ref} is already decided on line {where[ref]}")
        if decision is Decision.RESET and ref in plan.objectives:
            raise PlanError(
                f"plan line {number}: reset is for a key result; an objective is carried, kept "
                "or dropped"
            )
        chosen[ref], where[ref] = decision, number
    if not chosen:
        raise PlanError("the plan is empty")
    for ref, decision in chosen.items():
        if ref in plan.key_results and decision is not Decision.DROP:
            objective = ref.rsplit("/", 1)[0]
            if chosen.get(objective, Decision.DROP) is Decision.DROP:
                raise PlanError(
                    f"plan line {where[ref]}: {decision} {ref}, but its objective {objective} is "
                    "dropped; keep or carry the objective, or drop the key result"
                )
    edited = Plan(plan.closing, plan.next, objectives=plan.objectives, key_results=plan.key_results)
    edited.decisions = {ref: chosen.get(ref, Decision.DROP) for ref in plan.decisions}
    return edited


def _decision(word: str) -> Decision | None:
    try:
        return Decision(word.lower())
    except ValueError:
        return None


LABELS = {
    Decision.CARRY: "carried",
    Decision.RESET: "reset",
    Decision.KEEP: "kept",
    Decision.DROP: "dropped",
}


def commit_message(plan: Plan) -> str:
    """The roll's commit message: every decision, one `- carried: REF` line each, then the
    `Okr-Roll: NEXT` trailer that `retro` finds it by."""
    lines = [f"Roll to {plan.next}", ""]
    for decision, label in LABELS.items():
        lines += [f"- {label}: {ref}" for ref in plan.refs(decision)]
    return "\n".join(lines).rstrip() + f"\n\nOkr-Roll: {plan.next}\n"


def decisions_in(message: str) -> dict[Decision, list[str]]:
    """The decisions a roll's commit message lists (`commit_message`)."""
    by_label = {label: decision for decision, label in LABELS.items()}
    found: dict[Decision, list[str]] = {decision: [] for decision in LABELS}
    for line in message.splitlines():
        label, _, ref = line.removeprefix("- ").partition(": ")
        if line.startswith("- ") and label in by_label and ref.strip():
            found[by_label[label]].append(ref.strip())
    return found


def rolled_into(message: str) -> str | None:
    """The period a roll's commit message names in its `Okr-Roll:` trailer."""
    for line in reversed(message.splitlines()):
        if line.startswith("Okr-Roll:"):
            return line.removeprefix("Okr-Roll:").strip() or None
    return None

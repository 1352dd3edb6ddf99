"""Rules that keep goals measurable: every key result names its number and its source."""

from __future__ import annotations

from collections.abc import Iterator

from okrctl.core.graph import KeyResultNode, KpiNode
from okrctl.core.rules.registry import Context, Hit, hit, rule
from okrctl.core.score import measurable_span
from okrctl.core.slips import SLIP_FACTOR, Slip, goal_marks, key_result_aims, kpi_aims, slip
from okrctl.core.title_numbers import plain_text, title_problem
from okrctl.model.bounds import MIN_SPAN
from okrctl.model.findings import Severity
from okrctl.model.goals import KeyResult, ScoreOf


def key_result_problem(key_result: KeyResult) -> str | None:
    """Why a key result is not exactly one of: milestone, keep band, numeric baseline→target."""
    numeric = key_result.baseline is not None or key_result.target is not None
    keep = key_result.keep is not None
    if not key_result.milestone and key_result.done is None and numeric != keep:
        # the usual shapes (a number or a band), checked without building the list below
        return _numeric_problem(key_result) if numeric else None
    shapes = [
        name
        for name, present in (
            ("`milestone: true`", key_result.milestone),
            ("a `keep` band", key_result.keep is not None),
            ("`baseline`/`target`", numeric),
        )
        if present
    ]
    if not shapes:
        return "has no number: give `baseline` and `target`, a `keep` band, or `milestone: true`"
    if len(shapes) > 1:
        return (
            f"mixes {' and '.join(shapes)}; a key result is exactly one of a milestone, "
            f"a keep band or a baseline→target number: split it"
        )
    if key_result.done is not None and not key_result.milestone:
        return "has `done` but is not a milestone: add `milestone: true` or drop `done`"
    return _numeric_problem(key_result) if numeric else None


def _numeric_problem(key_result: KeyResult) -> str | None:
    if key_result.baseline is None:
        return "has a `target` but no `baseline`: where does the number start?"
    if key_result.target is None:
        return "has a `baseline` but no `target`: what number would mean success?"
    if key_result.baseline == key_result.target:
        return (
            f"has `baseline` and `target` both {key_result.baseline}: "
            f"nothing to move; use a `keep` band to hold a level"
        )
    if not measurable_span(key_result.baseline, key_result.target):
        return (
            f"has `baseline` {key_result.baseline} and `target` {key_result.target}, closer "
            f"than {MIN_SPAN:g}: progress cannot be measured; use a larger unit"
        )
    return None


@rule(
    "unmeasurable",
    Severity.ERROR,
    "an objective with no key results; a key result that is not exactly one of milestone, "
    "keep band or baseline→target; a KPI without `healthy` bounds",
    per_unit=True,
)
def unmeasurable(ctx: Context) -> Iterator[Hit]:
    for node in ctx.graph.objectives.values():
        if not node.objective.key_results:
            yield hit(
                node.owner,
                node.path(),
                f"objective `{node.objective.id}` has no key results: add the numbers "
                f"that will show it happened",
                node.ref,
            )
    for kr in ctx.graph.key_results.values():
        problem = key_result_problem(kr.key_result)
        if problem is not None:
            yield hit(kr.owner, kr.path(), f"key result `{kr.key_result.id}` {problem}", kr.ref)
    for kpi in ctx.graph.kpis.values():
        if kpi.kpi.healthy is None:
            yield hit(
                kpi.owner,
                kpi.path(),
                f"KPI `{kpi.kpi.id}` has no `healthy` bounds: say what range is healthy "
                f"(min and/or max)",
                kpi.ref,
            )


@rule(
    "no-source",
    Severity.WARNING,
    "a key result or KPI with neither `source`, `measure` nor `from` (where does the number come "
    "from?)",
    per_unit=True,
)
def no_source(ctx: Context) -> Iterator[Hit]:
    for kr in ctx.graph.key_results.values():
        model = kr.key_result
        if not (model.source or "").strip() and model.measure is None and not model.derived_from:
            yield hit(
                kr.owner,
                kr.path(),
                f"key result `{kr.key_result.id}` has no `source`: name the dashboard, "
                f"query or report its number comes from",
                kr.ref,
            )
    for kpi in ctx.graph.kpis.values():
        if (
            not (kpi.kpi.source or "").strip()
            and kpi.kpi.measure is None
            and not kpi.kpi.derived_from
        ):
            yield hit(
                kpi.owner,
                kpi.path(),
                f"KPI `{kpi.kpi.id}` has no `source`: name where its number comes from",
                kpi.ref,
            )


@rule(
    "derivation",
    Severity.ERROR,
    "a `from:` that cannot be followed: a loop, mixed units, itself, or `sum: supporters` with "
    "no supporters",
)
def derivation(ctx: Context) -> Iterator[Hit]:
    graph = ctx.graph
    for problem in graph.derivations.problems:
        if problem.unknown is None:  # a ref that names nothing is `unknown-ref`'s
            node = graph.key_result_or_kpi(problem.ref)
            assert node is not None
            yield hit(node.owner, node.path("from"), problem.message, problem.ref)


@rule(
    "title-numbers",
    Severity.WARNING,
    "a key result whose title states numbers (from A to B, under N) that are not its baseline, "
    "target or band",
    per_unit=True,
)
def title_numbers(ctx: Context) -> Iterator[Hit]:
    for kr in ctx.graph.key_results.values():
        model = kr.key_result
        if model.milestone or isinstance(model.derived_from, ScoreOf):
            continue
        if key_result_problem(model) is not None:
            continue  # `unmeasurable` says what is wrong with its numbers first
        problem = title_problem(
            model.title, model.baseline, model.target, model.keep, model.unit
        )
        if problem is not None:
            yield hit(
                kr.owner,
                kr.path("title"),
                f"the title of `{kr.ref}` disagrees with its numbers: {problem}; rewrite the "
                f"title or the numbers, so readers and scores tell one story",
                kr.ref,
            )


@rule(
    "unlikely-value",
    Severity.WARNING,
    f"a key result's or KPI's `current` more than {SLIP_FACTOR} times larger or smaller than its "
    "baseline, target and bands: a fraction typed for a percentage, dollars for `$M`",
    per_unit=True,
)
def unlikely_value(ctx: Context) -> Iterator[Hit]:
    """The check-in `okrctl checkin` refuses without `--force` (docs/commands.md), caught
    where it was typed into the file by hand."""
    found_in: list[tuple[KeyResultNode | KpiNode, Slip]] = []
    for kr in ctx.graph.key_results.values():  # (a loop each: no isinstance per number)
        model = kr.key_result
        current = model.current  # (a milestone holds `done`, never `current`)
        if current is not None and model.derived_from is None:
            found = slip(current, key_result_aims(model))
            if found is not None:
                found_in.append((kr, found))
    for kpi in ctx.graph.kpis.values():
        current = kpi.kpi.current
        if current is not None and kpi.kpi.derived_from is None:
            found = slip(current, kpi_aims(kpi.kpi))
            if found is not None:
                found_in.append((kpi, found))
    for node, found in found_in:
        number = node.model
        current = number.current
        assert current is not None
        marks = goal_marks(number)
        named = ", ".join(f"{name} {plain_text(value)}" for name, value in marks)
        how = f"{found.times:,.0f} times {'larger' if found.larger else 'smaller'}"
        meant = "" if found.meant is None else f" (meant {plain_text(found.meant)}?)"
        yield hit(
            node.owner,
            node.path("current"),
            f"`current: {plain_text(current)}` of `{node.ref}` is {how} than its {named}{meant}: "
            "check the number and the unit it was written in",
            node.ref,
        )

"""`okrctl show` for people: the numbers, the why-ladder as a tree, and what supports it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from okrctl.core.derive import Derived
from okrctl.core.score import Shape, Status
from okrctl.core.scorecard import KeyResultScore, KpiScore, ObjectiveScore
from okrctl.core.trend import sparkline
from okrctl.render.terminal import HEALTH_STYLE, STATUS_STYLE, Hanging, cents_of
from okrctl.render.textformat import (
    NONE,
    bounds_text,
    days,
    days_ago,
    goal_range,
    number,
    score_text,
    shown_change,
    with_unit,
    words,
)
from okrctl.views.show import (
    Heard,
    KeyResultPage,
    KpiPage,
    MissionPage,
    ObjectivePage,
    Page,
    Step,
    Supporter,
    UnitPage,
)

if TYPE_CHECKING:
    from rich.console import Group
    from rich.text import Text


def _status(value: str | None) -> tuple[str, str]:
    status = Status(value) if value else None
    return words(value), STATUS_STYLE[status]


def _line(label: str, value: str, style: str = "") -> Hanging:
    """`label: value`, the value wrapping under itself (a long `why` went on at the left edge)."""
    from rich.text import Text

    return Hanging(Text(f"{label}: ", style="dim"), Text(value, style=style))


def _hanging(prefix: Text, body: Text) -> Hanging:
    return Hanging(prefix, body)


def _heading(head: Text) -> Hanging:
    """`Title  ref`, wrapped where it must with no line ending in spaces (where the ref fell to
    the next line, its two spaces were left at the end of the title's)."""
    from rich.text import Text

    return Hanging(Text(), head)


def _ladder_tree(steps: list[Step], title: str) -> Any:
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(Text(title, style="bold"), guide_style="dim")

    def add(branch: Tree, step: Step) -> None:
        label = Text()
        if step.kind == "mission":
            label.append("mission: ", style="bold")
            label.append(step.title or "")
        else:
            label.append(step.ref, style="bold")
            label.append(f" {step.title}")
            if step.why:
                label.append(f"\nwhy: {step.why}", style="italic")
        child = branch.add(_heading(label))  # (wrapped lines end without spaces)
        for upper in step.up:
            add(child, upper)

    for step in steps:
        add(tree, step)
    if not steps:
        tree.add(Text("aligns to nothing: this goal has no why-ladder", style="red"))
    return tree


def _supporters(rows: list[Supporter], heading: str) -> Group:
    """A row per supporter, its ref and unit wrapping under themselves on a narrow terminal."""
    from rich.console import Group
    from rich.text import Text

    lines: list[Any] = [Text(f"{heading} ({len(rows)})", style="bold")]
    if not rows:
        lines.append(Text("  nothing aligns to it yet", style="dim"))
    for row in rows:
        status, style = _status(row.status)
        prefix = Text(f"  {score_text(row.score):>5} ")
        prefix.append(f"{status:<10}", style=style)
        prefix.append(" ")
        body = Text(row.ref)
        body.append(f"  {row.unit}" + (f" · @{row.owner}" if row.owner else ""), style="dim")
        lines.append(_hanging(prefix, body))
    return Group(*lines)


def _key_result_row(key_result: KeyResultScore) -> Any:
    from rich.text import Text

    status, style = _status(key_result.status)
    prefix = Text(f"  {score_text(key_result.score):>5} ")
    prefix.append(f"{status:<10}", style=style)
    prefix.append(" ")
    return _hanging(prefix, Text(f"{key_result.ref.rsplit('/', 1)[1]}: {_value(key_result)}"))


def _value(key_result: KeyResultScore) -> str:
    model = key_result.node.key_result
    if key_result.shape is Shape.MILESTONE:
        return "done" if model.done else "not done yet"
    cents = cents_of(key_result)
    current = (
        "no check-in yet"
        if model.current is None
        else with_unit(model.current, model.unit, cents=cents)
    )
    if key_result.shape is Shape.KEEP:
        assert model.keep is not None
        return f"{current} (keep {bounds_text(model.keep.min, model.keep.max, model.unit)})"
    return f"{current} ({goal_range(model.baseline, model.target, model.unit, cents=cents)})"


def _objective_block(objective: ObjectiveScore) -> list[Any]:
    from rich.text import Text

    model = objective.node.objective
    status, style = _status(objective.status)
    head = Text()
    head.append(model.title, style="bold")
    head.append(f"  {objective.ref}", style="dim")
    owner = objective.node.owner_handle
    parts: list[Any] = [
        _heading(head),
        _line(
            "unit",
            f"{objective.node.owner.unit.display_name} · {model.type}"
            + (f" · @{owner}" if owner else ""),
        ),
        _line("why", model.why or "(missing: add `why`)"),
    ]
    if objective.score is not None and objective.pace is not None:
        parts.append(
            _line(
                "score",
                f"{score_text(objective.score)}, expected "
                f"{score_text(objective.expected)} by now, "
                f"pace {shown_change(objective.expected, objective.score):+.2f} · "
                f"{status}",
                style,
            )
        )
    parts.append(Text("key results", style="bold"))
    parts += [_key_result_row(kr) for kr in objective.key_results]
    return parts


def show_renderable(page: Page) -> Group:
    from rich.console import Group
    from rich.text import Text

    card = page.card
    parts: list[Any] = [Text(f"{card.period.name} · as of {card.moment.as_of}", style="dim")]
    if isinstance(page, MissionPage):
        parts += [_line("mission", page.mission or "")]
        if page.vision:
            parts.append(_line("vision", page.vision))
        parts += [Text(), _supporters(page.supported_by, "aligned directly to the mission")]
    elif isinstance(page, UnitPage):
        parts += _unit_block(page)
    elif isinstance(page, ObjectivePage):
        parts += _objective_block(page.objective)
        parts += [
            Text(),
            _ladder_tree(page.ladder, "why-ladder"),
            Text(),
            _supporters(page.supported_by, "supported by"),
        ]
    elif isinstance(page, KeyResultPage):
        parts += _key_result_block(page.key_result, page.heard)
        parts += [
            Text(),
            _ladder_tree(page.ladder, "why-ladder"),
            Text(),
            _supporters(page.supported_by, "supported by"),
        ]
    elif isinstance(page, KpiPage):
        kpi = page.kpi.node.kpi
        head = Text(kpi.title, style="bold")
        head.append(f"  {page.ref}  KPI", style="dim")
        parts += [
            _heading(head),
            _kpi_row(page.kpi),
            *([] if page.heard is None else [_heard_line(page.heard)]),
            _line("why", kpi.why or "(missing: add `why`)"),
            _line("source", kpi.source or "(missing: add `source`)"),
            Text(),
            _supporters(page.supported_by, "supported by"),
        ]
    return Group(*parts)


def _unit_block(page: UnitPage) -> list[Any]:
    from rich.text import Text

    model = page.unit.unit_file.unit
    head = Text(model.display_name, style="bold")
    head.append(f"  {model.kind}" + (f" · lead {model.lead}" if model.lead else ""), style="dim")
    parts: list[Any] = [_heading(head), _line("file", page.unit.unit_file.path)]
    if page.parents:
        parts.append(_line("part of", " → ".join(page.parents)))
    parts.append(_line("score", score_text(page.unit.score)))
    for objective in page.unit.objectives:
        status, style = _status(objective.status)
        prefix = Text(f"  {score_text(objective.score):>5} ")
        prefix.append(f"{status:<10}", style=style)
        prefix.append(" ")
        body = Text(f"{objective.ref}  {objective.node.objective.title}")
        parts.append(_hanging(prefix, body))
    parts += [_kpi_row(kpi) for kpi in page.unit.kpis]
    if page.children:
        parts.append(Text("below it", style="bold"))
        parts += [
            _hanging(Text(f"  {score_text(c.score):>5} "), Text(f"{c.id} ({c.kind}) {c.name}"))
            for c in page.children
        ]
    if model.accomplishments:
        parts.append(Text("accomplishments", style="bold"))
        parts += [_hanging(Text("  • "), Text(item)) for item in model.accomplishments]
    return parts


def _heard_line(heard: Heard) -> Hanging:
    """`last check-in: 2026-11-06 by Tom Lindqvist, 31 days ago · stale after 14 days`: whether
    the number shown is one to act on."""
    seen, through = heard.last_seen, heard.silence.through
    if seen is None:
        said = f"none in {heard.silence.said_for(heard.stale_after_days)}"
    else:
        said = f"{seen.day.isoformat()} by {seen.author}, {days_ago(seen.days_ago)}"
    if through:
        said += f", of its source {through}"
    if heard.stale:
        said += f" · stale after {days(heard.stale_after_days)}"
    return _line("last check-in", said, "yellow" if heard.stale else "")


def _key_result_block(key_result: KeyResultScore, heard: Heard | None = None) -> list[Any]:
    from rich.text import Text

    node = key_result.node
    model = node.key_result
    status, style = _status(key_result.status)
    head = Text(model.title, style="bold")
    head.append(f"  {key_result.ref}", style="dim")
    parts: list[Any] = [
        _heading(head),
        _line("value", _value(key_result)),
        *([] if heard is None else [_heard_line(heard)]),
        _line("score", f"{score_text(key_result.score)} · {status}", style),
        _line("objective", f"{node.parent.ref} {node.parent.objective.title}"),
        _line("owner", model.owner or NONE),
        _line("source", model.source or "(missing: add `source`)"),
    ]
    if model.confidence is not None:
        parts.append(_line("confidence", number(model.confidence)))
    if key_result.derived is not None:
        parts.append(_line("derived from", derived_text(key_result.derived, model.unit)))
    trend = key_result.trend if key_result.shape is Shape.NUMERIC else ()
    if len(trend) > 1:
        points = "points from its sources" if key_result.derived is not None else "check-ins"
        parts.append(
            _line(
                "this period",
                f"{sparkline(list(trend))} {goal_range(trend[0], trend[-1], model.unit)} "
                f"over {len(trend)} {points}",
            )
        )
    for move in key_result.target_moves:
        parts.append(
            _line(
                "target moved",
                f"{with_unit(move.old, model.unit)} → {with_unit(move.new, model.unit)} "
                f"on {move.when.date().isoformat()}",
                "yellow",
            )
        )
    heading = key_result.heading if key_result.shape is Shape.NUMERIC else None
    if heading:
        style = "green" if heading.score >= 1 else "red"
        parts.append(
            _line(
                "forecast",
                f"{with_unit(heading.value, model.unit, cents=cents_of(key_result))} by the "
                f"end of the period (score {score_text(heading.score)})",
                style,
            )
        )
    return parts


def _kpi_row(kpi: KpiScore) -> Any:
    from rich.text import Text

    model = kpi.node.kpi
    prefix = Text("  KPI ")
    prefix.append(f"{kpi.health:<9}", style=HEALTH_STYLE[kpi.health])
    prefix.append(" ")
    current = "no reading yet" if model.current is None else with_unit(model.current, model.unit)
    row = Text(f"{model.title}: {current}")
    if model.healthy:
        healthy = bounds_text(model.healthy.min, model.healthy.max, model.unit)
        row.append(f" (healthy {healthy})", style="dim")
    return _hanging(prefix, row)


def derived_text(derived: Derived, unit: str | None) -> str:
    """`sum of emea/sales/deposits $7M (54%) + amer/sales/deposits $6M (46%)`, or the one
    ref a mirror copies."""
    if derived.how == "score":
        scores = [
            f"{s.ref} {NONE if s.value is None else f'{s.value:.2f}'}" for s in derived.sources
        ]
        return "the mean score of " + ", ".join(scores)
    parts = []
    for source in derived.sources:
        value = "not checked in" if source.value is None else with_unit(source.value, unit)
        share = "" if source.share is None else f" ({source.share:.0%})"
        parts.append(f"{source.ref} {value}{share}")
    return ("sum of " + " + ".join(parts)) if derived.how == "sum" else f"the same as {parts[0]}"

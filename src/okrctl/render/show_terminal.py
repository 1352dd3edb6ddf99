"""`okrctl show` for people: the numbers, the why-ladder as a tree, and what supports it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from okrctl.core.score import Health, Status
from okrctl.core.textformat import (
    NONE,
    bounds_text,
    goal_range,
    number,
    score_text,
    with_unit,
    words,
)
from okrctl.core.trend import sparkline
from okrctl.render.terminal import HEALTH_STYLE, STATUS_STYLE

if TYPE_CHECKING:
    from rich.console import Group
    from rich.text import Text


def _status(value: str | None) -> tuple[str, str]:
    status = Status(value) if value else None
    return words(value), STATUS_STYLE[status]


def _line(label: str, value: str, style: str = "") -> Text:
    from rich.text import Text

    text = Text()
    text.append(f"{label}: ", style="dim")
    text.append(value, style=style)
    return text


def _ladder_tree(steps: list[dict[str, Any]], title: str) -> Any:
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(Text(title, style="bold"), guide_style="dim")

    def add(branch: Tree, step: dict[str, Any]) -> None:
        label = Text()
        if step["kind"] == "mission":
            label.append("mission: ", style="bold")
            label.append(step["title"] or "")
        else:
            label.append(step["ref"], style="bold")
            label.append(f" {step['title']}")
            if step["why"]:
                label.append(f"\nwhy: {step['why']}", style="italic")
        child = branch.add(label)
        for upper in step["up"]:
            add(child, upper)

    for step in steps:
        add(tree, step)
    if not steps:
        tree.add(Text("aligns to nothing: this goal has no why-ladder", style="red"))
    return tree


def _supporters(rows: list[dict[str, Any]], heading: str) -> Text:
    from rich.text import Text

    text = Text()
    text.append(f"{heading} ({len(rows)})", style="bold")
    if not rows:
        text.append("\n  nothing aligns to it yet", style="dim")
    for row in rows:
        status, style = _status(row["status"])
        text.append(f"\n  {score_text(row['score']):>5} ")
        text.append(f"{status:<10}", style=style)
        text.append(f" {row['ref']}")
        text.append(
            f"  {row['unit']}" + (f" · @{row['owner']}" if row["owner"] else ""), style="dim"
        )
    return text


def _key_result_row(kr: dict[str, Any]) -> Text:
    from rich.text import Text

    status, style = _status(kr["status"])
    text = Text("  ")
    text.append(f"{score_text(kr['score']):>5} ")
    text.append(f"{status:<10}", style=style)
    text.append(f" {kr['ref'].rsplit('/', 1)[1]}: {_value(kr)}")
    return text


def _value(kr: dict[str, Any]) -> str:
    if kr["shape"] == "milestone":
        return "done" if kr["done"] else "not done yet"
    current = "no check-in yet" if kr["current"] is None else with_unit(kr["current"], kr["unit"])
    if kr["shape"] == "keep":
        return f"{current} (keep {bounds_text(kr['keep']['min'], kr['keep']['max'], kr['unit'])})"
    return f"{current} ({goal_range(kr['baseline'], kr['target'], kr['unit'])})"


def _objective_block(data: dict[str, Any]) -> list[Any]:
    from rich.text import Text

    status, style = _status(data["status"])
    head = Text()
    head.append(f"{data['title']}", style="bold")
    head.append(f"  {data['ref']}", style="dim")
    parts = [
        head,
        _line(
            "unit",
            f"{data['unit_name']} · {data['type']}"
            + (f" · @{data['owner']}" if data["owner"] else ""),
        ),
        _line("why", data["why"] or "(missing: add `why`)"),
    ]
    if data["score"] is not None:
        parts.append(
            _line(
                "score",
                f"{score_text(data['score'])}, expected "
                f"{score_text(data['expected'])} by now, pace {data['pace']:+.2f} · "
                f"{status}",
                style,
            )
        )
    parts.append(Text("key results", style="bold"))
    parts += [_key_result_row(kr) for kr in data["key_results"]]
    return parts


def show_renderable(data: dict[str, Any]) -> Group:
    from rich.console import Group
    from rich.text import Text

    kind = data["kind"]
    parts: list[Any] = [Text(f"{data['period']} · as of {data['as_of']}", style="dim")]
    if kind == "mission":
        parts += [_line("mission", data["mission"] or "")]
        if data["vision"]:
            parts.append(_line("vision", data["vision"]))
        parts += [Text(), _supporters(data["supported_by"], "aligned directly to the mission")]
    elif kind == "unit":
        head = Text(data["name"], style="bold")
        head.append(
            f"  {data['unit_kind']}" + (f" · lead {data['lead']}" if data["lead"] else ""),
            style="dim",
        )
        parts += [head, _line("file", data["file"])]
        if data["parents"]:
            parts.append(_line("part of", " → ".join(data["parents"])))
        parts.append(_line("score", score_text(data["score"])))
        for objective in data["objectives"]:
            status, style = _status(objective["status"])
            row = Text(f"  {score_text(objective['score']):>5} ")
            row.append(f"{status:<10}", style=style)
            row.append(f" {objective['ref']}  {objective['title']}")
            parts.append(row)
        for kpi in data["kpis"]:
            parts.append(_kpi_row(kpi))
        if data["children"]:
            parts.append(Text("below it", style="bold"))
            for child in data["children"]:
                parts.append(
                    Text(
                        f"  {score_text(child['score']):>5} {child['id']} "
                        f"({child['kind']}) {child['name']}"
                    )
                )
        if data["accomplishments"]:
            parts.append(Text("accomplishments", style="bold"))
            parts += [Text(f"  • {item}") for item in data["accomplishments"]]
    elif kind == "objective":
        parts += _objective_block(data)
        parts += [
            Text(),
            _ladder_tree(data["ladder"], "why-ladder"),
            Text(),
            _supporters(data["supported_by"], "supported by"),
        ]
    elif kind == "key_result":
        status, style = _status(data["status"])
        head = Text(data["title"], style="bold")
        head.append(f"  {data['ref']}", style="dim")
        parts += [
            head,
            _line("value", _value(data)),
            _line("score", f"{score_text(data['score'])} · {status}", style),
            _line("objective", f"{data['objective']} {data['objective_title']}"),
            _line("owner", data["owner"] or NONE),
            _line("source", data["source"] or "(missing: add `source`)"),
        ]
        if data["confidence"] is not None:
            parts.append(_line("confidence", number(data["confidence"])))
        if len(data.get("trend") or ()) > 1:
            trend = data["trend"]
            parts.append(
                _line(
                    "this period",
                    f"{sparkline(trend)} {number(trend[0])} → "
                    f"{number(trend[-1])} over {len(trend)} check-ins",
                )
            )
        if data.get("forecast"):
            heading = data["forecast"]
            style = "green" if heading["score"] >= 1 else "red"
            parts.append(
                _line(
                    "forecast",
                    f"{with_unit(heading['value'], data['unit'])} by the "
                    f"end of the period (score {score_text(heading['score'])})",
                    style,
                )
            )
        parts += [
            Text(),
            _ladder_tree(data["ladder"], "why-ladder"),
            Text(),
            _supporters(data["supported_by"], "supported by"),
        ]
    else:
        head = Text(data["title"], style="bold")
        head.append(f"  {data['ref']}  KPI", style="dim")
        parts += [
            head,
            _kpi_row(data),
            _line("why", data["why"] or "(missing: add `why`)"),
            _line("source", data["source"] or "(missing: add `source`)"),
            Text(),
            _supporters(data["supported_by"], "supported by"),
        ]
    return Group(*parts)


def _kpi_row(kpi: dict[str, Any]) -> Text:
    from rich.text import Text

    health = Health(kpi["health"])
    row = Text("  KPI ")
    row.append(f"{health:<9}", style=HEALTH_STYLE[health])
    current = "no reading yet" if kpi["current"] is None else with_unit(kpi["current"], kpi["unit"])
    row.append(f" {kpi['title']}: {current}")
    if kpi["healthy"]:
        row.append(
            f" (healthy {bounds_text(kpi['healthy']['min'], kpi['healthy']['max'], kpi['unit'])})",
            style="dim",
        )
    return row

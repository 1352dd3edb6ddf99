"""A key result's check-ins against its target, as data: drawn as a Mermaid xychart in
Markdown (GitHub draws it) and as an inline SVG in the HTML page (mail clients run no script).
The HTML page gets the data itself, never a parse of the Mermaid text."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from okrctl.core.textformat import number, one_line


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    labels: list[str]
    """The day of each check-in, MM-DD."""
    dates: list[str]
    """The day of each check-in, ISO (YYYY-MM-DD)."""
    values: list[float]
    target: float
    axis: str
    """The unit, or `value`."""
    low: float
    high: float


def chart_of(kr: dict[str, Any], title: str | None = None) -> Chart | None:
    """The chart of a report's key result (see docs/templates.md), or None with fewer than two
    numeric check-ins or no target."""
    points = [
        c
        for c in kr.get("checkins", [])
        if isinstance(c["value"], int | float) and not isinstance(c["value"], bool)
    ]
    if len(points) < 2 or kr.get("target") is None:
        return None
    values = [float(c["value"]) for c in points]
    target, baseline = float(kr["target"]), float(kr["baseline"])
    low = min([*values, target, baseline])
    high = max([*values, target, baseline])
    pad = (high - low) * 0.1 or 1.0
    return Chart(
        title=title or kr["title"],
        labels=[c["day"][5:] for c in points],
        dates=[c["day"] for c in points],
        values=values,
        target=target,
        axis=kr.get("unit") or "value",
        low=float(plain(low - pad)),
        high=float(plain(high + pad)),
    )


def plain(value: float) -> str:
    """A number as Mermaid reads it: no thousands separators, two decimals at most."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def mermaid_text(text: str) -> str:
    """A string as a Mermaid quoted string takes it: a `"` would end it (`'` instead), a line
    break would end the statement (a space instead), and a `<` (U+2039 instead) could open HTML in
    the label or in the Markdown around the fence."""
    return one_line(text).replace('"', "'").replace("<", "\u2039")


def mermaid_body(chart: Chart) -> str:
    """The text inside the ```mermaid fence."""
    labels = ", ".join(f'"{mermaid_text(label)}"' for label in chart.labels)
    return "\n".join(
        [
            "xychart-beta",
            f'    title "{mermaid_text(chart.title)}"',
            f"    x-axis [{labels}]",
            f'    y-axis "{mermaid_text(chart.axis)}" {plain(chart.low)} --> {plain(chart.high)}',
            f"    line [{', '.join(number(v).replace(',', '') for v in chart.values)}]",
            f"    line [{', '.join(number(chart.target).replace(',', '') for _ in chart.values)}]",
        ]
    )


SERIES_STYLE = [
    'stroke="#0969da" stroke-width="2.5"',
    'stroke="#cf222e" stroke-width="1.5" stroke-dasharray="6 4"',
]


def svg(chart: Chart) -> str:
    """The check-ins (solid) and the target (dashed) as an inline SVG line chart."""
    width, height, left, right, top, bottom = 560, 220, 56, 16, 30, 36
    low, high = chart.low, chart.high
    count = len(chart.values)

    def x(i: int) -> float:
        return left + (width - left - right) * (i / max(count - 1, 1))

    def y(v: float) -> float:
        return float(top + (height - top - bottom) * (1 - (v - low) / (high - low)))

    title = html.escape(chart.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{title}" '
        f'style="max-width:100%;height:auto;">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="18" font-size="13" font-family="Helvetica,Arial,sans-serif" '
        f'fill="#1f2328">{title}</text>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#d0d7de"/>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        f'stroke="#d0d7de"/>',
    ]
    for value in (low, high):
        parts.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" font-size="11" '
            f'text-anchor="end" font-family="Helvetica,Arial,sans-serif" '
            f'fill="#57606a">{value:g}</text>'
        )
    for i, label in enumerate(chart.labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle" font-family="Helvetica,Arial,sans-serif" '
            f'fill="#57606a">{html.escape(label)}</text>'
        )
    for index, series in enumerate((chart.values, [chart.target] * count)):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series))
        parts.append(f'<polyline fill="none" {SERIES_STYLE[index]} points="{points}"/>')
    parts.append("</svg>")
    return "<p>" + "".join(parts) + "</p>\n"

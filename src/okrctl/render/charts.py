"""A key result's check-ins against its target, as data: drawn as a Mermaid xychart in
Markdown (GitHub draws it) and as an inline SVG in the HTML page (mail clients run no script).
The HTML page gets the data itself, never a parse of the Mermaid text."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, NamedTuple

from okrctl.render.textformat import number, one_line


class Categories(NamedTuple):
    labels: list[str]
    values: list[float]
    lines: list[list[float]]
    """Each reference line (the target, or a band's bounds), a value per point."""
    slots: list[int]
    """Each point's place along the x axis: a move's two points share one."""


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    labels: list[str]
    """The day of each check-in, MM-DD."""
    dates: list[str]
    """The day of each check-in, ISO (YYYY-MM-DD)."""
    values: list[float]
    target: float | None
    """The target in effect at the end (None: a keep band has no target)."""
    axis: str
    """The unit, or `value`."""
    low: float
    high: float
    moves: tuple[tuple[str, float, float], ...] = ()
    """Each move of the target: (ISO day, old, new); the line steps there."""
    band: tuple[float | None, float | None] | None = None
    """A keep band's (min, max), drawn instead of a target."""
    stamps: tuple[str, ...] = ()
    """Each check-in's and each move's full ISO time, check-ins first: orders them on a day."""

    @property
    def opening_target(self) -> float | None:
        """The target at the first point: before any move."""
        return self.moves[0][1] if self.moves else self.target

    def references(self) -> list[tuple[str, float]]:
        """The lines the values are read against, by name: the target, or the band's bounds."""
        if self.band is not None:
            low, high = self.band
            return [(name, v) for name, v in (("min", low), ("max", high)) if v is not None]
        return [] if self.target is None else [("target", self.target)]

    def categories(self) -> Categories:
        """For charts spaced by point, not by date (Mermaid, the inline SVG): labels, values,
        and each reference line's value at every point. A target move adds two points on its
        day, at the value then in effect: the old target, then the new (one slot, so a chart
        that can place two points at one x draws a vertical step)."""
        count = len(self.values)
        events = sorted(
            [(self.stamps[i] if self.stamps else self.dates[i], 1, i) for i in range(count)]
            + [
                (self.stamps[count + j] if self.stamps else day, 0, j)
                for j, (day, _, _) in enumerate(self.moves)
            ]
        )
        if self.band is not None or not self.moves:
            lines = [[v] * count for _, v in self.references()]
            return Categories(list(self.labels), list(self.values), lines, list(range(count)))
        labels: list[str] = []
        values: list[float] = []
        targets: list[float] = []
        slots: list[int] = []
        target = float(self.moves[0][1])
        value = self.values[0]
        for _, kind, index in events:
            slot = slots[-1] + 1 if slots else 0
            if kind == 1:
                value = self.values[index]
                labels.append(self.labels[index])
                values.append(value)
                targets.append(target)
                slots.append(slot)
            else:
                day, old, new = self.moves[index]
                labels += [day[5:], day[5:]]
                values += [value, value]
                targets += [float(old), float(new)]
                slots += [slot, slot]
                target = float(new)
        return Categories(labels, values, [targets], slots)


def chart_of(kr: dict[str, Any], title: str | None = None) -> Chart | None:
    """The chart of a report's key result (see docs/templates.md), or None with fewer than two
    numeric check-ins, or neither a target nor a keep band."""
    points = [
        c
        for c in kr.get("timeline") or kr.get("checkins", [])
        if isinstance(c["value"], int | float) and not isinstance(c["value"], bool)
    ]
    keep = kr.get("keep") if kr.get("shape") == "keep" else None
    if len(points) < 2 or (kr.get("target") is None and keep is None):
        return None
    values = [float(c["value"]) for c in points]
    band = None
    ends = list(values)
    moves: tuple[tuple[str, float, float], ...] = ()
    target = None
    if keep is not None:
        band = (_number(keep.get("min")), _number(keep.get("max")))
        ends += [v for v in band if v is not None]
    else:
        target = float(kr["target"])
        moves = tuple(
            (m["day"], float(m["from"]), float(m["to"])) for m in kr.get("target_moves") or []
        )
        ends += [target, float(kr["baseline"]), *(m[1] for m in moves)]
    low, high = min(ends), max(ends)
    pad = (high - low) * 0.1 or 1.0
    bottom = max(low - pad, 0.0) if low >= 0 else low - pad  # (no axis of tests below 0)
    return Chart(
        title=title or kr["title"],
        labels=[c["day"][5:] for c in points],
        dates=[c["day"] for c in points],
        values=values,
        target=target,
        axis=kr.get("unit") or "value",
        low=float(plain(bottom)),
        high=float(plain(high + pad)),
        moves=moves,
        band=band,
        stamps=tuple(
            [c.get("date") or c["day"] for c in points]
            + [m.get("date") or m["day"] for m in kr.get("target_moves") or [] if moves]
        ),
    )


def _number(value: Any) -> float | None:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if numeric else None


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
    names, values, references, _ = chart.categories()
    labels = ", ".join(f'"{mermaid_text(label)}"' for label in names)
    return "\n".join(
        [
            "xychart-beta",
            f'    title "{mermaid_text(chart.title)}"',
            f"    x-axis [{labels}]",
            f'    y-axis "{mermaid_text(chart.axis)}" {plain(chart.low)} --> {plain(chart.high)}',
            *(f"    line [{_numbers(series)}]" for series in (values, *references)),
        ]
    )


def _numbers(series: list[float]) -> str:
    return ", ".join(number(v).replace(",", "") for v in series)


SERIES_STYLE = [
    'stroke="#0969da" stroke-width="2.5"',
    'stroke="#cf222e" stroke-width="1.5" stroke-dasharray="6 4"',
]


def svg(chart: Chart) -> str:
    """The check-ins (solid) and the target or the band's bounds (dashed) as an inline SVG
    line chart; a moved target steps where it moved."""
    width, height, left, right, top, bottom = 560, 220, 56, 16, 30, 36
    low, high = chart.low, chart.high
    names, values, references, slots = chart.categories()
    count = slots[-1] + 1

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
            f'fill="#57606a">{number(value)}</text>'  # as tables write it (`:g`: 1.5e+06)
        )
    for i, label in sorted(dict(zip(slots, names, strict=True)).items()):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle" font-family="Helvetica,Arial,sans-serif" '
            f'fill="#57606a">{html.escape(label)}</text>'
        )
    for index, series in enumerate((values, *references)):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in zip(slots, series, strict=True))
        style = SERIES_STYLE[min(index, 1)]
        parts.append(f'<polyline fill="none" {style} points="{points}"/>')
    parts.append("</svg>")
    return "<p>" + "".join(parts) + "</p>\n"

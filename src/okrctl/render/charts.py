"""A key result's check-ins against its target, as data: drawn as a Mermaid xychart in
Markdown (GitHub draws it) and as an inline SVG in the HTML page (mail clients run no script).
The HTML page gets the data itself, never a parse of the Mermaid text."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, NamedTuple

from okrctl.model.bounds import as_float, is_number
from okrctl.render.textformat import cents_among, number, one_line, with_unit


class Corners(NamedTuple):
    """A chart's lines as corners (day since its first check-in, value): joined by straight
    lines, so that every chart spaces them by date."""

    span: int
    """Days from the first check-in to the last check-in or target move (at least 1)."""
    values: list[tuple[int, float]]
    """Each day's last check-in."""
    lines: list[list[tuple[int, float]]]
    """Each reference line (the target, or a band's bounds); a move: two corners on its day,
    the old target, then the new."""


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
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
    unit: str | None = None
    """The number's unit, as its labels say it (`target $120M`)."""
    as_of: str | None = None
    """The as-of day (ISO) while the period runs: the HTML page's and the mail's charts reach
    it and mark it, so a line that stops weeks before it shows the silence (a Mermaid line
    cannot stop short of its axis' end: the Markdown chart ends at the last check-in, its axis
    saying the as-of day, `mermaid_body`)."""

    def amount(self, value: float) -> str:
        """`value` as a label on the chart says it: in the number's unit, with cents where any
        amount of the chart has them (`target $6.00/month` beside `$7.35/month`)."""
        shown = [*self.values, *(v for _, v in self.references()), *(m[1] for m in self.moves)]
        return with_unit(value, self.unit, cents=cents_among(shown, self.unit))

    @property
    def opening_target(self) -> float | None:
        """The target at the first point: before any move."""
        return self.moves[0][1] if self.moves else self.target

    @property
    def first_day(self) -> date:
        """The first check-in's day: the chart's day 0."""
        return date.fromisoformat(min(self.dates))

    def references(self) -> list[tuple[str, float]]:
        """The lines the values are read against, by name: the target, or the band's bounds."""
        if self.band is not None:
            low, high = self.band
            return [(name, v) for name, v in (("min", low), ("max", high)) if v is not None]
        return [] if self.target is None else [("target", self.target)]

    def corners(self, *, to_as_of: bool = False) -> Corners:
        """The chart by date: a week without a check-in is a week wide, a day is a day (check-ins
        spaced evenly drew three days as long as a month). A target moved before the first
        check-in is drawn at its start. With `to_as_of`, the target or band runs on to the
        as-of day (`as_of`), the check-ins stopping at the last."""
        first = self.first_day

        def day(iso: str) -> int:
            return max((date.fromisoformat(iso) - first).days, 0)

        by_day = {day(iso): value for iso, value in zip(self.dates, self.values, strict=True)}
        span = max([*by_day, *(day(when) for when, _, _ in self.moves)])
        if to_as_of and self.as_of is not None:
            span = max(span, day(self.as_of))
        values = sorted(by_day.items())
        if self.band is not None or not self.moves:
            lines = [[(0, v), (span, v)] for _, v in self.references()]
            return Corners(span, values, lines)
        target = self.opening_target
        assert target is not None
        steps = [(0, target)]
        for when, old, new in sorted(self.moves, key=lambda move: move[0]):
            steps += [(day(when), old), (day(when), new)]
        steps.append((span, steps[-1][1]))
        return Corners(span, values, [steps])


def each_day(corners: list[tuple[int, float]], span: int) -> list[float]:
    """The line through `corners` read at the end of each day from 0 to `span`: a day with two
    corners (a move) reads the later; a day between two corners, the straight line's value."""
    read = []
    at = 0
    for day in range(span + 1):
        while at + 1 < len(corners) and corners[at + 1][0] <= day:
            at += 1
        (x0, y0) = corners[at]
        if x0 == day or at + 1 == len(corners):
            read.append(y0)
        else:
            x1, y1 = corners[at + 1]
            read.append(y0 + (y1 - y0) * (day - x0) / (x1 - x0))
    return read


def chart_of(kr: dict[str, Any], title: str | None = None) -> Chart | None:
    """The chart of a report's key result (see docs/templates.md), or None with fewer than two
    numeric check-ins, all of them (and any target move) on one day, or neither a target nor a
    keep band."""
    points = [
        c
        for c in kr.get("timeline") or kr.get("checkins", [])
        if is_number(c["value"])
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
        band = (as_float(keep.get("min")), as_float(keep.get("max")))
        ends += [v for v in band if v is not None]
    else:
        target = float(kr["target"])
        moves = tuple(
            (m["day"], float(m["from"]), float(m["to"])) for m in kr.get("target_moves") or []
        )
        ends += [target, float(kr["baseline"]), *(m[1] for m in moves)]
    first = min(c["day"] for c in points)
    if max(c["day"] for c in points) == first and all(day <= first for day, _, _ in moves):
        return None  # one day's check-ins draw no line through time
    low, high = min(ends), max(ends)
    pad = (high - low) * 0.1 or 1.0
    bottom = max(low - pad, 0.0) if low >= 0 else low - pad  # (no axis of tests below 0)
    digits = decimals(bottom, high + pad)
    return Chart(
        title=title or kr["title"],
        dates=[c["day"] for c in points],
        values=values,
        target=target,
        axis=kr.get("unit") or "value",
        low=round(bottom, digits),
        high=round(high + pad, digits),
        moves=moves,
        band=band,
        unit=kr.get("unit"),
    )


def reaching(charts: Mapping[str, Chart], as_of: str | None) -> dict[str, Chart]:
    """`charts` drawn on to `as_of` (ISO), the as-of day of a period still running (None: one
    that is over, whose charts end with its check-ins)."""
    return {body: replace(chart, as_of=as_of) for body, chart in charts.items()}


def mermaid_text(text: str) -> str:
    """A string as a Mermaid quoted string takes it: a `"` would end it (`'` instead), a line
    break would end the statement (a space instead), and a `<` (U+2039 instead) could open HTML in
    the label or in the Markdown around the fence."""
    return one_line(text).replace('"', "'").replace("<", "\u2039")


CHECKINS, TARGET, BAND, AS_OF = "#0969da", "#cf222e", "#1a7f37", "#57606a"
"""The colours of a report's charts (Mermaid, the HTML page's SVG, the mail's PNG): check-ins
blue, the target red, a keep band's bounds green, the as-of day grey, as the site's stylesheet
draws them too."""


def mermaid_body(chart: Chart, as_of: str | None = None) -> str:
    """The text inside the ```mermaid fence. Mermaid spaces a line's points evenly, so each
    line is read at every day (`each_day`): the x axis counts days, and a straight stretch
    between two check-ins is drawn as the dated charts draw it. Its colours are set in the
    fence by an `init` directive, which every Mermaid that draws an xychart reads (its default
    draws the check-ins in a faint lavender). A Mermaid line cannot stop short of its axis'
    end, so the chart ends at the last check-in; past it, the axis says the as-of day (ISO,
    while the period runs) and how far it is, or a month-old value reads as today's."""
    corners = chart.corners()
    axis = f"days since {chart.first_day}"
    if as_of is not None:
        today = (date.fromisoformat(as_of) - chart.first_day).days
        if today > corners.span:
            axis += f", to its last check-in (as of {as_of[5:]}: day {today})"
    digits = decimals(chart.low, chart.high)
    reference = BAND if chart.band is not None else TARGET
    palette = ", ".join([CHECKINS, *[reference] * len(corners.lines)])
    colours = {"themeVariables": {"xyChart": {"plotColorPalette": palette}}}
    lines = (corners.values, *corners.lines)
    return "\n".join(
        [
            f"%%{{init: {json.dumps(colours)}}}%%",
            "xychart-beta",
            f'    title "{mermaid_text(chart.title)}"',
            f'    x-axis "{axis}" 0 --> {corners.span}',
            f'    y-axis "{mermaid_text(chart.axis)}" {plain(chart.low, digits)} --> '
            f"{plain(chart.high, digits)}",
            *(
                f"    line [{', '.join(plain(v, digits) for v in each_day(line, corners.span))}]"
                for line in lines
            ),
        ]
    )


SERIES_STYLE = [
    f'stroke="{CHECKINS}" stroke-width="2.5"',
    'stroke-width="1.5" stroke-dasharray="6 4"',
]
FONT = 'font-family="Helvetica,Arial,sans-serif"'


def svg(chart: Chart) -> str:
    """The check-ins (solid, a dot on each day with one) and the target or the band's bounds
    (dashed, each labelled with its value in the number's unit, as the mail's PNG does) as an
    inline SVG line chart, spaced by date; a moved target steps where it moved and says to what.
    While the period runs it reaches the as-of day, marked with an upright line. Under the axis:
    the first and last days (`as of 12-07`), and each check-in's day where it fits."""
    width, height, left, right, top, bottom = 560, 220, 56, 16, 30, 36
    low, high = chart.low, chart.high
    corners = chart.corners(to_as_of=True)
    reference = BAND if chart.band is not None else TARGET

    def x(day: int) -> float:
        return left + (width - left - right) * day / corners.span

    def y(v: float) -> float:
        return float(top + (height - top - bottom) * (1 - (v - low) / (high - low)))

    title = html.escape(chart.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{title}" '
        f'style="max-width:100%;height:auto;">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="18" font-size="13" {FONT} fill="#1f2328">{title}</text>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#d0d7de"/>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        f'stroke="#d0d7de"/>',
    ]
    for value in (low, high):
        parts.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" font-size="11" '
            f'text-anchor="end" {FONT} '
            f'fill="#57606a">{number(value)}</text>'  # as tables write it (`:g`: 1.5e+06)
        )
    first = chart.first_day
    as_of = None if chart.as_of is None else (date.fromisoformat(chart.as_of) - first).days
    for day in _labelled(corners, x, wide_end=0.0 if as_of is None else 36.0):
        label = (first + timedelta(days=day)).strftime("%m-%d")
        if day == as_of:
            label = f"as of {label}"
        anchor = "end" if day == as_of else "middle"  # (the last day: `as_of` ends the span)
        parts.append(
            f'<text x="{x(day):.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="{anchor}" {FONT} fill="#57606a">{label}</text>'
        )
    if as_of is not None:
        parts.append(
            f'<line x1="{x(as_of):.1f}" y1="{top}" x2="{x(as_of):.1f}" y2="{height - bottom}" '
            f'stroke="{AS_OF}" stroke-width="1"/>'
        )
    for index, line in enumerate((corners.values, *corners.lines)):
        points = " ".join(f"{x(day):.1f},{y(v):.1f}" for day, v in line)
        style = SERIES_STYLE[0] if index == 0 else f'stroke="{reference}" {SERIES_STYLE[1]}'
        parts.append(f'<polyline fill="none" {style} points="{points}"/>')
    parts += [
        f'<circle cx="{x(day):.1f}" cy="{y(v):.1f}" r="3" fill="{CHECKINS}"/>'
        for day, v in corners.values
    ]
    for (name, _), line in zip(chart.references(), corners.lines, strict=True):
        said = [(line[0], "start", f"{name} {chart.amount(line[0][1])}")]
        if line[-1][1] != line[0][1]:
            said.append((line[-1], "end", f"moved to {chart.amount(line[-1][1])}"))
        parts += [
            f'<text x="{x(day) + (4 if anchor == "start" else 0):.1f}" y="{y(v) - 4:.1f}" '
            f'font-size="11" text-anchor="{anchor}" {FONT} fill="{reference}">{text}</text>'
            for (day, v), anchor, text in said
        ]
    parts.append("</svg>")
    return "<p>" + "".join(parts) + "</p>\n"


def _labelled(
    corners: Corners, x: Callable[[int], float], room: float = 40.0, wide_end: float = 0.0
) -> list[int]:
    """The days written under the axis: the first and the last, then each check-in's day that
    leaves `room` pixels to every label already placed (`wide_end` more to the last, an `as
    of 12-07` that ends there)."""
    placed = [0, corners.span]
    for day, _ in corners.values:
        clear = all(abs(x(day) - x(other)) >= room for other in placed)
        if clear and x(corners.span) - x(day) >= room + wide_end:
            placed.append(day)
    return sorted(placed)


def decimals(low: float, high: float) -> int:
    """The decimals that tell apart a thousandth of an axis from `low` to `high`: a rate of
    0.001 to 0.005 is not drawn as 0 to 0.01, nor a count of thousands with cents."""
    return max(0, 3 - math.floor(math.log10(high - low)))


def plain(value: float, digits: int = 2) -> str:
    """A number as Mermaid reads it: no thousands separators, `digits` decimals at most."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text

"""A key result's period as an inline SVG for the site: its check-ins (each point's date, value,
confidence and note on hover), the target, the expected pace from baseline to target, the
forecast to the period's end, and the as-of day while the period runs. No script, no network:
the page draws it by itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache, partial
from html import escape
from typing import Any

from okrctl.model.bounds import is_number
from okrctl.render.textformat import cents_among, number, with_unit

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 16, 40
FONT = 'font-family="system-ui,Helvetica,Arial,sans-serif"'
AXES = (
    f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" class="axis"/>'
    f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
    f'class="axis"/>'
)


def _x(day: float, days: int) -> float:
    """Where `day` of a period of `days` days stands on the chart (clamped to the period)."""
    return LEFT + (WIDTH - LEFT - RIGHT) * min(max(day / days, 0.0), 1.0)


START_X, END_X = _x(0, 1), _x(1, 1)
"""Where every period starts and ends on the chart."""


@lru_cache(maxsize=64)
def _frame(first_day: str, last_day: str) -> tuple[date, int, str]:
    """A period's first day, its length in days, and the two dates under the axis: the same
    for every chart of a site (a site draws one per key result)."""
    start = date.fromisoformat(first_day)
    days = max((date.fromisoformat(last_day) - start).days + 1, 1)
    ticks = "".join(
        f'<text x="{_x(day, days):.1f}" y="{HEIGHT - BOTTOM + 18}" '
        f'text-anchor="middle" {FONT} class="tick">{escape(label)}</text>'
        for label, day in ((first_day[5:], 0), (last_day[5:], days))
    )
    return start, days, ticks


@lru_cache(maxsize=64)
def _as_of_mark(as_of: str, start: date, days: int) -> str:
    """An upright line at the end of the as-of day, `as of 12-07` under the axis where it
    clears the period's own dates: a line that ends weeks before it has gone quiet that long
    (the check-ins alone drew a month-old last value as if it were today's)."""
    x = _x(float((date.fromisoformat(as_of) - start).days + 1), days)
    mark = (
        f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}" class="as-of">'
        f"<title>as of {escape(as_of)}</title></line>"
    )
    if LEFT + 60 <= x <= WIDTH - RIGHT - 60:
        mark += (
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" {FONT} '
            f'class="tick">as of {escape(as_of[5:])}</text>'
        )
    return mark


@lru_cache(maxsize=64)
def _x_texts(start: date, days: int) -> dict[str, str]:
    """Where each check-in's moment stands across the charts of a period, as the SVG writes
    it: one commit checks in many numbers, and a site draws 18,000 charts at 2,000 teams."""
    return {}


_PLAIN_NUMBERS = (int, float)
"""A check-in's value is most often one of these exactly (`is_number` answers for the rest)."""

_PLAIN_CONFIDENCES = (type(None), int, float)
"""A confidence written as nothing but digits, a sign and a point: no escaping in a hover."""


@lru_cache(maxsize=4096)
def _said_after(note: str) -> str:
    """A check-in's note as its hover ends, escaped: one commit's note is on many numbers."""
    return escape(f" — {note}")


@lru_cache(maxsize=4096)
def _date(text: str) -> date:
    """A check-in's day (one commit checks in many numbers)."""
    return date.fromisoformat(text)


def _legend(derived: bool, bounds: bool, forecast: bool) -> str:
    references = (
        '<span class="key target">- - keep band</span>'
        if bounds
        else '<span class="key target">- - target</span> '
        '<span class="key pace">··· expected pace</span>'
    )
    return (
        '<p class="legend"><span class="key actual">'
        + ("— from its sources" if derived else "— check-ins")
        + "</span> "
        + references
        + (' <span class="key forecast">- - forecast</span>' if forecast else "")
        + "</p>"
    )


_LEGENDS = {
    (derived, bounds, forecast): _legend(derived, bounds, forecast)
    for derived in (False, True)
    for bounds in (False, True)
    for forecast in (False, True)
}


def period_chart(kr: dict[str, Any], period: dict[str, Any]) -> str:
    """The SVG of a numeric key result over `period` (the report context's), or a sentence when
    there is nothing to draw. (A site draws one per key result: 18,000 at 2,000 teams, hence
    the arithmetic written out; a number needs no escaping, the words around it do.)"""
    get = kr.get
    points = [
        c
        for c in get("timeline") or get("checkins", [])
        if type(c["value"]) in _PLAIN_NUMBERS or is_number(c["value"])
    ]
    keep = get("keep") if get("shape") == "keep" else None
    bounds = [(n, float(keep[n])) for n in ("min", "max") if keep and is_number(keep.get(n))]
    numeric = get("target") is not None and get("baseline") is not None
    if not (get("shape") == "numeric" and numeric) and not bounds:
        return ""
    if not points:
        if get("derived"):
            return '<p class="no-data">Its sources have no check-ins yet this period.</p>'
        return '<p class="no-data">No check-ins yet this period.</p>'
    start, days, date_ticks = _frame(period["start"], period["last_day"])
    forecast = get("forecast") if not bounds else None
    values = [float(c["value"]) for c in points]
    moves = [(m["day"], float(m["from"]), float(m["to"])) for m in get("target_moves") or []]
    if bounds:
        ends = [*values, *(v for _, v in bounds)]
    else:
        baseline, target = float(kr["baseline"]), float(kr["target"])
        ends = [*values, baseline, target, *(old for _, old, _ in moves)]
    heading = float(forecast["value"]) if forecast and is_number(forecast.get("value")) else None
    if heading is not None:
        ends.append(heading)
    cents = cents_among(ends, get("unit"))  # one amount with cents: every hover has them
    low, high = min(ends), max(ends)
    pad = (high - low) * 0.08 or 1.0
    low, high = low - pad, high + pad
    span = high - low
    tall = HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return TOP + tall * (1 - (value - low) / span)

    def day_of(text: str) -> float:
        return float((_date(text[:10]) - start).days)

    title = escape(f"{kr['title']}: check-ins against the target")
    unit = get("unit")
    start_x, end_x = START_X, END_X
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{title}">{AXES}'
        f'<text x="{LEFT - 6}" y="{y(low + pad) + 4:.1f}" text-anchor="end" {FONT} '
        f'class="tick">{number(round(low + pad, 4))}</text>'
        f'<text x="{LEFT - 6}" y="{y(high - pad) + 4:.1f}" text-anchor="end" {FONT} '
        f'class="tick">{number(round(high - pad, 4))}</text>{date_ticks}'
    ]
    as_of = period.get("as_of")
    if as_of and not period.get("over"):
        parts.append(_as_of_mark(as_of, start, days))
    if bounds:
        for name, bound in bounds:
            parts.append(
                f'<line x1="{start_x:.1f}" y1="{y(bound):.1f}" x2="{end_x:.1f}" '
                f'y2="{y(bound):.1f}" class="target"><title>keep {name} '
                f"{escape(with_unit(bound, unit, cents=cents))}</title></line>"
            )
    else:
        target_y = f"{y(target):.1f}"
        if moves:
            x = partial(_x, days=days)
            steps = _target_steps(moves, target, unit, x, y, day_of, days, cents)
        else:  # (most targets never move: the same line, its two ends written out)
            said = escape(f"target {with_unit(target, unit, cents=cents)}")
            steps = (
                f'<polyline fill="none" class="target" points="{start_x:.1f},{target_y} '
                f'{end_x:.1f},{target_y}"><title>{said}</title></polyline>'
            )
        parts.append(steps)
        parts.append(
            f'<line x1="{start_x:.1f}" y1="{y(baseline):.1f}" x2="{end_x:.1f}" '
            f'y2="{target_y}" class="pace"><title>expected pace, baseline to target'
            f"</title></line>"
        )
    across = _x_texts(start, days)
    coordinates = []
    for c, value in zip(points, values, strict=True):
        moment = c["date"]
        px = across.get(moment)
        if px is None:
            px = across[moment] = f"{_x(day_of(moment), days):.1f}"
        coordinates.append((px, f"{TOP + tall * (1 - (value - low) / span):.1f}"))  # y(value)
    parts.append(
        '<polyline class="actual" fill="none" points="'
        + " ".join([f"{px},{py}" for px, py in coordinates])
        + '"/>'
    )
    if heading is not None:
        px, py = coordinates[-1]
        parts.append(
            f'<line x1="{px}" y1="{py}" x2="{end_x:.1f}" y2="{y(heading):.1f}" class="forecast">'
            f"<title>forecast {escape(with_unit(heading, unit, cents=cents))} at the period's "
            "end</title>"
            "</line>"
        )
    plain_unit = unit is None or escape(unit) == unit  # (a day and a number need no escaping)
    for (px, py), checkin, value in zip(coordinates, points, values, strict=True):
        hover = f"{checkin['day']}: {with_unit(value, unit, cents=cents)}"
        confidence = checkin.get("confidence")
        if confidence is not None:
            hover += f", confidence {confidence}"
        if not (plain_unit and type(confidence) in _PLAIN_CONFIDENCES):
            hover = escape(hover)
        note = checkin.get("note")
        parts.append(
            f'<circle cx="{px}" cy="{py}" r="4" class="point"><title>{hover}'
            f'{_said_after(str(note)) if note else ""}</title></circle>'
        )
    parts.append("</svg>")
    parts.append(_LEGENDS[bool(get("derived")), bool(bounds), bool(forecast)])
    return "".join(parts)


def _target_steps(
    moves: list[tuple[str, float, float]],
    target: float,
    unit: str | None,
    x: Callable[[float], float],
    y: Callable[[float], float],
    day_of: Callable[[str], float],
    days: int,
    cents: bool,
) -> str:
    """The target across the period as a step: the old one up to the day it moved, the new
    one after (each hover names it, with `cents` as the chart's other amounts)."""
    opening = moves[0][1] if moves else target
    corners = [(0.0, opening)]
    for day, old, new in moves:
        when = min(max(day_of(day), 0.0), float(days))
        corners += [(when, old), (when, new)]
    corners.append((float(days), target))
    points = " ".join([f"{x(d):.1f},{y(v):.1f}" for d, v in corners])
    def shown(value: float) -> str:
        return with_unit(value, unit, cents=cents)

    said = f"target {shown(target)}" + "".join(
        f"; moved from {shown(old)} to {shown(new)} on {day}" for day, old, new in moves
    )
    return (
        f'<polyline fill="none" class="target" points="{points}"><title>{escape(said)}'
        f"</title></polyline>"
    )

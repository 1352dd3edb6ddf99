"""A key result's chart as a PNG, for email: Gmail and Outlook drop inline SVG, so the digest
embeds images (`cid:` parts) drawn by matplotlib (imported only here: it costs half a second).
Points are spaced by date; the target is a labelled line that steps where it was moved (a keep
band: its bounds); while the period runs the chart reaches the as-of day, marked; the axis names
its unit. Every text is drawn as written: matplotlib reads `$...$` as mathematics, and "from
$8.20 to $6.00 a month" came out as "from 8.20*to*6.00"."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from okrctl.render.charts import AS_OF, BAND, CHECKINS, TARGET, Chart


def _label(axes: Any, x: float, y: float, text: str, color: str) -> None:
    axes.annotate(
        text,
        xy=(x, y),
        xytext=(0, 4),
        textcoords="offset points",
        color=color,
        fontsize=8,
        parse_math=False,
    )


def _target_steps(chart: Chart, days: Any, mdates: Any) -> tuple[list[float], list[float]]:
    """The target as a step: the old one up to the day it moved, the new one after, across the
    check-ins' days (and any move after the last of them)."""
    assert chart.target is not None
    first, last = float(days[0]), float(days[-1])
    target = chart.opening_target
    assert target is not None
    xs, ys = [first], [target]
    for day, old, new in chart.moves:
        when = max(float(mdates.date2num(date.fromisoformat(day))), first)
        xs += [when, when]
        ys += [old, new]
        last = max(last, when)
    xs.append(last)
    ys.append(ys[-1])
    return xs, ys


def chart_png(chart: Chart) -> bytes:
    return chart_image(chart, "png")


def chart_image(chart: Chart, kind: str) -> bytes:
    """The chart as an image file of `kind` (`png` for mail; `svg` keeps its words as text)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: draw to memory
    from matplotlib import dates as mdates
    from matplotlib import pyplot

    days = mdates.date2num([date.fromisoformat(d) for d in chart.dates])  # type: ignore[no-untyped-call]
    as_of, said = None, ""  # the as-of day on the axis, and its label
    if chart.as_of is not None:
        as_of = float(mdates.date2num(date.fromisoformat(chart.as_of)))  # type: ignore[no-untyped-call]
        said = f"as of {chart.as_of[5:]}"
    figure, axes = pyplot.subplots(figsize=(6.4, 2.6), dpi=100)
    try:
        axes.plot(days, chart.values, marker="o", color=CHECKINS, linewidth=2, label="check-ins")
        if chart.band is not None:
            for name, bound in chart.references():
                axes.axhline(bound, color=BAND, linestyle="--", linewidth=1.2)
                _label(axes, days[0], bound, f"{name} {chart.amount(bound)}", BAND)
        elif chart.target is not None:
            steps_x, steps_y = _target_steps(chart, days, mdates)
            moved_at = steps_x[-1]
            if as_of is not None and as_of > moved_at:  # on to the as-of day
                steps_x.append(as_of)
                steps_y.append(steps_y[-1])
            axes.plot(steps_x, steps_y, color=TARGET, linestyle="--", linewidth=1.2)
            _label(axes, days[0], steps_y[0], f"target {chart.amount(steps_y[0])}", TARGET)
            if chart.moves:
                moved = f"moved to {chart.amount(steps_y[-1])}"
                _label(axes, moved_at, steps_y[-1], moved, TARGET)
        if as_of is not None:  # a line that stops before it has gone quiet that long
            axes.axvline(as_of, color=AS_OF, linewidth=1)
            axes.annotate(
                said,
                xy=(as_of, 1),
                xycoords=("data", "axes fraction"),
                xytext=(-3, -10),
                textcoords="offset points",
                ha="right",
                color=AS_OF,
                fontsize=8,
                parse_math=False,
            )
            axes.set_xlim(right=max(axes.get_xlim()[1], as_of + 1))
        axes.set_ylim(chart.low, chart.high)
        axes.set_ylabel(chart.axis, fontsize=9, parse_math=False)
        axes.set_title(chart.title, fontsize=10, loc="left", parse_math=False)
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))  # type: ignore[no-untyped-call]
        axes.tick_params(labelsize=8)
        axes.grid(axis="y", color="#d0d7de", linewidth=0.6)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format=kind, metadata={"Software": None} if kind == "png" else None)
        return buffer.getvalue()
    finally:
        pyplot.close(figure)

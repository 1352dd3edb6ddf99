"""A key result's chart as a PNG, for email: Gmail and Outlook drop inline SVG, so the digest
embeds images (`cid:` parts) drawn by matplotlib (imported only here: it costs half a second).
Points are spaced by date, the target is a labelled line, the axis names its unit."""

from __future__ import annotations

import io
from datetime import date

from okrctl.render.charts import Chart


def chart_png(chart: Chart) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display: draw to memory
    from matplotlib import dates as mdates
    from matplotlib import pyplot

    days = mdates.date2num([date.fromisoformat(d) for d in chart.dates])  # type: ignore[no-untyped-call]
    figure, axes = pyplot.subplots(figsize=(6.4, 2.6), dpi=100)
    try:
        axes.plot(days, chart.values, marker="o", color="#0969da", linewidth=2, label="check-ins")
        axes.axhline(chart.target, color="#cf222e", linestyle="--", linewidth=1.2)
        axes.annotate(
            f"target {chart.target:g}",
            xy=(days[0], chart.target),
            xytext=(0, 4),
            textcoords="offset points",
            color="#cf222e",
            fontsize=8,
        )
        axes.set_ylim(chart.low, chart.high)
        axes.set_ylabel(chart.axis, fontsize=9)
        axes.set_title(chart.title, fontsize=10, loc="left")
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))  # type: ignore[no-untyped-call]
        axes.tick_params(labelsize=8)
        axes.grid(axis="y", color="#d0d7de", linewidth=0.6)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        pyplot.close(figure)

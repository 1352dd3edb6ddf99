"""A report as one standalone, email-safe HTML page: styles inline on each element (mail clients
drop <style> blocks and external sheets), no scripts, no external assets. The Mermaid charts a
template draws become inline SVG, since Mermaid itself needs JavaScript."""

from __future__ import annotations

import html
import re
from typing import Any

STYLES = {
    "body": "margin:0;padding:24px;background:#ffffff;color:#1f2328;"
    "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "font-size:15px;line-height:1.5;",
    "h1": "font-size:26px;margin:0 0 8px;",
    "h2": "font-size:20px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px;",
    "h3": "font-size:17px;margin:20px 0 6px;",
    "table": "border-collapse:collapse;margin:8px 0 16px;font-size:14px;",
    "th": "border:1px solid #d0d7de;padding:6px 10px;background:#f6f8fa;text-align:left;",
    "td": "border:1px solid #d0d7de;padding:6px 10px;vertical-align:top;",
    "code": "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;"
    "background:#f6f8fa;padding:1px 4px;border-radius:4px;",
    "blockquote": "margin:12px 0;padding:4px 12px;border-left:4px solid #d0d7de;color:#57606a;",
    "pre": "background:#f6f8fa;padding:12px;border-radius:6px;overflow:auto;",
}
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
</head>
<body style="{body_style}">
<div style="max-width:960px;margin:0 auto;">
{body}
</div>
</body>
</html>
"""
_TAG = re.compile(r"<(h1|h2|h3|table|th|td|code|blockquote|pre)(\s[^>]*)?>")


def _inline_styles(markup: str) -> str:
    def add(match: re.Match[str]) -> str:
        tag, attributes = match.group(1), match.group(2) or ""
        style = STYLES[tag]
        existing = re.search(r'style="([^"]*)"', attributes)
        if existing:
            attributes = attributes.replace(
                existing.group(0), f'style="{style}{existing.group(1)}"'
            )
            return f"<{tag}{attributes}>"
        return f'<{tag}{attributes} style="{style}">'

    return _TAG.sub(add, markup)


def _parse_xychart(spec: str) -> dict[str, Any] | None:
    lines = [line.strip() for line in spec.strip().splitlines()]
    if not lines or lines[0] != "xychart-beta":
        return None
    chart: dict[str, Any] = {"title": "", "labels": [], "series": [], "axis": "", "range": None}
    for line in lines[1:]:
        if line.startswith("title "):
            chart["title"] = line[6:].strip().strip('"')
        elif line.startswith("x-axis "):
            chart["labels"] = re.findall(r'"([^"]*)"', line)
        elif line.startswith("y-axis "):
            found = re.match(r'y-axis\s+"([^"]*)"\s+(-?[\d.]+)\s+-->\s+(-?[\d.]+)', line)
            if found:
                chart["axis"] = found.group(1)
                chart["range"] = (float(found.group(2)), float(found.group(3)))
        elif line.startswith("line "):
            chart["series"].append([float(v) for v in re.findall(r"-?[\d.]+", line[5:])])
    if not chart["series"] or chart["range"] is None or chart["range"][0] == chart["range"][1]:
        return None
    return chart


SERIES_STYLE = [
    'stroke="#0969da" stroke-width="2.5"',
    'stroke="#cf222e" stroke-width="1.5" stroke-dasharray="6 4"',
]


def chart_svg(spec: str) -> str:
    """Draw our xychart (check-ins, then the target) as an inline SVG line chart."""
    chart = _parse_xychart(spec)
    if chart is None:
        return f"<pre>{html.escape(spec)}</pre>"
    width, height, left, right, top, bottom = 560, 220, 56, 16, 30, 36
    low, high = chart["range"]
    count = max(len(s) for s in chart["series"])

    def x(i: int) -> float:
        return left + (width - left - right) * (i / max(count - 1, 1))

    def y(v: float) -> float:
        return float(top + (height - top - bottom) * (1 - (v - low) / (high - low)))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(chart["title"])}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="18" font-size="13" font-family="Helvetica,Arial,sans-serif" '
        f'fill="#1f2328">{html.escape(chart["title"])}</text>',
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
    for i, label in enumerate(chart["labels"]):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle" font-family="Helvetica,Arial,sans-serif" '
            f'fill="#57606a">{html.escape(label)}</text>'
        )
    for index, series in enumerate(chart["series"]):
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(series))
        style = SERIES_STYLE[min(index, len(SERIES_STYLE) - 1)]
        parts.append(f'<polyline fill="none" {style} points="{points}"/>')
    parts.append("</svg>")
    return "<p>" + "".join(parts) + "</p>\n"


def to_html(markdown: str, title: str) -> str:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
    renderer: Any = parser.renderer
    plain_fence = renderer.rules["fence"]

    def fence(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        if tokens[index].info.strip() == "mermaid":
            return chart_svg(tokens[index].content)
        return str(plain_fence(tokens, index, options, env))

    parser.add_render_rule("fence", fence)
    body = _inline_styles(parser.render(markdown))
    return PAGE.format(title=html.escape(title), body_style=STYLES["body"], body=body)

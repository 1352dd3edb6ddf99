"""A report as one standalone HTML page, for browsers: styles inline on each element (`css-inline`
moves them), no scripts, no external assets. The charts a template draws become inline SVG from
their data, since Mermaid itself needs JavaScript. Mail clients (Gmail, Outlook) drop inline
SVG: the digest `okrctl send` mails draws the same page with PNG images instead (`draw`, in
render/mail.py); see docs/send.md."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from okrctl.render.charts import Chart, svg

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
<style>{css}</style>
</head>
<body>
<div style="max-width:960px;margin:0 auto;">
{body}
</div>
</body>
</html>
"""
CSS = "\n".join(f"{tag} {{{style}}}" for tag, style in STYLES.items())


def to_html(
    markdown: str,
    title: str,
    charts: Mapping[str, Chart] | None = None,
    draw: Callable[[Chart], str] = svg,
) -> str:
    """`markdown` as a page; a ```mermaid fence whose text is in `charts` becomes that chart,
    drawn by `draw` (an inline SVG, or an email's `<img src="cid:...">`); any other fence stays
    text."""
    import css_inline
    from markdown_it import MarkdownIt

    known = charts or {}
    parser = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
    renderer: Any = parser.renderer
    plain_fence = renderer.rules["fence"]

    def fence(renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        token = tokens[index]
        if token.info.strip() == "mermaid":
            drawn = known.get(token.content)
            if drawn is not None:
                return draw(drawn)
            return f"<pre>{html.escape(token.content)}</pre>\n"
        return str(plain_fence(tokens, index, options, env))

    parser.add_render_rule("fence", fence)
    page = PAGE.format(title=html.escape(title), css=CSS, body=parser.render(markdown))
    return str(css_inline.inline(page))

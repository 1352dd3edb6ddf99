"""The site's small pieces of HTML as filters: a status badge with its words, a score, a link to
a unit or a ref. Python functions, not Jinja macros: a 2,000-team site calls them 100,000 times,
and a macro call costs ten times as much. Each escapes what it is given."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from markupsafe import Markup

from okrctl.render.textformat import score_text, words


def badge(status: str | None) -> Markup:
    """A status or health as a coloured badge that also says it in words."""
    if not status:
        return Markup('<span class="badge none">no score</span>')
    return Markup(f'<span class="badge {escape(status)}">{escape(words(status))}</span>')


def score(value: float | None) -> Markup:
    return Markup(f'<span class="score">{escape(score_text(value))}</span>')


def unit_link(unit_id: str, by_id: Mapping[str, Any], root: str) -> Markup:
    """A link to a unit's page by its name, or its id as text when the site has no page."""
    unit = by_id.get(unit_id)
    if unit is None:
        return Markup(escape(unit_id))
    return Markup(
        f'<a href="{escape(root)}units/{escape(unit_id)}.html">{escape(unit["name"])}</a>'
    )


def ref_link(ref: str, root: str) -> Markup:
    """A link to the page (and anchor) of a ref; `mission` is the company's mission."""
    if ref == "mission":
        return Markup("the mission")
    unit_id, _, rest = ref.partition("/")
    anchor = f"#{escape(rest.split('/')[0])}" if rest else ""
    return Markup(f'<a href="{escape(root)}units/{escape(unit_id)}.html{anchor}">{escape(ref)}</a>')


SITE_FILTERS = {"badge": badge, "score_html": score, "unit_link": unit_link, "ref_link": ref_link}

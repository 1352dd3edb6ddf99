"""The site's small pieces of HTML as filters: a status badge with its words, a score, a link to
a unit or a ref. Python functions, not Jinja macros: a 2,000-team site calls them 100,000 times,
and a macro call costs ten times as much. Each escapes what it is given."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from markupsafe import Markup

from okrctl.render.markdown import value
from okrctl.render.textformat import score_text, words
from okrctl.render.trusted import escaped


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


_TABLE_START = (
    '<div class="table-wrap"><table>\n<thead><tr><th>day</th><th>value</th><th>confidence</th>'
    "<th>by</th><th>note</th></tr></thead>\n<tbody>\n"
)
_TABLE_END = "</tbody>\n</table></div>\n"
_NO_CHECKINS = '<p class="no-data">No check-ins yet this period.</p>\n'


def checkin_table(checkins: list[dict[str, Any]], unit: str | None) -> Markup:
    """A number's check-ins this period as a table (day, its value in `unit`, confidence,
    author, note: each escaped), or a line saying there are none. A unit page draws one per
    number, 20,000 at 2,000 teams: as a macro, its call alone was a tenth of the page."""
    if not checkins:
        return Markup(_NO_CHECKINS)
    rows = [_TABLE_START]
    for checkin in checkins:
        confidence = checkin["confidence"]
        shown = value(checkin["value"], unit)  # (the `value` filter the macro wrote it with)
        rows.append(
            f"<tr><td>{escaped(checkin['day'])}</td><td class=\"num\">{escaped(shown)}</td>"
            f"<td class=\"num\">{'' if confidence is None else escaped(confidence)}</td>"
            f"<td>{escaped(checkin['author'])}</td><td>{escaped(checkin['note'])}</td></tr>\n"
        )
    rows.append(_TABLE_END)
    return Markup("".join(rows))


_HELP_START = (
    '<div class="table-wrap"><table>\n<thead><tr><th>unit</th><th>off track</th>'
    "<th>critical KPIs</th><th>numbers gone quiet</th></tr></thead>\n<tbody>\n"
)


def help_table(wanted: list[dict[str, Any]], by_id: Mapping[str, Any], root: str) -> Markup:
    """The units that could use help (`help_wanted`, or its `most_in_need`) as a table: each
    unit's link, its objectives off track (each linked, with its badge), its KPIs critical and
    its numbers gone quiet (how long, and through which source). The `help_table` macro of
    `_macros.html.j2` draws it; the attention page lists every unit, 1,500 at 2,000 teams."""
    rows = [_HELP_START]
    to_units = f"{escaped(root)}units/"
    for entry in wanted:
        unit_id = entry["unit"]["id"]
        page = f"{to_units}{escaped(unit_id)}.html#"
        objectives = "<br>".join(
            [
                f'<a href="{page}{escaped(o["id"])}">{escaped(o["title"])}</a> '
                f'{badge(o["status"])}'
                for o in entry["objectives"]
            ]
        )
        kpis = "<br>".join(
            [f"{escaped(k['title'])} {_CRITICAL}" for k in entry["kpis"]]
        )
        quiet = "<br>".join([_quiet(number) for number in entry["stale"]])
        rows.append(
            f"<tr>\n<td>{unit_link(unit_id, by_id, root)}</td>\n<td>{objectives}</td>\n"
            f"<td>{kpis}</td>\n<td>{quiet}</td>\n</tr>\n"
        )
    rows.append("</tbody>\n</table></div>")
    return Markup("".join(rows))


_CRITICAL = '<span class="badge critical">critical</span>'


def _quiet(number: dict[str, Any]) -> str:
    through = number["quiet_through"]
    source = f", its source {escaped(through)}" if through else ""
    return f"{escaped(number['title'])} ({escaped(number['quiet_for'])}{source})"


SITE_FILTERS = {
    "badge": badge,
    "score_html": score,
    "unit_link": unit_link,
    "ref_link": ref_link,
    "checkin_table": checkin_table,
    "help_table": help_table,
}

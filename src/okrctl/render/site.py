"""`okrctl site`: the company as a folder of static HTML pages, drawn through Jinja like the
reports (a goals repository's `templates/site/` overrides any page), escaped everywhere, with
inline SVG charts and no network at view time. Every page is complete without JavaScript; the
search box on the index only filters a list that is already there."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from okrctl.render.markdown import FILTERS, template_environment
from okrctl.render.report_context import CONTEXT_NAMES
from okrctl.render.site_charts import period_chart
from okrctl.render.site_draw import period_page, render_page, render_units
from okrctl.render.site_filters import SITE_FILTERS
from okrctl.views.site import SiteRequest

SITE_NAMES = frozenset(
    {*CONTEXT_NAMES, "by_id", "objectives_by_ref", "retros", "retro", "base_url", "alignment"}
    | {"unit", "root", "page"}
)
"""Every name a page of the site is given (docs/templates.md)."""


def _builtin_folder() -> Path:
    from okrctl.render.markdown import BUILTIN

    return BUILTIN / "site"


def environment(user_templates: Path | None) -> Any:
    """The site's environment: HTML autoescaping on, so a title is always text."""
    from markupsafe import Markup

    filters = {
        **FILTERS,
        **SITE_FILTERS,
        "period_chart": lambda kr, period: Markup(period_chart(kr, period)),
    }
    return template_environment(_builtin_folder(), user_templates, filters, autoescape=True)


def site_pages(request: SiteRequest, write: Callable[[str, str | bytes], None]) -> list[str]:
    """Draw every page of the site, then write each through `write` (its path inside the output
    folder, its HTML as text or UTF-8 bytes); the paths written. Nothing is written before every
    page is drawn, so a template error writes nothing; a forked child writes the pages it drew
    (`render/site_shares.py`)."""
    from okrctl.render.markdown import Parsed, names_used
    from okrctl.render.report_context import build_context, unit_cost
    from okrctl.render.site_shares import (
        Shares,
        UnitsDrawnElsewhere,
        drawn_from_own_units,
        shared_out,
    )
    from okrctl.store.forks import processes_for

    env = environment(request.user_templates)
    retros = [
        {"name": name, "page": period_page(name), "html": _retro_html(result)}
        for name, result in request.retros.items()
    ]
    basics = {"retros": retros, "base_url": request.base_url}
    parsed: Parsed = {}
    read = {page: names_used(env, f"{page}.html.j2", parsed) for page in PAGES}
    elsewhere = None  # (on one core, the whole context: the way a page is drawn alone)
    if processes_for(len(request.report.scoring.order)) > 1 and drawn_from_own_units(
        read["unit"], SITE_NAMES
    ):
        elsewhere = UnitsDrawnElsewhere(env, basics, write)  # children start as units are built
    shares = elsewhere.shares if elsewhere is not None else Shares()
    try:
        context = build_context(request.report, _every(read.values()), units_built=elsewhere)
        units = context["units"]
        shared = {
            **context,
            "by_id": {u["id"]: u for u in units},
            "objectives_by_ref": {o["ref"]: o for u in units for o in u["all_objectives"]},
            **basics,
            "alignment": _alignment(units),
        }
        if elsewhere is None:
            graph = request.report.snapshot.graph
            costs = [unit_cost(graph, unit["id"]) for unit in units]
            shares = shared_out(env, shared, units, costs, write)  # children start on theirs
        shares.shared = shared
        pages: dict[str, str] = {"site.css": _stylesheet(env)}
        pages["index.html"] = render_page(env, "index", shared, page="index.html")
        pages["alignment.html"] = render_page(env, "alignment", shared, page="alignment.html")
        pages["attention.html"] = render_page(env, "attention", shared, page="attention.html")
        for entry in retros:
            pages[entry["page"]] = render_page(
                env, "period", {**shared, "retro": entry}, page=entry["page"]
            )
        if elsewhere is not None:  # (drawn as this process built its units)
            pages.update(elsewhere.pages_here)
            pages.update(render_units(env, shared, elsewhere.deferred))  # (supporters now in)
        else:
            pages.update(render_units(env, shared, units[: shares.here]))
        for share in shares.steps:
            share.prepare_here_unless_done()  # (a child's template error is raised here)
        for share in shares.steps:
            share.go()
        for path, page in pages.items():
            write(path, page)
        return [*pages, *(path for share in shares.steps for path in share())]
    finally:
        shares.abandon()  # (after an error, the children's pages are not written)


PAGES = ("index", "alignment", "attention", "period", "unit")
"""The site's templates, each named `<page>.html.j2`."""


def _every(names: Iterable[frozenset[str] | None]) -> frozenset[str] | None:
    """Every name the pages mention (None when one may read any): the summaries none reads are
    not gathered (the built-in pages read `help_wanted` alone of the four: 0.04 s at 2,000
    teams)."""
    found: set[str] = set()
    for used in names:
        if used is None:
            return None
        found |= used
    return frozenset(found)


def _stylesheet(env: Any) -> str:
    """`site.css`, the one stylesheet every page links (a repository may override it): a link
    that leads out of templates/site/, or nowhere, is a located message, never a traceback."""
    from jinja2 import TemplateNotFound

    from okrctl.model.errors import OkrctlError
    from okrctl.render.markdown import TemplateOutside

    try:
        source, _, _ = env.loader.get_source(env, "site.css")
    except TemplateOutside as exc:
        raise OkrctlError(f"templates/site/site.css: {exc}") from None
    except TemplateNotFound:
        raise OkrctlError(
            "templates/site/site.css: cannot be read (a symbolic link that leads nowhere?)"
        ) from None
    return str(source)


def _alignment(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every objective with what supports it, weakest first (no score counts as weakest)."""
    rows = [o for u in units for o in u["all_objectives"]]
    return sorted(rows, key=lambda o: (o["score"] is not None, o["score"] or 0.0, o["ref"]))


def _retro_html(result: Any) -> Any:
    """A closed period's retro as HTML (what renders it is imported only for a site that has
    one)."""
    from okrctl.render.commands import retro_markdown

    return _markdown_html(retro_markdown(result))


def _markdown_html(markdown: str) -> Any:
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    return Markup(parser.render(markdown))



"""`okrctl site`: the company as a folder of static HTML pages, drawn through Jinja like the
reports (a goals repository's `templates/site/` overrides any page), escaped everywhere, with
inline SVG charts and no network at view time. Every page is complete without JavaScript; the
search box on the index only filters a list that is already there."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from okrctl.render.markdown import FILTERS, template_environment
from okrctl.render.site_charts import period_chart
from okrctl.render.site_filters import SITE_FILTERS
from okrctl.views.site import SiteRequest

if TYPE_CHECKING:
    from okrctl.store.forks import TwoSteps


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


def unit_page(unit_id: str) -> str:
    return f"units/{unit_id}.html"


def period_page(name: str) -> str:
    return f"periods/{name}.html"


def site_pages(request: SiteRequest, write: Callable[[str, str | bytes], None]) -> list[str]:
    """Draw every page of the site, then write each through `write` (its path inside the output
    folder, its HTML as text or UTF-8 bytes); the paths written. Nothing is written before every
    page is drawn, so a template error writes nothing; a forked child writes the pages it drew."""
    from okrctl.render.commands import retro_markdown
    from okrctl.render.report_context import build_context

    context = build_context(request.report)
    units = context["units"]
    by_id = {u["id"]: u for u in units}
    objectives = {o["ref"]: o for u in units for o in u["all_objectives"]}
    retros = [
        {"name": name, "page": period_page(name), "html": _markdown_html(retro_markdown(result))}
        for name, result in request.retros.items()
    ]
    shared = {
        **context,
        "by_id": by_id,
        "objectives_by_ref": objectives,
        "retros": retros,
        "base_url": request.base_url,
        "alignment": _alignment(units),
    }
    env = environment(request.user_templates)
    pages: dict[str, str] = {"site.css": _stylesheet(env)}
    here, elsewhere = _shared_out(env, shared, units, write)  # children start on theirs now
    try:
        pages["index.html"] = _render(env, "index", shared, page="index.html")
        pages["alignment.html"] = _render(env, "alignment", shared, page="alignment.html")
        for entry in retros:
            pages[entry["page"]] = _render(
                env, "period", {**shared, "retro": entry}, page=entry["page"]
            )
        pages.update(_render_units(env, shared, here))
        for share in elsewhere:
            share.prepare_here_unless_done()  # (a child's template error is raised here)
        for share in elsewhere:
            share.go()
        for path, page in pages.items():
            write(path, page)
        return [*pages, *(path for share in elsewhere for path in share())]
    finally:
        for share in elsewhere:
            share.abandon()  # (an error drawing the other pages: theirs are not written)


BESIDE = 0.2
"""This process draws the index and the alignment pages, and that share of all unit pages
fewer than an even share (those two pages cost 0.4 s beside 1.8 s for the unit pages at 2,000
teams). Tuned at 2,000 teams on 2 cores, where this process draws 40 % of the unit pages and
ends with the child (0.25 left it waiting 0.05-0.1 s for the child; 0.15 gained nothing)."""


def _shared_out(
    env: Any,
    shared: dict[str, Any],
    units: list[dict[str, Any]],
    write: Callable[[str, str | bytes], None],
) -> tuple[list[dict[str, Any]], list[TwoSteps[list[tuple[str, bytes]], list[str]]]]:
    """The units whose pages this process draws, and the work of the forked children (one core
    fewer than okrctl may use) that start at once on the last ones: each draws its pages and,
    once told to, writes them itself (measured at 2,000 teams on 2 cores: sending them here to
    be written cost this process 0.2 s). A worker pool was slower: each slice sent as it is
    done, a thread of this process, starved of the interpreter while it draws, took them in
    slowly."""
    from okrctl.store.forks import elsewhere_in_two_steps, processes_for

    cores = processes_for(len(units))
    if cores < 2:
        return units, []
    mine = max(0, int(len(units) * ((1 + BESIDE) / cores - BESIDE)))
    ends = [mine + (len(units) - mine) * n // (cores - 1) for n in range(cores)]

    def drawn(part: list[dict[str, Any]]) -> Callable[[], list[tuple[str, bytes]]]:
        return lambda: [(path, page.encode()) for path, page in _render_units(env, shared, part)]

    def written(pages: list[tuple[str, bytes]]) -> list[str]:
        for path, page in pages:
            write(path, page)
        return [path for path, _ in pages]

    return units[:mine], [
        elsewhere_in_two_steps(drawn(units[start:end]), written)
        for start, end in pairwise(ends)
    ]


def _render_units(
    env: Any, shared: dict[str, Any], units: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    pages = []
    for unit in units:
        path = unit_page(unit["id"])
        pages.append((path, _render(env, "unit", {**shared, "unit": unit}, page=path)))
    return pages


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


def _markdown_html(markdown: str) -> Any:
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    return Markup(parser.render(markdown))


def _render(env: Any, name: str, context: dict[str, Any], *, page: str) -> str:
    """One page; `root` leads back to the site's folder from it, so every link is relative."""
    from okrctl.render.markdown import render_with

    root = "../" * page.count("/")
    return render_with(
        env, f"{name}.html.j2", {**context, "root": root, "page": page}, folder="site"
    )



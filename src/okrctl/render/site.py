"""`okrctl site`: the company as a folder of static HTML pages, drawn through Jinja like the
reports (a goals repository's `templates/site/` overrides any page), escaped everywhere, with
inline SVG charts and no network at view time. Every page is complete without JavaScript; the
search box on the index only filters a list that is already there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from okrctl.render.markdown import FILTERS, contained_loader
from okrctl.render.site_charts import period_chart
from okrctl.render.site_filters import SITE_FILTERS
from okrctl.views.site import SiteRequest


def _builtin_folder() -> Path:
    from okrctl.render.markdown import BUILTIN

    return BUILTIN / "site"


def environment(user_templates: Path | None) -> Any:
    """The reports' sandbox and budget, with HTML autoescaping on: a title is always text."""
    from jinja2 import ChoiceLoader, PrefixLoader, StrictUndefined
    from markupsafe import Markup

    from okrctl.render.template_budget import Budget, BudgetedEnvironment, bounded_range

    builtin = contained_loader(_builtin_folder())
    loaders: list[Any] = []
    if user_templates is not None and user_templates.is_dir():
        loaders.append(contained_loader(user_templates))
    loaders += [PrefixLoader({"default": builtin}, delimiter=":"), builtin]
    env = BudgetedEnvironment(
        Budget(),
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.filters.update(SITE_FILTERS)
    env.filters["period_chart"] = lambda kr, period: Markup(period_chart(kr, period))
    env.filters = {name: env.bounded_filter(name, f) for name, f in env.filters.items()}
    env.globals["range"] = bounded_range(env)
    env.globals.pop("lipsum", None)
    return env


def unit_page(unit_id: str) -> str:
    return f"units/{unit_id}.html"


def period_page(name: str) -> str:
    return f"periods/{name}.html"


def site_pages(request: SiteRequest) -> dict[str, str]:
    """Every page of the site, by its path inside the output folder."""
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
    pages["index.html"] = _render(env, "index", shared, page="index.html")
    pages["alignment.html"] = _render(env, "alignment", shared, page="alignment.html")
    for unit in units:
        path = unit_page(unit["id"])
        pages[path] = _render(env, "unit", {**shared, "unit": unit}, page=path)
    for entry in retros:
        pages[entry["page"]] = _render(
            env, "period", {**shared, "retro": entry}, page=entry["page"]
        )
    return pages


def _stylesheet(env: Any) -> str:
    """`site.css`, the one stylesheet every page links (a repository may override it)."""
    source, _, _ = env.loader.get_source(env, "site.css")
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


def build_site(request: SiteRequest, folder: Path, *, force: bool = False) -> Any:
    """Render every page and write them into `folder` (see `store.site_files.write_site`)."""
    from okrctl.store.site_files import write_site

    return write_site(folder, site_pages(request), force=force)

"""One page of the site drawn through its template: the unit pages by the hundred, wherever a
process draws them (`render/site_shares.py`)."""

from __future__ import annotations

from typing import Any


def unit_page(unit_id: str) -> str:
    return f"units/{unit_id}.html"


def period_page(name: str) -> str:
    return f"periods/{name}.html"


def render_page(env: Any, name: str, context: dict[str, Any], *, page: str) -> str:
    """One page; `root` leads back to the site's folder from it, so every link is relative."""
    from okrctl.render.markdown import render_with

    root = "../" * page.count("/")
    return render_with(
        env, f"{name}.html.j2", {**context, "root": root, "page": page}, folder="site"
    )


def render_units(
    env: Any, shared: dict[str, Any], units: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """The page of each of `units`, by its path, in order."""
    pages = []
    for unit in units:
        path = unit_page(unit["id"])
        pages.append((path, render_page(env, "unit", {**shared, "unit": unit}, page=path)))
    return pages


def encoded_units(
    env: Any, shared: dict[str, Any], units: list[dict[str, Any]]
) -> list[tuple[str, bytes]]:
    """The same pages as the UTF-8 bytes a forked child writes."""
    return [(path, page.encode()) for path, page in render_units(env, shared, units)]

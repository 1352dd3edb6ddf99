"""`okrctl site OUT`: the static site of the whole company, gathered from the goals, their
history and the closed periods (docs/commands.md, "The company as a dashboard")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from okrctl.store.site_files import Written
from okrctl.store.snapshot import take_snapshot
from okrctl.store.workspace import Workspace
from okrctl.views.report import report_of
from okrctl.views.site import CLOSED_TAGS, SiteRequest

if TYPE_CHECKING:
    from okrctl.views.retro import Retro


@dataclass(frozen=True, slots=True)
class Built:
    """A site written: where, how many files, how many old ones removed; notes for stderr."""

    written: Written
    notes: list[str]


def site(
    repo: Workspace | Path | str | None,
    out: Path,
    *,
    at: str | None = None,
    as_of: date | None = None,
    base_url: str = "",
    force: bool = False,
) -> Built:
    """Gather the site's data, render every page and write them into `out` (never through a
    link; a folder holding other files only with `force`)."""
    from okrctl.render.site import site_pages
    from okrctl.store.site_files import SiteFolder

    request = site_data(repo, at=at, as_of=as_of, base_url=base_url)
    folder = SiteFolder.opened(out, force=force)  # (refused before anything is drawn)
    return Built(folder.finish(site_pages(request, folder.write)), request.notes)


def site_data(
    repo: Workspace | Path | str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
    base_url: str = "",
) -> SiteRequest:
    """The data of `okrctl site`: the company report (with `--at`/`--as-of` as `report`
    reads them) and the retro of every period closed with `okrctl close`."""
    from okrctl.store.git import writes as git_writes

    workspace = Workspace.of(repo)
    with workspace.writing_beside():  # (a fresh clone's caches)
        snapshot = take_snapshot(workspace, at=at, as_of=as_of, history_soon=True)
        request = report_of(snapshot, None, None, "company")  # no `changes`: the site has none
        retros: dict[str, Retro] = {}
        top = workspace.top
        if top is not None:
            closed = sorted(git_writes.tags(top, CLOSED_TAGS), reverse=True)
            if closed:  # (what a retro needs is imported only then)
                from okrctl.commands.retro import retro

                for tag in closed:
                    name = tag.removeprefix("okr/")
                    retros[name] = retro(workspace, name)
    return SiteRequest(request, retros, base_url.rstrip("/"), list(snapshot.notes))

"""`okrctl site` as a library call: what the static dashboard is made of (the company report's
data for every unit, and the retro of every closed period), gathered once; `okrctl.render.site`
turns it into pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from okrctl.store.snapshot import take_snapshot
from okrctl.store.workspace import Workspace
from okrctl.views.report import ReportRequest, report_of
from okrctl.views.retro import Retro

CLOSED_TAGS = "okr/*"


@dataclass(frozen=True, slots=True)
class SiteRequest:
    report: ReportRequest
    """The whole company, scored with its history: every unit's page is drawn from it."""
    retros: dict[str, Retro] = field(default_factory=dict)
    """Each closed period (an `okr/PERIOD` tag), by name."""
    base_url: str = ""
    """Where the site will be served: each page's canonical link ("" for none). Links between
    pages are always relative."""
    notes: list[str] = field(default_factory=list)

    @property
    def user_templates(self) -> Path:
        """A goals repository's own `templates/site/` wins over the built-in pages."""
        return self.report.snapshot.repository.root / "templates" / "site"


def site(
    repo: Workspace | Path | str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
    base_url: str = "",
) -> SiteRequest:
    """The data of `okrctl site`: the company report (with `--at`/`--as-of` as `report`
    reads them) and the retro of every period closed with `okrctl close`."""
    from okrctl.store import gitlog
    from okrctl.views.retro import retro

    workspace = Workspace.of(repo)
    snapshot = take_snapshot(workspace, at=at, as_of=as_of)
    request = report_of(snapshot, None, None, "company")  # no `changes`: the site shows none
    retros: dict[str, Retro] = {}
    top = workspace.top
    if top is not None:
        for tag in sorted(gitlog.tags(top, CLOSED_TAGS), reverse=True):
            name = tag.removeprefix("okr/")
            retros[name] = retro(workspace, name)
    return SiteRequest(request, retros, base_url.rstrip("/"), list(snapshot.notes))

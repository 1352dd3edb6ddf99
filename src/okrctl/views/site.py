"""What the static dashboard is made of: the company report's data for every unit and the retro
of every closed period, gathered once (by `commands/site.py`); `okrctl.render.site` turns it
into pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from okrctl.views.report import ReportRequest

if TYPE_CHECKING:  # (imported where a period is closed: most sites have none yet)
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

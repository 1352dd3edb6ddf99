"""`okrctl report [SCOPE]`: the data of a report (a snapshot, its scorecard, history and what
changed since `--since`); `okrctl.render.markdown.render_report` turns it into text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from okrctl.store.snapshot import take_snapshot
from okrctl.store.workspace import Workspace
from okrctl.views.report import ReportRequest, report_of


def report(
    repo: Workspace | Path | str | None = None,
    scope: str | None = None,
    *,
    template: str | None = None,
    since: str = "14d",
    at: str | None = None,
    as_of: date | None = None,
) -> ReportRequest:
    """The data of `okrctl report`; `okrctl.render.markdown.render_report` turns it into text."""
    with Workspace.of(repo).writing_beside() as workspace:  # (a fresh clone's caches)
        snapshot = take_snapshot(workspace, at=at, as_of=as_of, history_soon=True)
        return report_of(snapshot, scope, since, template)

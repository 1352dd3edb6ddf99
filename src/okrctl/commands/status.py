"""`okrctl status [SCOPE]`: every unit's scores, trends and forecasts as of a moment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from okrctl.core.scorecard import (
    check_scope,
)
from okrctl.store.snapshot import take_snapshot
from okrctl.store.workspace import Workspace
from okrctl.views.status import Scored, score_snapshot


def status(
    repo: Workspace | Path | str | None = None,
    scope: str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
) -> Scored:
    """The cascade (or the units under `scope`) scored, with trends and forecasts from git."""
    with Workspace.of(repo).writing_beside() as workspace:  # (a fresh clone's caches)
        snapshot = take_snapshot(workspace, at=at, as_of=as_of, history_soon=True)
        scope = check_scope(snapshot.graph, scope)
        return score_snapshot(snapshot, scope, "trends and forecasts")

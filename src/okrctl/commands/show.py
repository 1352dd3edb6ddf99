"""`okrctl show REF`: one unit, objective, key result or KPI, with its why-ladder and what
supports it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from okrctl.commands.status import status
from okrctl.store.workspace import Workspace
from okrctl.views.show import Shown, page_of


def show(
    repo: Workspace | Path | str | None,
    ref: str,
    *,
    at: str | None = None,
    as_of: date | None = None,
) -> Shown:
    """A unit, objective, key result or KPI: numbers, why-ladder, what supports it."""
    scored = status(repo, at=at, as_of=as_of)
    return Shown(page_of(scored.card, scored.snapshot.graph, ref), scored)

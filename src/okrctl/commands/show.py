"""`okrctl show REF`: one unit, objective, key result or KPI, with its why-ladder and what
supports it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from okrctl.commands.status import status
from okrctl.store.workspace import Workspace
from okrctl.views.show import Heard, Shown, page_of
from okrctl.views.status import Scored


def show(
    repo: Workspace | Path | str | None,
    ref: str,
    *,
    at: str | None = None,
    as_of: date | None = None,
) -> Shown:
    """A unit, objective, key result or KPI: numbers, why-ladder, what supports it, and for a
    number when it was last checked in."""
    scored = status(repo, at=at, as_of=as_of)
    return Shown(page_of(scored.card, scored.snapshot.graph, ref, _heard(scored)), scored)


def _heard(scored: Scored) -> Callable[[str], Heard | None] | None:
    """A number's last check-in and silence, measured as `stale` measures it (docs/rules.md);
    none outside git."""
    from okrctl.core.staleness import quiet_of

    history = scored.history
    if history is None:
        return None
    card, graph = scored.card, scored.snapshot.graph
    limit = scored.snapshot.repository.config.config.stale_after_days

    def heard(ref: str) -> Heard | None:
        silence = quiet_of(graph, history, ref, card.moment.instant, card.period)
        return None if silence is None else Heard(silence, limit, card.moment.as_of)

    return heard

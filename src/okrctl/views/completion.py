"""Shell completion of unit ids and refs, read from the goals repository the command would use
(`--repo` when given, else the nearest okrctl.yaml above the current folder). Completion must
never fail loudly: a folder without goals, or goals that do not load, complete nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _graph(ctx: Any) -> Any:
    from okrctl.core.graph import build_graph
    from okrctl.model.errors import OkrctlError
    from okrctl.store.load import load_repo

    repo = ctx.params.get("repo") if ctx is not None else None
    try:
        return build_graph(load_repo(Path(repo) if repo else None))
    except (OkrctlError, OSError):
        return None


def _matching(words: list[str], incomplete: str) -> list[str]:
    return sorted(word for word in words if word.startswith(incomplete))


def units(ctx: Any, incomplete: str) -> list[str]:
    """SCOPE: unit ids."""
    graph = _graph(ctx)
    return [] if graph is None else _matching(list(graph.units), incomplete)


def refs(ctx: Any, incomplete: str) -> list[str]:
    """`show REF`: units, objectives, key results and KPIs."""
    graph = _graph(ctx)
    return [] if graph is None else _matching([*graph.units, *graph.all_refs()], incomplete)


def measured_refs(ctx: Any, incomplete: str) -> list[str]:
    """`checkin REF`, `history REF`: key results and KPIs, the things that take numbers."""
    graph = _graph(ctx)
    return [] if graph is None else _matching([*graph.key_results, *graph.kpis], incomplete)

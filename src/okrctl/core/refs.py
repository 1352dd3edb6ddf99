"""What a ref a person typed names, or a usage error that says what it might have meant."""

from __future__ import annotations

from okrctl.core.graph import MISSION, Graph, RefKind
from okrctl.core.suggest import Suggester
from okrctl.model.errors import UsageError


def check_ref(graph: Graph, ref: str) -> RefKind:
    kind = graph.kind_of(ref)
    if kind is None:
        close = Suggester([MISSION, *graph.units, *graph.all_refs()])(ref)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"{ref!r} names no unit, objective, key result or KPI{hint}")
    return kind

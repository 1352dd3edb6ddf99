"""The timeline of a derived number (docs/scoring.md, "Derived numbers"): it has no check-ins
of its own, so its trend is rebuilt from its sources' history, with a point whenever one of
them changes. A mirror's timeline is its source's; a sum's the running total of its sources';
a score from supporters the mean score of the aligned objectives, each scored from its key
results' values as they stood at that commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from okrctl.core import score as arithmetic
from okrctl.core.derive import Derivations, Derived, add_up, as_derived
from okrctl.model.bounds import as_float
from okrctl.model.goals import KeyResult, Objective

if TYPE_CHECKING:
    from okrctl.core.graph import Graph
    from okrctl.model.history import DatedValues, History

State = dict[int, Any]
"""The latest value of each source (by its position) at a moment."""


class DerivedTimeline:
    """Dated values of any key result or KPI, derived or not, for one trend run: each ref's
    timeline is built once (a sum of mirrors asks for the same source twice)."""

    def __init__(self, history: History, graph: Graph, opening: datetime | None) -> None:
        self.history, self.graph, self.opening = history, graph, opening
        self.derivations: Derivations = graph.derivations
        self._built: dict[str, DatedValues | None] = {}

    def dated(self, ref: str) -> DatedValues | None:
        """`ref`'s (date, value) points and its value at the period's opening commit; None when
        history knows nothing of it (or of any of its sources)."""
        if ref not in self._built:
            derived = self.derivations.values.get(ref)
            self._built[ref] = (
                self.history.dated_values(ref, self.opening)
                if derived is None
                else self._after_own(ref, self._derived(derived))
            )
        return self._built[ref]

    def _after_own(self, ref: str, derived: DatedValues | None) -> DatedValues | None:
        """A number checked in before it took its number `from:` others: its own check-ins up
        to the commit that took its value out of its file, its derived values from there (what
        its sources summed to before was no value it had)."""
        own = self.history.refs.get(ref)
        left = None if own is None or not own.checkins else own.value_left()
        if own is None or left is None:  # derived since it was written (or not committed yet)
            return derived
        points = [(c.date, c.value) for c in own.checkins if c.date < left]
        opening = own.value_at(self.opening) if self.opening is not None else None
        if derived is not None:
            later, at_opening = derived
            then = [value for when, value in later if when <= left][-1:] or [at_opening]
            if then[0] is not None:
                points.append((left, then[0]))
            points += [(when, value) for when, value in later if when > left]
            if self.opening is not None and self.opening >= left:
                opening = at_opening
        return points, opening

    def _derived(self, derived: Derived) -> DatedValues | None:
        if derived.how == "mirror":
            return self.dated(derived.sources[0].ref)
        if derived.how == "sum":
            return merge([self.dated(s.ref) for s in derived.sources], _total)
        return self._supporters_score(derived)

    def _supporters_score(self, derived: Derived) -> DatedValues | None:
        """Each aligned objective scored at every change of one of its key results, then
        weighted by its share, as `core.derive` weighs them today."""
        objectives: list[Objective] = []
        series: list[DatedValues | None] = []
        slots: list[tuple[int, int]] = []  # (objective, key result) of each series
        for position, source in enumerate(derived.sources):
            objective = self.graph.objectives[source.ref].objective
            objectives.append(objective)
            for index, kr in enumerate(objective.key_results):
                series.append(self.dated(f"{source.ref}/{kr.id}"))
                slots.append((position, index))
        shares = [s.share or 0.0 for s in derived.sources]

        def mean_score(state: State) -> float | None:
            if not state:
                return None  # none of their key results existed yet
            values: list[dict[int, Any]] = [{} for _ in objectives]
            for at, value in state.items():
                position, index = slots[at]
                values[position][index] = value
            counted = [
                (score, share)
                for objective, known, share in zip(objectives, values, shares, strict=True)
                if (score := _objective_score(objective, known)) is not None
            ]
            weight = sum(share for _, share in counted)
            return sum(s * w for s, w in counted) / weight if counted and weight else None

        return merge(series, mean_score)


def _objective_score(objective: Objective, known: dict[int, Any]) -> float | None:
    """`objective` scored with its key results' values as they stood (a key result with none
    yet counts as not checked in)."""
    key_results = [_as_of(kr, known.get(index)) for index, kr in enumerate(objective.key_results)]
    return arithmetic.objective_score(objective.model_copy(update={"key_results": key_results}))


def _as_of(kr: KeyResult, value: Any) -> KeyResult:
    if kr.derived_from is not None:
        return as_derived(kr, as_float(value))
    if kr.milestone:
        return kr.model_copy(update={"done": value if isinstance(value, bool) else None})
    return kr.model_copy(update={"current": value})


def _total(state: State) -> float | None:
    numbers = [n for v in state.values() if (n := as_float(v)) is not None]
    return add_up(numbers) if numbers else None


def merge(
    series: Sequence[DatedValues | None], fold: Callable[[State], float | None]
) -> DatedValues | None:
    """One timeline from several: after each commit that changes any of `series`, `fold` of
    the latest value of each; at the opening, `fold` of their opening values."""
    events: list[tuple[datetime, int, Any]] = []
    opening: State = {}
    known = False
    for index, found in enumerate(series):
        if found is None:
            continue
        known = True
        dated, at_opening = found
        events += [(when, index, value) for when, value in dated]
        if at_opening is not None:
            opening[index] = at_opening
    if not known:
        return None
    events.sort(key=lambda e: (e[0], e[1]))
    latest: State = {}
    points: list[tuple[datetime, Any]] = []
    for at, (when, index, value) in enumerate(events):
        latest[index] = value
        if at + 1 == len(events) or events[at + 1][0] != when:  # one point per commit
            folded = fold(latest)
            if folded is not None:
                points.append((when, folded))
    return points, fold(opening)

"""Score a loaded repository at a moment: every unit, objective, key result and KPI, with the
expected progress, pace and status of docs/scoring.md. The one model `status`, `show` and
`report` read."""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from okrctl.core import score as arithmetic
from okrctl.core.derive import Derived
from okrctl.core.derived_timeline import DerivedTimeline
from okrctl.core.graph import Graph, KeyResultNode, KpiNode, ObjectiveNode
from okrctl.core.periods import Period, end_of_day, now
from okrctl.core.score import Grade, Health, Shape, Status
from okrctl.core.trend import Forecast, Point, forecast, period_points, settled
from okrctl.model.goals import Kind, ScoreOf
from okrctl.model.units import UnitFile

if TYPE_CHECKING:
    from okrctl.model.history import History, TargetMove

KIND_ORDER = {Kind.COMPANY: 0, Kind.PILLAR: 1, Kind.TEAM: 2, Kind.PERSON: 3}


def _kind_then_id(graph: Graph, unit_id: str) -> tuple[int, tuple[str | int, ...], str]:
    """Units in cascade order of kind (company, pillars, teams, people), then by id, its
    numbers read as numbers: `squad-2` before `squad-10`, as people count (by the letters
    alone, `squad-10` came between `squad-1` and `squad-2`); `squad-01` and `squad-1` by
    their letters."""
    return KIND_ORDER[graph.units[unit_id].unit.kind], _counted(unit_id), unit_id


def _counted(text: str) -> tuple[str | int, ...]:
    """`text` with each run of digits as its number: words at even places, numbers at odd."""
    return tuple(int(part) if index % 2 else part for index, part in enumerate(_DIGITS(text)))


_DIGITS = re.compile(r"(\d+)").split


def sibling_order(graph: Graph, unit_ids: Iterable[str]) -> list[str]:
    """`unit_ids` in the order the cascade lists the units under one parent."""
    return sorted(unit_ids, key=lambda unit_id: _kind_then_id(graph, unit_id))


@dataclass(frozen=True, slots=True)
class Moment:
    """When scores are taken: the as-of date and the instant it stands for."""

    as_of: date
    instant: datetime

    @classmethod
    def of(cls, as_of: date | None) -> Moment:
        """`--as-of DATE` is the end of that day; without it, now."""
        if as_of is not None:
            return cls(as_of, end_of_day(as_of))
        instant = now()
        return cls(instant.date(), instant)


@dataclass(slots=True, eq=False)
class KeyResultScore:
    node: KeyResultNode
    shape: Shape
    progress: float | None
    score: float
    status: Status
    derived: Derived | None = None
    """How its current value was taken `from:` others, and each source's value and share."""
    trends: _Trends | None = field(default=None, repr=False)
    """Where `trend_points`, `forecast` and `target_moves` come from (None: no git history).
    They are worked out when first read, by the process that reads them: a large report's
    forked child draws its own units' (a trend is half of scoring a key result)."""
    _drawn: tuple[tuple[Point, ...], Forecast | None] | None = field(
        default=None, init=False, repr=False
    )
    _moves: tuple[TargetMove, ...] | None = field(default=None, init=False, repr=False)

    def _drawing(self) -> tuple[tuple[Point, ...], Forecast | None]:
        drawn = self._drawn
        if drawn is None:
            trends = self.trends
            if trends is None or self.shape is not Shape.NUMERIC:
                drawn = ((), None)
            else:
                drawn = trends.of(self.node)
            self._drawn = drawn
        return drawn

    @property
    def trend_points(self) -> tuple[Point, ...]:
        """This period's (days since it started, value) points: the value at its first commit,
        then each check-in, or a derived number's changes (numeric key results; empty without
        git history)."""
        return self._drawing()[0]

    @property
    def forecast(self) -> Forecast | None:
        return self._drawing()[1]

    @property
    def target_moves(self) -> tuple[TargetMove, ...]:
        """Each move of the target this period, up to as-of (from history): the line steps
        there."""
        moves = self._moves
        if moves is None:
            trends, node = self.trends, self.node
            moves = (
                () if trends is None or node.key_result.target is None else trends.moves(node.ref)
            )
            self._moves = moves
        return moves

    @property
    def heading(self) -> Forecast | None:
        """The forecast, while time remains: what views show of where the number is heading
        (once the period is over, `forecast` is the value itself, and nothing is heading)."""
        forecast = self.forecast
        return forecast if forecast is not None and forecast.projected else None

    @property
    def trend(self) -> tuple[float, ...]:
        """The values of `trend_points`, for a sparkline."""
        return tuple(value for _, value in self.trend_points)

    @property
    def ref(self) -> str:
        return self.node.ref

    @property
    def checked_in(self) -> bool:
        """A milestone always has a state; numbers and bands need a `current`."""
        kr = self.node.key_result
        return kr.current is not None or (self.shape is Shape.MILESTONE and kr.done is not None)


@dataclass(slots=True, eq=False)
class ObjectiveScore:
    node: ObjectiveNode
    score: float | None
    expected: float
    status: Status | None
    key_results: list[KeyResultScore]
    supported_by: list[str]

    @property
    def ref(self) -> str:
        return self.node.ref

    @property
    def pace(self) -> float | None:
        return None if self.score is None else self.score - self.expected

    @property
    def grade(self) -> Grade | None:
        return None if self.score is None else arithmetic.grade(self.score)


@dataclass(slots=True, eq=False)
class KpiScore:
    node: KpiNode
    health: Health
    derived: Derived | None = None

    @property
    def ref(self) -> str:
        return self.node.ref


@dataclass(slots=True, eq=False)
class UnitScore:
    unit_file: UnitFile
    depth: int
    score: float | None
    objectives: list[ObjectiveScore]
    kpis: list[KpiScore]

    @property
    def id(self) -> str:
        return self.unit_file.unit.id


@dataclass(slots=True)
class Scorecard:
    period: Period
    moment: Moment
    elapsed: float
    over: bool
    units: list[UnitScore]
    objectives: dict[str, ObjectiveScore] = field(default_factory=dict)
    key_results: dict[str, KeyResultScore] = field(default_factory=dict)
    kpis: dict[str, KpiScore] = field(default_factory=dict)


def cascade_order(graph: Graph, scope: str | None = None) -> list[tuple[str, int]]:
    """(unit id, depth) in tree order: company, then each pillar, team and person below it.
    Units outside the tree (no or unknown parent) come last, so nothing is hidden."""

    def children(unit_id: str) -> list[str]:
        return sibling_order(graph, graph.children.get(unit_id, []))

    roots: list[str]
    if scope is not None:
        roots = [scope]
    else:
        company = graph.company
        roots = [company.unit.id] if company else []
    order: list[tuple[str, int]] = []
    seen: set[str] = set()
    for root in roots:
        stack = [(root, 0)]
        while stack:
            unit_id, depth = stack.pop()
            if unit_id in seen or unit_id not in graph.units:
                continue
            seen.add(unit_id)
            order.append((unit_id, depth))
            stack.extend((child, depth + 1) for child in reversed(children(unit_id)))
    if scope is None:
        rest = sorted(u for u in graph.units if u not in seen)
        order.extend((unit_id, 0) for unit_id in rest)
    return order


def evaluate(
    graph: Graph,
    period: Period,
    moment: Moment,
    scope: str | None = None,
    history: History | None = None,
    only: Container[str] | None = None,
    order: list[tuple[str, int]] | None = None,
) -> Scorecard:
    """Score every unit in `scope` (default: all), or of those the units in `only`, in the
    same order and at the same depths; or the (unit, depth) pairs of `order`, a share of
    `cascade_order`'s. With `history`, trends and forecasts too, each worked out when first
    read (`KeyResultScore.trends`)."""
    pairs = cascade_order(graph, scope) if order is None else order
    if only is not None:
        pairs = [pair for pair in pairs if pair[0] in only]
    return Scoring(graph, period, moment, history).card(pairs)


class Scoring:
    """One moment's scoring, for units scored a share at a time (`status --format json`
    scores its units a stretch at a time): what every share needs is worked out once (the
    commit the period opened with, each derived number's timeline)."""

    def __init__(
        self, graph: Graph, period: Period, moment: Moment, history: History | None = None
    ) -> None:
        self.graph, self.period, self.moment = graph, period, moment
        self.elapsed = period.elapsed(moment.instant)
        self.over = period.is_over(moment.instant)
        self.trends = _Trends(history, period, moment, graph) if history is not None else None

    def card(self, order: list[tuple[str, int]]) -> Scorecard:
        """The (unit, depth) pairs of `order` scored, in that order."""
        graph, elapsed, over, trends = self.graph, self.elapsed, self.over, self.trends
        card = Scorecard(self.period, self.moment, elapsed, over, [])
        for unit_id, depth in order:
            unit_file = graph.units[unit_id]
            objectives = [
                _objective(graph, graph.objectives[f"{unit_id}/{o.id}"], elapsed, over, trends)
                for o in arithmetic.first_of_each(unit_file.unit.objectives)
            ]
            kpis = [
                KpiScore(
                    graph.kpis[f"{unit_id}/{k.id}"],
                    arithmetic.kpi_health(k),
                    graph.derivations.values.get(f"{unit_id}/{k.id}"),
                )
                for k in arithmetic.first_of_each(unit_file.unit.kpis)
            ]
            unit_score = arithmetic.mean([o.score for o in objectives])
            card.units.append(UnitScore(unit_file, depth, unit_score, objectives, kpis))
            for objective in objectives:
                card.objectives[objective.ref] = objective
                for key_result in objective.key_results:
                    card.key_results[key_result.ref] = key_result
            for kpi in kpis:
                card.kpis[kpi.ref] = kpi
        return card


class _Trends:
    """Trend points of numeric key results, from the check-ins in the period."""

    def __init__(self, history: History, period: Period, moment: Moment, graph: Graph) -> None:
        self.history, self.period, self.moment = history, period, moment
        first = history.first_commit_from(period.start)
        self.opening_date = first.author_date if first is not None else None
        self.timeline = DerivedTimeline(history, graph, self.opening_date)

    def moves(self, ref: str) -> tuple[TargetMove, ...]:
        return tuple(self.history.target_moves(ref, self.period.start, self.moment.instant))

    def of(self, node: KeyResultNode) -> tuple[tuple[Point, ...], Forecast | None]:
        """A numeric key result's points this period, and its forecast."""
        kr = node.key_result
        found = self.timeline.dated(node.ref)
        if found is None:
            return (), None
        values, opening_value = found
        opening = None if self.opening_date is None else (self.opening_date, opening_value)
        points = period_points(values, self.period, self.moment.instant, opening)
        assert kr.baseline is not None and kr.target is not None
        if self.moment.instant >= self.period.end:  # no time remains: nothing to project
            done = kr.current
            prediction = None if done is None else settled(done, kr.baseline, kr.target)
        else:
            most = 1.0 if isinstance(kr.derived_from, ScoreOf) else None  # a score
            prediction = forecast(points, self.period, kr.baseline, kr.target, kr.unit, most)
        return tuple(points), prediction


def _objective(
    graph: Graph, node: ObjectiveNode, elapsed: float, over: bool, trends: _Trends | None
) -> ObjectiveScore:
    objective = node.objective
    kind = objective.type
    key_results = []
    for kr in arithmetic.first_of_each(objective.key_results):
        kr_node = graph.key_results[f"{node.ref}/{kr.id}"]
        shape, progress, value = arithmetic.key_result_numbers(kr)
        key_results.append(
            KeyResultScore(
                node=kr_node,
                shape=shape,
                progress=progress,
                score=value,
                status=arithmetic.key_result_status(kr, value, kind, elapsed, over, shape),
                derived=graph.derivations.values.get(kr_node.ref),
                trends=trends,
            )
        )
    score = arithmetic.weighted_mean(
        [k.score for k in key_results], [k.node.key_result.weight for k in key_results]
    )
    status = None if score is None else arithmetic.objective_status(score, kind, elapsed, over)
    return ObjectiveScore(
        node=node,
        score=score,
        expected=arithmetic.expected(kind, elapsed),
        status=status,
        key_results=key_results,
        supported_by=graph.supported_by(node.ref),
    )


def check_scope(graph: Graph, scope: str | None) -> str | None:
    """A SCOPE must be a unit id; anything else is a usage error naming the closest ones."""
    if scope is None or scope in graph.units:
        return scope
    import difflib

    from okrctl.model.errors import UsageError

    close = difflib.get_close_matches(scope, list(graph.units), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; units are: " + _listed(graph)
    raise UsageError(f"unknown unit {scope!r}{hint}")


UNITS_NAMED = 20
"""How many unit ids a usage error names: at 2,000 teams the whole list was 20 KB of one
line; the company and pillars (what a scope most often is) come first."""


def _listed(graph: Graph) -> str:
    """The units' ids, the top of the cascade first; past `UNITS_NAMED`, how many more."""
    ids = sibling_order(graph, graph.units)
    named = ", ".join(ids[:UNITS_NAMED])
    more = len(ids) - UNITS_NAMED
    return named if more <= 0 else f"{named} and {more:,} more (`okrctl status` lists them all)"


def company_title(graph: Graph, configured: str | None) -> str:
    company = graph.company
    return configured or (company.unit.display_name if company else "Goals")

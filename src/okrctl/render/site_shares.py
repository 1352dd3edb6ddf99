"""The unit pages of a large site shared out between okrctl and forked children (on Linux, one
child per core okrctl may use beyond its own), each child writing the pages it drew once every
process has drawn its own: a template error anywhere writes nothing (`forks.TwoSteps`).

Two ways, the first wherever it can be used:

- **Children that build their units.** When a unit page reads nothing made from every unit
  (Jinja's parse of it and of what it extends or imports, `CHILD_READS`), the children are
  forked before any unit is scored: each scores its units (and those that support them) and
  builds their contexts, hands them over (the index, the alignment and the summaries read
  every unit: what is known of each number, `as_known`; `forks.Early`) and draws their
  pages, while this process scores and builds the rest and draws their pages, then takes in
  the children's units, fills in the supporters they scored, draws the pages that waited
  for them, and the index and the alignment. Another unit's context a page reads (`by_id`,
  for a link's name) is its name, the whole of it scored and built on any other read
  (`FilledOnDemand`). Measured at 2,000 teams on 2 cores: `site` 2.45 s -> 2.33 s against
  the second way (a tenth less CPU: one child, not two, and half the contexts never
  pickled); scoring in the children, 2,021 -> 1,936 ms.
- **Children that draw from the whole context**, forked once it is built, for a unit page
  that reads something made from every unit (a repository's page reading `units`, say)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from okrctl.render.on_demand import FilledOnDemand
from okrctl.render.report_context import (
    FRAME,
    ContextBuilder,
    UnitShare,
    WholeHere,
    as_known,
    built_on_demand,
)
from okrctl.render.site_draw import encoded_units, render_units

if TYPE_CHECKING:
    from okrctl.core.scorecard import UnitScore
    from okrctl.store.forks import Early, TwoSteps

Write = Callable[[str, str | bytes], None]
Drawn = list[tuple[str, bytes]]
"""Pages as a child draws them: each path, and the UTF-8 bytes it writes."""

CHILD_READS = frozenset({*FRAME, "unit", "by_id", "root", "page", "retros", "base_url"})
"""What a child that built only its own units can give a unit page: the site's frame, the
unit, and `by_id` (each other unit's name, the rest of it built on demand)."""

BESIDE = 0.2
"""This process draws the index and the alignment pages, and that share of all unit pages
fewer than an even share of what they cost (those two pages cost 0.4 s beside 1.8 s for the
unit pages at 2,000 teams). Tuned at 2,000 teams on 2 cores, where this process draws 40 % and
ends with the child (0.25 left it waiting 0.05-0.1 s for the child; 0.15 gained nothing)."""

BESIDE_BUILDING = 0.22
"""`BESIDE` where the children also score and build their units: this process does the rest,
draws their pages, takes in what the children built, draws the pages that waited for them,
and the index and alignment pages (on 2 cores it takes 39 % of what the units cost). Tuned at
2,000 teams: 0.0 left it waiting 0.4 s for the child, and 0.2 was 0.05 s slower than 0.15;
once the children scored their own units and this process drew the waiting pages, 0.22 was
faster than 0.15 (medians of 15: 1.76 s against 1.79 s; the busy org 1.79 s against 1.82 s),
0.28 no better."""


@dataclass
class Shares:
    """How the unit pages are shared out: how many of the first units this process draws, and
    the children's work (each drawing and writing the pages of a slice of the rest)."""

    here: int = 0
    steps: list[TwoSteps[Drawn, list[str]]] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)
    """The whole context, once built: what this process draws a child's pages from, should
    the child not draw them."""

    def abandon(self) -> None:
        for step in self.steps:
            step.abandon()


def _written(write: Write, pages: Drawn) -> list[str]:
    for path, page in pages:
        write(path, page)
    return [path for path, _ in pages]


def _ends(costs: list[int], cores: int, beside: float) -> list[int]:
    """Where each process's slice of the units ends, by what each costs (a unit's numbers):
    this process's first, `beside` of an even share fewer, the children's after it, even. (Cut
    by their count, a company whose 500 people of one key result come first in the cascade and
    its teams of nine last left its child drawing 0.4 s after this process was done.)"""
    total = sum(costs)
    mine = max(0.0, total * ((1 + beside) / cores - beside))
    ends, running, place = [], 0, 0
    for n in range(cores - 1):
        target = mine + (total - mine) * n / (cores - 1)
        while place < len(costs) and running + costs[place] <= target:
            running += costs[place]
            place += 1
        ends.append(place)
    return [*ends, len(costs)]


def shared_out(
    env: Any, shared: dict[str, Any], units: list[dict[str, Any]], costs: list[int], write: Write
) -> Shares:
    """Children forked once the whole context is built: each draws, then writes, the pages of
    a slice of the last units, cut by what each costs (`costs`: see `_ends`). A worker pool was
    slower: each slice sent as it is done, a thread of this process, starved of the interpreter
    while it draws, took them in slowly."""
    from okrctl.store.forks import elsewhere_in_two_steps, processes_for

    cores = processes_for(len(units))
    if cores < 2:
        return Shares(here=len(units), shared=shared)
    ends = _ends(costs, cores, BESIDE)
    steps = [
        elsewhere_in_two_steps(
            partial(encoded_units, env, shared, units[start:end]), partial(_written, write)
        )
        for start, end in pairwise(ends)
    ]
    return Shares(here=ends[0], steps=steps, shared=shared)


def drawn_from_own_units(names: frozenset[str] | None, every_name: frozenset[str]) -> bool:
    """Whether a unit page mentioning `names` (None: any) can be drawn by a child that built
    only its own units: it reads none of `every_name` a child cannot give."""
    return names is not None and not (names & every_name) - CHILD_READS


class UnitsDrawnElsewhere:
    """`build_context`'s `units_built` for a site whose children build their units (see the
    module): it says where each process's share ends; called with the shares (this process's,
    then each child's) and the frame, it forks the children, each scoring and building its
    own units, scores and builds this process's, and takes in theirs; `shares` then says who
    draws which pages. A page of this process's whose objectives a child's units support is
    drawn once their contexts are in (`deferred`): the company's, in a flat organisation."""

    def __init__(self, env: Any, basics: dict[str, Any], write: Write) -> None:
        self.env, self.basics, self.write = env, basics, write
        self.shares = Shares()
        self.pages_here: list[tuple[str, str]] = []
        """This process's unit pages, drawn as soon as their units are built."""
        self.deferred: list[dict[str, Any]] = []
        """This process's units whose pages wait for the children's contexts."""

    def ends(self, costs: list[int]) -> list[int]:
        from okrctl.store.forks import processes_for

        cores = processes_for(len(costs))
        return _ends(costs, cores, BESIDE_BUILDING) if cores > 1 else [len(costs)]

    def __call__(
        self, mine: UnitShare, theirs: list[UnitShare], frame: dict[str, Any]
    ) -> list[dict[str, Any]]:
        from okrctl.store.forks import Early, elsewhere_in_two_steps

        everyone = [*(mine.pairs or ()), *(pair for share in theirs for pair in share.pairs or ())]
        sent: list[Early[list[dict[str, Any]]]] = []
        start = len(mine.pairs or ())
        for share in theirs:
            end = start + len(share.pairs or ())
            early: Early[list[dict[str, Any]]] = Early()
            step = elsewhere_in_two_steps(
                partial(self._built_and_drawn, share, everyone, frame, early),
                partial(_written, self.write),
                prepare_here=partial(self._drawn_here, start, end),
                first_in_child=partial(_in_child, share.builder, early),
            )
            early.forked()
            self.shares.steps.append(step)
            sent.append(early)
            start = end
        builder, units = mine.scored()  # (once the children are on their way)
        self.shares.here = len(units)
        built = _built(builder, units)
        ready = [unit for unit in built if not builder.awaits(unit)]
        self.deferred = [unit for unit in built if builder.awaits(unit)]
        # this process's unit pages too, while the children build and draw theirs
        shared = self._shared(mine, everyone, frame, built)
        self.pages_here = render_units(self.env, shared, ready)
        for early, share in zip(sent, theirs, strict=True):
            got = early.receive()
            if got is None:  # (it failed before sending: built here, whole)
                built += _built(*share.scored())
            else:
                built += built_on_demand(got, WholeHere(share))
        return built

    def _built_and_drawn(
        self,
        share: UnitShare,
        everyone: list[tuple[str, int]],
        frame: dict[str, Any],
        early: Early[list[dict[str, Any]]],
    ) -> Drawn:
        """In a child: its units scored, built, handed over, and their pages drawn."""
        built = _built(*share.scored())
        early.send(as_known(built))
        return encoded_units(self.env, self._shared(share, everyone, frame, built), built)

    def _shared(
        self,
        share: UnitShare,
        everyone: list[tuple[str, int]],
        frame: dict[str, Any],
        built: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """What a unit page of `built` is given (`CHILD_READS`) where only they are built:
        every other unit in `by_id` is its name, the rest scored and built on any other read."""
        own = {unit["id"]: unit for unit in built}
        graph = share.builder.graph
        by_id: dict[str, Any] = {}
        for pair in everyone:
            unit_id = pair[0]
            known = own.get(unit_id)
            if known is None:
                name = graph.units[unit_id].unit.display_name
                fill = partial(_built_alone, share, pair)
                known = FilledOnDemand({"id": unit_id, "name": name}, fill)
            by_id[unit_id] = known
        return {**frame, **self.basics, "by_id": by_id}

    def _drawn_here(self, start: int, end: int) -> Drawn:
        """A child's pages drawn here, from the whole context (it failed, or never started)."""
        shared = self.shares.shared
        return encoded_units(self.env, shared, shared["units"][start:end])


def _built(builder: ContextBuilder, units: list[UnitScore]) -> list[dict[str, Any]]:
    builder.ask(units)
    return [builder.unit(unit) for unit in units]


def _built_alone(share: UnitShare, pair: tuple[str, int]) -> dict[str, Any]:
    """Another process's unit, scored and built here for a page that reads more than its name:
    the context that process builds (its supporters scored with it)."""
    alone = UnitShare(share.builder, share.scoring, [pair], builds_company=False)
    return _built(*alone.scored())[0]


def _in_child(builder: ContextBuilder, early: Early[list[dict[str, Any]]]) -> None:
    builder.workspace.in_child()
    early.in_child()

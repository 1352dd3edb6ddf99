"""The context every report template receives (docs/templates.md), built from a report's
scorecard, history and changes. Plain data (dicts, lists, strings, numbers): templates run in
Jinja's sandbox, and docs/templates.md documents every name (a test holds the two equal)."""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from contextlib import ExitStack
from copy import copy
from datetime import datetime, timedelta
from functools import partial
from itertools import pairwise
from typing import Any, NamedTuple, Protocol

from okrctl.core.compare import Comparison
from okrctl.core.graph import Graph
from okrctl.core.periods import iso_utc
from okrctl.core.score import grade
from okrctl.core.scorecard import (
    KeyResultScore,
    KpiScore,
    ObjectiveScore,
    Scorecard,
    UnitScore,
    cascade_order,
    sibling_order,
)
from okrctl.core.staleness import Quiet, is_watched
from okrctl.model.history import CheckIn, History
from okrctl.model.names import unit_of
from okrctl.render.help_wanted import help_wanted
from okrctl.render.links import checkin_link
from okrctl.render.on_demand import FilledOnDemand
from okrctl.render.textformat import shown_change, with_unit_among, words
from okrctl.store.forks import Later, elsewhere, processes_for, split_off
from okrctl.store.snapshot import Snapshot
from okrctl.store.web_address import repository_url
from okrctl.views.history import checkin_json, move_json
from okrctl.views.report import ReportRequest, Scoring
from okrctl.views.show import ladder
from okrctl.views.status import key_result_json, kpi_json, objective_json


class _SupporterElsewhere(NamedTuple):
    """A supporter scored by another process, in its place until its context is back."""

    ref: str


def _supporter_entry(objective: dict[str, Any]) -> dict[str, Any]:
    """A supporter as `ContextBuilder.objective` writes one, from its objective's context."""
    return {name: objective[name] for name in SUPPORTER_FIELDS}


SUPPORTER_FIELDS = ("ref", "title", "unit_name", "score", "status", "status_words")


class _Once(dict[datetime, str]):
    """A date written as text once per date: one commit checks in many numbers."""

    def __init__(self, write: Callable[[datetime], str]) -> None:
        super().__init__()
        self.write = write

    def __missing__(self, moment: datetime) -> str:
        found = self[moment] = self.write(moment)
        return found


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


ALWAYS_THERE = ("baseline", "target", "current", "keep", "derived", "forecast")
"""A key result's fields that only some shapes have, None in the others' context."""


class ContextBuilder:
    """Turns scores, history and changes into the template context."""

    def __init__(self, snapshot: Snapshot, card: Scorecard, history: History | None) -> None:
        self.card, self.history, self.graph = card, history, snapshot.graph
        self.workspace = snapshot.workspace
        config = snapshot.repository.config.config
        self.stale_after = config.stale_after_days
        self.repository_url = repository_url(snapshot.workspace, config.repository_url)
        self.quiet: Quiet | None = None
        """Each ref's silence (`quiet_fields` asks), worked out at once for many."""
        self._checkins: dict[str, list[CheckIn]] = {}
        """Each number's check-ins this period up to as-of, read in one pass (`ask`)."""
        if history is not None:
            self.quiet = Quiet(self.graph, history, card.moment.instant, card.period)
        self._days = _Once(_day)
        self._instants = _Once(iso_utc)
        self.elsewhere: Container[str] = ()
        """Units another process scores and builds: a supporter among them is filled in from
        its context (`fill_supporters`), not scored here."""
        self.awaiting: list[list[Any]] = []
        """Supporter lists waiting for those contexts."""
        self.on_demand: Mapping[str, Callable[[], dict[str, Any]]] | None = None
        """With it, each key result is built on demand (`FilledOnDemand`), whole by the
        function it gives for its ref; one it has none for is what is known of it."""

    def with_card(self, card: Scorecard, elsewhere: Container[str] = ()) -> ContextBuilder:
        """This builder for the units of another card of the same moment (a share of the
        report's units), sharing what it worked out so far; with the units another process
        scores (`elsewhere`), whose supporters it fills in (`fill_supporters`)."""
        other = copy(self)
        other.card, other.elsewhere, other.awaiting = card, elsewhere, []
        return other

    def ask(self, units: list[UnitScore]) -> None:
        """Work out, in one pass through history, the silence and check-ins of the numbers of
        `units` (those of any other unit are worked out when it is built)."""
        refs = _numbers(units)
        self.ask_about(refs, refs)

    def ask_about(self, silence_of: list[str], checkins_of: list[str]) -> None:
        """The silence of some numbers, and this period's check-ins of some, in a pass each."""
        if self.history is None or self.quiet is None:
            return
        card = self.card
        self.quiet.ask_all(silence_of)
        self._checkins.update(
            self.history.checkins_between_all(checkins_of, card.period.start, card.moment.instant)
        )

    def quiet_fields(self, ref: str, *, watched: bool = True) -> dict[str, Any]:
        """A number's silence as the context gives it (docs/templates.md): `days_quiet`, the
        calendar days since its last check-in; `stale`, longer than `stale_after_days` and
        still `watched` (a milestone done is not); `quiet_for`, how long in words when stale
        (`Silence.said_for`: "more than 14 days" on the day the hours pass the limit);
        `quiet_through`, the source a derived number's silence is of. No history: none of them."""
        quiet = None if self.quiet is None else self.quiet(ref)
        if quiet is None:
            return {"days_quiet": None, "stale": False, "quiet_through": None, "quiet_for": None}
        too_long = quiet.longer_than(self.stale_after)
        stale = too_long and watched
        return {
            "days_quiet": quiet.day_count,
            "stale": stale,
            "quiet_through": quiet.through if too_long else None,
            "quiet_for": quiet.said_for(self.stale_after) if stale else None,
        }

    def checkins(self, ref: str) -> list[dict[str, Any]]:
        """This period's check-ins of a key result or KPI (no history: none)."""
        if self.quiet is None:
            return []
        day, instant = self._days, self._instants.__getitem__
        period = self._checkins.get(ref)
        if period is None:  # (a unit whose numbers were not asked for)
            assert self.history is not None
            card = self.card
            period = self.history.checkins_between(ref, card.period.start, card.moment.instant)
        checkins = [checkin_json(c, instant) for c in period]
        for checkin, made in zip(checkins, period, strict=True):
            checkin["day"] = day[made.date]
        return checkins

    def timeline(self, kr: KeyResultScore) -> list[dict[str, Any]]:
        """A derived number's points this period (it has no check-ins of its own): what the
        charts draw for it."""
        start = self.card.period.start
        points = []
        for days, value in kr.trend_points:
            moment = start + timedelta(days=days)
            points.append(
                {"date": moment.isoformat(), "day": moment.date().isoformat(), "value": value}
            )
        return points

    def key_result(self, kr: KeyResultScore) -> dict[str, Any]:
        data = key_result_json(kr)
        model = kr.node.key_result
        ref = data["ref"]
        data["id"] = model.id
        data["source"] = model.source
        data["done"] = model.done if model.milestone else None
        data["checkins"] = self.checkins(ref)
        data["target_moves"] = [move_json(move) for move in kr.target_moves]
        data.update(self.quiet_fields(ref, watched=is_watched(model)))
        if "trend" not in data:  # (a number's is made already)
            data["trend"] = list(kr.trend)
        data["timeline"] = self.timeline(kr) if kr.derived is not None else []
        data["checkin_url"] = None if model.derived_from else checkin_link(self.repository_url, ref)
        data["status_words"] = words(kr.status)
        for name in ALWAYS_THERE:
            if name not in data:
                data[name] = None
        if kr.heading is None:
            data["forecast"] = None  # the period is over: nothing is heading anywhere
        return data

    def key_result_known(self, kr: KeyResultScore) -> dict[str, Any]:
        """What is known of a key result before it is built whole: what the summaries read
        of every one (`stale`, `owner`) and a list of them shows (its title, status, score,
        silence); each as `key_result` has it."""
        model = kr.node.key_result
        return {
            "ref": kr.ref,
            "title": model.title,
            "owner": model.owner,
            "score": kr.score,
            "status": kr.status,
            "status_words": words(kr.status),
            "checked_in": kr.checked_in,
            **self.quiet_fields(kr.ref, watched=is_watched(model)),
        }

    def _key_result_of(self, kr: KeyResultScore) -> dict[str, Any]:
        on_demand = self.on_demand
        if on_demand is None:
            return self.key_result(kr)
        known = self.key_result_known(kr)
        whole = on_demand.get(kr.ref)
        return known if whole is None else FilledOnDemand(known, whole)

    def kpi(self, kpi: KpiScore) -> dict[str, Any]:
        data = kpi_json(kpi)
        checkins = self.checkins(kpi.ref)
        data.update(
            id=kpi.node.kpi.id,
            why=kpi.node.kpi.why,
            source=kpi.node.kpi.source,
            owner=kpi.node.kpi.owner,
            unit_name=kpi.node.owner.unit.display_name,
            checkins=checkins,
            trend=[c["value"] for c in checkins],
        )
        data.update(self.quiet_fields(kpi.ref))
        return data

    def objective(self, objective: ObjectiveScore) -> dict[str, Any]:
        data = objective_json(objective, key_results=False)
        model = objective.node.objective
        steps: list[dict[str, Any]] = []
        rungs = ladder(self.graph, objective.ref)
        while rungs:  # the first path up, for the report; `show` prints every branch
            step = rungs[0]
            steps.append({"ref": step.ref, "kind": step.kind, "title": step.title, "why": step.why})
            rungs = step.up
        key_results = [self._key_result_of(k) for k in objective.key_results]
        for found in key_results:  # a key result without its own owner is the objective's
            found["owner"] = found["owner"] or data["owner"]
        scored, elsewhere = self.card.objectives, self.elsewhere
        supporters: list[Any] = []
        for ref in objective.supported_by:
            backer = scored.get(ref)
            if backer is not None:
                supporters.append(
                    {
                        "ref": ref,
                        "title": backer.node.objective.title,
                        "unit_name": backer.node.owner.unit.display_name,
                        "score": backer.score,
                        "status": backer.status,
                        "status_words": words(backer.status),
                    }
                )
            elif unit_of(ref) in elsewhere:
                supporters.append(_SupporterElsewhere(ref))
        if elsewhere and any(type(s) is _SupporterElsewhere for s in supporters):
            self.awaiting.append(supporters)
        data.update(
            id=model.id,
            why=model.why,
            unit_name=objective.node.owner.unit.display_name,
            status_words=words(objective.status),
            ladder=steps,
            key_results=key_results,
            supporters=supporters,
        )
        return data

    def awaits(self, unit: dict[str, Any]) -> bool:
        """Whether a unit's context still lacks a supporter the other process scored (filled in
        by `fill_supporters`)."""
        return any(
            type(s) is _SupporterElsewhere for o in unit["all_objectives"] for s in o["supporters"]
        )

    def fill_supporters(self, units: list[dict[str, Any]]) -> None:
        """The supporters scored elsewhere (`elsewhere`), each as the other process built its
        objective: the same entry, in its place (one never built is left out, as one never
        scored is)."""
        built = {o["ref"]: o for unit in units for o in unit["all_objectives"]}
        for supporters in self.awaiting:
            supporters[:] = [
                _supporter_entry(built[s.ref]) if type(s) is _SupporterElsewhere else s
                for s in supporters
                if type(s) is not _SupporterElsewhere or s.ref in built
            ]
        self.awaiting = []

    def unit(self, unit: UnitScore) -> dict[str, Any]:
        model = unit.unit_file.unit
        objectives = [self.objective(o) for o in unit.objectives]
        return {
            "id": model.id,
            "name": model.display_name,
            "kind": str(model.kind),
            "lead": model.lead,
            "parent": model.parent,
            "depth": unit.depth,
            "file": unit.unit_file.path,
            "score": unit.score,
            "grade": None if unit.score is None else str(grade(unit.score)),
            "objectives": [o for o in objectives if o["category"] == "product"],
            "functional_objectives": [o for o in objectives if o["category"] == "functional"],
            "all_objectives": objectives,
            "kpis": [self.kpi(k) for k in unit.kpis],
            "accomplishments": list(model.accomplishments),
            "children": sibling_order(self.graph, self.graph.children.get(model.id, [])),
        }


SUMMARIES = ("attention", "help_wanted", "owners", "prompts")
"""What is gathered from every unit's numbers again, and left out of the context of a
template that never reads it (a company report reads one of them; each is a pass over
20,000 key results at 2,000 teams)."""


CONTEXT_NAMES = (
    "title", "company", "period", "as_of", "scope", "units", "has_history", "stale_after_days",
    *SUMMARIES, "since", "changes",
)  # fmt: skip
"""Every name of a report's context (docs/templates.md)."""

BUILT_AT_ONCE = ("attention", "prompts")
"""The summaries that read every key result's forecast: a template that can reach one gets
every key result built at once (on two cores from `forks.WORTH_A_CHILD` units), any other
each key result on demand."""


class UnitsBuilt(Protocol):
    """Another way to build the units' contexts (`build_context`'s `units_built`): the site's,
    whose forked children score and build their own units and draw their pages."""

    def ends(self, costs: list[int]) -> list[int]:
        """Where each process's slice of the units ends, given what each costs (its numbers,
        and itself), this process's first (one slice: no child)."""
        ...

    def __call__(
        self, mine: UnitShare, theirs: list[UnitShare], frame: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The units' contexts, in order: `mine` scored and built here, each of `theirs` in a
        child (its units' supporters scored there too); `frame`, the context's `FRAME`
        entries, already made."""
        ...

FRAME = ("title", "period", "as_of", "has_history", "stale_after_days")
"""The context's entries that say what the whole report is of, made before any unit."""


def build_context(
    request: ReportRequest,
    needed: Container[str] | None = None,
    rendering: ExitStack | None = None,
    units_built: UnitsBuilt | None = None,
) -> dict[str, Any]:
    """Everything a template can use (docs/templates.md); with `needed`, the `SUMMARIES` it
    names only. With `rendering` (open while the template renders) and a template that needs
    no summary of `BUILT_AT_ONCE`, each key result is built whole on first read
    (`FilledOnDemand`): the context is the same, only when each entry is made differs. With
    `units_built`, the units' contexts are built by it (the site's forked children build
    theirs and draw their pages)."""
    snapshot, history, scoring = request.snapshot, request.history, request.scoring
    graph, scope = snapshot.graph, request.scope
    in_scope = {unit_id: place for place, (unit_id, _) in enumerate(cascade_order(graph, scope))}
    on_demand = needed is not None and not any(name in needed for name in BUILT_AT_ONCE)
    builder = ContextBuilder(snapshot, scoring.frame(), history)
    mine, theirs = UnitShare(builder, scoring, None, in_scope), None
    children: list[UnitShare] = []
    # (the units' order, a walk of the whole cascade, is read only where they may be shared
    # out: the site's children score and build their own units, and draw their pages)
    if units_built is not None:
        pairs = [p for p in scoring.order if p[0] in in_scope]
        ends = units_built.ends([unit_cost(graph, unit_id) for unit_id, _ in pairs])
        children = [
            UnitShare(builder, scoring, pairs[start:end], builds_company=False)
            for start, end in pairwise(ends)
        ]
        if children:  # this process fills in the supporters they score
            scored_there = {unit_id for unit_id, _ in pairs[ends[0] :]}
            mine = UnitShare(builder, scoring, pairs[: ends[0]], elsewhere=scored_there)
    elif processes_for(len(in_scope)) > 1:
        mine_pairs, their_pairs = split_off(
            [p for p in scoring.order if p[0] in in_scope], lambda pair: unit_cost(graph, pair[0])
        )
        if their_pairs:  # this process fills in the supporters that child scores
            theirs = UnitShare(builder, scoring, their_pairs, builds_company=False)
            mine = UnitShare(builder, scoring, mine_pairs, elsewhere={u for u, _ in their_pairs})
    card = builder.card
    frame: dict[str, Any] = {
        "title": request.title,
        "period": {
            "name": card.period.name,
            "start": card.period.start.date().isoformat(),
            "last_day": card.period.last_day.isoformat(),
            "elapsed": card.elapsed,
            "over": card.over,
            "days_left": card.period.days_left(card.moment.as_of),
            "as_of": card.moment.as_of.isoformat(),
        },
        "as_of": card.moment.as_of.isoformat(),
        "has_history": history is not None,
        "stale_after_days": builder.stale_after,
    }
    if units_built is not None:
        units = units_built(mine, children, frame)
    elif rendering is not None and on_demand:
        units = _units_on_demand(mine, theirs, rendering)
    else:
        units = _units(mine, theirs)
    builder, _ = mine.scored()
    by_id = {u["id"]: u for u in units}
    company = graph.company
    company_unit = _company_unit(builder, by_id, company.unit.id if company else None)
    context: dict[str, Any] = {
        **frame,
        "company": {
            "name": request.title,
            "mission": company.unit.mission if company else None,
            "vision": company.unit.vision if company else None,
            "bhag": company.unit.bhag if company else None,
            "unit": company_unit,
        },
        "scope": by_id.get(scope) if scope else None,
        "units": units,
    }
    wanted = set(SUMMARIES) if needed is None else {n for n in SUMMARIES if n in needed}
    attention = _attention(units) if wanted & {"attention", "prompts"} else {}
    if "attention" in wanted:
        context["attention"] = attention
    if "help_wanted" in wanted:
        context["help_wanted"] = help_wanted(units)
    if "owners" in wanted:
        context["owners"] = _owners(units)
    if "prompts" in wanted:
        context["prompts"] = _prompts(attention)
    since = request.since  # last: the comparison may still be under way in a child
    context["since"] = {
        "label": since.label,
        "date": since.date.isoformat() if since.date else None,
        "revision": since.revision[:10] if since.revision else None,
    }
    context["changes"] = _changes(request.comparison, graph, in_scope)
    builder.fill_supporters([*units, *([] if company_unit is None else [company_unit])])
    return context


class UnitShare:
    """A share of the units a report shows, scored where it is built: from
    `forks.WORTH_A_CHILD` units, where okrctl may fork, a forked child scores and builds the
    last `forks.CHILD_SHARE` of them while this process scores and builds the others (a
    company report at 2,000 teams spent half of its time there on one core, and scoring them
    all here before the child started, 107 ms, was a tenth); else this process all of them
    (`pairs` None: the whole card, those in `in_scope` shown). Each is scored on a card of
    its own (`Scoring.share`); what the child sends back equals what this process would have
    built (`tests/test_forks.py`)."""

    def __init__(
        self,
        builder: ContextBuilder,
        scoring: Scoring,
        pairs: list[tuple[str, int]] | None,
        in_scope: Container[str] = (),
        elsewhere: Container[str] = (),
        *,
        builds_company: bool = True,
    ) -> None:
        self.builder, self.scoring, self.pairs, self.in_scope = builder, scoring, pairs, in_scope
        self.builds_company = builds_company
        """Whether this share builds the company's context (this process's does)."""
        self.elsewhere = elsewhere
        """The units the other process scores (their supporters' entries are filled in)."""
        self._scored: tuple[ContextBuilder, list[UnitScore]] | None = None

    def scored(self) -> tuple[ContextBuilder, list[UnitScore]]:
        """A builder for these units (on their card), and their scores; worked out once, in
        the process that builds them."""
        if self._scored is None:
            if self.pairs is None:
                card = self.scoring.card
                units = [u for u in card.units if u.id in self.in_scope]
            else:
                card, units = self.scoring.share(
                    self.pairs, self.elsewhere, company=self.builds_company
                )
            self._scored = self.builder.with_card(card, self.elsewhere), units
        return self._scored


def _units(mine: UnitShare, theirs: UnitShare | None) -> list[dict[str, Any]]:
    """Each unit's context, in order: this process's share, then the one a forked child
    scored and built meanwhile (`UnitShare`), if any."""
    later = None
    if theirs is not None:

        def build_theirs() -> list[dict[str, Any]]:
            their_builder, units = theirs.scored()
            their_builder.ask(units)
            return [their_builder.unit(unit) for unit in units]

        later = elsewhere(build_theirs, first_in_child=theirs.builder.workspace.in_child)
    builder, shown = mine.scored()
    builder.ask(shown)
    units = [builder.unit(unit) for unit in shown]
    if later is not None:
        units += later()
    return units


def _units_on_demand(
    mine: UnitShare, theirs: UnitShare | None, rendering: ExitStack
) -> list[dict[str, Any]]:
    """Each unit's context, its key results built on demand (KPIs, a few per unit, whole).
    A forked child scores and builds the share of `theirs` meanwhile (what is known of their
    key results, as here), and a second one, at the lowest priority, those units' key results
    whole, in case a template reads them: sent back when it first does, ended unread once the
    template is rendered (a company report reads none)."""
    later = None
    if theirs is not None:

        def build_theirs() -> list[dict[str, Any]]:
            their_builder, units = theirs.scored()
            return _known_units(their_builder, units, {})

        later = theirs, elsewhere(build_theirs, first_in_child=theirs.builder.workspace.in_child)
        rendering.callback(later[1].abandon)
    builder, shown = mine.scored()
    whole = {kr.ref: partial(builder.key_result, kr) for kr in _key_results(shown)}
    units = _known_units(builder, shown, whole)
    if later is not None:
        their_share, units_later = later
        theirs_whole = _WholeOnceRead(their_share, rendering)
        for unit in units_later():
            for objective in unit["all_objectives"]:
                objective["key_results"] = [
                    _on_demand(known, partial(theirs_whole, known["ref"]))
                    for known in objective["key_results"]
                ]
            units.append(unit)
    return units


class _WholeOnceRead:
    """The key results of the units a child built, whole, for a template that reads them:
    the first read scores those units here and starts a second child building them all, at
    the lowest priority; until its answer is in (or where okrctl does not fork) each is built
    here when read. A company report reads none of them: started with the first child, the
    second cost it 212 ms of CPU and 57 ms of its run (benchmarks/RESULTS.md, round X)."""

    def __init__(self, theirs: UnitShare, rendering: ExitStack) -> None:
        self.theirs, self.rendering = theirs, rendering
        self.here = WholeHere(theirs)
        self.later: Later[dict[str, dict[str, Any]]] | None = None
        self.sent: dict[str, dict[str, Any]] | None = None

    def __call__(self, ref: str) -> dict[str, Any]:
        if self.sent is not None:
            return self.sent[ref]
        later = self.later
        if later is None:
            builder, units = self.theirs.scored()
            later = self.later = elsewhere(
                partial(_whole_key_results, builder, units),
                first_in_child=partial(_at_leisure, builder.workspace.in_child),
            )
            self.rendering.callback(later.abandon)
        elif later.sent():
            self.sent = later()
            return self.sent[ref]
        return self.here(ref)


class WholeHere:
    """A key result or KPI of another process's share of the units, built whole here for a
    template that reads more than that process sent of it: the share scored here on the
    first (the same scores, `UnitShare.scored`)."""

    def __init__(self, share: UnitShare) -> None:
        self.share = share
        self.numbers: dict[str, Callable[[], dict[str, Any]]] | None = None

    def __call__(self, ref: str) -> dict[str, Any]:
        numbers = self.numbers
        if numbers is None:
            builder, units = self.share.scored()
            numbers = {kr.ref: partial(builder.key_result, kr) for kr in _key_results(units)}
            numbers.update((k.ref, partial(builder.kpi, k)) for unit in units for k in unit.kpis)
            self.numbers = numbers
        return numbers[ref]()


def _known_units(
    builder: ContextBuilder,
    units: list[UnitScore],
    whole: Mapping[str, Callable[[], dict[str, Any]]],
) -> list[dict[str, Any]]:
    """`units`, each key result what is known of it, built whole on demand by the function
    `whole` gives for its ref (a plain dict of what is known where it gives none)."""
    builder.ask_about(_numbers(units), [kpi.ref for unit in units for kpi in unit.kpis])
    builder.on_demand = whole
    try:
        return [builder.unit(unit) for unit in units]
    finally:
        builder.on_demand = None


def _whole_key_results(
    builder: ContextBuilder, units: list[UnitScore]
) -> dict[str, dict[str, Any]]:
    key_results = _key_results(units)
    builder.ask_about([], [kr.ref for kr in key_results])
    return {kr.ref: builder.key_result(kr) for kr in key_results}


def _at_leisure(first: Callable[[], None]) -> None:
    """A child whose work may never be read yields its core to any other."""
    import os

    first()
    os.nice(19)


KNOWN = (
    "ref", "title", "owner", "score", "status", "status_words", "checked_in",
    "days_quiet", "stale", "quiet_through", "quiet_for",
)  # fmt: skip
"""What is known of a key result before it is built whole (`ContextBuilder.key_result_known`,
in its order)."""


KPI_HISTORY = ("checkins", "trend")
"""What of a KPI is left out where it is sent `as_known`: the rest is what a page lists of
every KPI (its value, health and silence)."""


def as_known(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`units` as a child sends them to a process that reads no number whole (the site's
    index, alignment and summaries): each key result what is known of it, each KPI without its
    check-ins; the rest of each is built there on demand (`built_on_demand`). Half the bytes
    of the whole at 2,000 teams. A copy: the child draws from the whole."""
    sent = []
    for unit in units:
        copies = {id(objective): _known_of(objective) for objective in unit["all_objectives"]}
        sent.append(
            {
                **unit,
                "objectives": [copies[id(o)] for o in unit["objectives"]],
                "functional_objectives": [copies[id(o)] for o in unit["functional_objectives"]],
                "all_objectives": list(copies.values()),
                "kpis": [
                    {name: value for name, value in kpi.items() if name not in KPI_HISTORY}
                    for kpi in unit["kpis"]
                ],
            }
        )
    return sent


def _known_of(objective: dict[str, Any]) -> dict[str, Any]:
    known = [{name: kr[name] for name in KNOWN} for kr in objective["key_results"]]
    return {**objective, "key_results": known}


def built_on_demand(
    units: list[dict[str, Any]], whole: Callable[[str], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Units a child sent `as_known`, each key result and KPI built whole by `whole` (given its
    ref) on the first read of anything not known of it, or of the whole of it: the same dict."""
    for unit in units:
        for objective in unit["all_objectives"]:
            objective["key_results"] = [
                _on_demand(known, partial(whole, known["ref"]))
                for known in objective["key_results"]
            ]
        unit["kpis"] = [FilledOnDemand(kpi, partial(whole, kpi["ref"])) for kpi in unit["kpis"]]
    return units


def _on_demand(known: dict[str, Any], whole: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A key result known in a child, built whole on demand; its owner as the objective set
    it (a key result without its own is its objective's)."""
    found = FilledOnDemand(known, whole)
    found["owner"] = known["owner"]
    return found


def unit_cost(graph: Graph, unit_id: str) -> int:
    """What scoring, building and drawing a unit's context costs, about: its numbers, and
    itself (a person with one key result beside a team with nine)."""
    unit = graph.units[unit_id].unit
    return 1 + len(unit.kpis) + sum(len(objective.key_results) for objective in unit.objectives)


def _numbers(units: list[UnitScore]) -> list[str]:
    """The refs of the key results and KPIs of `units`."""
    return [
        ref
        for unit in units
        for ref in (
            *(kr.ref for objective in unit.objectives for kr in objective.key_results),
            *(kpi.ref for kpi in unit.kpis),
        )
    ]


def _key_results(units: list[UnitScore]) -> list[KeyResultScore]:
    return [kr for unit in units for objective in unit.objectives for kr in objective.key_results]


def _company_unit(
    builder: ContextBuilder, in_scope: dict[str, dict[str, Any]], company_id: str | None
) -> dict[str, Any] | None:
    """The company as a unit: already built when it is in scope, built once otherwise (the
    card of this process's share holds it)."""
    if company_id is None:
        return None
    if company_id in in_scope:
        return in_scope[company_id]
    return next((builder.unit(u) for u in builder.card.units if u.id == company_id), None)


def _all(units: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [item for unit in units for item in unit[key]]


def _attention(units: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    objectives = _all(units, "all_objectives")
    key_results = [kr for o in objectives for kr in o["key_results"]]
    kpis = _all(units, "kpis")
    return {
        "off_track": [o for o in objectives if o["status"] in ("off_track", "missed")],
        "at_risk": [o for o in objectives if o["status"] == "at_risk"],
        "critical_kpis": [k for k in kpis if k["health"] == "critical"],
        "warning_kpis": [k for k in kpis if k["health"] == "warning"],
        "stale": [kr for kr in key_results if kr["stale"]] + [k for k in kpis if k["stale"]],
        "never_checked_in": [kr for kr in key_results if not kr["checked_in"]],
        "forecast_misses": [
            kr for kr in key_results if kr["forecast"] and kr["forecast"]["score"] < 1
        ],
    }


def _changes(
    comparison: Comparison | None, graph: Graph, in_scope: Mapping[str, int]
) -> dict[str, Any] | None:
    """Changes to the units in scope only, each list in cascade order (`in_scope`: each unit's
    place in it), a unit's own together: a company digest starts from the company's numbers
    and a digest cut short keeps those nearest the top."""
    if comparison is None:
        return None

    def mine(ref: str) -> bool:
        return unit_of(ref) in in_scope

    def place(ref: str) -> int:
        return in_scope[unit_of(ref)]

    def ordered(refs: list[str]) -> list[str]:
        return sorted(filter(mine, refs), key=place)  # (stable: a unit's in the file's order)

    def title(ref: str) -> str:
        if ref in graph.objectives:
            return graph.objectives[ref].objective.title
        node = graph.key_result_or_kpi(ref)
        return ref if node is None else node.model.title

    def unit(ref: str) -> str | None:
        """The unit a value is counted in, so "92 → 97.5" reads as the tables do: "92 $M"."""
        node = graph.key_result_or_kpi(ref)
        return None if node is None else node.model.unit

    changed = sorted((c for c in comparison.changed if mine(c.ref)), key=lambda c: place(c.ref))
    renamed = sorted(comparison.renamed.items(), key=lambda pair: place(pair[1]))
    return {
        "renamed": [
            {"old": was, "new": now, "name": graph.units[now].unit.display_name}
            for was, now in renamed
            if mine(now)
        ],
        "added": _added(ordered(comparison.added), graph, title),
        "dropped": [{"ref": r} for r in ordered(comparison.removed)],
        "values": [
            {
                "ref": c.ref,
                "title": title(c.ref),
                "unit": unit(c.ref),
                "old": c.old,
                "new": c.new,
                "delta": None if c.delta is None else shown_change(c.old, c.new),
            }
            for c in changed
            if c.field in ("current", "done")
        ],
        "confidence": [
            {"ref": c.ref, "title": title(c.ref), "old": c.old, "new": c.new}
            for c in changed
            if c.field == "confidence"
        ],
        "goalposts": [
            {"ref": c.ref, "field": c.field, "old": c.old, "new": c.new, "unit": unit(c.ref)}
            for c in changed
            if c.field in ("baseline", "target", "type")
        ],
    }


def _added(
    refs: list[str], graph: Graph, title: Callable[[str], str]
) -> list[dict[str, Any]]:
    """What was added, an added objective with the key results that came with it (listed
    under it, not again beside it: a new objective of three key results was four lines "Added"
    that read as four goals)."""
    entries: dict[str, dict[str, Any]] = {
        ref: {"ref": ref, "title": title(ref), "key_results": []} for ref in refs
    }
    added: list[dict[str, Any]] = []
    for ref, entry in entries.items():
        objective = graph.objective_of(ref) if ref in graph.key_results else None
        if objective is not None and objective in entries:
            entries[objective]["key_results"].append({"ref": ref, "title": entry["title"]})
        else:
            added.append(entry)
    return added


def _prompts(attention: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Discussion prompts for a 1:1, from what is off track, stale or forecast to miss."""
    prompts = []
    for objective in attention["off_track"]:
        prompts.append(
            f"“{objective['title']}” is {objective['status_words']} "
            f"({objective['score']:.2f} against {objective['expected']:.2f} expected): "
            f"what is in the way, and who could help?"
        )
    for kr in attention["stale"]:
        quiet = kr["quiet_for"]  # (a stale number's: `quiet_fields`)
        through = kr.get("quiet_through")  # derived `from:` others: never checked in itself
        said = f"is derived from `{through}`, not" if through else "has not been"
        prompts.append(
            f"“{kr['title']}” {said} checked in for {quiet}: is the number still the right one "
            f"to watch?"
        )
    for kr in attention["forecast_misses"]:
        # in the number's unit, as the tables show it (`:.4g` wrote 54,041 as 5.404e+04)
        heading, target = kr["forecast"]["value"], kr["target"]
        shown = (heading, target, kr.get("current"), kr.get("baseline"))  # cents in all, or none
        prompts.append(
            f"“{kr['title']}” is heading for {with_unit_among(heading, kr['unit'], shown)} "
            f"against a target of {with_unit_among(target, kr['unit'], shown)}: change the "
            f"approach, or the expectation?"
        )
    for kpi in attention["critical_kpis"]:
        prompts.append(f"KPI “{kpi['title']}” is critical: what would bring it back?")
    if not prompts:
        prompts.append("Everything is on pace: what would make next period more ambitious?")
    return prompts


def _owners(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who owns what: each owner's objectives and key results, owners by name."""
    owners: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def entry(handle: str) -> dict[str, list[dict[str, Any]]]:
        return owners.setdefault(handle, {"objectives": [], "key_results": []})

    for unit in units:
        for objective in unit["all_objectives"]:
            if objective["owner"]:
                entry(objective["owner"])["objectives"].append(objective)
            for kr in objective["key_results"]:
                handle = kr["owner"] or objective["owner"]
                if handle:
                    entry(handle)["key_results"].append(kr)
    return [{"owner": name, **owners[name]} for name in sorted(owners)]

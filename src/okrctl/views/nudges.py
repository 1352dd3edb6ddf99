"""Who should check in: each owner's key results and KPIs gone quiet (the `stale` rule's
judgement), with their last value and where `okrctl send nudges` reaches them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from okrctl.core.graph import Graph
from okrctl.core.ownership import key_result_owner, kpi_owner
from okrctl.core.scorecard import cascade_order, check_scope, company_title
from okrctl.core.staleness import LastSeen, stale_refs
from okrctl.model.config import Smtp
from okrctl.model.goals import Kind
from okrctl.store.snapshot import take_snapshot
from okrctl.store.web_address import repository_url
from okrctl.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Quiet:
    """A key result or KPI nobody has checked in for longer than `stale_after_days`."""

    ref: str
    title: str
    kind: str
    """`key result` or `KPI`."""
    value: Any
    unit: str | None
    said: str
    """How long, in words (`Silence.said_for`: "more than 14 days" on the day it went stale)."""
    last_checkin: LastSeen | None
    """Its day and the calendar days from it, what a reader counts beside the date (None:
    never checked in)."""
    milestone: bool = False


@dataclass(slots=True)
class Nudge:
    handle: str
    address: str | None
    name: str
    """Who the mail greets: the person file's `name:` (Tom Lindqvist), else the name git knows
    for the address (Dev Raman), else the handle."""
    quiet: list[Quiet] = field(default_factory=list)


@dataclass(slots=True)
class Nudges:
    company: str
    period: str
    as_of: date
    stale_after_days: int
    nudges: list[Nudge] = field(default_factory=list)
    unowned: list[Quiet] = field(default_factory=list)
    """Stale numbers with no owner, nor a lead to fall back on: nobody to nudge."""
    notes: list[str] = field(default_factory=list)
    smtp: Smtp | None = None
    """okrctl.yaml's mail server, read with the goals."""
    repository_url: str | None = None
    """Where the goals live on the web, for "Check in" links (None: no links)."""


def nudges(
    repo: Workspace | Path | str | None = None,
    scope: str | None = None,
    *,
    as_of: date | None = None,
) -> Nudges:
    """One nudge per owner whose numbers went quiet, each listing all of them."""
    snapshot = take_snapshot(repo, as_of=as_of, history_soon=True)
    graph = snapshot.graph
    scope = check_scope(graph, scope)
    config = snapshot.repository.config.config
    result = Nudges(
        company_title(graph, config.company),
        snapshot.period.name,
        snapshot.moment.as_of,
        config.stale_after_days,
        smtp=config.smtp,
        repository_url=repository_url(snapshot.workspace, config.repository_url),
    )
    history = snapshot.read_history("nudges (who has not checked in)")
    result.notes = list(snapshot.notes)
    if history is None:
        return result
    units = {unit_id for unit_id, _ in cascade_order(graph, scope)}
    limit = config.stale_after_days
    stale = stale_refs(graph, history, snapshot.period, snapshot.moment.instant, limit)
    by_owner: dict[str, Nudge] = {}
    for ref, handle, item in _described(graph, units, stale):
        found = Quiet(
            ref,
            item["title"],
            item["kind"],
            item["value"],
            item["unit"],
            stale[ref].said_for(limit),
            stale[ref].last_seen(result.as_of),
            item["milestone"],
        )
        if handle is None:
            result.unowned.append(found)
            continue
        if handle not in by_owner:
            by_owner[handle] = Nudge(
                handle, _address(graph, config.emails, handle), _name(graph, handle)
            )
        by_owner[handle].quiet.append(found)
    result.nudges = sorted(by_owner.values(), key=lambda n: n.handle)
    if snapshot.workspace.top is not None:
        _name_from_git(snapshot.workspace.top, result.nudges)
    return result


def _name_from_git(top: Path, nudges: list[Nudge]) -> None:
    """Greet an owner with no person file by the name their address commits under: "Hi Dev
    Raman," where it was "Hi dev,"."""
    from email.utils import parseaddr

    from okrctl.store.git.log import author_names

    unnamed = {
        parseaddr(n.address)[1].lower(): n for n in nudges if n.address and n.name == n.handle
    }
    unnamed.pop("", None)
    for address, name in author_names(top, unnamed).items():
        unnamed[address].name = name


def _described(
    graph: Graph, units: set[str], stale: dict[str, Any]
) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(ref, owner handle, what the nudge says of it) of each stale key result and KPI in
    `units`."""
    watched: list[tuple[str, str | None, dict[str, Any]]] = []
    for kr in graph.key_results.values():
        unit = kr.owner.unit
        if unit.id not in units or kr.ref not in stale or kr.key_result.derived_from:
            continue  # a derived number's sources are nudged, not it
        model = kr.key_result
        handle = key_result_owner(kr)
        value = model.done if model.milestone else model.current
        item = {
            "title": model.title,
            "kind": "key result",
            "value": value,
            "unit": model.unit,
            "milestone": model.milestone,
        }
        watched.append((kr.ref, handle, item))
    for kpi in graph.kpis.values():
        unit = kpi.owner.unit
        if unit.id not in units or kpi.ref not in stale or kpi.kpi.derived_from:
            continue
        handle = kpi_owner(kpi)
        item = {
            "title": kpi.kpi.title,
            "kind": "KPI",
            "value": kpi.kpi.current,
            "unit": kpi.kpi.unit,
            "milestone": False,
        }
        watched.append((kpi.ref, handle, item))
    return watched


def _name(graph: Graph, handle: str) -> str:
    person = graph.units.get(handle)
    if person is not None and person.unit.kind is Kind.PERSON:
        return person.unit.display_name
    return handle


def _address(graph: Graph, emails: dict[str, str], handle: str) -> str | None:
    """A person file's `email:`, else `emails:` in okrctl.yaml."""
    person = graph.units.get(handle)
    if person is not None and person.unit.kind is Kind.PERSON and person.unit.email:
        return person.unit.email
    return emails.get(handle)

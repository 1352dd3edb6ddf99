"""Who answers for a number (docs/behaviour.md, "Who owns a number"): a key result's own
`owner`, else its objective's owner (in a person file, that person), else the lead of its unit;
a KPI's `owner`, else the person whose file it is in, else its unit's lead. Nudges go to them,
and `okrctl checkin` with no ref asks them."""

from __future__ import annotations

from okrctl.core.graph import Graph, KeyResultNode, KpiNode
from okrctl.model.goals import Kind


def key_result_owner(node: KeyResultNode) -> str | None:
    return node.key_result.owner or node.parent.owner_handle or node.owner.unit.lead


def kpi_owner(node: KpiNode) -> str | None:
    unit = node.owner.unit
    return node.kpi.owner or (unit.id if unit.kind is Kind.PERSON else unit.lead)


def answerable(graph: Graph, ref: str) -> set[str | None]:
    """Who answers for `ref`, so may check it in: its owner, and the lead of its unit and of
    every unit above (in a person file, that person). Empty for a ref that is no number."""
    node = graph.key_results.get(ref)
    kpi = graph.kpis.get(ref)
    if node is not None:
        owner, unit_id = key_result_owner(node), node.owner.unit.id
    elif kpi is not None:
        owner, unit_id = kpi_owner(kpi), kpi.owner.unit.id
    else:
        return set()
    allowed: set[str | None] = {owner}
    seen: set[str] = set()
    while unit_id in graph.units and unit_id not in seen:
        seen.add(unit_id)
        unit = graph.units[unit_id].unit
        allowed.add(unit.lead)
        if unit.kind is Kind.PERSON:
            allowed.add(unit.id)
        unit_id = unit.parent or ""
    return allowed


NOREPLY = "@users.noreply.github.com"


def addresses(graph: Graph, emails: dict[str, str]) -> dict[str, str | None]:
    """Every handle the goals know, with its address: a person file's `email:`, else its
    `emails:` entry in okrctl.yaml; leads and owners with none are known too (None)."""
    found: dict[str, str | None] = {handle: address for handle, address in emails.items()}
    for unit_id, unit_file in graph.units.items():
        unit = unit_file.unit
        if unit.kind is Kind.PERSON:
            found[unit_id] = unit.email or found.get(unit_id)
        if unit.lead:
            found.setdefault(unit.lead, None)
    for node in graph.key_results.values():
        if (owner := key_result_owner(node)) is not None:
            found.setdefault(owner, None)
    return found


def handles_at(known: dict[str, str | None], address: str) -> list[str]:
    """The handles whose address is `address`, letter case aside."""
    wanted = address.strip().lower()
    return sorted(h for h, a in known.items() if wanted and a and a.lower() == wanted)


def author_handle(graph: Graph, known: dict[str, str | None], address: str) -> str | None:
    """The person a commit's author address stands for (`known`: `addresses(...)`): the one
    handle with that address, else, for GitHub's private address
    (`ID+login@users.noreply.github.com`), the person file whose `github:` is that login."""
    matches = handles_at(known, address)
    if len(matches) == 1:
        return matches[0]
    wanted = address.strip().lower()
    if wanted.endswith(NOREPLY):
        login = wanted.removesuffix(NOREPLY).split("+", 1)[-1]
        for unit_id, unit_file in graph.units.items():
            unit = unit_file.unit
            if unit.kind is Kind.PERSON and (unit.github or "").lower() == login:
                return unit_id
    return None


def knows_authors(graph: Graph, emails: dict[str, str]) -> bool:
    """Whether any address or login ties commits to people: without one, nobody's check-ins
    can be told apart from their owner's."""
    return bool(emails) or any(
        u.unit.kind is Kind.PERSON and (u.unit.email or u.unit.github) for u in graph.units.values()
    )

"""Who answers for a number (docs/behaviour.md, "Who owns a number"): a key result's own
`owner`, else its objective's owner (in a person file, that person), else the lead of its unit;
a KPI's `owner`, else the person whose file it is in, else its unit's lead. Nudges go to them,
and `okrctl checkin` with no ref asks them."""

from __future__ import annotations

from okrctl.core.graph import KeyResultNode, KpiNode
from okrctl.model.goals import Kind


def key_result_owner(node: KeyResultNode) -> str | None:
    return node.key_result.owner or node.parent.owner_handle or node.owner.unit.lead


def kpi_owner(node: KpiNode) -> str | None:
    unit = node.owner.unit
    return node.kpi.owner or (unit.id if unit.kind is Kind.PERSON else unit.lead)

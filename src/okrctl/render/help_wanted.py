"""Who could use help (docs/templates.md): per unit, what is off track, critical or quiet, and
which units need a hand most when there are more than a digest can name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Wanted = dict[str, Any]


def help_wanted(units: list[dict[str, Any]]) -> list[Wanted]:
    """Per unit, in the order given (cascade order), what could use help: off-track objectives,
    critical KPIs, and the numbers gone stale, key results then KPIs (the digest says "numbers
    nobody has checked in", and listed no KPI, however long nobody had looked at one); units
    with none of them are left out."""
    wanted = []
    for unit in units:
        objectives = [o for o in unit["all_objectives"] if o["status"] in ("off_track", "missed")]
        kpis = [k for k in unit["kpis"] if k["health"] == "critical"]
        stale = stale_numbers(unit)
        if objectives or kpis or stale:
            wanted.append({"unit": unit, "objectives": objectives, "kpis": kpis, "stale": stale})
    return wanted


def stale_numbers(unit: dict[str, Any]) -> list[dict[str, Any]]:
    """A unit's numbers gone stale: its key results, then its KPIs (the `stale_numbers` filter:
    a unit page's list of them, built in Jinja, was a tenth of the page)."""
    stale = [kr for o in unit["all_objectives"] for kr in o["key_results"] if kr["stale"]]
    return stale + [kpi for kpi in unit["kpis"] if kpi["stale"]]


def most_in_need(wanted: Sequence[Wanted], count: int) -> list[Wanted]:
    """The `count` units of `wanted` that need help most, still in the order given: the most
    objectives off track and KPIs critical first (results going wrong), then the most numbers
    gone quiet (nobody looking); an equal need keeps the unit that comes first. A digest at
    2,000 teams named every one of them, 25,000 lines nobody reads."""
    count = max(0, int(count))
    if len(wanted) <= count:
        return list(wanted)

    def need(index: int) -> tuple[int, int, int]:
        entry = wanted[index]
        going_wrong = len(entry["objectives"]) + len(entry["kpis"])
        return (-going_wrong, -len(entry["stale"]), index)

    kept = sorted(sorted(range(len(wanted)), key=need)[:count])
    return [wanted[index] for index in kept]

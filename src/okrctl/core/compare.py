"""What changed between two versions of the goals: objectives, key results and KPIs added or
dropped, and the fields that moved. Pure: two graphs in, a list of changes out."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from okrctl.core.graph import Graph
from okrctl.model.bounds import is_number
from okrctl.model.fields import plain
from okrctl.model.names import translate, unit_of
from okrctl.model.units import Repository, UnitFile

VALUE_FIELDS = ("current", "done")
KEY_RESULT_FIELDS = (
    "title", "unit", "baseline", "target", "keep", "confidence", "owner", "weight", "source",
    "from",
)
OBJECTIVE_FIELDS = ("title", "type", "owner", "aligns_to", "why")
KPI_FIELDS = ("title", "unit", "healthy", "warning", "owner", "source", "from")
"""What a diff compares, named as the YAML spells them: a number measured in another unit, from
another source, or taken `from:` other numbers (or no longer) is a number redefined, as much as
a moved target."""

ATTRIBUTES = {"from": "derived_from"}
"""The model's name of a field whose YAML name is a Python keyword."""

UNIT_FIELDS = ("kind", "name", "parent", "lead", "mission", "vision", "bhag")
"""What a diff compares of the units themselves: a team moved under another pillar, a new
lead, the mission rewritten are the changes a reorganisation makes."""


@dataclass(frozen=True, slots=True)
class Change:
    ref: str
    field: str
    old: Any
    new: Any

    @property
    def delta(self) -> float | None:
        if is_number(self.old) and is_number(self.new):
            return float(self.new - self.old)
        return None


@dataclass(slots=True)
class Comparison:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    """Old id -> new id of the units renamed in between (`renamed_units`)."""


def _fields(model: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(getattr(model, ATTRIBUTES.get(name, name))) for name in names}


def snapshot_items(
    graph: Graph, same: frozenset[str] = frozenset(), units: Container[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Every objective, key result and KPI (of `units`, when given) as ref -> comparable
    fields; those of the units in `same` only where their number is derived (it may move with
    another unit's)."""
    items: dict[str, dict[str, Any]] = {}
    # a ref starts with its unit's id: read from it, not from the node; a scope's nodes are
    # found from its units' own lists (a pillar's report compares 1,100 key results of 22,000
    # at 2,000 teams: passing over the others took a quarter of its comparison)
    nodes = graph if units is None else graph.restricted([u for u in graph.units if u in units])
    objectives, key_results, kpis = nodes.objectives, nodes.key_results, nodes.kpis
    for ref, node in objectives.items():
        if unit_of(ref) not in same:
            items[ref] = _fields(node.objective, OBJECTIVE_FIELDS)
    for ref, kr in key_results.items():
        if unit_of(ref) not in same or kr.key_result.derived_from is not None:
            items[ref] = _fields(kr.key_result, (*KEY_RESULT_FIELDS, *VALUE_FIELDS))
    for ref, kpi in kpis.items():
        if unit_of(ref) not in same or kpi.kpi.derived_from is not None:
            items[ref] = _fields(kpi.kpi, (*KPI_FIELDS, "current"))
    return items


def unchanged_units(old: Graph, new: Graph) -> frozenset[str]:
    """Units read into the same object at both ends: a file whose bytes did not change comes
    out of the parse cache once, whichever revision asked (identity, not equality, so this
    costs nothing and cannot be wrong)."""
    return frozenset(
        unit_id
        for unit_id, unit_file in new.units.items()
        if unit_id in old.units and old.units[unit_id].unit is unit_file.unit
    )


def read_by_comparison(
    repository: Repository, new: Graph, units: Container[str] | None
) -> tuple[Repository, frozenset[str] | None]:
    """The part of a version of the goals (`repository`) that comparing the units `units`
    (None: all) with `new` reads, and the units read unchanged (`unchanged_units`, worked out
    from the files): the units that changed alone, unless one of those compared takes a number
    `from:` others, which may move with any unit's (then every unit, and None: the graphs
    tell). A report at 2,000 teams built the graph of every unit as it was `--since`, for
    the few dozen a fortnight changes (a pillar's, for the hundred it compares)."""
    first = {
        unit_id: unit_file
        for unit_id, unit_file in units_by_id(repository).items()
        if units is None or unit_id in units
    }
    for unit_file in first.values():
        unit = unit_file.unit
        if any(kpi.derived_from is not None for kpi in unit.kpis) or any(
            kr.derived_from is not None for o in unit.objectives for kr in o.key_results
        ):
            return repository, None
    same = frozenset(
        unit_id
        for unit_id, unit_file in first.items()
        if (now := new.units.get(unit_id)) is not None and now.unit is unit_file.unit
    )
    changed = [unit_file for unit_id, unit_file in first.items() if unit_id not in same]
    return replace(repository, units=changed), same


def compare(
    old: Graph,
    new: Graph,
    units: Container[str] | None = None,
    same: frozenset[str] | None = None,
    renamed: Mapping[str, str] | None = None,
) -> Comparison:
    """What changed from `old` to `new` (in `units` only, when given, by their ids in `new`);
    `same`, the units read unchanged, when known (`read_by_comparison`: `old` then holds only
    the others); `renamed`, old id -> new id of the units renamed in between
    (`renamed_units`), whose goals are compared under their new ids."""
    if same is None:
        same = unchanged_units(old, new)
    renamed = renamed or {}
    before = snapshot_items(old, same, with_former_ids(units, renamed))
    if renamed:
        before = {
            translate(ref, renamed): _as_renamed(fields, renamed) for ref, fields in before.items()
        }
    after = snapshot_items(new, same, units)
    result = Comparison(
        added=[ref for ref in after if ref not in before],
        removed=[ref for ref in before if ref not in after],
        renamed={was: now for was, now in renamed.items() if units is None or now in units},
    )
    for ref, fields in after.items():
        earlier = before.get(ref)
        if earlier is None:
            continue
        for name, value in fields.items():
            if earlier.get(name) != value or type(earlier.get(name)) is not type(value):
                if earlier.get(name) == value and isinstance(value, int | float):
                    continue  # 40 and 40.0 are one number
                if _reflowed(earlier.get(name), value):
                    continue
                result.changed.append(Change(ref, name, earlier.get(name), value))
    return result


def _reflowed(old: Any, new: Any) -> bool:
    """The same words wrapped or spaced otherwise (a `why:` made a block of lines): no change
    of what it says."""
    return isinstance(old, str) and isinstance(new, str) and old.split() == new.split()


def compare_units(
    old: Graph, new: Graph, renamed: Mapping[str, str] | None = None
) -> Comparison:
    """The units themselves from `old` to `new`: added, removed, renamed (`renamed_units`: an
    `id` change) and their `UNIT_FIELDS` that moved (their goals are `compare`'s)."""
    renamed = renamed or {}
    was = {new_id: old_id for old_id, new_id in renamed.items()}
    result = Comparison(
        added=[u for u in new.units if u not in old.units and u not in was],
        removed=[u for u in old.units if u not in new.units and u not in renamed],
    )
    for unit_id, unit_file in new.units.items():
        earlier = old.units.get(was.get(unit_id, unit_id))
        if earlier is None or earlier.unit is unit_file.unit:
            continue
        if unit_id in was:
            result.changed.append(Change(unit_id, "id", was[unit_id], unit_id))
        before = _as_renamed(_fields(earlier.unit, UNIT_FIELDS), renamed)
        after = _fields(unit_file.unit, UNIT_FIELDS)
        result.changed += [
            Change(unit_id, name, before[name], value)
            for name, value in after.items()
            if before[name] != value and not _reflowed(before[name], value)
        ]
    return result


def renamed_units(
    old: Mapping[str, UnitFile], new: Mapping[str, UnitFile], moved: Mapping[str, str]
) -> dict[str, str]:
    """Old id -> new id of each unit (`old` and `new`: id -> its file, a graph's `units`) that
    is the same file under another id: its `id:` changed where the file stands, or the file
    moved to the new name (`moved`: old path -> new path, as git's rename detection pairs
    them). Its goals are the same goals, not dropped and added again (docs/commands.md,
    "Quarters")."""
    gone = {unit_file.path: unit_id for unit_id, unit_file in old.items()}
    came_from = {new_path: old_path for old_path, new_path in moved.items()}
    found: dict[str, str] = {}
    for unit_id, unit_file in new.items():
        if unit_id in old:
            continue
        path = unit_file.path
        old_id = gone.get(path) or gone.get(came_from.get(path, ""))
        if old_id is not None and old_id not in new and old_id not in found:
            found[old_id] = unit_id
    return found


def units_by_id(repository: Repository) -> dict[str, UnitFile]:
    """A version's units by id, the first file of an id its unit (as in its graph)."""
    found: dict[str, UnitFile] = {}
    for unit_file in repository.units:
        found.setdefault(unit_file.unit.id, unit_file)
    return found


def _as_renamed(fields: dict[str, Any], renamed: Mapping[str, str]) -> dict[str, Any]:
    """`fields` as they would read with the units renamed since under their new ids: a team
    whose pillar was renamed has not moved, nor has an objective aligned to it."""
    if not renamed:
        return fields
    found = dict(fields)
    if isinstance(found.get("parent"), str):
        found["parent"] = translate(found["parent"], renamed)
    if isinstance(found.get("aligns_to"), list):
        found["aligns_to"] = [translate(ref, renamed) for ref in found["aligns_to"]]
    source = found.get("from")
    if isinstance(source, str):
        found["from"] = translate(source, renamed)
    elif isinstance(source, dict) and isinstance(source.get("sum"), list):
        found["from"] = {**source, "sum": [translate(ref, renamed) for ref in source["sum"]]}
    return found


def with_former_ids(
    units: Container[str] | None, renamed: Mapping[str, str]
) -> Container[str] | None:
    """`units` (ids in the later version; None: all) and, of those renamed since (`renamed`:
    old id -> new id), their ids in the earlier one: what a scoped comparison reads of it."""
    if units is None or not renamed:
        return units
    return _Either(units, {old_id for old_id, now in renamed.items() if now in units})


@dataclass(frozen=True, slots=True)
class _Either:
    first: Container[str]
    second: Container[str]

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second

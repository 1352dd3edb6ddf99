"""Who made each difference in a change: its commits walked oldest first, each goals file read
before and after (`store/versions.py`), every ref in HEAD's names (a unit file renamed in the
change takes its refs with it). The last commit to touch a setting gets the credit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from okrctl.core.recount import recounted_fields
from okrctl.model.names import unit_stem
from okrctl.store.change import Change
from okrctl.store.history import LogCommit
from okrctl.store.versions import Version, read_version
from okrctl.views.review import UNKNOWN, Credit, Sides

VALUE_FIELDS = {"key result": ("current", "done", "confidence"), "KPI": ("current",)}
"""What a check-in changes, by kind."""

# --- renames -------------------------------------------------------------------------------


def unit_renames(change: Change, sides: Sides) -> dict[str, str]:
    """Old unit id → new unit id for each goals file git sees renamed whose unit id changed."""
    prefix = sides.git_prefix
    base_ids = {u.path: i for i, u in sides.base.units.items()}
    head_ids = {u.path: i for i, u in sides.head.units.items()}
    found = {}
    for old, new in change.renames.items():
        old_id = base_ids.get(old.removeprefix(prefix))
        new_id = head_ids.get(new.removeprefix(prefix))
        if old_id and new_id and old_id != new_id:
            found[old_id] = new_id
    return found


def translate(ref: str, renames: dict[str, str]) -> str:
    unit, _, rest = ref.partition("/")
    unit = renames.get(unit, unit)
    return f"{unit}/{rest}" if rest else unit


# --- the walk: who made each difference ----------------------------------------------------


@dataclass(slots=True)
class Walk:
    """What the change's commits did, ref by ref, in HEAD's names."""

    touched: dict[tuple[str, str], LogCommit] = field(default_factory=dict)
    added: dict[str, LogCommit] = field(default_factory=dict)
    dropped: dict[str, LogCommit] = field(default_factory=dict)
    values: list[tuple[str, str, dict[str, Any], dict[str, Any], LogCommit]] = field(
        default_factory=list
    )
    """(ref, kind, before, after, commit) for each commit that changed a number's value."""
    renamed: dict[str, LogCommit] = field(default_factory=dict)
    """A renamed file's new path (from the git top-level) → the commit that renamed it."""


def _items(version: Version) -> dict[str, tuple[str, dict[str, Any]]]:
    found = {ref: ("objective", o) for ref, o in version.objectives.items()}
    found |= {ref: ("key result", k) for ref, k in version.key_results.items()}
    found |= {ref: ("KPI", k) for ref, k in version.kpis.items()}
    return found


def walk(change: Change, renames: dict[str, str]) -> Walk:
    result = Walk()
    cache: dict[tuple[str, str], dict[str, tuple[str, dict[str, Any]]]] = {}

    def items(sha: str, path: str | None) -> dict[str, tuple[str, dict[str, Any]]]:
        if path is None or not sha or set(sha) == {"0"}:
            return {}
        key = (sha, unit_stem(path))
        if key not in cache:
            raw = change.blobs.get(sha, b"")
            found = _items(read_version(raw, key[1]))
            cache[key] = {translate(ref, renames): item for ref, item in found.items()}
        return cache[key]

    for commit in change.commits:
        before: dict[str, tuple[str, dict[str, Any]]] = {}
        after: dict[str, tuple[str, dict[str, Any]]] = {}
        for entry in commit.entries:
            old = items(entry.old_sha, entry.old_path or entry.path)
            new = items(entry.sha, entry.path) if entry.status != "D" else {}
            if entry.status == "R":
                old = _follow(old, new)
                result.renamed[entry.path] = commit
            before |= old
            after |= new
        for ref, (kind, fields) in after.items():
            if ref not in before:
                result.added[ref] = commit
                result.dropped.pop(ref, None)
                continue
            earlier = before[ref][1]
            if kind != "objective":  # a number moved to another magnitude: counted again
                earlier = recounted_fields(earlier, earlier.get("unit"), fields.get("unit"))
            for name in set(fields) | set(earlier):
                if fields.get(name) != earlier.get(name):
                    result.touched[(ref, name)] = commit
            if any(fields.get(n) != earlier.get(n) for n in VALUE_FIELDS.get(kind, ())):
                result.values.append((ref, kind, earlier, fields, commit))
        for ref in before:
            if ref not in after:
                result.dropped[ref] = commit
                result.added.pop(ref, None)
    return result


def _follow(
    old: dict[str, tuple[str, dict[str, Any]]], new: dict[str, tuple[str, dict[str, Any]]]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """A file renamed in one commit keeps its goals: its old unit id is read as the new one
    (when the rename changed the id, that commit's own refs follow it)."""
    old_unit = next((ref.split("/", 1)[0] for ref in old), None)
    new_unit = next((ref.split("/", 1)[0] for ref in new), None)
    if old_unit is None or new_unit is None or old_unit == new_unit:
        return old
    return {translate(ref, {old_unit: new_unit}): item for ref, item in old.items()}


def credit(commit: LogCommit | None) -> Credit:
    if commit is None:
        return UNKNOWN
    return Credit(commit.sha, commit.author, commit.date)

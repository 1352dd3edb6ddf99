"""Who made each difference in a change: its commits walked oldest first, each goals file read
before and after (`store/versions.py`), every ref in HEAD's names (a unit file renamed in the
change takes its refs with it). The last commit to touch a setting gets the credit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from okrctl.core.compare import renamed_units
from okrctl.core.recount import recounted_fields
from okrctl.model.names import followed, renamed_unit, translate, unit_stem
from okrctl.store.change import Change
from okrctl.store.history import LogCommit
from okrctl.store.versions import Version, read_version
from okrctl.views.review import UNKNOWN, Credit, Sides

VALUE_FIELDS = {"key result": ("current", "done", "confidence"), "KPI": ("current",)}
"""What a check-in changes, by kind."""

# --- renames -------------------------------------------------------------------------------


def unit_renames(change: Change, sides: Sides) -> dict[str, str]:
    """Old unit id → new unit id for each goals file whose unit id changed: moved to the new
    name (as git sees it renamed), or its `id:` changed where it stands."""
    prefix = sides.git_prefix
    moved = {
        old.removeprefix(prefix): new.removeprefix(prefix) for old, new in change.renames.items()
    }
    return renamed_units(sides.base.units, sides.head.units, moved)


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
    held: dict[tuple[str, str], list[str]] = {}
    """Each version's first ref as the file spells it (before `renames`): whose unit it was."""

    def items(sha: str, path: str | None) -> dict[str, tuple[str, dict[str, Any]]]:
        if path is None or not sha or set(sha) == {"0"}:
            return {}
        key = (sha, unit_stem(path))
        if key not in cache:
            raw = change.blobs.get(sha, b"")
            found = _items(read_version(raw, key[1]))
            held[key] = list(found)[:1]
            cache[key] = {translate(ref, renames): item for ref, item in found.items()}
        return cache[key]

    def spelt(sha: str, path: str | None) -> list[str]:
        return held.get((sha, unit_stem(path)), []) if path is not None else []

    for commit in change.commits:
        before: dict[str, tuple[str, dict[str, Any]]] = {}
        after: dict[str, tuple[str, dict[str, Any]]] = {}
        for entry in commit.entries:
            old_path = entry.old_path or entry.path
            old = items(entry.old_sha, old_path)
            new = items(entry.sha, entry.path) if entry.status != "D" else {}
            if entry.status in ("M", "R") and renamed_unit(
                spelt(entry.old_sha, old_path), spelt(entry.sha, entry.path)
            ):  # the unit renamed by this commit: moved to its new name, or its `id:` changed
                old = followed(old, new)
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


def credit(commit: LogCommit | None) -> Credit:
    if commit is None:
        return UNKNOWN
    return Credit(commit.sha, commit.author, commit.date)

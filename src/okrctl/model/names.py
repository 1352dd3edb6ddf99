"""How goals files are named, without importing the model: the history fast path needs it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

Item = TypeVar("Item")

YAML_SUFFIXES = (".yaml", ".yml")
"""What a goals file's name ends in (in lower case: `.YAML` is a finding, not a goals file)."""


def unit_of(ref: str) -> str:
    """The unit a ref belongs to: its first step (`signups` of `signups/funding/ach`)."""
    return ref.partition("/")[0]


def unit_stem(path: str) -> str:
    """The unit id a goals file is named for: its file name without the suffix."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def renamed_unit(before: Iterable[str], after: Iterable[str]) -> tuple[str, str] | None:
    """(old id, new id) where a version of a goals file holds its unit under another id than
    the version it replaced (refs of each, in any order; none: a file created or emptied), so
    that its goals go on under the new id (docs/commands.md, "Check-ins"); None when the id is
    the same."""
    old = next(iter(before), None)
    new = next(iter(after), None)
    if old is None or new is None or unit_of(old) == unit_of(new):
        return None
    return unit_of(old), unit_of(new)


def translate(ref: str, renamed: Mapping[str, str]) -> str:
    """`ref` under its unit's new id, where `renamed` (old id -> new id) renamed that unit."""
    unit, _, rest = ref.partition("/")
    unit = renamed.get(unit, unit)
    return f"{unit}/{rest}" if rest else unit


def followed(before: Mapping[str, Item], after: Iterable[str]) -> dict[str, Item]:
    """`before` (a version's items by ref) under the unit id of the version after it, where
    that version renamed the unit (`renamed_unit`): its goals, not dropped and added again."""
    renamed = renamed_unit(before, after)
    if renamed is None:
        return dict(before)
    as_renamed = dict([renamed])
    return {translate(ref, as_renamed): item for ref, item in before.items()}

"""Reading a version of a unit file from the one before or after it, by the lines that changed.

A quarter of check-ins is thousands of versions of the same files, each differing from the
last by one line: `current: 41.2` became `current: 42`. Composing each whole version again is
most of a cold `check`'s time (benchmarks/RESULTS.md). A version read in full (its values and
the positions of its nodes) is a `Base`: which line holds which number (`LineMap`). A
neighbouring version with the same number of lines, whose changed lines are all such lines,
takes the base's values with those numbers read from the changed lines alone.

Every step is checked, and anything unusual falls back to reading the version whole: a line
read alone must give exactly the value the whole document gave it (so a line inside a flow
collection, or a plain scalar continued on the next line, is never read alone); the changed
line keeps its indentation and key; a block scalar (`|`, `>`) or an empty value, which could
take the lines below, is not read alone; numbers no goal can hold are refused as the whole
reading refuses them. `tests/test_history_index.py` checks that the timelines equal a walk
that reads every version whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from okrctl.store.versions import UnreadableVersion, Values, usable
from okrctl.store.yaml.read import MAX_FILE_BYTES, SourceMap, YamlProblem, parse_text
from okrctl.store.yaml.scalars import MAYBE_SPECIAL, resolve_plain

LineMap = dict[int, tuple[str, int]]
"""0-based line → (ref, slot in its `Values` tuple: 0 value, 1 confidence, 2 target)."""

if TYPE_CHECKING:
    from okrctl.model.goals import Unit

PATCH_VERSIONS = True
"""Read versions from their neighbours' changed lines (off in tests, for the truth)."""

_MISSING = object()
_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*: +([A-Za-z0-9_.+-]+)(?: +#.*| *)").fullmatch
"""A `key: value` line whose value is one plain word (a number, true, false, null), maybe
with a comment: read without composing it."""


@dataclass(slots=True, eq=False)
class Base:
    """A version read whole, or from a base, that its neighbours can be read from: its bytes,
    its values, and where its numbers are (from the composed data, or from the validated unit
    the loader keeps anyway, with the positions)."""

    raw: bytes
    values: Values
    data: object = None
    source: SourceMap | None = None
    lines: LineMap | None = field(default=None)
    unit: Unit | None = None

    def line_map(self, stem: str) -> LineMap:
        if self.lines is None:
            if self.source is None:
                self.lines = {}
            elif self.unit is not None:
                self.lines = line_map(self.source, _unit_numbers(self.unit))
            else:
                self.lines = line_map(self.source, _data_numbers(self.data, stem))
        return self.lines


Numbers = Iterator[tuple[tuple[Any, ...], str, int]]
"""(path of a value's node, ref, slot) of each number a version holds."""


def line_map(source: SourceMap, numbers: Numbers) -> LineMap:
    """Which line holds each number's value, confidence and target, where the key and its
    value start on one line (refs that occur twice are left out: which one counts is the
    whole reading's business; so are lines holding two numbers: a flow mapping)."""
    found: list[tuple[int, str, int]] = []
    nodes: dict[str, set[tuple[Any, ...]]] = {}
    for path, ref, slot in numbers:
        nodes.setdefault(ref, set()).add(path[:-1])
        lines = source.entry_lines(*path)
        if lines is not None and lines[0] == lines[1]:
            found.append((lines[0] - 1, ref, slot))
    lines_used = Counter(line for line, _, _ in found)
    return {
        line: (ref, slot)
        for line, ref, slot in found
        if len(nodes[ref]) == 1 and lines_used[line] == 1
    }


def _data_numbers(data: object, stem: str) -> Numbers:
    if not isinstance(data, dict):
        return
    unit_id = data.get("id") if isinstance(data.get("id"), str) else stem
    for i, objective in enumerate(_list(data.get("objectives"))):
        if not isinstance(objective, dict):
            continue
        for j, key_result in enumerate(_list(objective.get("key_results"))):
            if not isinstance(key_result, dict):
                continue
            ref = f"{unit_id}/{objective.get('id')}/{key_result.get('id')}"
            value = "done" if key_result.get("milestone") is True else "current"
            for name, slot in ((value, 0), ("confidence", 1), ("target", 2)):
                if name in key_result:
                    yield ("objectives", i, "key_results", j, name), ref, slot
    for k, kpi in enumerate(_list(data.get("kpis"))):
        if isinstance(kpi, dict) and "current" in kpi:
            yield ("kpis", k, "current"), f"{unit_id}/{kpi.get('id')}", 0


def _unit_numbers(unit: Unit) -> Numbers:
    """The same, from the validated unit (its lists are the file's, item for item)."""
    for i, objective in enumerate(unit.objectives):
        for j, key_result in enumerate(objective.key_results):
            ref = f"{unit.id}/{objective.id}/{key_result.id}"
            given = key_result.model_fields_set
            value = "done" if key_result.milestone else "current"
            for name, slot in ((value, 0), ("confidence", 1), ("target", 2)):
                if name in given:
                    yield ("objectives", i, "key_results", j, name), ref, slot
    for k, kpi in enumerate(unit.kpis):
        if "current" in kpi.model_fields_set:
            yield ("kpis", k, "current"), f"{unit.id}/{kpi.id}", 0


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def patched(base: Base, raw: bytes, stem: str) -> Values | None:
    """The values of the version `raw`, read from `base` and the lines that differ; None when
    it must be read whole."""
    if not PATCH_VERSIONS or len(raw) > MAX_FILE_BYTES:
        return None
    old_lines, new_lines = base.raw.split(b"\n"), raw.split(b"\n")
    if len(old_lines) != len(new_lines):
        return None
    lines = base.line_map(stem)
    values = dict(base.values)
    for index, (old, new) in enumerate(zip(old_lines, new_lines, strict=True)):
        if old == new:
            continue
        target = lines.get(index)
        if target is None or old.split(b":", 1)[0] != new.split(b":", 1)[0]:
            return None
        ref, slot = target
        before, after = _alone(old), _alone(new)
        if before is _MISSING or after is _MISSING or not _identical(before, values[ref][slot]):
            return None
        try:
            usable(after)
        except UnreadableVersion:
            return None
        changed = list(values[ref])
        changed[slot] = after
        values[ref] = (changed[0], changed[1], changed[2], changed[3])
    return values


def _alone(line: bytes) -> Any:
    """The value of a `key: value` line read on its own; _MISSING when it cannot be, or when
    what follows the key could take the lines below (nothing, or a block scalar)."""
    try:
        text = line.decode("utf-8").rstrip("\r").lstrip(" ")
    except UnicodeDecodeError:
        return _MISSING
    after = text.split(":", 1)[1].strip() if ":" in text else ""
    if not after or after[0] in "|>#":
        return _MISSING
    simple = _SIMPLE(text)
    if simple is not None:  # `current: 41.2  # note`: the plain scalar as the composer reads it
        plain = simple[1]
        return plain if plain[0] not in MAYBE_SPECIAL else resolve_plain(plain)
    try:
        data = parse_text(text, positions=False).data
    except YamlProblem:
        return _MISSING
    if not isinstance(data, dict) or len(data) != 1:
        return _MISSING
    return next(iter(data.values()))


def _identical(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b

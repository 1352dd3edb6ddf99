"""The unit a key result or KPI is counted in, and whether it takes its number `from:` others,
as its file in the working tree says now: `history` writes every check-in in that unit
(`$1.95/month`, `40.5%`) without loading the whole repository, as charts and reports write past
values in the number's unit of today, and follows a number checked in before it became derived
past its last check-in.

The file is parsed, not validated: `history` stays clear of the model's classes (a fifth of
its time), and `check` is where a broken file is reported."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from okrctl.model.controls import visible
from okrctl.model.names import YAML_SUFFIXES, unit_of
from okrctl.store.bounded import read_at_most
from okrctl.store.yaml.read import MAX_FILE_BYTES, YamlProblem, read_document


class NumberNow(NamedTuple):
    unit: str | None = None
    """Its `unit:` (None: it has none, or no readable file holds it)."""
    derived: bool = False
    """Whether it takes its number `from:` others."""
    found: bool = False
    """Whether a readable goals file holds it now (not: removed, or its unit renamed)."""


def number_now(root: Path, goals: Path, ref: str, stems: Callable[[], set[str]]) -> NumberNow:
    """`ref` as the file that holds its unit says now (looked for by name first, then in the
    files `stems` names)."""
    unit_id = unit_of(ref)
    for path in _candidates(root, goals, unit_id, stems):
        try:
            raw = read_at_most(path, MAX_FILE_BYTES)
            data = None if raw is None else read_document(raw, positions=False).data
        except (OSError, YamlProblem):
            continue
        if isinstance(data, dict) and data.get("id", path.stem) == unit_id:
            number = _number(data, ref)
            unit = _field(number, "unit")
            shown = " ".join(visible(unit).split()) if isinstance(unit, str) else ""
            return NumberNow(shown or None, _field(number, "from") is not None, number is not None)
    return NumberNow()


def _candidates(
    root: Path, goals: Path, unit_id: str, stems: Callable[[], set[str]]
) -> Iterator[Path]:
    """Goals files that may hold the unit, those named after it first; a link leading out of
    the repository is not followed, as `check` refuses it. Names are compared as text: making
    a `Path` of each of thousands of files cost more than the rest of the search."""
    real_root = root.resolve()
    listing = [(folder, sorted(files)) for folder, _, files in _walk(str(goals))]

    def named(wanted: set[str]) -> Iterator[Path]:
        for folder, files in listing:
            for name in files:
                if name.rpartition(".")[0] in wanted and name.endswith(YAML_SUFFIXES):
                    path = os.path.join(folder, name)
                    if _inside(path, real_root):
                        yield Path(path)

    yield from named({unit_id})
    yield from named(stems() - {unit_id})  # found by reading every file: only if need be


def _walk(top: str) -> Iterator[tuple[str, list[str], list[str]]]:
    """`os.walk` in name order, past hidden folders."""
    for folder, folders, files in os.walk(top):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        yield folder, folders, files


def _inside(path: str, real_root: Path) -> bool:
    try:
        return Path(path).resolve(strict=True).is_relative_to(real_root) and os.path.isfile(path)
    except (OSError, RuntimeError):
        return False


def _number(unit: dict[str, Any], ref: str) -> Any:
    """The KPI (`unit/kpi`) or key result (`unit/objective/kr`) named, as parsed."""
    parts = ref.split("/")
    if len(parts) == 2:
        return _with_id(unit.get("kpis"), parts[1])
    if len(parts) == 3:
        objective = _with_id(unit.get("objectives"), parts[1])
        return _with_id(_field(objective, "key_results"), parts[2])
    return None


def _with_id(items: Any, wanted: str) -> Any:
    if isinstance(items, list):
        return next((i for i in items if isinstance(i, dict) and i.get("id") == wanted), None)
    return None


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else None

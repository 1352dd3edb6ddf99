"""`okrctl import`: a spreadsheet of OKRs (one row per key result, the flat shape people keep)
turned into unit files, one per team, with ids derived from titles. A row it cannot use is
listed with its number and why, and nothing of it is imported."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okrctl.model.controls import has_control, visible
from okrctl.model.errors import UsageError
from okrctl.model.fields import RESERVED_IDS, SLUG_PATTERN
from okrctl.model.goals import Kind
from okrctl.store.workspace import Workspace

FIELDS = {
    "kind", "team", "team name", "parent", "lead", "mission", "period",
    "objective id", "objective", "why", "committed", "category", "origin", "aligns to",
    "objective owner", "id", "key result", "kpi", "owner", "unit",
    "baseline", "target", "current", "from", "resets", "milestone", "done", "keep min",
    "keep max", "healthy min", "healthy max", "warning min", "warning max", "confidence",
    "weight", "source",
}  # fmt: skip
"""The columns import reads (any others are ignored, unless `--map` renames them)."""
ALIASES = {"start": "baseline", "kr": "key result", "keyresult": "key result"}
IGNORED = {"score", "expected", "status", "last check-in"}
"""What `okrctl export` adds that is computed, never imported."""
FOLDERS = {Kind.COMPANY: "", Kind.PILLAR: "pillars/", Kind.TEAM: "teams/", Kind.PERSON: "people/"}
_SLUG = re.compile(SLUG_PATTERN)


@dataclass(frozen=True, slots=True)
class Skipped:
    row: int
    why: str


@dataclass(slots=True)
class Planned:
    """A unit file to write: its data in `okrctl fmt`'s key order."""

    unit_id: str
    kind: Kind
    data: dict[str, Any]
    objectives: dict[str, dict[str, Any]] = field(default_factory=dict)
    kpis: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class Imported:
    files: list[str] = field(default_factory=list)
    """Relative to the goals repository, as written (or, with --dry-run, as they would be)."""
    skipped: list[Skipped] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    """Unit files that exist already and were left alone (no --force)."""
    findings: list[Any] = field(default_factory=list)
    """What `okrctl check` finds in the imported data."""
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        """1 when a row was skipped or a file refused; what `check` finds in the data itself
        is printed, not a failure of the import."""
        return 1 if self.skipped or self.existing else 0


def normalise(header: str) -> str:
    """Headers match case-insensitively, spaces and underscores alike."""
    words = " ".join(str(header).strip().lower().replace("_", " ").split())
    return ALIASES.get(words, words)


def slug(title: str, taken: set[str]) -> str:
    """A stable id from a title: lower case, hyphens, at most 40 characters, unique in `taken`."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(base) > 40:
        base = base[:40].rsplit("-", 1)[0] if "-" in base[:40] else base[:40]
    base = base.strip("-") or "item"
    if base in RESERVED_IDS:
        base += "-1"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def number(cell: Any, what: str, unit: str | None = None) -> int | float | None:
    """A spreadsheet cell as a number (empty: none); anything else is the row's problem. Text
    may say it as a check-in may (`$80M` of a `$M` row, `41k`, `46,800 accounts`)."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, bool):
        raise ValueError(f"the {what} is {cell!r}, not a number")
    if isinstance(cell, int | float):
        return cell
    from okrctl.store.yaml.splice import typed_number

    typed = typed_number(str(cell).strip().removesuffix("%").strip(), unit)  # `38%` is 38
    if typed is None:
        raise ValueError(f"the {what} is {str(cell).strip()!r}, not a number")
    return typed[1]


def yes(cell: Any, what: str) -> bool | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, bool):
        return cell
    word = str(cell).strip().lower()
    if word in ("yes", "y", "true", "1", "x", "done", "committed"):
        return True
    if word in ("no", "n", "false", "0", "undone", "aspirational"):
        return False
    raise ValueError(f"{what} is {str(cell).strip()!r}: write yes or no")


def plan(
    headers: list[str], rows: list[tuple[int, list[Any]]], mapping: dict[str, str]
) -> tuple[dict[str, Planned], list[Skipped]]:
    """Units from rows; each row that cannot be used is skipped whole, with why."""
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = normalise(mapping.get(normalise(header), header))
        if name in FIELDS and name not in columns:
            columns[name] = index
    if "team" not in columns:
        raise UsageError(
            "no `team` column: name the column of unit ids or names `team`, or map one with "
            "--map COLUMN=team"
        )
    units: dict[str, Planned] = {}
    skipped: list[Skipped] = []
    unit_ids: set[str] = set()
    for row_number, cells in rows:

        def cell(name: str, cells: list[Any] = cells) -> Any:
            index = columns.get(name)
            if index is None or index >= len(cells):
                return None
            value = cells[index]
            return _cell_text(name, value) if isinstance(value, str) else value

        try:
            _plan_row(cell, units, unit_ids)
        except ValueError as problem:
            skipped.append(Skipped(row_number, str(problem)))
    return units, skipped


def _cell_text(name: str, value: str) -> str:
    """A text cell trimmed, its line breaks as goals files write them (a cell saved on Windows
    breaks its lines with `\r\n`); any other control character refuses the row, as `check`
    would refuse the file (docs/behaviour.md, "Text that reaches a terminal")."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if has_control(text):
        raise ValueError(
            f"the {name} cell holds a control character ({visible(text)!r}); remove it"
        )
    return text


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


GOAL_NUMBERS = (
    "baseline", "target", "current", "keep min", "keep max",
    "healthy min", "healthy max", "warning min", "warning max",
)  # fmt: skip
"""The columns that hold a number in its unit (a confidence or a weight has none)."""


def _unit(cell: Any) -> str | None:
    """The row's `unit`; a row with none whose numbers are written as percentages (`38%`, or
    an Excel cell in a percent format, which holds 0.38) counts in `%`."""
    given = _text(cell("unit"))
    if given is not None:
        return given
    written = (cell(name) for name in GOAL_NUMBERS)
    return "%" if any(isinstance(v, str) and v.strip().endswith("%") for v in written) else None


def _plan_row(cell: Any, units: dict[str, Planned], unit_ids: set[str]) -> None:
    team = _text(cell("team"))
    if team is None:
        raise ValueError("no team: every row names the unit it belongs to")
    kind_text = (_text(cell("kind")) or "team").lower()
    if kind_text not in {k.value for k in Kind}:
        raise ValueError(f"kind is {kind_text!r}: use company, pillar, team or person")
    kind = Kind(kind_text)
    unit_id = team if _SLUG.match(team) else None
    existing = next((u for u in units.values() if u.data.get("name") == team), None)
    if unit_id is None and existing is not None:
        unit_id = existing.unit_id
    numbers = _numbers(cell)
    key_result, kpi, objective_title = (
        _text(cell("key result")),
        _text(cell("kpi")),
        _text(cell("objective")),
    )
    if key_result and kpi:
        raise ValueError("both a key result and a KPI: give one per row")
    if key_result and not (objective_title or _text(cell("objective id"))):
        raise ValueError("a key result without objective: fill in the objective column")
    committed = yes(cell("committed"), "committed")
    milestone = yes(cell("milestone"), "milestone")
    done = yes(cell("done"), "done")
    # the row is usable: from here on, nothing raises
    if unit_id is None:
        unit_id = slug(team, unit_ids)
    unit_ids.add(unit_id)
    planned = units.get(unit_id)
    if planned is None:
        data: dict[str, Any] = {"kind": kind.value, "id": unit_id}
        name = _text(cell("team name")) or (team if team != unit_id else None)
        for key, value in (
            ("name", name), ("parent", _text(cell("parent"))), ("lead", _text(cell("lead"))),
            ("mission", _text(cell("mission"))), ("period", _text(cell("period"))),
        ):  # fmt: skip
            if value is not None:
                data[key] = value
        planned = units[unit_id] = Planned(unit_id, kind, data)
    taken = set(planned.objectives) | set(planned.kpis)
    if kpi:
        kpi_id = _text(cell("id")) or slug(kpi, taken)
        entry: dict[str, Any] = {"id": kpi_id, "title": kpi}
        _put(entry, "why", _text(cell("why")))
        _put(entry, "unit", _unit(cell))
        derivation = derivation_of(_text(cell("from")))
        if derivation is not None:
            entry["from"] = derivation
        else:
            _put(entry, "current", numbers["current"])
        for band in ("healthy", "warning"):
            bounds = {
                side: numbers[f"{band} {side}"]
                for side in ("min", "max")
                if numbers[f"{band} {side}"] is not None
            }
            if bounds:
                entry[band] = bounds
        _put(entry, "source", _text(cell("source")))
        _put(entry, "owner", _text(cell("owner")))
        planned.kpis[kpi_id] = entry
        return
    if not (objective_title or _text(cell("objective id"))):
        return  # a row for the unit alone
    objective_id = _text(cell("objective id"))
    if objective_id is None:
        found = next(
            (o for o in planned.objectives.values() if o["title"] == objective_title), None
        )
        objective_id = found["id"] if found else slug(objective_title or "objective", taken)
    objective = planned.objectives.get(objective_id)
    if objective is None:
        objective = planned.objectives[objective_id] = {
            "id": objective_id,
            "title": objective_title or objective_id,
        }
        _put(objective, "why", _text(cell("why")))
        if committed is not None:
            objective["type"] = "committed" if committed else "aspirational"
        category = (_text(cell("category")) or "").lower()
        if category == "functional":
            objective["category"] = "functional"
        origin = (_text(cell("origin")) or "").lower()
        if origin in ("self", "manager"):
            objective["origin"] = origin
        aligns = [a.strip() for a in (_text(cell("aligns to")) or "").split(",") if a.strip()]
        if aligns:
            objective["aligns_to"] = aligns
        _put(objective, "owner", _text(cell("objective owner")))
        objective["key_results"] = []
    if not key_result:
        return
    results = objective["key_results"]
    kr_id = _text(cell("id")) or slug(key_result, {r["id"] for r in results})
    entry = {"id": kr_id, "title": key_result}
    _put(entry, "unit", _unit(cell))
    if milestone:
        entry["milestone"] = True
        entry["done"] = bool(done)
    keep = {
        side: numbers[f"keep {side}"]
        for side in ("min", "max")
        if numbers[f"keep {side}"] is not None
    }
    if keep:
        entry["keep"] = keep
    derivation = derivation_of(_text(cell("from")))
    scored = isinstance(derivation, dict) and "score" in derivation
    for key in ("baseline", "target", "current", "confidence"):
        if not (derivation is not None and key == "current") and not (
            scored and key != "confidence"
        ):
            _put(entry, key, numbers[key])
    if derivation is not None:  # the exported `current` was derived: the sources are the truth
        entry["from"] = derivation
    _put(entry, "resets", _text(cell("resets")))
    if numbers["weight"] not in (None, 1):
        entry["weight"] = numbers["weight"]
    _put(entry, "source", _text(cell("source")))
    _put(entry, "owner", _text(cell("owner")))
    results.append(entry)


def _numbers(cell: Any) -> dict[str, int | float | None]:
    unit = _text(cell("unit"))
    found = {name: number(cell(name), name, unit) for name in GOAL_NUMBERS}
    found |= {name: number(cell(name), name) for name in ("confidence", "weight")}
    confidence = found["confidence"]
    if confidence is not None and 1 < confidence <= 100:
        found["confidence"] = round(confidence / 100, 4)  # written as a percentage
    return found


def _put(entry: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        entry[key] = value


def import_file(
    repo: Workspace | Path | str | None,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    force: bool = False,
    max_size: int | None = None,
) -> Imported:
    """Read `path`, plan the unit files, and (unless `dry_run`) write them all as one, under the
    goals lock; then check. `max_size` bounds the sheet (bytes; 50 MB by default)."""
    from okrctl.store.config import load_config
    from okrctl.store.spreadsheet import DEFAULT_MAX_SIZE, read_table
    from okrctl.store.unit_files import unit_yaml, write_units

    if max_size is not None and max_size < 1:
        raise UsageError("--max-size must be a positive number of bytes")
    workspace = Workspace.of(repo)
    config = load_config(workspace.root)
    headers, rows = read_table(path, sheet, max_size=max_size or DEFAULT_MAX_SIZE)
    units, skipped = plan(headers, rows, {normalise(k): v for k, v in (mapping or {}).items()})
    result = Imported(skipped=skipped, dry_run=dry_run)
    goals = config.config.goals_dir.rstrip("/")
    texts: dict[str, str] = {}
    for planned in units.values():
        data = dict(planned.data)
        if planned.objectives:
            data["objectives"] = list(planned.objectives.values())
        if planned.kpis:
            data["kpis"] = list(planned.kpis.values())
        name = "company.yaml" if planned.kind is Kind.COMPANY else f"{planned.unit_id}.yaml"
        texts[f"{goals}/{FOLDERS[planned.kind]}{name}"] = unit_yaml(data)
    result.files = sorted(texts)
    result.existing = (
        [f for f in result.files if (workspace.root / f).exists()] if not force else []
    )
    if dry_run or result.existing:
        return result
    write_units(workspace, texts)
    from okrctl.commands.check import check_repo

    result.findings = check_repo(workspace).findings
    return result


def derivation_of(text: str | None) -> str | dict[str, Any] | None:
    """A `from` cell as `okrctl export` writes it: `REF`, `sum: REF, REF`, `sum: supporters`
    or `score: supporters`."""
    if text is None or not text.strip():
        return None
    kind, sep, rest = text.strip().partition(":")
    if sep and kind.strip() in ("sum", "score"):
        names = [n.strip() for n in rest.split(",") if n.strip()]
        if names == ["supporters"]:
            return {kind.strip(): "supporters"}
        return {"sum": names}
    return text.strip()

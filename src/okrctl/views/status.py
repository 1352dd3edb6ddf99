"""What `okrctl status` shows (the command is `commands/status.py`): a scored snapshot, and the
JSON of a scorecard at full precision (docs/scoring.md)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from okrctl.core.score import Shape
from okrctl.core.scorecard import (
    KeyResultScore,
    KpiScore,
    ObjectiveScore,
    Scorecard,
    UnitScore,
    company_title,
    evaluate,
)
from okrctl.model.findings import Finding
from okrctl.model.goals import Bounds
from okrctl.model.history import History
from okrctl.store.snapshot import Snapshot
from okrctl.views.json_text import compact


@dataclass(frozen=True, slots=True)
class Scored:
    """A scorecard with what a reader needs around it: the title, the notes for stderr and the
    findings of files that did not load (their goals are missing from the card)."""

    card: Scorecard
    snapshot: Snapshot
    history: History | None = None
    """The check-ins it was scored with (None outside git, or where none were read)."""

    @property
    def title(self) -> str:
        """The company, as views name it."""
        return company_title(self.snapshot.graph, self.snapshot.repository.config.config.company)

    @property
    def notes(self) -> list[str]:
        return self.snapshot.notes

    @property
    def load_findings(self) -> list[Finding]:
        return self.snapshot.repository.findings

    @property
    def exit_code(self) -> int:
        """1 when some file did not load (the numbers shown are incomplete), else 0."""
        return 1 if self.load_findings else 0

    def as_json(self) -> dict[str, Any]:
        return status_json(self.card)

    def gone_quiet(self) -> list[tuple[str, str, str | None]]:
        """The key results and KPIs shown that nobody has checked in for longer than
        `stale_after_days`, as `stale` finds them (docs/rules.md), with how long, in words
        (`Silence.said_for`), and, for a number derived `from:` others, the source whose
        silence it is; the longest first; none outside git."""
        from okrctl.core.staleness import stale_refs, watched_in

        if self.history is None:
            return []
        card, snapshot = self.card, self.snapshot
        limit = snapshot.repository.config.config.stale_after_days
        files = {unit.unit_file.path for unit in card.units}  # (a scope's only: not 20,000)
        shown = watched_in(snapshot.graph, files)
        found = stale_refs(
            snapshot.graph, self.history, card.period, card.moment.instant, limit, shown
        )
        longest = sorted(found.items(), key=lambda item: -item[1].day_count)  # (stable)
        return [(ref, q.said_for(limit), q.through) for ref, q in longest]


def score_snapshot(snapshot: Snapshot, scope: str | None, history_for: str) -> Scored:
    history = snapshot.read_history(history_for)
    card = evaluate(snapshot.graph, snapshot.period, snapshot.moment, scope, history)
    return Scored(card, snapshot, history)


def units_json_text(units: Iterable[UnitScore]) -> str:
    """The units' JSON as `status --format json` writes them piped, separated by `, `."""
    return ", ".join(units_json_texts(units))


def units_json_texts(units: Iterable[UnitScore]) -> Iterator[str]:
    """Each unit's JSON as `status --format json` writes it piped, one at a time (at 20,000
    units, their 40 MB joined were held beside the pieces: a tenth of the run's peak)."""
    for unit in units:
        yield compact(unit_json(unit))


def status_json(card: Scorecard) -> dict[str, Any]:
    return {**status_json_head(card), "units": [unit_json(u) for u in card.units]}


def status_json_head(card: Scorecard) -> dict[str, Any]:
    """Everything but the units (the CLI writes those one at a time)."""
    return {
        "period": card.period.name,
        "as_of": card.moment.as_of.isoformat(),
        "elapsed": card.elapsed,
    }


def unit_json(unit: UnitScore) -> dict[str, Any]:
    model = unit.unit_file.unit
    return {
        "id": model.id,
        "kind": str(model.kind),
        "name": model.display_name,
        "parent": model.parent,
        "lead": model.lead,
        "file": unit.unit_file.path,
        "score": unit.score,
        "objectives": [objective_json(o) for o in unit.objectives],
        "kpis": [kpi_json(k) for k in unit.kpis],
    }


def objective_json(objective: ObjectiveScore, *, key_results: bool = True) -> dict[str, Any]:
    """An objective as `status --format json` has it; without `key_results` for a caller that
    builds its own (the report context)."""
    model = objective.node.objective
    data: dict[str, Any] = {
        "ref": objective.ref,
        "title": model.title,
        "type": model.type,
        "category": model.category,
        "owner": objective.node.owner_handle,
        "score": objective.score,
        "expected": objective.expected,
        "pace": objective.pace,
        "status": objective.status,
        "grade": objective.grade,
        "supported_by": objective.supported_by,
    }
    if key_results:
        data["key_results"] = [key_result_json(k) for k in objective.key_results]
    return data


def key_result_json(key_result: KeyResultScore) -> dict[str, Any]:
    model = key_result.node.key_result
    data: dict[str, Any] = {
        "ref": key_result.ref,
        "title": model.title,
        "shape": str(key_result.shape),
        "owner": model.owner,
        "unit": model.unit,
    }
    if key_result.shape is Shape.NUMERIC:
        data |= {"baseline": model.baseline, "target": model.target, "current": model.current}
    elif key_result.shape is Shape.KEEP:
        data |= {"keep": bounds_json(model.keep), "current": model.current}
    else:
        data |= {"done": bool(model.done)}
    data |= {
        "progress": key_result.progress,
        "score": key_result.score,
        "status": key_result.status,
        "confidence": model.confidence,
        "weight": model.weight,
        "checked_in": key_result.checked_in,
    }
    if key_result.derived is not None:
        data["derived"] = key_result.derived.as_json()
    if key_result.shape is Shape.NUMERIC:
        data["trend"] = list(key_result.trend)
        data["forecast"] = key_result.forecast.as_json() if key_result.forecast else None
    return data


def bounds_json(bounds: Bounds | None) -> dict[str, Any] | None:
    """A band as docs/scoring.md writes it, field by field: pydantic's `model_dump` would build the
    model's serializer on every run, for two numbers."""
    return None if bounds is None else {"min": bounds.min, "max": bounds.max}


def kpi_json(kpi: KpiScore) -> dict[str, Any]:
    model = kpi.node.kpi
    return {
        "ref": kpi.ref,
        "title": model.title,
        "unit": model.unit,
        "current": model.current,
        "healthy": bounds_json(model.healthy),
        "warning": bounds_json(model.warning),
        "health": kpi.health,
    } | ({"derived": kpi.derived.as_json()} if kpi.derived is not None else {})

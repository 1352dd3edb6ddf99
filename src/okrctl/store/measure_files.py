"""What `check` can say of a `measure:` block only by looking at the disk: its CSV file exists
and, links followed, stays inside the repository."""

from __future__ import annotations

from pathlib import Path

from okrctl.core.graph import Graph
from okrctl.model.findings import Finding, Severity
from okrctl.model.goals import Measure
from okrctl.model.units import UnitFile


def csv_problem(root: Path, relative: str) -> str | None:
    """Why the CSV file at `relative` (from the repository root) cannot be read, or None."""
    try:
        real = (root / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        return (
            f"the CSV file `{relative}` does not exist (paths are relative to the repository root)"
        )
    if not real.is_relative_to(root.resolve()):
        return f"the CSV file `{relative}` is a link leading outside the repository; copy it in"
    if not real.is_file():
        return f"`{relative}` is not a file"
    return None


def measure_file_findings(root: Path, graph: Graph, severity: Severity) -> list[Finding]:
    """A `schema` finding at each `csv:` that names no readable file inside the repository."""
    nodes: list[tuple[UnitFile, tuple[str | int, ...], Measure | None, str]] = [
        (kr.owner, kr.path(), kr.key_result.measure, kr.ref) for kr in graph.key_results.values()
    ]
    nodes += [(k.owner, k.path(), k.kpi.measure, k.ref) for k in graph.kpis.values()]
    findings = []
    for owner, path, measure, ref in nodes:
        if measure is None or measure.csv is None:
            continue
        problem = csv_problem(root, measure.csv)
        if problem is not None:
            where = owner.source.at(*path, "measure", "csv")
            findings.append(
                Finding("schema", severity, problem, owner.path, where.line, where.column, ref)
            )
    return findings

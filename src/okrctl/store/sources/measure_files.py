"""What `check` can say of a `measure:` block only by looking at the disk: its CSV file exists
and, links followed, stays inside the repository."""

from __future__ import annotations

from pathlib import Path

from okrctl.core.graph import Graph
from okrctl.model.findings import Finding, Severity


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
    findings = []
    for site in graph.measure_sites():
        if site.measure.csv is None:
            continue
        problem = csv_problem(root, site.measure.csv)
        if problem is not None:
            where = site.owner.source.at(*site.path, "measure", "csv")
            findings.append(
                Finding(
                    "schema", severity, problem, site.owner.path, where.line, where.column, site.ref
                )
            )
    return findings

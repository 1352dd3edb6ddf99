"""What `okrctl measure` shows: each source read, each value changed, each failure (the command,
which reads every `measure:` in scope and checks in what changed in one commit, is
`commands/measure.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from okrctl.core.graph import Graph, MeasureSite
from okrctl.core.scorecard import cascade_order

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class Target:
    """A `measure:` block to read, and where it is written (for messages)."""

    site: MeasureSite
    line: int
    column: int

    @property
    def file(self) -> str:
        return self.site.owner.path


@dataclass(frozen=True, slots=True)
class Measured:
    ref: str
    old: Any
    new: Any

    @property
    def changed(self) -> bool:
        """A different number (12 and 12.0 are the same), or a first value."""
        if self.old is None or isinstance(self.old, bool) != isinstance(self.new, bool):
            return True
        return bool(self.old != self.new)

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "old": self.old, "new": self.new, "changed": self.changed}


@dataclass(frozen=True, slots=True)
class Failed:
    ref: str
    file: str
    line: int
    column: int
    error: str

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "error": f"{self.file}:{self.line}:{self.column}: {self.error}"}


@dataclass(slots=True)
class MeasureResult:
    measured: list[Measured] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    commit: str | None = None
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "measured": [m.as_json() for m in self.measured],
            "failed": [f.as_json() for f in self.failed],
            "commit": self.commit,
        }


def targets(graph: Graph, scope: str | None) -> list[Target]:
    """Every key result and KPI with a `measure:` in the units under `scope`, in file order."""
    units = {unit_id for unit_id, _ in cascade_order(graph, scope)}
    found = []
    for site in graph.measure_sites():
        if site.owner.unit.id in units:
            where = site.owner.source.at(*site.path, "measure")
            found.append(Target(site, where.line, where.column))
    return sorted(found, key=lambda t: (t.file, t.line, t.column))


def in_shape_of(old: Any, new: Any) -> Any:
    """`new` written the way the file already writes this value: a source that answers 55.0 for
    a value the file holds as an integer writes 55, not 55.0 (an average, a SQL `real`)."""
    integral = isinstance(old, int) and not isinstance(old, bool)
    if integral and isinstance(new, float) and new.is_integer():
        return int(new)
    return new

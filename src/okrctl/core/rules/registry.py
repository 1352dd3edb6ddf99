"""The registry of named checks. A rule is a plain function from the loaded repository to
hits; the runner stamps each hit with the rule's name and its configured severity."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from okrctl.core.graph import Graph
from okrctl.model.config import Limits
from okrctl.model.findings import Position, Severity
from okrctl.model.units import Repository, UnitFile

if TYPE_CHECKING:
    from okrctl.core.periods import Period
    from okrctl.core.scorecard import Moment
    from okrctl.core.staleness import Watched
    from okrctl.model.history import History


class Hit(NamedTuple):
    """One problem a rule found: where and what; the runner adds rule and severity."""

    path: str
    position: Position
    message: str
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    repository: Repository
    graph: Graph
    moment: Moment | None = None
    period: Period | None = None
    history: History | None = None
    """None outside git: rules that need history find nothing."""
    numbers: Sequence[Watched] | None = None
    """The key results and KPIs the rules that read history look at, when they are shared
    with another process (None: every one `watched`). Picked out before the process forks, so
    that each process touches only its own share of the graph afterwards (`core/staleness.py`
    says why)."""

    @property
    def limits(self) -> Limits:
        return self.repository.config.config.limits

    @property
    def roster(self) -> frozenset[str] | None:
        people = self.repository.config.config.people
        return frozenset(people) if people is not None else None


def hit(
    unit_file: UnitFile,
    path: tuple[str | int, ...],
    message: str,
    ref: str | None = None,
    *,
    key: bool = False,
) -> Hit:
    """A hit at the node (or, with `key`, the mapping key) at `path` in `unit_file`."""
    source = unit_file.source
    position = source.key_at(*path) if key else source.at(*path)
    return Hit(unit_file.path, position, message, ref)


RuleCheck = Callable[[Context], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    severity: Severity
    summary: str
    check: RuleCheck
    per_unit: bool = False
    """Its hits in a unit depend on that unit and the settings alone, never on another unit:
    a caller that checks again and again (the language server) reuses them for every unit
    not changed since (core/rules/unit_hits.py)."""
    reads_history: bool = False
    """It reads git history (`Context.history`); the others can run before history is read,
    or beside its reading (`check`)."""


REGISTRY: dict[str, Rule] = {}


def rule(
    name: str,
    severity: Severity,
    summary: str,
    *,
    per_unit: bool = False,
    reads_history: bool = False,
) -> Callable[[RuleCheck], RuleCheck]:
    """Register `check` under a stable name with its default severity and one-line summary."""

    def register(check: RuleCheck) -> RuleCheck:
        if name in REGISTRY:
            raise ValueError(f"rule {name!r} registered twice")
        REGISTRY[name] = Rule(name, severity, summary, check, per_unit, reads_history)
        return check

    return register

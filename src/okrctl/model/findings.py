"""Findings: where (file:line:col), what (rule, message) and how to fix it."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from enum import StrEnum
from typing import NamedTuple, Protocol


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


class Position(NamedTuple):
    """A 1-based line and column in a source file. (Findings and their positions are named
    tuples: immutable values, made by the ten thousand in a big org, and a tuple is made five
    times faster than a frozen dataclass.)"""

    line: int
    column: int


START = Position(1, 1)


class Positions(Protocol):
    """Where the nodes of a document start, by path (the store's YAML reader provides it)."""

    def at(self, *path: Hashable) -> Position:
        """The value at `path`, or the nearest enclosing node that exists."""
        ...

    def key_at(self, *path: Hashable) -> Position:
        """The key of the mapping entry at `path`, else the value's position."""
        ...


class Finding(NamedTuple):
    rule: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    ref: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "ref": self.ref,
        }


def sort_key(finding: Finding) -> tuple[str, int, int, str]:
    return (finding.file, finding.line, finding.column, finding.rule)


def count(findings: Iterable[Finding], severity: Severity) -> int:
    return sum(1 for f in findings if f.severity is severity)

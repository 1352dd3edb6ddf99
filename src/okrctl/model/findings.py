"""Findings: where (file:line:col), what (rule, message) and how to fix it; and their renderings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


START = Position(1, 1)


@dataclass(frozen=True, slots=True)
class Finding:
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


def findings_json(findings: Sequence[Finding]) -> dict[str, object]:
    """SPEC §6: `{"findings": [...], "errors": n, "warnings": n}`."""
    return {
        "findings": [f.as_json() for f in findings],
        "errors": count(findings, Severity.ERROR),
        "warnings": count(findings, Severity.WARNING),
    }


def summary_line(findings: Sequence[Finding], files_checked: int) -> str:
    errors = count(findings, Severity.ERROR)
    warnings = count(findings, Severity.WARNING)
    files = len({f.file for f in findings})
    if not findings:
        return f"No findings in {files_checked} files."
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
        f"in {files} of {files_checked} files."
    )


def excerpt(source_lines: Sequence[str], finding: Finding) -> list[str]:
    """The offending source line with a caret under the column, like a compiler."""
    if not 1 <= finding.line <= len(source_lines):
        return []
    text = source_lines[finding.line - 1].rstrip("\r\n").replace("\t", " ")
    gutter = f"{finding.line:>4} | "
    return [gutter + text, " " * len(gutter) + " " * (finding.column - 1) + "^"]


def render_text_plain(
    findings: Sequence[Finding], sources: Mapping[str, Sequence[str]], files_checked: int
) -> str:
    """Grouped by file; each finding as `file:line:col: severity rule: message` plus a caret."""
    out: list[str] = []
    current_file = None
    for f in findings:
        if f.file != current_file:
            if current_file is not None:
                out.append("")
            current_file = f.file
        out.append(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}")
        out.extend(excerpt(sources.get(f.file, ()), f))
    if out:
        out.append("")
    out.append(summary_line(findings, files_checked))
    return "\n".join(out)

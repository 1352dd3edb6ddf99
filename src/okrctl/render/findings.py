"""Findings for people and scripts: SPEC §6's JSON, and compiler-style text with a caret."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from okrctl.model.findings import Finding, Severity, count


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

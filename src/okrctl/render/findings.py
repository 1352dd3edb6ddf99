"""Findings for people and scripts: the JSON of docs/commands.md, and compiler-style text with a
caret."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from okrctl.model.controls import visible
from okrctl.model.findings import Finding, Severity, count
from okrctl.render.textformat import wrapped


def findings_json(findings: Sequence[Finding]) -> dict[str, object]:
    """docs/commands.md: `{"findings": [...], "errors": n, "warnings": n}`."""
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
    """The offending source line with a caret under the column, like a compiler; a control
    character in it (which YAML refuses, and a terminal would obey) shown as its picture."""
    if not 1 <= finding.line <= len(source_lines):
        return []
    text = visible(source_lines[finding.line - 1].rstrip("\r\n").replace("\t", " "))
    gutter = f"{finding.line:>4} | "
    return [gutter + text, " " * len(gutter) + " " * (finding.column - 1) + "^"]


Styled = list[tuple[str, str]]
"""Text as (segment, rich style) pairs: joined plain when piped, styled on a terminal."""

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.OFF: ""}


STALE_LINES = 5
"""Past this many `stale` findings, text shows one line per file for them (JSON keeps all)."""


def stale_per_file(findings: Sequence[Finding]) -> list[Finding]:
    """A quarter nobody checked in is one line per unit, not a page per key result: more than
    STALE_LINES `stale` findings become one per file, at the first one's place, naming refs."""
    stale = [f for f in findings if f.rule == "stale"]
    if len(stale) <= STALE_LINES:
        return list(findings)
    by_file: dict[str, list[Finding]] = {}
    for f in stale:
        by_file.setdefault(f.file, []).append(f)
    out = []
    for f in findings:
        if f.rule != "stale":
            out.append(f)
            continue
        group = by_file.get(f.file)
        if group is None or group[0] is not f:
            continue
        if len(group) == 1:
            out.append(f)
            continue
        refs = [g.ref or "?" for g in group]
        named = ", ".join(f"`{ref}`" for ref in refs[:3])
        more = f" and {len(refs) - 3} more" if len(refs) > 3 else ""
        message = (
            f"{len(group)} key results and KPIs in this file have not been checked in lately:"
            f" {named}{more} (`okrctl check --format json` lists each, with its days)"
        )
        out.append(f._replace(message=message, ref=None))
    return out


def findings_text(
    findings: Sequence[Finding],
    texts: Mapping[str, str],
    files_checked: int,
    width: int | None = None,
) -> Styled:
    """Grouped by file; each finding as `file:line:col: severity rule: message` plus the line
    of `texts` (each file's, as checked) with a caret under the column; the summary (of every
    finding) last. More than STALE_LINES `stale` findings are shown one line per file. Within
    `width`, a long message continues on lines indented by four: the `file:line:col: severity
    rule:` head stays on the first. Only the files with findings are cut into lines (all
    2,000 of a big org's were, a sixtieth of a warm `check` that found nothing)."""
    out: Styled = []
    current_file = None
    lines: Sequence[str] = ()
    for f in stale_per_file(findings):
        if f.file != current_file:
            if current_file is not None:
                out.append(("\n", ""))
            current_file = f.file
            text = texts.get(f.file)
            lines = text.split("\n") if text is not None else ()
        head = f"{f.file}:{f.line}:{f.column}:"
        tail = f" {f.rule}: {f.message}"
        if width is not None:
            first = f"{head} {f.severity}"
            line = wrapped(first + tail, width, 4)
            tail = line[len(first) :] if line.startswith(first) else tail
        out += [
            (head, "bold"),
            (" ", ""),
            (str(f.severity), SEVERITY_STYLE[f.severity]),
            (f"{tail}\n", ""),
        ]
        shown = excerpt(lines, f)
        if shown:
            out += [(shown[0] + "\n", ""), (shown[1] + "\n", "red")]
    if out:
        out.append(("\n", ""))
    out.append((summary_line(findings, files_checked), ""))
    return out


def plain(styled: Styled) -> str:
    return "".join(segment for segment, _ in styled)

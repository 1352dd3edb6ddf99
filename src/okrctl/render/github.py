"""`check --format github`: findings as GitHub Actions sees them.

GitHub shows at most 10 annotations of each kind per step and silently drops the rest, so errors
come first, at most 10 errors and 10 warnings are annotations, the rest are plain log lines, and
one notice says where they all are: the job summary (`$GITHUB_STEP_SUMMARY`), a Markdown table
grouped by file, errors first, each finding linked to its line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from okrctl.model.findings import Finding, Severity
from okrctl.render.findings import summary_line

ANNOTATIONS_PER_KIND = 10
"""GitHub's limit per step for each of error and warning annotations."""


def escape(value: str, *, property_value: bool = False) -> str:
    """GitHub's workflow-command escaping: data escapes %, CR, LF; properties also : and ,."""
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def errors_first(findings: Sequence[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.severity is not Severity.ERROR)


def annotation_lines(
    findings: Sequence[Finding],
    path_prefix: str = "",
    notes: Sequence[str] = (),
    *,
    summary: bool = False,
) -> str:
    """Workflow commands, paths relative to the git top-level: notes as warnings, then at most
    ANNOTATIONS_PER_KIND of each kind, errors first; the rest as plain lines and one notice."""
    lines = [f"::warning title=okrctl::{escape(note)}" for note in notes]
    shown = {Severity.ERROR: 0, Severity.WARNING: 0}
    rest: list[Finding] = []
    for f in errors_first(findings):
        if shown[f.severity] == ANNOTATIONS_PER_KIND:
            rest.append(f)
            continue
        shown[f.severity] += 1
        props = ",".join(
            [
                f"file={escape(path_prefix + f.file, property_value=True)}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={escape(f.rule, property_value=True)}",
            ]
        )
        lines.append(f"::{f.severity} {props}::{escape(f.message)}")
    if rest:
        lines += [
            f"{path_prefix}{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: "
            + f.message.replace("\r", " ").replace("\n", " ")  # (a line is never a command)
            for f in rest
        ]
        where = "the job summary" if summary else "the lines above"
        lines.append(
            f"::notice title=okrctl::{len(rest)} more finding{'s' * (len(rest) != 1)} "
            f"than GitHub shows as annotations (10 of each kind): all of them are in {where}"
        )
    return "\n".join(lines)


def step_summary(
    findings: Sequence[Finding],
    files_checked: int,
    path_prefix: str = "",
    environment: Mapping[str, str] | None = None,
) -> str:
    """A Markdown table of every finding for `$GITHUB_STEP_SUMMARY`: grouped by file, files
    with errors first, each location linked to its line at the commit being checked."""
    from okrctl.render.textformat import cell

    env = environment or {}
    base = None
    if env.get("GITHUB_REPOSITORY") and env.get("GITHUB_SHA"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        base = f"{server}/{env['GITHUB_REPOSITORY']}/blob/{env['GITHUB_SHA']}/"
    lines = ["## okrctl check", "", summary_line(findings, files_checked)]
    if not findings:
        return "\n".join(lines) + "\n"
    by_file: dict[str, list[Finding]] = {}
    for f in errors_first(findings):
        by_file.setdefault(f.file, []).append(f)
    order = sorted(
        by_file, key=lambda path: (all(f.severity is Severity.WARNING for f in by_file[path]), path)
    )
    lines += ["", "| Where | Severity | Rule | Message |", "|---|---|---|---|"]
    for path in order:
        for f in by_file[path]:
            where = f"{path_prefix}{f.file}:{f.line}:{f.column}"
            if base is not None:
                where = f"[{where}]({base}{path_prefix}{f.file}#L{f.line})"
            else:
                where = f"`{where}`"
            mark = "❌ error" if f.severity is Severity.ERROR else "⚠️ warning"
            lines.append(f"| {where} | {mark} | {f.rule} | {cell(f.message)} |")
    return "\n".join(lines) + "\n"

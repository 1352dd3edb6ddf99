"""okrctl's answers as Language Server Protocol objects (lsprotocol's types): a finding as a
diagnostic on its word, a broken `okrctl.yaml` as one on its line, and the quick fixes of a
diagnostic ("did you mean", a `why:` to fill in). `commands/lsp.py` sends them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lsprotocol import types

from okrctl.model.findings import Finding, Severity
from okrctl.views.words import word_at

if TYPE_CHECKING:
    from okrctl.views.editor import Analysis

RULES_DOCS = "https://github.com/okrctl/okrctl/blob/main/docs/rules.md#"
MENTIONED = re.compile(r"`([^`]+)`")
LOCATED = re.compile(r"(?P<file>[^:\n]+):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)")
WHY_STUB = "why: TODO say why this matters, and to whom\n"


def _span(line: int, start: int, end: int) -> types.Range:
    return types.Range(
        types.Position(line=line, character=start), types.Position(line=line, character=end)
    )


def diagnostic(finding: Finding, text: str) -> types.Diagnostic:
    """A finding on the word it points at in its line's `text` (to the end of the line when
    it points at no word), with its rule as the code and a link to the rule's docs."""
    line = max(finding.line - 1, 0)
    start = max(finding.column - 1, 0)
    word = word_at(text, start)
    end = word[2] if word is not None and word[1] == start else max(len(text), start + 1)
    severity = (
        types.DiagnosticSeverity.Error
        if finding.severity is Severity.ERROR
        else types.DiagnosticSeverity.Warning
    )
    return types.Diagnostic(
        range=_span(line, start, end),
        message=finding.message,
        severity=severity,
        code=finding.rule,
        code_description=types.CodeDescription(href=RULES_DOCS + finding.rule),
        source="okrctl",
        data={"ref": finding.ref},
    )


def config_diagnostic(line: str) -> types.Diagnostic:
    """`okrctl.yaml:2:9: message` as a diagnostic on that line (else on the first)."""
    found = LOCATED.match(line)
    row, column = (int(found["line"]) - 1, int(found["column"]) - 1) if found else (0, 0)
    return types.Diagnostic(
        range=_span(row, column, column + 1),
        message=found["message"] if found else line,
        severity=types.DiagnosticSeverity.Error,
        code="config",
        source="okrctl",
    )


def quick_fixes(
    analysis: Analysis, uri: str, lines: list[str], found: types.Diagnostic
) -> list[types.CodeAction]:
    if found.source != "okrctl":
        return []
    if found.code == "unknown-ref":
        return _replacements(analysis, uri, lines, found)
    if found.code == "missing-why":
        return _why_stub(uri, lines, found)
    return []


def _replacements(
    analysis: Analysis, uri: str, lines: list[str], found: types.Diagnostic
) -> list[types.CodeAction]:
    """Each "did you mean" of an unknown ref, as the edit that makes it."""
    from okrctl.views import editor

    mentioned = MENTIONED.search(found.message)
    if mentioned is None:
        return []
    word = mentioned.group(1)
    row = found.range.start.line
    line = lines[row] if row < len(lines) else ""
    start = line.find(word, found.range.start.character)
    if start < 0:
        return []
    span = _span(row, start, start + len(word))
    return [
        types.CodeAction(
            title=f"Replace `{word}` with `{suggestion}`",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[found],
            edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(span, suggestion)]}),
        )
        for suggestion in editor.suggestions(analysis, word)
    ]


def _why_stub(uri: str, lines: list[str], found: types.Diagnostic) -> list[types.CodeAction]:
    """`why:` under the goal's `title:` line, at its indentation, for its author to fill."""
    first = found.range.start.line
    for index in range(first, min(len(lines), first + 8)):
        text = lines[index]
        stripped = text.lstrip(" -")
        if stripped.startswith("title:"):
            at = types.Position(line=index + 1, character=0)
            stub = " " * (len(text) - len(stripped)) + WHY_STUB
            edit = types.TextEdit(types.Range(at, at), stub)
            return [
                types.CodeAction(
                    title="Add a `why:` to fill in",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[found],
                    edit=types.WorkspaceEdit(changes={uri: [edit]}),
                )
            ]
    return []

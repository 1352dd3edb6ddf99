"""`okrctl measure` as text: what each source read, what failed and where, what was committed."""

from __future__ import annotations

from okrctl.model.counts import counted
from okrctl.render.textformat import columns, format_value
from okrctl.views.measure import MeasureResult


def measure_text(result: MeasureResult) -> list[tuple[str, str]]:
    """(text, style) segments: a table of ref, old and new value; failures with file:line."""
    segments: list[tuple[str, str]] = []
    if result.measured:
        rows = [["ref", "old", "new", ""]]
        rows += [
            [
                m.ref,
                format_value(m.old),
                format_value(m.new),
                "changed" if m.changed else "unchanged",
            ]
            for m in result.measured
        ]
        segments.append((columns(rows) + "\n", ""))
    for failed in result.failed:
        segments.append((f"{failed.file}:{failed.line}:{failed.column}: ", "bold"))
        segments.append(("error ", "red"))
        segments.append((f"{failed.ref}: {failed.error}\n", ""))
    changed = sum(1 for m in result.measured if m.changed)
    if not result.measured and not result.failed:
        summary = "No `measure:` blocks in scope."
    elif result.dry_run:
        summary = f"Dry run: {counted(changed, 'value')} would change; nothing written."
    elif result.commit:
        summary = f"Committed {counted(changed, 'value')} in {result.commit[:10]}."
    elif changed:
        summary = f"Wrote {counted(changed, 'value')}; not committed (not a git repository)."
    else:
        summary = "Nothing changed; no commit."
    if result.failed:
        summary += f" {counted(len(result.failed), 'source')} failed."
    segments.append((summary, "bold"))
    return segments

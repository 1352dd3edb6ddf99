"""`okrctl measure [SCOPE] [--dry-run]`: read each `measure:` block's number from its source
(SQL, CSV, JSON over HTTP) and check them all in as one commit (docs/measure.md)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from okrctl.core.graph import Graph
from okrctl.core.scorecard import check_scope
from okrctl.core.slips import slip_of
from okrctl.model.errors import UsageError
from okrctl.render.slips import slip_sentence
from okrctl.render.textformat import format_value
from okrctl.store.workspace import Workspace
from okrctl.views.measure import (
    DEFAULT_TIMEOUT,
    Failed,
    Measured,
    MeasureResult,
    in_shape_of,
    targets,
)


def measure(
    repo: Workspace | Path | str | None = None,
    scope: str | None = None,
    *,
    as_of: date | None = None,
    dry_run: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    max_body: int | None = None,
    environ: Mapping[str, str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> MeasureResult:
    """Read every `measure:` in `scope`; unless `dry_run`, write the changed values as check-ins
    in one commit. A source that fails is reported and the others still land. `timeout` is each
    source's deadline in seconds, `max_body` the bytes an HTTP source may answer (10 MB)."""
    from okrctl.core.graph import build_graph
    from okrctl.core.periods import parse_period
    from okrctl.store.checkin import NewValue, checkin_batch
    from okrctl.store.load import load_repo
    from okrctl.store.sources.read import DEFAULT_MAX_BODY, SourceError, Sources, Window

    if not timeout > 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if max_body is not None and max_body < 1:
        raise UsageError("--max-body must be a positive number of bytes")
    workspace = Workspace.of(repo)
    repository = load_repo(workspace)
    graph = build_graph(repository)
    scope = check_scope(graph, scope)
    config = repository.config.config
    period = parse_period(config.period, config.fiscal_year_start)
    day = as_of or date.today()
    window = Window(day, period.start.date(), period.last_day)
    result = MeasureResult(dry_run=dry_run)
    if repository.findings:
        shown = ", ".join(sorted({f.file for f in repository.findings}))
        result.notes.append(f"skipped files that do not load (run `okrctl check`): {shown}")
    sources = Sources(
        workspace.root,
        config.databases,
        window,
        timeout,
        dict(os.environ) if environ is None else environ,
        DEFAULT_MAX_BODY if max_body is None else max_body,
    )
    found = targets(graph, scope)
    try:
        for index, item in enumerate(found):
            if progress is not None:
                progress(index, len(found), item.site.ref)
            try:
                value = sources.read(item.site.measure, milestone=item.site.milestone)
            except SourceError as error:
                result.failed.append(
                    Failed(item.site.ref, item.file, item.line, item.column, str(error))
                )
                continue
            old = item.site.current
            measured = Measured(item.site.ref, old, in_shape_of(old, value))
            result.measured.append(measured)
            doubt = _doubt(graph, measured)
            if doubt is not None:
                result.notes.append(doubt)
    finally:
        sources.close()
    if progress is not None:
        progress(len(found), len(found), "")
    changed = [m for m in result.measured if m.changed]
    if changed and not dry_run:
        values = [NewValue(m.ref, m.new) for m in changed]
        result.commit = checkin_batch(workspace, values, commit_message(changed, day))
    return result


def _doubt(graph: Graph, measured: Measured) -> str | None:
    """A value read that looks like a slip of the unit (a fraction for a `%` number): written
    all the same, as the source says, and said, since the query is where the unit is fixed."""
    node = graph.key_result_or_kpi(measured.ref)
    found = None if node is None else slip_of(node.model, measured.new)
    if node is None or found is None:
        return None
    said = slip_sentence(measured.ref, format_value(measured.new), found, node.model)
    return f"{said} Is its source counted in the number's unit?"


def commit_message(changed: list[Measured], day: date) -> str:
    """One line per value, and one `Okr-Checkin` trailer per ref (what history reads)."""
    from okrctl.store.checkin import TRAILER

    count = f"{len(changed)} value{'s' if len(changed) != 1 else ''}"
    lines = [f"{m.ref}: {format_value(m.old)} → {format_value(m.new)}" for m in changed]
    trailers = [f"{TRAILER}: {m.ref}" for m in changed]
    return (
        f"measure: {count} as of {day.isoformat()}\n\n"
        + "\n".join(lines)
        + "\n\n"
        + "\n".join(trailers)
        + "\n"
    )

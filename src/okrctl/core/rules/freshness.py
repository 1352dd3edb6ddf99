"""Rules that read git history: numbers nobody has looked at lately."""

from __future__ import annotations

from collections.abc import Iterator

from okrctl.core.rules.registry import Context, Hit, hit, rule
from okrctl.core.staleness import stale_refs
from okrctl.model.counts import counted
from okrctl.model.findings import Severity


@rule(
    "stale",
    Severity.WARNING,
    "a key result or KPI not checked in (per git) for more than `stale_after_days`",
    reads_history=True,
)
def stale(ctx: Context) -> Iterator[Hit]:
    if ctx.history is None or ctx.moment is None or ctx.period is None:
        return
    limit = ctx.repository.config.config.stale_after_days
    graph = ctx.graph
    found = stale_refs(graph, ctx.history, ctx.period, ctx.moment.instant, limit, ctx.numbers)
    after = counted(limit, "day")
    # How long, and since which check-in, by what decides it: thousands of findings share a
    # few (the period's start; a commit's date and author).
    said: dict[tuple[object, ...], str] = {}
    for ref, silence in found.items():
        node = graph.key_result_or_kpi(ref)
        assert node is not None
        last, through = silence.last, silence.through
        key: tuple[object, ...] = (silence.since, silence.until)
        if last is not None:
            key += (last.date, last.author)
        told = said.get(key)
        if told is None:
            if last is None:
                seen = "never checked in"
            else:
                seen = f"last checked in on {last.date.date()} by {last.author}"
            told = said[key] = f"for {silence.said_for(limit)} ({seen}; stale after {after})"
        if through is None:
            message = (
                f"`{ref}` has not been checked in {told}: "
                f"run `okrctl checkin {ref} VALUE`, even to confirm it"
            )
        else:  # derived `from:` others: its freshness is a source's
            message = (
                f"`{ref}` is derived from `{through}`, not checked in {told}: "
                f"run `okrctl checkin {through} VALUE`, even to confirm it"
            )
        yield hit(node.owner, node.path(), message, ref)

"""Rules that read git history: numbers nobody has looked at lately."""

from __future__ import annotations

from collections.abc import Iterator

from okrctl.core.rules.registry import Context, Hit, hit, rule
from okrctl.core.staleness import silence, watched_until
from okrctl.model.findings import Severity


@rule(
    "stale",
    Severity.WARNING,
    "a key result or KPI not checked in (per git) for more than `stale_after_days`",
)
def stale(ctx: Context) -> Iterator[Hit]:
    if ctx.history is None or ctx.moment is None or ctx.period is None:
        return
    limit = ctx.repository.config.config.stale_after_days
    moment = watched_until(ctx.moment.instant, ctx.period.end)
    watched = [
        (kr.ref, kr.owner, kr.path())
        for kr in ctx.graph.key_results.values()
        if not (kr.key_result.milestone and kr.key_result.done)
    ]
    watched += [(kpi.ref, kpi.owner, kpi.path()) for kpi in ctx.graph.kpis.values()]
    for ref, unit_file, path in watched:
        quiet = silence(ctx.history.seen(ref, moment), moment, ctx.period.start)
        if quiet is None or quiet[0] <= limit:
            continue  # not committed yet (new, not stale), or checked in lately
        days, last = quiet
        seen = (
            f"last checked in on {last.date.date()} by {last.author}"
            if last
            else "never checked in"
        )
        yield hit(
            unit_file,
            path,
            f"`{ref}` has not been checked in for {int(days)} days ({seen}; stale after "
            f"{limit}): run `okrctl checkin {ref} VALUE`, even to confirm it",
            ref,
        )

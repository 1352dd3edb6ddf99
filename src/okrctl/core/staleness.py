"""Whether a key result or KPI is stale: which refs are watched, at which moment silence is
measured, from when, and past which threshold. The one answer for the `stale` rule, the
reports' "needs attention", the nudges and the retro's stale list (docs/rules.md, `stale`).

Where `check` shares the numbers out with a forked child, each process reads only the nodes of
its own share: every object Python reads it also writes (its reference count), and each page of
memory the fork shares costs a fault, and a copy, on its first write in either process. Passing
over every node of the graph to pick a share, and over every key result for the derived ones,
the child's `stale_refs` made 6,161 faults in 46 ms at 2,000 teams; with its share cut out
before the fork (`shares_of`), about 3,000 in 25 ms."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Container, Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol

from okrctl.core.graph import KeyResultNode
from okrctl.core.periods import day_of
from okrctl.model.counts import counted
from okrctl.model.history import CheckIn, Seen

if TYPE_CHECKING:
    from okrctl.core.graph import Graph, KpiNode
    from okrctl.core.periods import Period
    from okrctl.model.goals import KeyResult

    Watched = KeyResultNode | KpiNode


class Silence(NamedTuple):
    """How long a ref has gone without a check-in, and its last one (None: never)."""

    last: CheckIn | None
    since: datetime
    """The later of the last check-in, the creation and the period's start."""
    until: datetime
    """The moment silence is measured at (`watched_until`)."""
    through: str | None = None
    """For a number derived `from:` others, the source whose silence it is."""

    @property
    def days(self) -> float:
        """Days with their fractions, from `since` to `until`: what decides `stale`."""
        return (self.until - self.since).total_seconds() / 86_400

    def longer_than(self, limit: int) -> bool:
        """Stale: quiet for more than `stale_after_days`."""
        return self.days > limit

    @property
    def day_count(self) -> int:
        """The days without a check-in as every output says them: on the calendar (UTC), from
        the last check-in's day (else from `since`) to the day silence is measured on. At
        07:50, a check-in made at 09:30 on 2026-10-30 is 37.9 days old, but 38 days ago beside
        its date, as `show` says it (whole days said "for 37 days"); one made before the period
        began is counted from its own day, not from the period's first."""
        start = self.since if self.last is None else self.last.date
        return max(0, (day_of(self.until) - start.date()).days)

    def said_for(self, limit: int) -> str:
        """How long it has gone without a check-in, as every output says it: `day_count` days;
        on the day the hours pass `limit` while the calendar counts no more than it, "more than
        14 days" (a stale number read "14 days" beside "stale after 14 days")."""
        count = self.day_count
        if count > limit or not self.longer_than(limit):
            return counted(count, "day")
        return f"more than {counted(limit, 'day')}"

    def last_seen(self, as_of: date) -> LastSeen | None:
        """The last check-in as a reader is told of it (None: never checked in): its day (UTC,
        as history dates check-ins), who made it, and the calendar days from that day to
        `as_of`, what a reader counts beside the date (yesterday's noon read "2026-12-06
        (today)" a quarter of an hour after midnight, counted in whole days gone by)."""
        if self.last is None:
            return None
        day = self.last.date.date()
        return LastSeen(day, self.last.author, max(0, (as_of - day).days))


class LastSeen(NamedTuple):
    """A number's last check-in, as `show`, an editor's hover and the guided round say it."""

    day: date
    author: str
    days_ago: int


class SeenBy(Protocol):
    """What staleness needs of history: a ref's creation and last check-in at a moment."""

    def seen(self, ref: str, moment: datetime) -> Seen | None: ...

    def seen_all(self, refs: Iterable[str], moment: datetime) -> dict[str, Seen | None]: ...


def watched_until(moment: datetime, period_end: datetime) -> datetime:
    """The moment silence is measured at: `moment`, or the period's end once it is over (a
    quarter read years later was quiet for its own weeks, not for every day since)."""
    return min(moment, period_end)


def silence(seen: Seen | None, moment: datetime, period_start: datetime) -> Silence | None:
    """Days without a check-in at `moment`, counted from the later of the last check-in, the
    creation and the period start, and the last check-in; None for what is not committed yet.
    `seen` is what history knows of the ref at `moment` (`History.seen`)."""
    if seen is None:
        return None
    created, last = seen
    if created is None or created > moment:
        return None
    since = created if created > period_start else period_start
    if last is not None and last.date > since:
        since = last.date
    return Silence(last, since, moment)


def silence_at(history: SeenBy, ref: str, moment: datetime, period: Period) -> Silence | None:
    """`ref`'s silence as of `moment` in `period`, measured at `watched_until`."""
    until = watched_until(moment, period.end)
    return silence(history.seen(ref, until), until, period.start)


def is_watched(key_result: KeyResult) -> bool:
    """A finished milestone needs no more check-ins; every other key result does."""
    return not (key_result.milestone and key_result.done)


def is_watched_number(node: Watched) -> bool:
    """`is_watched` of a key result's or KPI's node (a KPI always is)."""
    return not isinstance(node, KeyResultNode) or is_watched(node.key_result)


def watched(graph: Graph) -> Iterator[Watched]:
    """What can go stale: every key result but a finished milestone, and every KPI."""
    for kr in graph.key_results.values():
        if is_watched(kr.key_result):
            yield kr
    yield from graph.kpis.values()


def watched_in(graph: Graph, files: Container[str]) -> list[Watched]:
    """What can go stale in the unit files `files` (by path), in `watched`'s order."""
    return [node for node in watched(graph) if node.owner.path in files]


def shares_of(graph: Graph, files: Sequence[str], cut: int) -> tuple[list[Watched], list[Watched]]:
    """The key results and KPIs of the unit files `files[:cut]`, then those of the rest (by
    path, in the repository's order), for two processes' `stale_refs`; key results first in
    each. The graph holds its nodes in the order of their files, so each kind is cut once
    where the second share's files begin (a bisection: no key result read, before a fork;
    the finished milestones are left out by each process, of its own share). Were the nodes
    in another order, the two shares would still hold each number once."""
    position = {path: index for index, path in enumerate(files)}

    def file_index(node: Watched) -> int:
        return position.get(node.owner.path, len(files))

    first: list[Watched] = []
    rest: list[Watched] = []
    for nodes in (graph.key_results, graph.kpis):
        ordered: list[Watched] = list(nodes.values())
        at = bisect_left(ordered, cut, key=file_index)
        first += ordered[:at]
        rest += ordered[at:]
    return first, rest


def quiet_of(
    graph: Graph,
    history: SeenBy,
    ref: str,
    moment: datetime,
    period: Period,
    seen: frozenset[str] = frozenset(),
) -> Silence | None:
    """`ref`'s silence. A number derived `from:` others is never checked in: a mirror or a sum
    is as fresh as its freshest source (one live source keeps it current), a score from
    supporters as its stalest key result (each supporter counts). None: nothing to measure."""
    derived = graph.derivations.values.get(ref)
    node = graph.key_result_or_kpi(ref)
    if node is None or node.model.derived_from is None:
        return silence_at(history, ref, moment, period)
    if derived is None or ref in seen:
        return None  # a derivation that cannot be followed: the `derivation` rule says why
    if derived.how == "score":
        sources = [
            f"{s.ref}/{kr.id}"
            for s in derived.sources
            for kr in graph.objectives[s.ref].objective.key_results
        ]
    else:
        sources = [s.ref for s in derived.sources]
    quiet = []
    for source in sources:
        found = quiet_of(graph, history, source, moment, period, seen | {ref})
        if found is not None:
            quiet.append(found._replace(through=found.through or source))
    if not quiet:
        return None
    pick = max if derived.how == "score" else min
    return pick(quiet, key=lambda q: q.days)


class Quiet:
    """Each ref's silence at one moment of one period (`quiet_of`), worked out once per ref;
    the plain case, a number checked in itself, without the general path's steps (a report
    and `stale` ask it of every key result: 20,000 at 2,000 teams)."""

    def __init__(self, graph: Graph, history: SeenBy, moment: datetime, period: Period) -> None:
        self.graph, self.history, self.moment, self.period = graph, history, moment, period
        self.until = watched_until(moment, period.end)
        self.known: dict[str, Silence | None] = {}
        self.derived = frozenset(graph.derivations.refs)
        """The numbers taken `from:` others, as `derive` found them (not asked of every node's
        key result: see the module)."""

    def ask_all(self, refs: Iterable[str]) -> None:
        """Work out the silence of each of `refs` in one pass through history (the plain
        ones; a derived number's waits for its first call)."""
        until, start, known, derived = self.until, self.period.start, self.known, self.derived
        plain = [ref for ref in refs if ref not in known and ref not in derived]
        for ref, seen in self.history.seen_all(plain, until).items():
            known[ref] = silence(seen, until, start)

    def __call__(self, ref: str) -> Silence | None:
        known = self.known
        if ref in known:
            return known[ref]
        if ref in self.derived:
            found = quiet_of(self.graph, self.history, ref, self.moment, self.period)
        else:
            until = self.until
            found = silence(self.history.seen(ref, until), until, self.period.start)
        known[ref] = found
        return found


def stale_refs(
    graph: Graph,
    history: SeenBy,
    period: Period,
    moment: datetime,
    limit: int,
    numbers: Sequence[Watched] | None = None,
) -> dict[str, Silence]:
    """Each watched ref quiet for more than `limit` days at `moment`, key results first; with
    `numbers` (key results and KPIs of `graph`, in its order), only the watched ones of
    those."""
    found = {}
    quiet_of_ref = Quiet(graph, history, moment, period)
    if numbers is None:
        nodes = list(watched(graph))
    else:
        nodes = [node for node in numbers if is_watched_number(node)]
    quiet_of_ref.ask_all(node.ref for node in nodes)
    for node in nodes:
        quiet = quiet_of_ref(node.ref)
        if quiet is not None and quiet.longer_than(limit):
            found[node.ref] = quiet
    return found

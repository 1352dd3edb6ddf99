"""`okrctl check` as a library call: load, run every rule, report what was found."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from okrctl.model.findings import Finding, Severity, count, sort_key
from okrctl.model.units import Repository
from okrctl.store import forks
from okrctl.store.forks import Claims, Later, elsewhere
from okrctl.store.history import indexed
from okrctl.store.workspace import Workspace

if TYPE_CHECKING:
    from okrctl.core.rules.registry import Context
    from okrctl.store.snapshot import Snapshot


@dataclass(frozen=True, slots=True)
class CheckResult:
    repository: Repository
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)
    """What the user should know on stderr, such as a rule skipped for lack of history."""
    git_prefix: str = ""
    """The repository root's path from the git top-level (`sub/dir/`, or empty): annotations
    name files as GitHub sees them."""
    snapshot: Snapshot | None = None
    """What was read (graph, period, moment), for callers that go on to score it."""

    @property
    def errors(self) -> int:
        return count(self.findings, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.findings, Severity.WARNING)

    def exit_code(self, *, strict: bool = False) -> int:
        """docs/commands.md, "Exit codes": 1 with errors (or, with `strict`, warnings), else 0."""
        return 1 if self.errors or (strict and self.warnings) else 0


def check_repo(
    repo: Workspace | Path | str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
    with_history: bool = True,
) -> CheckResult:
    """Load the goals (the working tree, or a revision or period with `at`) and run every rule
    as of `as_of` (a date moves the clock, not the files); history is read only when the
    `stale` rule is on, and not at all without `with_history` (`stale` then finds nothing)."""
    from okrctl.core.rules import Context, per_unit_rules, run_rules, severities
    from okrctl.store.cache.unit_hits import kept_hits
    from okrctl.store.snapshot import take_snapshot

    workspace = Workspace.of(repo)
    with workspace.writing_beside():  # the caches, written beside the history walk and rules
        snapshot = take_snapshot(
            workspace, at=at, as_of=as_of, as_of_reads_commit=False, history_soon=with_history
        )
        repository = snapshot.repository
        levels = severities(repository)
        plain = Context(repository, snapshot.graph, snapshot.moment, snapshot.period)
        names = _heaviest_first(levels)
        # The rules that read one unit at a time read only the files changed since the last
        # run (their hits are kept); where many changed, they are shared out with the rest,
        # and what they find is kept after.
        per_unit = per_unit_rules(levels)
        kept = kept_hits(workspace, plain, per_unit)
        few_changed = kept is not None and (
            kept.unit_hits.unknown(snapshot.graph) < forks.WORTH_A_CHILD
        )
        known: list[Finding] = []
        if kept is not None and few_changed:
            on = {rule.name for rule in per_unit}
            kept_names = [name for name in names if name in on]
            known = run_rules(repository, plain, kept.unit_hits, names=kept_names)
            names = [name for name in names if name not in on]
            kept.keep()

        def rules_of(items: Iterable[int]) -> list[Finding]:
            return run_rules(repository, plain, names=(names[item] for item in items))

        # The rules that do not read history are shared out with a forked child (where okrctl
        # may fork), each done by whichever of the two is free: the child starts on them
        # beside the history walk and `stale` (once the log read ahead is taken on a fresh
        # clone), or, on an indexed history read in milliseconds, once it is read, after the
        # `stale` findings of the last files; this process takes what is left once its own
        # `stale` findings are made. A small repository's are all found here.
        child: list[tuple[Claims, Later[list[Finding]]]] = []  # (one, once it is forked)

        def share_with_child(
            first: Callable[[], list[Finding]] = list, in_child: Callable[[], None] | None = None
        ) -> None:
            claims = Claims(len(names))
            later = elsewhere(
                lambda: [*first(), *rules_of(claims.take())],
                here=lambda: [*first(), *rules_of(claims.not_taken_here())],
                first_in_child=in_child,
            )
            child.append((claims, later))

        reads_history = with_history and levels["stale"] is not Severity.OFF
        many = len(repository.units) >= forks.WORTH_A_CHILD  # (may it fork: when it does)
        shared = many and reads_history and indexed(workspace)
        if many and not shared:
            workspace.when_alone.append(share_with_child)
        workspace.now_alone()
        history = None
        if reads_history:
            history = snapshot.read_history("the stale rule and its check-in dates")
        workspace.now_alone()
        context = Context(repository, snapshot.graph, snapshot.moment, snapshot.period, history)
        if shared and history is not None:
            mine, theirs = _stale_shares(repository, context)
            share_with_child(
                lambda: run_rules(repository, theirs, reading_history=True), workspace.in_child
            )
            context = mine
        findings = run_rules(repository, context, reading_history=True)
        if child:
            claims, later = child[0]
            findings += rules_of(claims.take())
            findings += later()
        else:
            findings += rules_of(range(len(names)))
        if kept is not None and not few_changed:
            kept.keep_found(repository, plain, per_unit, findings)
        findings += known
        findings.sort(key=sort_key)
    if repository.revision is None and levels["schema"] is not Severity.OFF:
        from okrctl.store.sources.measure_files import measure_file_findings

        on_disk = measure_file_findings(
            snapshot.workspace.root, snapshot.graph, levels["schema"]
        )
        if on_disk:
            findings = sorted([*findings, *on_disk], key=sort_key)
    return CheckResult(repository, findings, snapshot.notes, snapshot.workspace.prefix, snapshot)


HEAVIEST_FIRST = (
    "title-numbers",
    "unknown-ref",
    "duplicate-id",
    "unmeasurable",
    "alignment-cycle",
    "no-source",
    "orphan",
)
"""The rules that do not read history, heaviest first, as they weigh on 2,000 teams (49, 32,
31, 30, 21, 14 and 10 ms): shared out longest first, two processes end together."""


def _heaviest_first(levels: dict[str, Severity]) -> list[str]:
    """The enabled rules that do not read history, `HEAVIEST_FIRST`, then the others (a few
    milliseconds each) in the registry's order."""
    from okrctl.core.rules import REGISTRY

    enabled = [
        name
        for name, rule in REGISTRY.items()
        if not rule.reads_history and levels[name] is not Severity.OFF
    ]
    rank = {name: index for index, name in enumerate(HEAVIEST_FIRST)}
    return sorted(enabled, key=lambda name: rank.get(name, len(rank)))


STALE_HERE = 0.8
"""The share of the files whose `stale` findings this process finds where its child, beside it,
also takes the other rules first (they take half as long as `stale` on the busy org; with the
rules shared out, 0.6 was no better)."""


def _stale_shares(repository: Repository, context: Context) -> tuple[Context, Context]:
    """The context of this process's files, then of its child's: each file's findings are made
    in one process, in the order one process makes them. The numbers of each are picked out
    here, before the fork (`Context.numbers`)."""
    from dataclasses import replace

    from okrctl.core.staleness import shares_of

    files = [unit_file.path for unit_file in repository.units]
    mine, theirs = shares_of(context.graph, files, int(len(files) * STALE_HERE))
    return replace(context, numbers=mine), replace(context, numbers=theirs)

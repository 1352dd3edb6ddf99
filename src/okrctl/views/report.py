"""`okrctl report`: what a report is made of (how its units are scored, the check-in history, a
comparison with the goals as they were `--since`), gathered once; `okrctl.render.report_context`
turns it into what templates receive."""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from pathlib import Path

from okrctl.core.compare import (
    Comparison,
    compare,
    read_by_comparison,
    units_by_id,
    with_former_ids,
)
from okrctl.core.graph import Graph, build_graph
from okrctl.core.periods import days_before, parse_date
from okrctl.core.scorecard import (
    Scorecard,
    UnitScore,
    cascade_order,
    check_scope,
    company_title,
    evaluate,
)
from okrctl.model.errors import UsageError
from okrctl.model.goals import Kind
from okrctl.model.history import History
from okrctl.store.change import renamed_since
from okrctl.store.forks import elsewhere
from okrctl.store.git import log as git_log
from okrctl.store.load import load_repo
from okrctl.store.snapshot import Snapshot

DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
TEMPLATE_FOR_KIND = {
    Kind.PERSON: "one-on-one",
    Kind.TEAM: "team",
    Kind.PILLAR: "team",
    Kind.COMPANY: "company",
}


@dataclass(frozen=True, slots=True)
class Since:
    label: str
    """What headings say: the day (`Sat 21 Nov`), or the revision and its day."""
    revision: str | None
    date: date | None


def day_label(day: date, today: date) -> str:
    """`Sat 21 Nov`, with the year when it is not the as-of date's year."""
    label = f"{day:%a} {day.day} {day:%b}"
    return label if day.year == today.year else f"{label} {day.year}"


def default_template(graph: Graph, scope: str | None) -> str:
    """docs/templates.md: a person → one-on-one, a team or pillar → team, none → company."""
    if scope is None:
        return "company"
    return TEMPLATE_FOR_KIND[graph.units[scope].unit.kind]


def resolve_since(snapshot: Snapshot, text: str) -> Since:
    """`Nd` (days before as-of), a date, a period or a revision → the commit to compare with."""
    from okrctl.store.revisions import resolve

    top = snapshot.workspace.top
    as_of = snapshot.moment.as_of
    if top is None:
        return Since(text, None, None)
    day: date | None = None
    if text.endswith("d") and text[:-1].isdigit():
        try:
            day = days_before(snapshot.moment.as_of, int(text[:-1]))
        except ValueError as exc:
            raise UsageError(f"--since {text}: {exc}") from None
    elif DATE_LIKE.match(text):
        try:
            day = parse_date(text)
        except ValueError as exc:
            raise UsageError(f"--since {text}: {exc}") from None
    zone = snapshot.repository.config.config.zone()
    if day is not None:  # the whole day included: compared with the last commit before it
        commit = git_log.last_commit_before_day(top, day, zone)
        return Since(day_label(day, as_of), commit.sha if commit else None, day)
    sha = resolve(snapshot.workspace, text)
    made = git_log.commit_date(top, sha, zone)
    return Since(f"{text} ({day_label(made, as_of)})", sha, None)


NO_CHANGES: tuple[Since, Comparison | None] = (Since("", None, None), None)
"""A report without `--since` (the site's pages): no comparison."""


def _no_changes() -> tuple[Since, Comparison | None]:
    return NO_CHANGES


class Scoring:
    """How a report scores its units: all of them once (`card`, the request's), or a
    share of them, where a forked child scores and builds the rest of the report's units
    (`render/report_context.py`): a company report at 2,000 teams spent a sixth of its time
    scoring, on one core. A share's scores are the whole card's, unit for unit."""

    def __init__(self, snapshot: Snapshot, history: History | None, scope: str | None) -> None:
        self.graph, self.period, self.moment = snapshot.graph, snapshot.period, snapshot.moment
        self.history = history
        self.only = units_shown(self.graph, scope)

    @cached_property
    def order(self) -> list[tuple[str, int]]:
        """(unit id, depth) of each unit the whole card scores, in its order (asked only where
        the units are shared out: a pillar's report walks the whole cascade for it)."""
        only = self.only
        return [pair for pair in cascade_order(self.graph) if only is None or pair[0] in only]

    @cached_property
    def card(self) -> Scorecard:
        """Every unit the report shows (and those it reads a score of), scored once."""
        return evaluate(self.graph, self.period, self.moment, history=self.history, only=self.only)

    def frame(self) -> Scorecard:
        """A card of no unit: the period and moment every share is scored at."""
        return evaluate(self.graph, self.period, self.moment, order=[])

    def share(
        self,
        pairs: list[tuple[str, int]],
        elsewhere: Container[str] = (),
        *,
        company: bool = True,
    ) -> tuple[Scorecard, list[UnitScore]]:
        """The units of `pairs` scored, in order. The card also holds the company with
        `company` (templates receive it whole: the share that builds it scores it), and the
        units whose objectives support theirs or the company's (a supporter's score is shown
        beside the objective it supports), but for those of `elsewhere`: another process
        scores them, and its contexts give their scores."""
        graph = self.graph
        ids = {unit_id for unit_id, _ in pairs}
        found = graph.company if company else None
        wanted = ids | ({found.unit.id} if found is not None else set())
        wanted |= {u for u in graph.units_supporting(wanted) if u not in elsewhere}
        extra = [pair for pair in self.order if pair[0] in wanted and pair[0] not in ids]
        card = evaluate(
            graph, self.period, self.moment, history=self.history, order=[*pairs, *extra]
        )
        return card, card.units[: len(pairs)]


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What a report is made of: the template's name, the units in scope, how they are scored
    (all at once: `card`; or in shares, where the context is built on two cores), the check-in
    history, and what changed since `--since`. `okrctl.render.report_context` turns it into the
    context templates receive (docs/templates.md)."""

    template: str
    scope: str | None
    snapshot: Snapshot
    scoring: Scoring
    history: History | None
    changes: Callable[[], tuple[Since, Comparison | None]]
    """`since` and `comparison`, perhaps still being made in a forked child: whatever can be
    done without them (the context's units, the template's compiling) is done first."""

    @property
    def card(self) -> Scorecard:
        """Every unit the report shows, scored (once, when first asked)."""
        return self.scoring.card

    @property
    def running_as_of(self) -> str | None:
        """The as-of day (ISO) while the period runs, None once it is over: the day the HTML
        page's and the mail's charts reach. Asked of the period, not of `card`, which scores
        every unit again where the context was built in shares."""
        period, moment = self.snapshot.period, self.snapshot.moment
        return None if period.is_over(moment.instant) else moment.as_of.isoformat()

    @property
    def since(self) -> Since:
        return self.changes()[0]

    @property
    def comparison(self) -> Comparison | None:
        """None outside git: there is nothing to compare with."""
        return self.changes()[1]

    @property
    def user_templates(self) -> Path:
        """A goals repository's own `templates/`, which wins over the built-in ones."""
        return self.snapshot.repository.root / "templates"

    @property
    def title(self) -> str:
        """The company, as reports name it."""
        config = self.snapshot.repository.config.config
        return company_title(self.snapshot.graph, config.company)

    @property
    def page_title(self) -> str:
        """The HTML version's title: company, template, period."""
        return f"{self.title} — {self.template} — {self.card.period.name}"


def report_of(
    snapshot: Snapshot, scope: str | None, since_text: str | None, template: str | None = None
) -> ReportRequest:
    """The report's data; without `since_text`, no comparison (and no second load)."""
    graph = snapshot.graph
    scope = check_scope(graph, scope)
    name = template or default_template(graph, scope)
    changes: Callable[[], tuple[Since, Comparison | None]] = _no_changes
    if since_text is not None:
        # The goals as they were `--since` are loaded and compared in a second process, where
        # okrctl may fork (not beside a first walk's history read ahead), while this one reads
        # history, scores and compiles the template (at 2,000 teams, a fifth of a company
        # report).
        changes = cache(
            elsewhere(
                lambda: changes_since(snapshot, since_text, scope),
                first_in_child=snapshot.workspace.in_child,
            )
        )
    history = snapshot.read_history("trends, check-in dates and changes")
    return ReportRequest(name, scope, snapshot, Scoring(snapshot, history, scope), history, changes)


def units_shown(graph: Graph, scope: str | None) -> set[str] | None:
    """The units a report of `scope` scores (None: every one): those in scope and the company
    (templates receive both whole), and each unit holding an objective that supports one of
    theirs (a supporter's score and status are shown beside the objective it supports)."""
    if scope is None:
        return None
    shown = {unit_id for unit_id, _ in cascade_order(graph, scope)}
    company = graph.company
    if company is not None:
        shown.add(company.unit.id)
    return shown | graph.units_supporting(shown)


def changes_since(
    snapshot: Snapshot, since_text: str, scope: str | None = None
) -> tuple[Since, Comparison | None]:
    """The commit `--since` names, and what changed from the goals there to the snapshot's
    (None outside git: there is nothing to compare with); with `scope`, what changed in the
    units in scope (others' changes may be left out)."""
    graph = snapshot.graph
    since = resolve_since(snapshot, since_text)
    comparison = None
    if since.revision is not None and since.revision != snapshot.repository.revision:
        in_scope = {u for u, _ in cascade_order(graph, scope)} if scope is not None else None
        old = load_repo(snapshot.workspace, revision=since.revision)
        goals_dir = snapshot.repository.config.config.goals_dir
        head = snapshot.repository.revision
        renamed = renamed_since(
            snapshot.workspace, units_by_id(old), graph.units, since.revision, head, goals_dir
        )
        part, same = read_by_comparison(old, graph, with_former_ids(in_scope, renamed))
        comparison = compare(build_graph(part), graph, in_scope, same, renamed)
    elif since.revision is None and snapshot.workspace.top is not None:
        comparison = Comparison(added=[*graph.all_refs()])  # nothing existed yet
    return since, comparison

"""`okrctl review BASE [HEAD]`: what one change (a pull request) does to the period in force at
HEAD (docs/review.md): goal-posts moved after the grace, scope added, dropped, realigned or
renamed, the check-ins it carries and what is odd about them, score and status deltas, and the
findings it introduces. Each item names the commit and author that made it, and where it is in
HEAD's files.

Net effect first: BASE (its merge base with HEAD) and HEAD are compared as wholes, so a target
moved twice in the change is one move. Each difference is then credited to the last commit of
the change that made it, whose date decides whether it falls after the grace.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from okrctl.core import goalposts
from okrctl.core import score as arithmetic
from okrctl.core.graph import Graph, KeyResultNode, KpiNode, ObjectiveNode
from okrctl.core.ownership import answerable, author_handle, knows_authors
from okrctl.core.periods import Period, iso_utc
from okrctl.core.scorecard import Scorecard
from okrctl.model.findings import Finding, Severity
from okrctl.model.names import unit_stem
from okrctl.store.change import Change
from okrctl.store.history import LogCommit
from okrctl.store.versions import Version, read_version

VALUE_FIELDS = {"key result": ("current", "done", "confidence"), "KPI": ("current",)}
SCOPE_KINDS = ("objective", "key result")
"""Scope is what a period sets out to do: its objectives and key results (KPIs are watched,
not set out to do)."""


class FailOn(StrEnum):
    """What `--fail-on` may name: each kind of item a review can list."""

    ERROR = "error"
    WARNING = "warning"
    GOALPOST = "goalpost"
    SCOPE = "scope"
    BACKWARDS = "backwards"
    JUMP = "jump"
    CONFIDENCE = "confidence"
    OWNER = "owner"


@dataclass(frozen=True, slots=True)
class Credit:
    """Who made a difference, and when: a commit of the change, or the working tree's edits
    (no sha), or nobody known (a merge brought it in)."""

    sha: str | None
    author: str | None
    date: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "commit": self.sha or None,
            "author": self.author,
            "date": iso_utc(self.date) if self.date is not None else None,
        }


UNKNOWN = Credit(None, None, None)


@dataclass(frozen=True, slots=True)
class Place:
    """Where an item is in HEAD's files (paths from the goals repository's root)."""

    file: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Effect:
    """What a move does to its key result (score and status), objective (status) or KPI
    (health): before is the goal as it stands with the old setting put back."""

    old_score: float | None
    new_score: float | None
    old_status: str | None
    new_status: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "score": {"old": self.old_score, "new": self.new_score},
            "status": {"old": self.old_status, "new": self.new_status},
        }


@dataclass(frozen=True, slots=True)
class Move:
    ref: str
    kind: str
    field: str
    old: Any
    new: Any
    credit: Credit
    place: Place | None
    effect: Effect
    reason: str = ""
    unit: str | None = None
    """What the number counts (`%`, `$`), for showing old and new."""

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "kind": self.kind, "field": self.field, "old": self.old,
            "new": self.new, **self.credit.as_json(), **_place_json(self.place),
            **self.effect.as_json(), "reason": self.reason,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ScopeChange:
    change: str
    """`added`, `dropped`, `realigned` or `renamed`."""
    ref: str
    kind: str
    credit: Credit
    place: Place | None
    old: Any = None
    new: Any = None
    left: list[tuple[str, int, int]] = field(default_factory=list)
    """For a realignment: each parent left behind, with its supporters before and after."""

    def as_json(self) -> dict[str, Any]:
        return {
            "change": self.change, "ref": self.ref, "kind": self.kind, "old": self.old,
            "new": self.new, **self.credit.as_json(), **_place_json(self.place),
            "left": [{"ref": r, "supporters": {"old": o, "new": n}} for r, o, n in self.left],
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Checkin:
    ref: str
    kind: str
    old: Any
    new: Any
    old_confidence: Any
    new_confidence: Any
    credit: Credit
    place: Place | None
    flags: list[FailOn]
    jump: float | None = None
    """The share of the range moved in this one step."""
    author_is: str | None = None
    """The person the author is (when the goals tie addresses to people)."""
    answerable: list[str] = field(default_factory=list)
    """Who answers for the number, when the author is not one of them."""
    unit: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "kind": self.kind, "old": self.old, "new": self.new,
            "confidence": {"old": self.old_confidence, "new": self.new_confidence},
            **self.credit.as_json(), **_place_json(self.place),
            "flags": [str(f) for f in self.flags], "jump": self.jump,
            "person": self.author_is, "answerable": self.answerable,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Delta:
    ref: str
    level: str
    """`unit` or `objective`."""
    old_score: float | None
    new_score: float | None
    old_status: str | None
    new_status: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref, "level": self.level,
            "score": {"old": self.old_score, "new": self.new_score},
            "status": {"old": self.old_status, "new": self.new_status},
        }  # fmt: skip


@dataclass(slots=True)
class Review:
    base: str
    """The merge base compared against."""
    head: str | None
    """HEAD's commit; None for the working tree."""
    period: Period
    as_of: date
    commits: int
    moves: list[Move] = field(default_factory=list)
    scope: list[ScopeChange] = field(default_factory=list)
    checkins: list[Checkin] = field(default_factory=list)
    deltas: list[Delta] = field(default_factory=list)
    new_findings: list[Finding] = field(default_factory=list)
    fixed_findings: int = 0
    base_findings: int = 0
    fail_on: list[FailOn] = field(default_factory=lambda: [FailOn.ERROR])
    notes: list[str] = field(default_factory=list)
    git_prefix: str = ""
    """The goals repository's root from the git top-level: annotations name files from there."""
    uncommitted: bool = False
    """Whether the working tree's edits to the goals are part of the change."""

    def happened(self) -> dict[FailOn, int]:
        """How many items of each kind the change has."""
        counts = Counter[FailOn]()
        for finding in self.new_findings:
            counts[FailOn.ERROR if finding.severity is Severity.ERROR else FailOn.WARNING] += 1
        counts[FailOn.GOALPOST] += len(self.moves)
        counts[FailOn.SCOPE] += sum(s.change != "renamed" for s in self.scope)
        for checkin in self.checkins:
            counts.update(checkin.flags)
        return {kind: counts[kind] for kind in FailOn if counts[kind]}

    @property
    def failures(self) -> dict[FailOn, int]:
        """What happened of what `--fail-on` names."""
        return {k: n for k, n in self.happened().items() if k in self.fail_on}

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    @property
    def grace_end(self) -> datetime:
        return goalposts.grace_end(self.period)

    def as_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "head": self.head,
            "period": self.period.name,
            "as_of": self.as_of.isoformat(),
            "grace_end": iso_utc(self.grace_end),
            "commits": self.commits,
            "uncommitted": self.uncommitted,
            "goalpost_moves": [m.as_json() for m in self.moves],
            "scope_changes": [s.as_json() for s in self.scope],
            "checkins": [c.as_json() for c in self.checkins],
            "scores": [d.as_json() for d in self.deltas],
            "findings": {
                "new": [f.as_json() for f in self.new_findings],
                "fixed": self.fixed_findings,
                "on_base": self.base_findings,
            },
            "fail_on": [str(k) for k in self.fail_on],
            "failed": {str(k): n for k, n in self.failures.items()},
        }


def _place_json(place: Place | None) -> dict[str, Any]:
    if place is None:
        return {"file": None, "line": None, "column": None}
    return {"file": place.file, "line": place.line, "column": place.column}


@dataclass(frozen=True, slots=True)
class Sides:
    """Both ends of the change, loaded and scored."""

    base: Graph
    head: Graph
    base_card: Scorecard
    head_card: Scorecard
    base_findings: list[Finding]
    head_findings: list[Finding]
    git_prefix: str
    """The goals repository's root from the git top-level (`sub/` or empty)."""


# --- renames -------------------------------------------------------------------------------


def unit_renames(change: Change, sides: Sides) -> dict[str, str]:
    """Old unit id → new unit id for each goals file git sees renamed whose unit id changed."""
    prefix = sides.git_prefix
    base_ids = {u.path: i for i, u in sides.base.units.items()}
    head_ids = {u.path: i for i, u in sides.head.units.items()}
    found = {}
    for old, new in change.renames.items():
        old_id = base_ids.get(old.removeprefix(prefix))
        new_id = head_ids.get(new.removeprefix(prefix))
        if old_id and new_id and old_id != new_id:
            found[old_id] = new_id
    return found


def translate(ref: str, renames: dict[str, str]) -> str:
    unit, _, rest = ref.partition("/")
    unit = renames.get(unit, unit)
    return f"{unit}/{rest}" if rest else unit


# --- the walk: who made each difference ----------------------------------------------------


@dataclass(slots=True)
class Walk:
    """What the change's commits did, ref by ref, in HEAD's names."""

    touched: dict[tuple[str, str], LogCommit] = field(default_factory=dict)
    added: dict[str, LogCommit] = field(default_factory=dict)
    dropped: dict[str, LogCommit] = field(default_factory=dict)
    values: list[tuple[str, str, dict[str, Any], dict[str, Any], LogCommit]] = field(
        default_factory=list
    )
    """(ref, kind, before, after, commit) for each commit that changed a number's value."""
    renamed: dict[str, LogCommit] = field(default_factory=dict)
    """A renamed file's new path (from the git top-level) → the commit that renamed it."""


def _items(version: Version) -> dict[str, tuple[str, dict[str, Any]]]:
    found = {ref: ("objective", o) for ref, o in version.objectives.items()}
    found |= {ref: ("key result", k) for ref, k in version.key_results.items()}
    found |= {ref: ("KPI", k) for ref, k in version.kpis.items()}
    return found


def walk(change: Change, renames: dict[str, str]) -> Walk:
    result = Walk()
    cache: dict[tuple[str, str], dict[str, tuple[str, dict[str, Any]]]] = {}

    def items(sha: str, path: str | None) -> dict[str, tuple[str, dict[str, Any]]]:
        if path is None or not sha or set(sha) == {"0"}:
            return {}
        key = (sha, unit_stem(path))
        if key not in cache:
            raw = change.blobs.get(sha, b"")
            found = _items(read_version(raw, key[1]))
            cache[key] = {translate(ref, renames): item for ref, item in found.items()}
        return cache[key]

    for commit in change.commits:
        before: dict[str, tuple[str, dict[str, Any]]] = {}
        after: dict[str, tuple[str, dict[str, Any]]] = {}
        for entry in commit.entries:
            old = items(entry.old_sha, entry.old_path or entry.path)
            new = items(entry.sha, entry.path) if entry.status != "D" else {}
            if entry.status == "R":
                old = _follow(old, new)
                result.renamed[entry.path] = commit
            before |= old
            after |= new
        for ref, (kind, fields) in after.items():
            if ref not in before:
                result.added[ref] = commit
                result.dropped.pop(ref, None)
                continue
            earlier = before[ref][1]
            for name in set(fields) | set(earlier):
                if fields.get(name) != earlier.get(name):
                    result.touched[(ref, name)] = commit
            if any(fields.get(n) != earlier.get(n) for n in VALUE_FIELDS.get(kind, ())):
                result.values.append((ref, kind, earlier, fields, commit))
        for ref in before:
            if ref not in after:
                result.dropped[ref] = commit
                result.added.pop(ref, None)
    return result


def _follow(
    old: dict[str, tuple[str, dict[str, Any]]], new: dict[str, tuple[str, dict[str, Any]]]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """A file renamed in one commit keeps its goals: its old unit id is read as the new one
    (when the rename changed the id, that commit's own refs follow it)."""
    old_unit = next((ref.split("/", 1)[0] for ref in old), None)
    new_unit = next((ref.split("/", 1)[0] for ref in new), None)
    if old_unit is None or new_unit is None or old_unit == new_unit:
        return old
    return {translate(ref, {old_unit: new_unit}): item for ref, item in old.items()}


def credit(commit: LogCommit | None) -> Credit:
    if commit is None:
        return UNKNOWN
    return Credit(commit.sha, commit.author, commit.date)


# --- the review ----------------------------------------------------------------------------


def review(
    change: Change,
    sides: Sides,
    period: Period,
    as_of: date,
    *,
    jump_share: float,
    emails: dict[str, str],
    fail_on: list[FailOn],
) -> Review:
    renames = unit_renames(change, sides)
    done = walk(change, renames)
    commits = sum(1 for c in change.commits if c.sha)
    result = Review(change.base, change.head, period, as_of, commits, fail_on=fail_on)
    result.uncommitted = commits < len(change.commits)
    result.moves = _moves(sides, renames, done, period)
    result.scope = _scope(sides, renames, done, period)
    result.checkins = _checkins(sides.head, done, jump_share, emails)
    result.deltas = _deltas(sides, renames)
    result.new_findings, result.fixed_findings = _new_findings(sides, renames, change)
    result.base_findings = len(sides.base_findings)
    result.git_prefix = sides.git_prefix
    return result


def _node(graph: Graph, ref: str) -> tuple[str, ObjectiveNode | KeyResultNode | KpiNode] | None:
    if ref in graph.key_results:
        return "key result", graph.key_results[ref]
    if ref in graph.objectives:
        return "objective", graph.objectives[ref]
    if ref in graph.kpis:
        return "KPI", graph.kpis[ref]
    return None


def _place(node: ObjectiveNode | KeyResultNode | KpiNode, *rest: str) -> Place:
    position = node.owner.source.key_at(*node.path(*rest))
    return Place(node.owner.path, position.line, position.column)


def _setting(node: ObjectiveNode | KeyResultNode | KpiNode, name: str) -> Any:
    model = node.objective if isinstance(node, ObjectiveNode) else node.model
    value = getattr(model, name)
    dump = getattr(value, "model_dump", None)
    return dump(exclude_none=True) if dump is not None else value


def _moves(sides: Sides, renames: dict[str, str], done: Walk, period: Period) -> list[Move]:
    moves = []
    base_refs: dict[str, ObjectiveNode | KeyResultNode | KpiNode] = {}
    for nodes in (sides.base.objectives, sides.base.key_results, sides.base.kpis):
        base_refs |= {translate(ref, renames): node for ref, node in nodes.items()}
    for ref, earlier in base_refs.items():
        found = _node(sides.head, ref)
        if found is None:
            continue
        kind, node = found
        for name in goalposts.REVIEW_FIELDS[kind]:
            old, new = _setting(earlier, name), _setting(node, name)
            if old == new:
                continue
            commit = done.touched.get((ref, name))
            made = credit(commit)
            if made.date is not None and not goalposts.is_mid_period(made.date, period):
                continue  # set during the grace: planning, not a move
            moves.append(
                Move(ref, kind, name, old, new, made, _place(node, name),
                     _effect(sides.head_card, node, name, earlier),
                     _reason(commit), _unit(node))
            )  # fmt: skip
    return moves


def _unit(node: ObjectiveNode | KeyResultNode | KpiNode) -> str | None:
    return None if isinstance(node, ObjectiveNode) else node.model.unit


def _reason(commit: LogCommit | None) -> str:
    from okrctl.store.history import stated_reason

    return stated_reason(commit.message) if commit is not None and commit.sha else ""


def _effect(
    card: Scorecard, node: ObjectiveNode | KeyResultNode | KpiNode, name: str, earlier: Any
) -> Effect:
    """The move's effect, against HEAD's goal with the old setting put back."""
    elapsed, over = card.elapsed, card.over
    if isinstance(node, KpiNode):
        old_kpi = node.kpi.model_copy(update={name: getattr(earlier.kpi, name)})
        return Effect(None, None, arithmetic.kpi_health(old_kpi), arithmetic.kpi_health(node.kpi))
    if isinstance(node, ObjectiveNode):
        scored = card.objectives.get(node.ref)
        score = scored.score if scored is not None else None
        old_type = earlier.objective.type
        if score is None:
            return Effect(None, None, None, None)
        return Effect(
            score, score,
            arithmetic.objective_status(score, old_type, elapsed, over),
            arithmetic.objective_status(score, node.objective.type, elapsed, over),
        )  # fmt: skip
    kind = node.parent.objective.type
    if name == "weight":  # a weight moves its objective's score
        objective = node.parent.objective
        now = arithmetic.objective_score(objective)
        weights = [k.weight for k in objective.key_results]
        weights[node.index] = earlier.key_result.weight
        scores = [arithmetic.key_result_score(k) for k in objective.key_results]
        before = arithmetic.weighted_mean(scores, weights)
        return Effect(
            before, now,
            None if before is None else arithmetic.objective_status(before, kind, elapsed, over),
            None if now is None else arithmetic.objective_status(now, kind, elapsed, over),
        )  # fmt: skip
    new_kr = node.key_result
    old_kr = new_kr.model_copy(update={name: getattr(earlier.key_result, name)})
    old_score, new_score = arithmetic.key_result_score(old_kr), arithmetic.key_result_score(new_kr)
    return Effect(
        old_score, new_score,
        arithmetic.key_result_status(old_kr, old_score, kind, elapsed, over),
        arithmetic.key_result_status(new_kr, new_score, kind, elapsed, over),
    )  # fmt: skip


def _scope(sides: Sides, renames: dict[str, str], done: Walk, period: Period) -> list[ScopeChange]:
    found: list[ScopeChange] = []
    for old_id, new_id in renames.items():
        unit = sides.head.units[new_id]
        commit = done.renamed.get(sides.git_prefix + unit.path)
        found.append(
            ScopeChange("renamed", new_id, "unit", credit(commit),
                        Place(unit.path, 1, 1), old_id, new_id)
        )  # fmt: skip
    base_refs = {translate(r, renames) for r in [*sides.base.objectives, *sides.base.key_results]}
    head_refs = [*sides.head.objectives, *sides.head.key_results]
    for ref in head_refs:
        if ref in base_refs:
            continue
        if ref in sides.head.key_results and ref.rsplit("/", 1)[0] not in base_refs:
            continue  # its objective is new: that says it
        made = credit(done.added.get(ref))
        if made.date is None or goalposts.is_mid_period(made.date, period):
            kind, node = _node(sides.head, ref) or ("", None)
            assert node is not None
            found.append(ScopeChange("added", ref, kind, made, _place(node)))
    base_nodes = {
        translate(ref, renames): (kind, node)
        for kind, nodes in (("objective", sides.base.objectives),
                            ("key result", sides.base.key_results))
        for ref, node in nodes.items()
    }  # fmt: skip
    for ref, (kind, _) in base_nodes.items():
        if ref in sides.head.objectives or ref in sides.head.key_results:
            continue
        if kind == "key result" and ref.rsplit("/", 1)[0] not in sides.head.objectives:
            continue  # its objective was dropped: that says it
        made = credit(done.dropped.get(ref))
        if made.date is None or goalposts.is_mid_period(made.date, period):
            found.append(ScopeChange("dropped", ref, kind, made, None))
    for ref, node in sides.head.objectives.items():
        earlier = sides.base.objectives.get(_untranslate(ref, renames))
        if earlier is None:
            continue
        old = [translate(r, renames) for r in earlier.objective.aligns_to]
        new = list(node.objective.aligns_to)
        if old == new:
            continue
        made = credit(done.touched.get((ref, "aligns_to")))
        if made.date is not None and not goalposts.is_mid_period(made.date, period):
            continue
        left = [
            (parent, _supporters(sides.base, _untranslate(parent, renames)),
             _supporters(sides.head, parent))
            for parent in old if parent not in new
        ]  # fmt: skip
        found.append(
            ScopeChange("realigned", ref, "objective", made, _place(node, "aligns_to"), old, new,
                        left)
        )  # fmt: skip
    return found


def _untranslate(ref: str, renames: dict[str, str]) -> str:
    return translate(ref, {new: old for old, new in renames.items()})


def _supporters(graph: Graph, parent: str) -> int:
    """How many objectives align to `parent` (an objective: to it or any of its key results)."""
    if parent in graph.objectives:
        return len(graph.supported_by(parent))
    return len(graph.supporters.get(parent, ()))


def _checkins(graph: Graph, done: Walk, jump_share: float, emails: dict[str, str]) -> list[Checkin]:
    owners_known = knows_authors(graph, emails)
    found = []
    for ref, kind, before, after, commit in done.values:
        located = _node(graph, ref)
        if located is None or isinstance(located[1], ObjectiveNode):
            continue  # dropped since: the scope says so
        node = located[1]
        key = "done" if isinstance(node, KeyResultNode) and node.key_result.milestone else "current"
        old, new = before.get(key), after.get(key)
        flags: list[FailOn] = []
        share = None
        if isinstance(node, KeyResultNode) and old != new:
            if goalposts.against_direction(node.key_result, old, new):
                flags.append(FailOn.BACKWARDS)
            share = goalposts.jump_share(node.key_result, old, new)
            if share is not None and share > jump_share:
                flags.append(FailOn.JUMP)
        old_confidence, new_confidence = before.get("confidence"), after.get("confidence")
        if _dropped(old_confidence, new_confidence):
            flags.append(FailOn.CONFIDENCE)
        person, allowed = None, []
        if owners_known:
            person = author_handle(graph, emails, commit.email)
            may = answerable(graph, ref)
            if person is not None and person not in may:
                flags.append(FailOn.OWNER)
                allowed = sorted(a for a in may if a)
        found.append(
            Checkin(ref, kind, old, new, old_confidence, new_confidence, credit(commit),
                    _place(node, key), flags, share, person, allowed, _unit(node))
        )  # fmt: skip
    found.sort(key=lambda c: (not c.flags, c.ref))
    return found


def _dropped(old: Any, new: Any) -> bool:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (old, new))
    return numbers and new < old


def _deltas(sides: Sides, renames: dict[str, str]) -> list[Delta]:
    before_units = {translate(u.id, renames): u for u in sides.base_card.units}
    before_objectives = {translate(r, renames): o for r, o in sides.base_card.objectives.items()}
    found = []
    for unit in sides.head_card.units:
        earlier = before_units.get(unit.id)
        old_score = earlier.score if earlier is not None else None
        if earlier is not None and old_score == unit.score:
            continue
        found.append(Delta(unit.id, "unit", old_score, unit.score, None, None))
    for ref, objective in sides.head_card.objectives.items():
        was = before_objectives.get(ref)
        old = (was.score, _status(was.status)) if was is not None else (None, None)
        new = (objective.score, _status(objective.status))
        if was is not None and old == new:
            continue
        found.append(Delta(ref, "objective", old[0], new[0], old[1], new[1]))
    found.sort(key=lambda d: (d.new_score is None, d.new_score or 0.0, d.level, d.ref))
    return found


def _status(status: Any) -> str | None:
    return None if status is None else str(status)


def _new_findings(
    sides: Sides, renames: dict[str, str], change: Change
) -> tuple[list[Finding], int]:
    """HEAD's findings that BASE did not have (a finding is the same when its rule, severity,
    ref, or file where it has no ref, and message are; lines move with every edit)."""
    files = {old.removeprefix(sides.git_prefix): new.removeprefix(sides.git_prefix)
             for old, new in change.renames.items()}  # fmt: skip

    def key(finding: Finding, *, old: bool) -> tuple[str, str, str, str]:
        where = finding.ref and (translate(finding.ref, renames) if old else finding.ref)
        where = where or (files.get(finding.file, finding.file) if old else finding.file)
        return (finding.rule, str(finding.severity), where, finding.message)

    on_base = Counter(key(f, old=True) for f in sides.base_findings)
    new = []
    for finding in sides.head_findings:
        k = key(finding, old=False)
        if on_base[k]:
            on_base[k] -= 1
        else:
            new.append(finding)
    return new, sum(on_base.values())

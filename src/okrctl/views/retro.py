"""`okrctl retro PERIOD`: the retrospective of a period, read from its git history.

Final grades; goal-posts moved (a key result's baseline or target, or an objective's type,
changed more than 14 days into the period) with who, when and the commit message as the reason;
objectives added or dropped after the same grace; check-in cadence per unit; confidence against
outcome; and, across earlier closed periods, units that aim too low or too high.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from okrctl.core.goalposts import RETRO_FIELDS, grace_end
from okrctl.core.graph import Graph, build_graph
from okrctl.core.periods import Period, check_period, is_period, iso_utc, now
from okrctl.core.recount import recounted
from okrctl.core.score import Status
from okrctl.core.scorecard import Moment, Scorecard, UnitScore, evaluate
from okrctl.core.staleness import stale_refs
from okrctl.model.config import Config
from okrctl.model.errors import OkrctlError
from okrctl.model.history import History
from okrctl.model.names import followed, translate, unit_of, unit_stem
from okrctl.store.change import renamed_since
from okrctl.store.git import objects as git_objects
from okrctl.store.git import process as git_process
from okrctl.store.git import writes as git_writes
from okrctl.store.history import (
    LogCommit,
    stated_reason,
)
from okrctl.store.load import load_repo
from okrctl.store.revisions import TAG_PREFIX
from okrctl.store.versions import read_version
from okrctl.store.workspace import Workspace

TOO_SAFE, OVER_REACH = 0.95, 0.3


@dataclass(frozen=True, slots=True)
class GoalpostMove:
    ref: str
    field: str
    old: Any
    new: Any
    commit: str
    author: str
    date: datetime
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "commit": self.commit,
            "author": self.author,
            "date": iso_utc(self.date),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Cadence:
    unit: str
    checkins: int
    per_week: float
    longest_silence_days: float


@dataclass(frozen=True, slots=True)
class Confidence:
    """A key result's stated confidence against how it scored."""

    ref: str
    confidence: float
    score: float

    @property
    def overconfident(self) -> bool:
        return self.confidence >= 0.7 and self.score < 0.7

    def as_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "confidence": self.confidence,
            "score": self.score,
            "overconfident": self.overconfident,
        }


@dataclass(frozen=True, slots=True)
class Calibration:
    """A unit whose aspirational objectives are too safe or over-reach, period after period."""

    unit: str
    finding: str
    scores: dict[str, float]
    """Period → the unit's mean aspirational score, oldest first."""

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "finding": self.finding, "scores": self.scores}


@dataclass(frozen=True, slots=True)
class RolledInto:
    """The roll that started the next period: when, and what became of each objective."""

    period: str
    commit: str
    date: datetime
    carried: list[str]
    kept: list[str]
    dropped: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "into": self.period,
            "commit": self.commit,
            "date": self.date.isoformat(),
            "carried": self.carried,
            "kept": self.kept,
            "dropped": self.dropped,
        }


@dataclass(slots=True)
class Retro:
    period: Period
    revision: str
    card: Scorecard
    goalpost_moves: list[GoalpostMove] = field(default_factory=list)
    added_mid_period: list[str] = field(default_factory=list)
    dropped_mid_period: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    cadence: list[Cadence] = field(default_factory=list)
    confidence: list[Confidence] = field(default_factory=list)
    calibration: list[Calibration] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    rolled: RolledInto | None = None
    """The roll into the next period, once there was one."""
    scope: str | None = None
    """The unit the retro is of, with every unit below it (None: the whole company)."""
    in_scope: frozenset[str] | None = None
    """The ids of those units (None: every unit)."""

    def mine(self, ref: str) -> bool:
        """Whether `ref` (a unit id or anything under one) is in the retro's scope."""
        return self.in_scope is None or unit_of(ref) in self.in_scope

    @property
    def units(self) -> list[UnitScore]:
        """The scored units in scope, in cascade order."""
        return [unit for unit in self.card.units if self.mine(unit.id)]

    def as_json(self) -> dict[str, Any]:
        """The shape docs/commands.md gives, plus confidence and calibration."""
        return {
            "period": self.period.name,
            "revision": self.revision,
            "units": [
                {
                    "id": u.id,
                    "score": u.score,
                    "objectives": [
                        {"ref": o.ref, "score": o.score, "status": o.status} for o in u.objectives
                    ],
                }
                for u in self.units
            ],
            "goalpost_moves": [m.as_json() for m in self.goalpost_moves],
            "added_mid_period": self.added_mid_period,
            "dropped_mid_period": self.dropped_mid_period,
            "stale": self.stale,
            "cadence": [
                {
                    "unit": c.unit,
                    "checkins": c.checkins,
                    "per_week": c.per_week,
                    "longest_silence_days": c.longest_silence_days,
                }
                for c in self.cadence
            ],
            "confidence": [c.as_json() for c in self.confidence],
            "calibration": [c.as_json() for c in self.calibration],
            "rolled": self.rolled.as_json() if self.rolled is not None else None,
        }

    @property
    def missed(self) -> list[str]:
        return [
            o.ref
            for o in self.card.objectives.values()
            if o.status is Status.MISSED and self.mine(o.ref)
        ]

    @property
    def over(self) -> bool:
        """Whether the period had ended when it was graded: until then its grades are so far,
        and nothing is missed yet."""
        return self.period.is_over(self.card.moment.instant)

    @property
    def behind(self) -> list[str]:
        """The committed objectives off track so far, in a period still running."""
        return [
            o.ref
            for o in self.card.objectives.values()
            if o.status is Status.OFF_TRACK
            and o.node.objective.type == "committed"
            and self.mine(o.ref)
        ]

    @property
    def days_left(self) -> int:
        return self.period.days_left(self.card.moment.as_of)


def final_moment(period: Period) -> Moment:
    """The day after the last day, once the period is over (committed objectives below 1 are
    missed); for a period still running, now."""
    if period.is_over(now()):
        return Moment.of(period.last_day + timedelta(days=1))
    return Moment.of(None)


@dataclass(frozen=True, slots=True)
class Graded:
    """A period's goals as of a revision, scored at its end (or now, while it runs)."""

    config: Config
    graph: Graph
    period: Period
    card: Scorecard


def grade_period(workspace: Workspace, period_name: str, revision: str) -> Graded:
    repository = load_repo(workspace, revision=revision)
    graph = build_graph(repository)
    config = repository.config.config
    period = check_period(period_name, config.fiscal_year_start)
    return Graded(config, graph, period, evaluate(graph, period, final_moment(period)))


def _intent(raw: bytes, stem: str) -> dict[str, dict[str, Any]]:
    """Objectives (their type) and key results (baseline, target, and the unit they count in)
    in one version of a file."""
    version = read_version(raw, stem)
    under: dict[str, list[str]] = {}
    for ref in version.key_results:
        under.setdefault(ref.rsplit("/", 1)[0], []).append(ref)
    found: dict[str, dict[str, Any]] = {}
    for ref, objective in version.objectives.items():  # in file order: moves list in it too
        found[ref] = {"type": objective.get("type", "aspirational"), "objective": True}
        for kr_ref in under.get(ref, ()):
            key_result = version.key_results[kr_ref]
            found[kr_ref] = {
                "baseline": key_result.get("baseline"),
                "target": key_result.get("target"),
                "unit": key_result.get("unit"),
            }
    return found


def walk_intent(
    result: Retro, workspace: Workspace, log: list[LogCommit], period: Period, graph: Graph
) -> None:
    """Goal-post moves, and objectives added or dropped, commit by commit after the grace."""
    shas = {s for c in log for e in c.entries for s in (e.sha, e.old_sha) if set(s) != {"0"}}
    blobs = git_objects.read_blobs(workspace.repo, shas)
    cache: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    def intent(sha: str, path: str | None) -> dict[str, dict[str, Any]]:
        if path is None or set(sha) == {"0"}:
            return {}
        stem = unit_stem(path)
        key = (sha, stem)
        if key not in cache:
            cache[key] = _intent(blobs.get(sha, b""), stem)
        return cache[key]

    grace_ends = grace_end(period)
    added: dict[str, datetime] = {}
    dropped: dict[str, datetime] = {}
    for commit in log:
        before: dict[str, dict[str, Any]] = {}
        after: dict[str, dict[str, Any]] = {}
        for entry in commit.entries:
            now = intent(entry.sha, entry.path) if entry.status != "D" else {}
            before |= followed(intent(entry.old_sha, entry.old_path or entry.path), now)
            after |= now
        late = commit.date > grace_ends
        for ref, fields in after.items():
            if ref not in before:
                if fields.get("objective") and late:
                    added[ref] = commit.date
                    dropped.pop(ref, None)
                continue
            # both sides in the unit the key result counts in now, as the table shows them
            now_in = graph.key_results[ref].key_result.unit if ref in graph.key_results else None
            was_in, then_in = before[ref].get("unit"), fields.get("unit")
            for name in RETRO_FIELDS:
                old = recounted(before[ref].get(name), was_in, now_in or then_in)
                new = recounted(fields.get(name), then_in, now_in or then_in)
                if name in fields and old != new and late:
                    result.goalpost_moves.append(
                        GoalpostMove(
                            ref,
                            name,
                            old,
                            new,
                            commit.sha,
                            commit.author,
                            commit.date,
                            stated_reason(commit.message),
                        )
                    )
        for ref, fields in before.items():
            if ref not in after and fields.get("objective") and late:
                dropped[ref] = commit.date
                added.pop(ref, None)
    result.added_mid_period = sorted(r for r in added if r in graph.objectives)
    result.dropped_mid_period = sorted(r for r in dropped if r not in graph.objectives)


def stale_refs_of(graph: Graph, history: History, period: Period, limit: int) -> list[str]:
    return list(stale_refs(graph, history, period, now(), limit))


def cadence(graph: Graph, history: History, period: Period) -> list[Cadence]:
    """Check-ins per unit in the period, per week (of the weeks gone, while it runs: mid-quarter,
    per week of the whole quarter understated every cadence by a third), and the longest gap
    without one. A check-in is a commit that changes a value after the goal first appeared: the
    value a goal is written with is its start, not a check-in."""
    until = min(period.end, now())
    weeks = max(0.0, (until - period.start).total_seconds() / 86_400) / 7  # (so far, if running)
    rows = []
    for unit_id in graph.units:
        dates = sorted(
            c.date
            for ref, found in history.refs.items()
            if unit_of(ref) == unit_id
            for index, c in enumerate(found.checkins)
            if period.start <= c.date < period.end
            and not (index == 0 and c.date == found.created)  # the goal's first value
        )
        marks = [period.start, *dates, until]
        longest = max((b - a).total_seconds() / 86_400 for a, b in itertools.pairwise(marks))
        rows.append(Cadence(unit_id, len(dates), len(dates) / weeks if weeks else 0.0, longest))
    return rows


def calibration(
    workspace: Workspace, top: Path, period_name: str, graded: Graded, revision: str
) -> list[Calibration]:
    """Units whose aspirational objectives score ≥ 0.95 (too safe) or < 0.3 (over-reach) in
    this period (`graded`, read at `revision`) and at least one earlier closed period (`okr/*`
    tags); a unit renamed since is counted under its name of this period."""
    tags = git_writes.tags(top, TAG_PREFIX + "*")
    seasons: dict[str, dict[str, float]] = {period_name: _aspirational(graded.card)}
    for tag in tags:
        name = tag.removeprefix(TAG_PREFIX)
        if name == period_name or not is_period(name):
            continue
        sha = git_process.verify_commit(top, f"refs/tags/{tag}")
        if sha is None:
            continue
        try:
            then = grade_period(workspace, name, sha)
            renamed = renamed_since(
                workspace, then.graph.units, graded.graph.units, sha, revision,
                graded.config.goals_dir,
            )  # fmt: skip
        except OkrctlError:  # an old period that no longer loads is left out
            continue
        scores = _aspirational(then.card)
        seasons[name] = {translate(unit, renamed): score for unit, score in scores.items()}
    findings = []
    units = sorted({u for scores in seasons.values() for u in scores})
    for unit in units:
        history = {p: s[unit] for p, s in sorted(seasons.items()) if unit in s}
        if len(history) < 2 or period_name not in history:
            continue
        if sum(score >= TOO_SAFE for score in history.values()) >= 2:
            findings.append(Calibration(unit, "too safe", history))
        elif sum(score < OVER_REACH for score in history.values()) >= 2:
            findings.append(Calibration(unit, "over-reach", history))
    return findings


def _aspirational(card: Scorecard) -> dict[str, float]:
    """Each unit's mean score over its aspirational objectives."""
    found = {}
    for unit in card.units:
        scores = [
            o.score
            for o in unit.objectives
            if o.node.objective.type == "aspirational" and o.score is not None
        ]
        if scores:
            found[unit.id] = sum(scores) / len(scores)
    return found

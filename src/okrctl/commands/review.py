"""`okrctl review BASE [HEAD]` as a library call: read both ends of a change and its commits,
run the rules on both, score both, and say what the change does (docs/review.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from okrctl.commands.check import CheckResult, check_repo
from okrctl.core.scorecard import evaluate
from okrctl.model.errors import UsageError
from okrctl.store.change import read_change
from okrctl.store.revisions import resolve
from okrctl.store.snapshot import Snapshot
from okrctl.store.workspace import Workspace
from okrctl.views.review import FailOn, Review, Sides
from okrctl.views.reviewing import review

DEFAULT_FAIL_ON = (FailOn.ERROR,)


def parse_fail_on(text: str | None) -> list[FailOn]:
    """`--fail-on error,goalpost` as kinds; `none` for a review that never fails."""
    if text is None:
        return list(DEFAULT_FAIL_ON)
    words = [w.strip() for w in text.split(",") if w.strip()]
    if words == ["none"]:
        return []
    known = {str(kind) for kind in FailOn}
    unknown = [w for w in words if w not in known]
    if unknown or not words:
        raise UsageError(
            f"--fail-on takes a comma-separated list of {', '.join(sorted(known))} (or none); "
            f"not {', '.join(repr(w) for w in unknown) or repr(text)}"
        )
    return [FailOn(w) for w in dict.fromkeys(words)]


def review_change(
    repo: Workspace | Path | str | None,
    base: str,
    head: str | None = None,
    *,
    as_of: date | None = None,
    fail_on: list[FailOn] | None = None,
) -> Review:
    """What the change from BASE (its merge base with HEAD) to HEAD (a revision, or the working
    tree when None) does to the period in force at HEAD, as of `as_of` (default today)."""
    workspace = Workspace.of(repo)
    # `stale` is about time passing, not about a change (a change only adds check-ins): both
    # ends are checked without history, and the review's findings leave it out
    head_check = check_repo(workspace, at=head, as_of=as_of, with_history=False)
    head_snapshot = _snapshot(head_check)
    config = head_snapshot.repository.config.config
    head_sha = head_snapshot.repository.revision
    change = read_change(workspace, resolve(workspace, base), head_sha, config.goals_dir)
    moment = head_snapshot.moment
    base_check = check_repo(workspace, at=change.base, as_of=moment.as_of, with_history=False)
    base_snapshot = _snapshot(base_check)
    sides = Sides(
        base_snapshot.graph,
        head_snapshot.graph,
        evaluate(base_snapshot.graph, base_snapshot.period, moment),
        evaluate(head_snapshot.graph, head_snapshot.period, moment),
        base_check.findings,
        head_check.findings,
        workspace.prefix,
    )
    result = review(
        change,
        sides,
        head_snapshot.period,
        moment.as_of,
        jump_share=config.review.jump_share,
        emails=config.emails,
        fail_on=list(DEFAULT_FAIL_ON) if fail_on is None else fail_on,
    )
    result.notes = list(head_check.notes)
    return result


def _snapshot(result: CheckResult) -> Snapshot:
    assert result.snapshot is not None
    return result.snapshot

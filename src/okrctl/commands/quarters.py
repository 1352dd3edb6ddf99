"""Ending a period: `okrctl close PERIOD` grades it into a tag (`okrctl roll` starts the next:
`commands/roll.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from okrctl.core.periods import check_period
from okrctl.model.errors import OkrctlError, UsageError
from okrctl.render.textformat import days
from okrctl.store.git import writes as git_writes
from okrctl.store.revisions import TAG_PREFIX, last_commit_naming_period
from okrctl.store.root import CONFIG_NAME
from okrctl.store.workspace import Workspace
from okrctl.views.retro import grade_period


@dataclass(frozen=True, slots=True)
class Closed:
    tag: str
    commit: str
    message: str
    notes: list[str] = field(default_factory=list)
    """What the closer should know (on stderr): a period closed before its end."""


def close(repo: Workspace | Path | str | None, period_name: str, *, force: bool = False) -> Closed:
    """Grade the period and tag its last commit `okr/PERIOD` (an annotated tag holding the
    grades). Closing twice is refused without `force`."""
    check_period(period_name)
    workspace = Workspace.of(repo)
    top = workspace.top
    if top is None:
        raise UsageError("close tags a git commit, and this is not a git repository")
    tag = TAG_PREFIX + period_name
    existing = git_writes.tag_target(top, tag)
    if existing is not None and not force:
        raise OkrctlError(
            f"{period_name} is already closed: tag {tag} is on {existing[:10]}. "
            "Use --force to grade it again and move the tag"
        )
    commit = last_commit_naming_period(workspace, period_name)
    if commit is None:
        raise UsageError(f"no commit's {CONFIG_NAME} names the period {period_name}")
    graded = grade_period(workspace, period_name, commit)
    period, card = graded.period, graded.card
    lines = [
        f"okrctl close {period_name}",
        "",
        f"Graded as of {card.moment.as_of}; period {period.start.date()} to {period.last_day}.",
        "",
    ]
    for unit in card.units:
        score = "-" if unit.score is None else f"{unit.score:.2f}"
        lines.append(f"{unit.id} {score}")
        for objective in unit.objectives:
            value = "-" if objective.score is None else f"{objective.score:.2f}"
            lines.append(f"  {objective.ref} {value} {objective.status or 'unmeasured'}")
    message = "\n".join(lines) + "\n"
    git_writes.create_tag(top, tag, commit, message, force=force)
    notes = []
    if not period.is_over(card.moment.instant):  # allowed: some close on the last working day
        left = days(period.days_left(card.moment.as_of))
        notes.append(
            f"{period_name} runs until {period.last_day} ({left} left): it is graded as of "
            f"{card.moment.as_of}, and check-ins committed after {commit[:10]} are not part of "
            f"{tag}; once it ends, close it again with --force"
        )
    return Closed(tag, commit, message, notes)

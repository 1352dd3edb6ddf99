"""Which goals a command reads, and at which moment (docs/commands.md, "Time travel").

- `--at REV` reads `okrctl.yaml` and the goals from that revision (or period); when the period
  read has already ended, `--as-of` defaults to its last day.
- `--as-of DATE` earlier than today reads the goals as of the last commit on or before the end of
  that day, so "status as of August 15" shows the numbers known then.
- Otherwise the working tree, uncommitted edits included, at this moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from okrctl.core.graph import Graph
from okrctl.core.periods import Period, end_of_day, parse_period
from okrctl.core.scorecard import Moment
from okrctl.model.counts import counted
from okrctl.model.errors import UsageError
from okrctl.model.units import Repository
from okrctl.store import revisions
from okrctl.store.cache.kept_graphs import graph_of
from okrctl.store.git import log as git_log
from okrctl.store.git import writes as git_writes
from okrctl.store.load import load_repo
from okrctl.store.versions import Known
from okrctl.store.workspace import Workspace

if TYPE_CHECKING:
    from okrctl.model.history import History


@dataclass(slots=True)
class Snapshot:
    workspace: Workspace
    repository: Repository
    graph: Graph
    period: Period
    moment: Moment
    notes: list[str] = field(default_factory=list)
    """Things the user should know (on stderr), such as history that could not be read."""
    seen: Known = field(default_factory=Known)
    """What history would read from the files this load parsed: not parsed again."""

    def read_history(self, needed_for: str) -> History | None:
        """Check-ins up to the revision read; outside git None, with a note saying what was
        skipped; a shallow clone gets a note that history is truncated."""
        from okrctl.store.history import SHALLOW_NOTE, read_history

        repository = self.repository
        history = read_history(
            self.workspace,
            repository.config.config.goals_dir,
            revision=repository.revision or "HEAD",
            known=self.seen,
        )
        if history is None:
            self.notes.append(f"not a git repository: {needed_for} need history and were skipped")
        else:
            if history.truncated:
                self.notes.append(SHALLOW_NOTE)
            self.notes.extend(history.skipped_notes(since=self.period.start))
            if repository.revision is None:
                from okrctl.store.uncommitted_renames import follow_uncommitted_renames

                goals_dir = repository.config.config.goals_dir
                history = follow_uncommitted_renames(self.workspace, self.graph, history, goals_dir)
        self.workspace.now_alone()  # history read: what waited for that starts beside the rest
        return history


def _uncommitted_note(
    workspace: Workspace, goals_dir: str, revision: str, reason: str
) -> list[str]:
    """Said when a command reads a commit while the working tree has goals edits it leaves out:
    "0 errors" of a commit must not pass for a verdict on what is on disk."""
    from okrctl.store.root import CONFIG_NAME

    top = workspace.git_top("reading a revision")
    prefix = workspace.prefix
    dirty = git_writes.dirty_files(
        top, [prefix + goals_dir.rstrip("/") + "/", prefix + CONFIG_NAME]
    )
    if not dirty:
        return []
    count = counted(len(dirty), "file")
    shown = ", ".join(path[len(prefix) :] for path in dirty[:3])
    more = f" and {len(dirty) - 3} more" if len(dirty) > 3 else ""
    return [
        f"reading the goals at commit {revision[:10]} ({reason}): {count} with uncommitted "
        f"changes ({shown}{more}) {'is' if len(dirty) == 1 else 'are'} not part of it"
    ]


def _read_history_ahead(workspace: Workspace) -> None:
    from okrctl.model.errors import OkrctlError
    from okrctl.store.config import load_config
    from okrctl.store.history import read_ahead

    try:
        goals_dir = load_config(workspace.root, workspace.config_cache).config.goals_dir
    except OkrctlError:
        return  # the load says what is wrong
    read_ahead(workspace, goals_dir)


def take_snapshot(
    repo: Workspace | Path | str | None = None,
    *,
    at: str | None = None,
    as_of: date | None = None,
    today: date | None = None,
    as_of_reads_commit: bool = True,
    history_soon: bool = False,
) -> Snapshot:
    """The goals a command reads (see the module's docstring). `as_of_reads_commit` off keeps
    the working tree for a past `--as-of` (`check`: a date changes the clock, not the files).
    Reading a commit while goals files have uncommitted changes says so in a note. With
    `history_soon` (the caller reads history next), a first walk's log is read meanwhile."""
    workspace = Workspace.of(repo)
    today = today or Moment.of(None).as_of
    notes: list[str] = []
    revision: str | None = None
    reason = ""
    if at is not None:
        revision = revisions.resolve(workspace, at)
        reason = f"--at {at}"
    elif as_of is not None and as_of < today and as_of_reads_commit:
        top = workspace.top
        if top is None:
            notes.append(
                f"not a git repository: showing the goals as they are now, "
                f"not as they were on {as_of}"
            )
        else:
            commit = git_log.commit_at_or_before(top, end_of_day(as_of))
            if commit is None:
                raise UsageError(f"no commit on or before {as_of}: the goals did not exist yet")
            revision = commit.sha
            reason = f"the last commit on or before {as_of}"
    if history_soon and revision is None:
        _read_history_ahead(workspace)
    seen = Known()
    repository = load_repo(workspace, revision=revision, seen=seen if workspace.caching else None)
    config = repository.config.config
    if revision is not None:
        notes.extend(_uncommitted_note(workspace, config.goals_dir, revision, reason))
    period = parse_period(config.period, config.fiscal_year_start)
    if as_of is None and at is not None and period.last_day < today:
        as_of = period.last_day
    graph = graph_of(repository)  # (a server's command on unchanged goals: the graph built then)
    return Snapshot(workspace, repository, graph, period, Moment.of(as_of), notes, seen)

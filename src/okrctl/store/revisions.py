"""Turn what a user typed (`--at`, `--since`, a PERIOD) into a commit (docs/commands.md, "Time
travel")."""

from __future__ import annotations

from pathlib import Path

from okrctl.core.periods import is_period
from okrctl.model.errors import ConfigError, UsageError
from okrctl.store.config import parse_config
from okrctl.store.git import log as git_log
from okrctl.store.git import objects as git_objects
from okrctl.store.git import process as git_process
from okrctl.store.root import CONFIG_NAME
from okrctl.store.workspace import Workspace

TAG_PREFIX = "okr/"


def is_closed(workspace: Workspace, period: str) -> bool:
    """Whether `okrctl close` graded `period` into its tag (outside git, nothing is closed)."""
    from okrctl.store.git import writes as git_writes

    top = workspace.top
    return top is not None and git_writes.tag_target(top, TAG_PREFIX + period) is not None


def resolve(workspace: Workspace, word: str) -> str:
    """A period resolves to the tag `okr/PERIOD`, else to the last first-parent commit whose
    `okrctl.yaml` names it; any other word is a git revision. Unknown: exit 2."""
    top = workspace.git_top(f"reading {word!r}")
    if is_period(word):
        sha = git_process.verify_commit(top, f"refs/tags/{TAG_PREFIX}{word}")
        if sha is None:
            sha = last_commit_naming_period(workspace, word)
        if sha is None:
            raise UsageError(
                f"no commit names the period {word}: there is no tag {TAG_PREFIX}{word} and no "
                f"commit whose {CONFIG_NAME} has `period: {word}`"
            )
        return sha
    sha = git_process.verify_commit(top, word)
    if sha is None:
        raise UsageError(f"{word!r} is not a period (YYYY-Qn, YYYY-Hn, YYYY) or a git revision")
    return sha


def last_commit_naming_period(workspace: Workspace, period: str) -> str | None:
    """Newest first along the first-parent line: the first commit whose config names `period`.
    The config's period at a commit is the one set by the newest change to it at or before.
    Every version of the config is read in one batch."""
    root, top = workspace.root, workspace.git_top(f"finding the period {period}")
    config_path = workspace.prefix + CONFIG_NAME
    versions = dict(git_log.file_versions(top, config_path))
    blobs = git_objects.read_blobs(
        workspace.repo, [b for b in versions.values() if set(b) != {"0"}]
    )
    current: str | None = None
    newest_naming: str | None = None
    for commit in reversed(git_log.first_parent_log(top)):  # oldest to newest
        if commit.sha in versions:
            current = _period_of(root, blobs.get(versions[commit.sha]))
        if current == period:
            newest_naming = commit.sha
    return newest_naming


def _period_of(root: Path, raw: bytes | None) -> str | None:
    if raw is None:
        return None
    try:
        return parse_config(raw, root).config.period
    except ConfigError:
        return None

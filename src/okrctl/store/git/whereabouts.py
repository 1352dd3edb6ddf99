"""What a command asks of git before anything else, asked in one go: where the work tree and its
git folder are, HEAD's commit, and (with no commit) whether the clone is shallow. `check`,
`status` and `show` have it asked in a forked child while they import their own modules
(`Workspace.ask_git_ahead`): GitPython's import (some 30 ms, with the two `git version` it
runs) and git's answers are then made beside the command's imports, and a warm run never imports
GitPython itself (docs/architecture.md, "Where the time goes")."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from okrctl.store.git.log import is_shallow
from okrctl.store.git.process import git_dir, toplevel_and_head


class Whereabouts(NamedTuple):
    top: Path
    """The work tree holding the goals."""
    git_folder: Path
    head: str | None
    """HEAD's commit when the command started; None before the first commit."""
    shallow_without_commits: bool
    """With no commit yet, whether the repository is shallow (else False: not asked)."""


def whereabouts(root: Path) -> Whereabouts | None:
    """git's answers for the work tree holding `root`; None outside git (a repository git
    refuses to open raises `UnusableRepository`, as `toplevel` does)."""
    found = toplevel_and_head(root)
    if found is None:
        return None
    top, head = found
    return Whereabouts(top, git_dir(top), head, head is None and is_shallow(top))

"""git asked ahead (store/git/whereabouts.py): `check`, `status` and `show` have a forked child
ask git where the goals are while they import their own modules. Its answers are git's own, on
every shape of repository, and a warm run never imports GitPython in its own process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import BASE, children_started, write_repo
from gitrepo import GitRepo
from okrctl.store import forks
from okrctl.store import workspace as workspace_module
from okrctl.store.git.whereabouts import whereabouts
from okrctl.store.workspace import Workspace

may_fork = pytest.mark.skipif(forks.cores_to_fork() < 2, reason="okrctl does not fork here")


@pytest.fixture(autouse=True)
def _as_a_command_starts(monkeypatch):
    """GitPython not imported yet, as in a command's own process (this one imported it)."""
    monkeypatch.setattr(workspace_module, "git_imported", lambda: False)


def answers(workspace: Workspace) -> tuple[object, ...]:
    return (
        workspace.top,
        workspace.top and workspace.git_folder,
        workspace.prefix,
        workspace.head(),
        workspace.shallow_without_commits(),
    )


def asked_in_children(started: list[Any]) -> list[Path]:
    """The root each child of `started` (`conftest.children_started`) asked git about."""
    return [work.args[0] for work in started if getattr(work, "func", None) is whereabouts]


def committed(tmp_path: Path) -> Path:
    repo = GitRepo(tmp_path / "repo")
    repo.commit(BASE, "2026-10-01")
    return repo.root


def in_a_subfolder(tmp_path: Path) -> Path:
    repo = GitRepo(tmp_path / "repo")
    write_repo(repo.root / "okrs", {})
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "goals in a subfolder", date="2026-10-01")
    return repo.root / "okrs"


def without_a_commit(tmp_path: Path) -> Path:
    repo = GitRepo(tmp_path / "repo")
    write_repo(repo.root, {})
    return repo.root


def a_linked_worktree(tmp_path: Path) -> Path:
    root = committed(tmp_path)
    subprocess.run(
        ["git", "worktree", "add", "-q", "-b", "other", str(tmp_path / "linked")],
        cwd=root,
        check=True,
        capture_output=True,
    )
    return tmp_path / "linked"


def outside_git(tmp_path: Path) -> Path:
    return write_repo(tmp_path / "plain", {})


@may_fork
@pytest.mark.parametrize(
    "shape", [committed, in_a_subfolder, without_a_commit, a_linked_worktree, outside_git]
)
def test_the_answers_asked_ahead_are_those_git_gives_when_asked(tmp_path, monkeypatch, shape):
    root = shape(tmp_path)
    started = children_started(monkeypatch)
    ahead = Workspace.open(root).ask_git_ahead()
    assert asked_in_children(started) == [root.resolve()]
    assert answers(ahead) == answers(Workspace.open(root))
    if shape is a_linked_worktree:  # (its own git folder, not the main work tree's)
        assert ahead.git_folder.parent.name == "worktrees"
    if shape is without_a_commit:
        assert ahead.head() is None


def test_where_okrctl_does_not_fork_git_is_asked_when_needed(tmp_path, monkeypatch):
    root = committed(tmp_path)
    monkeypatch.setattr(forks, "cores_to_fork", lambda: 1)
    started = children_started(monkeypatch)
    ahead = Workspace.open(root).ask_git_ahead()
    assert answers(ahead) == answers(Workspace.open(root))
    assert started == []


@pytest.mark.parametrize("imported", [False, True], ids=["in-a-child", "here-at-once"])
def test_head_is_the_one_the_command_started_with(tmp_path, monkeypatch, imported):
    if imported:  # a process that imported GitPython already asks git here, at once
        monkeypatch.setattr(workspace_module, "git_imported", lambda: True)
    elif forks.cores_to_fork() < 2:
        pytest.skip("okrctl does not fork here")
    repo = GitRepo(tmp_path / "repo")
    first = repo.commit(BASE, "2026-10-01")
    started = children_started(monkeypatch)
    workspace = Workspace.open(repo.root).ask_git_ahead()
    assert asked_in_children(started) == ([] if imported else [repo.root.resolve()])
    assert workspace.top == repo.root.resolve()
    repo.commit({"goals/notes.txt": "later\n"}, "2026-10-02")
    assert workspace.head() == first
    assert Workspace.open(repo.root).head() != first


@pytest.mark.parametrize(
    "shape", [committed, in_a_subfolder, without_a_commit, a_linked_worktree, outside_git]
)
def test_a_process_that_imported_gitpython_asks_git_at_once(tmp_path, monkeypatch, shape):
    monkeypatch.setattr(workspace_module, "git_imported", lambda: True)
    root = shape(tmp_path)
    started = children_started(monkeypatch)
    ahead = Workspace.open(root).ask_git_ahead()
    assert started == []
    assert ahead.git_asked
    assert answers(ahead) == answers(Workspace.open(root))


PARENT_IMPORTS_GIT = """\
import atexit, sys
out, *command = sys.argv[1:]
atexit.register(lambda: open(out, "w").write(str("git" in sys.modules)))
sys.argv = ["okrctl", *command, "--as-of", "2099-12-31"]
from okrctl.cli import main
main()
"""


@may_fork
@pytest.mark.parametrize(
    ("where", "command", "shows"),
    [
        (".", ["check"], "warning stale: `acme/grow/deposits` has not been checked"),
        ("goals", ["status", "--format", "json"], '"checked_in": true, "trend": [12.0]'),
        (
            "goals",
            ["show", "acme/grow/deposits", "--repo", "..", "--format", "json"],
            '"trend": [12.0]',
        ),
    ],
)
def test_a_warm_run_never_imports_gitpython_in_its_own_process(tmp_path, where, command, shows):
    """Run as a user types it, from the repository or a folder inside it (`--repo` relative,
    or found upward), its output piped."""
    root = committed(tmp_path)
    said = tmp_path / "imported-git"

    def run() -> tuple[bool, str]:
        done = subprocess.run(
            [sys.executable, "-c", PARENT_IMPORTS_GIT, str(said), *command],
            cwd=root / where,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return said.read_text() == "True", done.stdout

    # (a date after today reads the working tree, at a moment that does not move: the quarter's
    # end, once it is over)
    cold_imported, cold = run()  # (a first run walks history through GitPython)
    warm_imported, warm = run()
    assert cold_imported
    assert not warm_imported
    assert warm == cold
    assert shows in warm  # (history read: the stale number, its check-in and trend)

"""The goals repository a command works on, found once: the folder of `okrctl.yaml`, the git
work tree around it (or none), and git's answer cached for the whole command.

Every reader and writer of the store takes a `Workspace`, so one command asks git where the
repository is once, not once per module. A library caller may pass a path (or None, to search
upward from the current folder) wherever a workspace is expected: `Workspace.of` opens it.
It also carries what one command has done beside its own work: cache writes it holds back,
and work that waits until no other thread runs to start in a forked child."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from okrctl.model.errors import UsageError
from okrctl.store.root import resolve_root

if TYPE_CHECKING:
    import git

    from okrctl.store.forks import Later
    from okrctl.store.git.whereabouts import Whereabouts

_UNSET = object()


@dataclass(slots=True, eq=False)
class Workspace:
    root: Path
    """The folder of `okrctl.yaml`, resolved."""
    caching: bool = True
    """Whether the caches under `.git/okrctl/` are read and written; `OKRCTL_NO_CACHE=1` runs
    from scratch, to rule the caches out when something looks wrong."""
    read_only: bool = False
    """Caches are read, never written (the language server writes nothing to disk)."""
    _top: object = field(default=_UNSET, repr=False)
    _repo: git.Repo | None = field(default=None, repr=False)
    _git_folder: Path | None = field(default=None, repr=False)
    _cache_folder: object = field(default=_UNSET, repr=False)
    _asked: Later[Whereabouts | None] | None = field(default=None, repr=False)
    """git's first answers, asked ahead in a forked child (`ask_git_ahead`)."""
    _answered: Whereabouts | None = field(default=None, repr=False)
    memo: dict[object, object] = field(default_factory=dict, repr=False)
    """What the caches under `.git/okrctl/` read once per command, shared by its loads."""
    held_writes: list[Callable[[], None]] | None = field(default=None, repr=False)
    """Cache writes held back, for a command that has them made beside its own work
    (`start_held_writes`); None: each cache is written at once."""
    _writing: list[Callable[[], None]] = field(default_factory=list, repr=False)
    goals_files: int = field(default=0, repr=False)
    """The goals files the working tree's load found: how much work a forked child would
    share (`store.forks.processes_for`)."""
    when_alone: list[Callable[[], None]] = field(default_factory=list, repr=False)
    """Work to start once no other thread runs (`now_alone`): what a command has a forked
    child do beside its own work, which a thread running would forbid (`store/forks.py`)."""
    meanwhile: list[Callable[[], None]] = field(default_factory=list, repr=False)
    """Work to start while the goals are composed (a thread reading history ahead): the
    loader starts it once any process it forks to compose is running, so that none of them
    inherits a running thread."""

    @classmethod
    def open(cls, repo: Path | str | None = None) -> Workspace:
        """`repo` names the folder of `okrctl.yaml` (or the file); None searches upward."""
        caching = os.environ.get("OKRCTL_NO_CACHE", "") in ("", "0")
        return cls(resolve_root(Path(repo) if repo is not None else None), caching)

    @classmethod
    def of(cls, where: Workspace | Path | str | None) -> Workspace:
        return where if isinstance(where, Workspace) else cls.open(where)

    @property
    def top(self) -> Path | None:
        """The git work tree holding the root; None outside git. Asked of git once."""
        if self._top is _UNSET:
            asked, self._asked = self._asked, None
            if asked is not None:
                self._take(asked())  # (what failed there is asked here)
            else:
                from okrctl.store.git.process import toplevel

                self._top = toplevel(self.root)
        return self._top  # type: ignore[return-value]

    def ask_git_ahead(self) -> Workspace:
        """Have git asked where this command runs, and HEAD's commit, in a forked child while
        this process imports what the command needs (`store/git/whereabouts.py`); where okrctl
        does not fork, each is asked when first needed, as without. For commands that read:
        HEAD is then the one the command started with, even after a commit. A process that
        imported GitPython already (`okrctl serve`, from its second command) asks here: git's
        answers take milliseconds, a child's start and its answer tens of them."""
        from okrctl.store.forks import cores_to_fork

        if self._top is not _UNSET or self._asked is not None:
            return self
        if git_imported():
            from okrctl.store.git.whereabouts import whereabouts

            with suppress(Exception):  # as from a child: asked again where needed, and said there
                self._take(whereabouts(self.root))
            return self
        if cores_to_fork() > 1:
            from functools import partial

            from okrctl.store.forks import elsewhere
            from okrctl.store.git.whereabouts import whereabouts

            self._asked = elsewhere(partial(whereabouts, self.root))
        return self

    def _take(self, answered: Whereabouts | None) -> None:
        self._answered = answered
        self._top = None if answered is None else answered.top
        if answered is not None:
            self._git_folder = answered.git_folder

    def head(self) -> str | None:
        """HEAD's commit (None before the first one, or outside git)."""
        top = self.top
        if self._answered is not None:
            return self._answered.head
        from okrctl.store.git.process import verify_commit

        return None if top is None else verify_commit(top, "HEAD")

    def shallow_without_commits(self) -> bool:
        """Whether a repository with no commit yet is shallow (its history: "truncated")."""
        top = self.top
        if self._answered is not None:
            return self._answered.shallow_without_commits
        from okrctl.store.git.log import is_shallow

        return top is not None and is_shallow(top)

    def write(self, write: Callable[[], None]) -> None:
        """A cache write: made now, or held back (`held_writes`)."""
        if self.held_writes is None:
            write()
        else:
            self.held_writes.append(write)

    def start_held_writes(self) -> None:
        """Start the cache writes held so far in a forked child, where okrctl may fork (else
        they wait to be made here, by `finish_writes`); later ones are held again. The command
        goes on meanwhile: on a fresh clone, writing the parse cache and the history index was
        an eighth of a `check`."""
        writes = self.held_writes
        if not writes:
            return
        self.held_writes = []
        from okrctl.store.forks import elsewhere, processes_for

        def write_all() -> None:
            for write in writes:
                write()

        if processes_for(self.goals_files) > 1:
            self._writing.append(elsewhere(write_all, first_in_child=_yield_the_cores))
        else:
            write_all()  # (a few files' caches: written for less than a child would cost)

    @contextmanager
    def writing_beside(self) -> Iterator[Workspace]:
        """Hold the command's cache writes back while the block runs: forked children make
        them beside its work once no other thread runs (`now_alone`, which reading history
        calls), and the block ends once they are made (at once, if it ends by an error)."""
        self.held_writes = []
        try:
            yield self
        finally:
            self.finish_writes()

    def now_alone(self) -> None:
        """Start what waits for no other thread to run (`when_alone`), and the cache writes
        held so far: called where okrctl's own thread reading history ahead is done (once its
        log is taken, or when none was started). While a thread still runs, nothing starts."""
        import threading

        if threading.active_count() > 1:
            return
        waiting, self.when_alone = self.when_alone, []
        for start in waiting:
            start()
        self.start_held_writes()

    def finish_writes(self) -> None:
        """Every held write made (here: nothing is left to do beside them), and every child
        writing waited for; from now on each write is made at once (and nothing waits to
        start any more)."""
        self.when_alone.clear()
        writes, self.held_writes = self.held_writes or [], None
        for write in writes:
            write()
        writing, self._writing = self._writing, []
        for wait in writing:
            wait()

    @property
    def git_asked(self) -> bool:
        """Whether git was asked where the work tree is (`top`) yet: the first question costs
        GitPython's import, some 50 ms."""
        return self._top is not _UNSET

    def git_top(self, needed_for: str) -> Path:
        """The work tree, or a usage error saying what needed git."""
        top = self.top
        if top is None:
            raise UsageError(
                f"{needed_for} needs git history, and {self.root} is not in a git repository"
            )
        return top

    @property
    def prefix(self) -> str:
        """The root's path from the git top-level, `` or `sub/dir/` (empty outside git)."""
        top = self.top
        if top is None or top == self.root:
            return ""
        return self.root.relative_to(top).as_posix() + "/"

    @property
    def repo(self) -> git.Repo:
        """GitPython's repository for the work tree, made on first use (its object database
        keeps one `cat-file` process for every blob this command reads, ended when the command
        exits)."""
        if self._repo is None:
            import git

            self._repo = git.Repo(self.git_top("reading git objects"))
        return self._repo

    def in_child(self) -> None:
        """In a forked child: its own git processes (`own_git_processes`), and its cache writes
        made at once (those held, and what waits to start, are the parent's)."""
        self.own_git_processes()
        self.held_writes = None
        self.when_alone = []

    def own_git_processes(self) -> None:
        """In a forked child: start its own `cat-file` when it next reads objects. The
        parent's, inherited, stays the parent's: kept referenced, so that it is never closed
        from here (a `git.Repo` ends its processes when it goes)."""
        if self._repo is not None:
            self.memo[("inherited", id(self._repo))] = self._repo
            self._repo = None

    @property
    def git_folder(self) -> Path:
        """The repository's git folder (a linked worktree's own), found once per command: the
        caches, the shallow boundary and the edit lock all live there."""
        if self._git_folder is None:
            from okrctl.store.git.process import git_dir

            self._git_folder = git_dir(self.git_top("finding the git folder"))
        return self._git_folder

    @property
    def cache_folder(self) -> Path | None:
        """`.git/okrctl/`, where the parse cache, the history index and the kept `okrctl.yaml`
        live (found once per command); None outside git or with caching off."""
        if self._cache_folder is _UNSET:
            top = self.top if self.caching else None  # with caching off, git is not asked
            self._cache_folder = self.git_folder / "okrctl" if top else None
        return self._cache_folder  # type: ignore[return-value]

    @property
    def config_cache(self) -> Path | None:
        """Where `okrctl.yaml` is kept parsed between runs (`store.cache.config_cache`): one file
        per root; None where nothing is cached."""
        if self.read_only:
            return None
        folder = self.cache_folder
        if folder is None:
            return None
        return folder / f"config-{self.cache_name(self.root)}.marshal"

    def cache_name(self, path: Path) -> str:
        """A short name for `path` among the cache's files, made from its place in the work
        tree (not from where the work tree is): a cache restored into a fresh clone elsewhere,
        as CI restores it, is found."""
        import hashlib

        top = self.top
        where = path.resolve()
        if top is not None and where.is_relative_to(top):
            where = Path(where.relative_to(top).as_posix() or ".")
        return hashlib.blake2b(os.fsencode(where), digest_size=8).hexdigest()


def git_imported() -> bool:
    """Whether this process imported GitPython already (a long-lived one, such as `okrctl serve`
    from its second command on)."""
    import sys

    return "git" in sys.modules


def _yield_the_cores() -> None:
    """A writing child gives way to the command's own work (it is waited for only at the
    end): on two cores, the rules and the writes no longer share them evenly."""
    with suppress(OSError):
        os.nice(10)

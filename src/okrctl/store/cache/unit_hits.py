"""What the rules that read one unit at a time found in each goals file, kept under
`.git/okrctl/` from one `check` to the next (core/rules/unit_hits.py), so that a warm `check`
runs them only over the files changed since: at 2,000 teams they were a tenth of a warm
`check` (docs/architecture.md, "Where the time goes").

A file's hits are keyed by its path and its parse cache key (the hash of its bytes that found
its unit in the parse cache: `Repository.content_keys`). The whole file is one entry, headed by
what every hit also depends on: okrctl.yaml's settings and the period, which rules are on, and
the code that found them (every module of the model and the core, and the YAML reader that
places them; store/cache/fingerprint.py). A different head is a miss for every file: the
rules run over all of them again, as on a first run. Like the parse cache beside it, the file
is trusted as the repository's own hooks are, written atomically, and ignored and rewritten
when it cannot be read.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from okrctl.core.rules.unit_hits import Kept, Stored, UnitHits, kept_from_findings
from okrctl.store.cache.fingerprint import PACKAGE, READER, UNIT_MODEL, fingerprint
from okrctl.store.workspace import Workspace

if TYPE_CHECKING:
    from okrctl.core.rules.registry import Context, Rule
    from okrctl.model.findings import Finding
    from okrctl.model.units import Repository

FORMAT = b"okrctl-unit-hits-1"

LIMIT = 1 << 28
"""A kept file larger than this is not read (the hits of 20,000 units take a few megabytes)."""


@cache
def _rules_code() -> tuple[str, ...]:
    """Every module the rules may read: the model's and the core's."""
    return tuple(
        sorted(
            path.relative_to(PACKAGE).as_posix()
            for folder in ("model", "core")
            for path in (PACKAGE / folder).rglob("*.py")
        )
    )


def _head(context: Context, rules: Sequence[Rule]) -> bytes:
    """What the hits depend on besides each file (see the module's docstring)."""
    config = context.repository.config.config
    digest = hashlib.blake2b(FORMAT + b"\0", digest_size=20)
    digest.update(fingerprint(READER, UNIT_MODEL, _rules_code(), models=True) + b"\0")
    settings = (repr(config), repr(context.period), [rule.name for rule in rules])
    digest.update(repr(settings).encode("utf-8", "surrogateescape"))
    return digest.digest()


def _place(workspace: Workspace, repository: Repository) -> Path | None:
    """The kept file of the working tree's goals folder; None where nothing is kept (outside
    git, caching off, a read-only workspace, or goals read from a revision)."""
    folder = workspace.cache_folder
    if folder is None or workspace.read_only or repository.revision is not None:
        return None
    name = workspace.cache_name(workspace.root / repository.config.config.goals_dir)
    return folder / f"unit-hits-{name}.marshal"


def _keys(repository: Repository) -> Callable[[str], str]:
    """A unit file's key from its path: the path and the parse cache's key of its content."""
    content_keys = repository.content_keys
    return lambda path: f"{path}\0{content_keys[path]}"


class KeptHits:
    """The hits kept for one command's goals (`unit_hits`, ready for `run_rules(kept=...)`),
    and how to keep this run's."""

    def __init__(self, workspace: Workspace, place: Path, head: bytes, unit_hits: UnitHits) -> None:
        self.workspace, self.place, self.head, self.unit_hits = workspace, place, head, unit_hits
        self.read = unit_hits.stored
        """What the file held when read: the run's hits are written only when they differ."""

    def keep(self) -> None:
        """Keep what `unit_hits` holds after its run (made into what is written where the
        write is made: a forked child, where okrctl writes its caches beside the command)."""
        unit_hits = self.unit_hits
        self.workspace.write(lambda: self._write(unit_hits.storable()))

    def keep_found(
        self, repository: Repository, context: Context, rules: Sequence[Rule],
        findings: Iterable[Finding],
    ) -> None:  # fmt: skip
        """Keep the per-unit hits among the findings of a run over every unit, sorted out
        when the write is made."""
        graph, findings = context.graph, list(findings)

        def write() -> None:
            key_of = _keys(repository)
            found = kept_from_findings(graph, rules, findings)
            self._write({key_of(path): hits for path, hits in found.items()})

        self.workspace.write(write)

    def _write(self, stored: dict[str, Stored]) -> None:
        if stored == self.read:
            return
        from okrctl.model.errors import OkrctlError
        from okrctl.store.writefile import write_atomically

        try:
            self.place.parent.mkdir(exist_ok=True)
            write_atomically(self.place, marshal.dumps((self.head, stored)), own_file=True)
        except (OSError, ValueError, OkrctlError):
            pass  # a read-only .git: the next run finds them again


def kept_hits(workspace: Workspace, context: Context, rules: Sequence[Rule]) -> KeptHits | None:
    """The hits kept for the working tree's goals; None where nothing is kept (see `_place`,
    or a unit read without a parse cache key)."""
    repository = context.repository
    place = _place(workspace, repository)
    if place is None:
        return None
    if any(u.path not in repository.content_keys for u in context.graph.units.values()):
        return None
    head = _head(context, rules)
    stored, revived = _read(place, head)
    unit_hits = UnitHits.known(context, rules, stored, _keys(repository), revived)
    return KeptHits(workspace, place, head, unit_hits)


def _read(place: Path, head: bytes) -> tuple[dict[str, Stored], dict[str, Kept] | None]:
    """The hits kept under `head`, and those of them made again so far (read only: a
    long-lived process shares both, `store/cache/kept_reads.py`; a head names the rules)."""
    from okrctl.store.cache.kept_reads import read_kept

    found_head, stored, revived = read_kept(place, _decode)
    return (stored, revived) if found_head == head else ({}, None)


def _decode(place: Path) -> tuple[bytes, dict[str, Stored], dict[str, Kept]]:
    from okrctl.store.writefile import read_cache_file

    raw = read_cache_file(place, limit=LIMIT)
    if raw is None:
        return b"", {}, {}
    try:
        found_head, stored = marshal.loads(raw)
    except (ValueError, TypeError, EOFError):  # not what okrctl wrote: found again
        return b"", {}, {}
    if type(found_head) is not bytes or type(stored) is not dict:
        return b"", {}, {}
    return found_head, stored, {}

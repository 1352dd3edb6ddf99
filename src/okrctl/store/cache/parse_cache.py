"""The parse cache: validated units and the positions of their nodes (for findings), keyed by a
hash of each file's content.

A key covers everything a unit is made from (the file's bytes and name, and the versions of
okrctl, Python and pydantic), so an edited file is simply a new key: a stale entry cannot be
used. The cache is one pack per goals folder under `.git/okrctl/`, rewritten atomically with the
entries the working tree used, so concurrent runs read the old pack or the new one. What a few
edits add goes to a small file beside it (`-recent`), written alone: otherwise a run one
check-in after the last pickles every unit again (at 2,000 teams, a twelfth of the run). Once
that file's entries and the pack's unused ones (of files changed or gone since) outweigh
`slack`, the pack is written whole again and the small file dropped. Since a key is the
content, a pack and a small file of different runs can only miss, never answer wrongly.
Outside git there is no cache: okrctl writes nothing into the goals themselves. A pack lives
inside `.git/`, as trusted as the repository's own hooks; one that cannot be read is ignored
and rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import pickle
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

if TYPE_CHECKING:
    from okrctl.model.fields import StrictModel
    from okrctl.model.goals import Unit
    from okrctl.store.rereads import Rereads
    from okrctl.store.workspace import Workspace


Entry = tuple["Unit", str]
"""A validated unit and the index of its nodes' positions (`SourceMap.pack`)."""


def _format() -> bytes:
    """Everything besides the file that shapes a cached unit: the reader and the model that
    made it (store/cache/fingerprint.py)."""
    from okrctl.store.cache.fingerprint import READER, UNIT_MODEL, fingerprint

    return b"okrctl-parse-4\0" + fingerprint(READER, UNIT_MODEL, models=True) + b"\0"


class ParseCache:
    def __init__(
        self,
        pack: Path | None,
        *,
        read_only: bool = False,
        revisions: SidePack | None = None,
        packed: Packed | None = None,
    ) -> None:
        self.pack = pack
        self.read_only = read_only
        """Used, never rewritten: a load of a past revision reuses what the working tree's
        loads parsed (a key is the content, wherever it was read from), but keeps the pack
        what the working tree uses."""
        self.format = _format()
        self.used: dict[str, Entry] = {}
        self.changed = False
        self.write: Callable[[Callable[[], None]], None] = _now
        """How the pack is written (a workspace may hold the write back: `Workspace.write`)."""
        self.rereads: Rereads | None = None
        """A long-lived process's memory of files read (store/rereads.py): each key hashed
        once per content."""
        self.keyed = pack is not None or packed is not None
        """Whether units are looked up by their file's key: there is a pack, or units kept in
        memory by a caller that loads again and again (an editor's first checks)."""
        if packed is None and pack is not None:
            packed = _read_packs(pack)
        self.packed = packed if packed is not None else Packed({})
        """What the pack and its recent file hold, as read by this command's first load (or
        the units a caller keeps in memory)."""
        self.entries = self.packed.entries
        """Every unit known: the pack's, and those parsed since by any load of this command
        (shared by its loads, so a file unchanged between two revisions is one object)."""
        self.revisions = revisions
        """For a load of a past revision: the side pack of what past versions of the files
        hold that the working tree's pack does not."""
        self._working = frozenset(self.entries) if revisions is not None else frozenset()
        """The working tree's entries, which a side pack leaves out."""
        if revisions is not None:
            for key, entry in revisions.read.items():
                self.entries.setdefault(key, entry)

    def key(self, raw: bytes, stem: str) -> str:
        if self.rereads is not None:
            return self.rereads.key(stem, raw, self._key)
        return self._key(raw, stem)

    def _key(self, raw: bytes, stem: str) -> str:
        digest = hashlib.blake2b(self.format, digest_size=20)
        digest.update(stem.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def get(self, key: str) -> Entry | None:
        found = self.entries.get(key)
        if found is not None:
            self.used[key] = found
        return found

    def put(self, key: str, unit: Unit, positions: str) -> None:
        self.used[key] = self.entries[key] = (unit, positions)
        self.changed = True

    def save(self) -> None:
        """Keep exactly what this load used; write only when that differs from the pack (for
        a past revision, the side pack: what it used that the working tree's does not hold)."""
        side = self.revisions
        if side is not None:
            side.used.update((k, e) for k, e in self.used.items() if k not in self._working)
            if side.used.keys() != side.read.keys():
                self.write(partial(_write_pack, side.path, dict(side.used)))
        if self.pack is None or self.read_only:
            return
        if not self.changed and len(self.used) == len(self.entries):
            return  # (entries parsed in this command count as changes: they are new)
        written = self.packed.written
        recent = {key: entry for key, entry in self.used.items() if key not in written}
        unused = len(written) - (len(self.used) - len(recent))
        recent_path = _recent_path(self.pack)
        if not written or len(recent) + unused > slack(len(self.used)):
            self.write(partial(_write_pack, self.pack, dict(self.used), drop=recent_path))
        elif not recent:
            self.write(partial(_drop, recent_path))  # (edits undone: the pack holds them all)
        elif recent.keys() != self.packed.recent:
            self.write(partial(_write_pack, recent_path, recent))


def slack(used: int) -> int:
    """How many entries the recent file and the pack's unused ones may add up to before the
    pack is written whole again: 16, or a thirty-second of the units (at 2,000 teams, 62
    files changed since; each unused entry costs a warm run 35 µs to read)."""
    return max(16, used // 32)


class Packed(NamedTuple):
    entries: dict[str, Entry]
    """The pack's entries and its recent file's (then those any load of this command parsed:
    one dict, shared by its loads)."""
    written: frozenset[str] = frozenset()
    """The keys the pack itself holds."""
    recent: frozenset[str] = frozenset()
    """The keys the recent file holds."""


class SidePack:
    """The units read from past versions of the goals files that the working tree's pack does
    not hold, kept beside it: read once per command, rewritten with those its loads of past
    revisions used, so comparing with the same or a nearby commit again (a report's
    `--since`, `review`, `--at`) parses none of them (docs/behaviour.md, "Speed")."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read = _read_pack(path)
        self.used: dict[str, Entry] = {}


def _now(write: Callable[[], None]) -> None:
    write()


def _write_pack(pack: Path, used: dict[str, Entry], *, drop: Path | None = None) -> None:
    """`used` written as the file `pack`, then the file `drop` (what it now holds) removed."""
    from okrctl.model.errors import OkrctlError
    from okrctl.store.writefile import write_atomically

    try:
        pack.parent.mkdir(exist_ok=True)
        write_atomically(pack, partial(dump_models, used), own_file=True)
    except (OSError, OkrctlError):
        return  # a read-only .git: the next run parses again
    if drop is not None:
        _drop(drop)


def _drop(path: Path) -> None:
    with contextlib.suppress(OSError):  # (a read-only .git: the file stays, and is read again)
        path.unlink(missing_ok=True)


def _recent_path(pack: Path) -> Path:
    return pack.with_name(f"{pack.stem}-recent{pack.suffix}")


def _read_packs(pack: Path) -> Packed:
    """The pack's entries with its recent file's (either may be missing or unreadable: its
    units are parsed again)."""
    entries = _read_pack(pack)
    written = frozenset(entries)
    recent = _read_pack(_recent_path(pack))
    entries.update(recent)
    return Packed(entries, written, frozenset(recent))


def _read_pack(pack: Path) -> dict[str, Entry]:
    """The pack's entries (a dict of the caller's own: what a long-lived process keeps of the
    file, `store/cache/kept_reads.py`, is shared)."""
    from okrctl.store.cache.kept_reads import read_kept

    return dict(read_kept(pack, _decode_pack))


def _decode_pack(pack: Path) -> dict[str, Entry]:
    """The pack's entries, when it is exactly a mapping of keys to (unit, positions); anything
    else (not a regular file, unreadable, another shape) is ignored, and the pack rebuilt."""
    from okrctl.model.goals import Unit
    from okrctl.store.writefile import read_cache_file

    raw = read_cache_file(pack)
    if raw is None:
        return {}
    try:
        loaded = pickle.loads(raw)
    except Exception:  # any unreadable pack is rebuilt; pickle raises many kinds
        return {}
    if not isinstance(loaded, dict) or not all(
        type(key) is str
        and type(entry) is tuple
        and len(entry) == 2
        and type(entry[0]) is Unit
        and type(entry[1]) is str
        for key, entry in loaded.items()
    ):
        return {}
    return loaded


def open_cache(
    workspace: Workspace, goals_dir: str, *, read_only: bool = False, revision: bool = False
) -> ParseCache:
    """The working tree's pack (shared by every load of this command); with `revision`, for a
    load of a past revision: read only, and with the side pack of past versions."""
    folder = workspace.cache_folder
    if folder is None:
        return ParseCache(None)
    name = workspace.cache_name(workspace.root / goals_dir)
    pack = folder / f"parse-{name}.pickle"
    shared = workspace.memo.get(pack)
    side: SidePack | None = None
    if revision and not workspace.read_only:
        path = folder / f"parse-{name}-revisions.pickle"
        kept = workspace.memo.get(path)
        side = kept if isinstance(kept, SidePack) else SidePack(path)
        workspace.memo[path] = side
    cache = ParseCache(
        pack,
        read_only=read_only or revision or workspace.read_only,
        packed=shared if isinstance(shared, Packed) else None,
        revisions=side,
    )
    workspace.memo[pack] = cache.packed  # the next load of this command reads the same
    cache.write = workspace.write
    return cache


def pack_models(entries: object) -> bytes:
    """`entries` pickled as `dump_models` writes them."""
    buffer = io.BytesIO()
    dump_models(entries, buffer)
    return buffer.getvalue()


def dump_models(entries: object, into: BinaryIO) -> None:
    """`entries` pickled into `into` (the pack's temp file: at 20,000 units its 124 MB were
    held twice over in the writing child, the peak of a cold `check`), each validated model
    kept as (class, fields, fields set): a warm run revives tens of thousands of them, and
    pydantic's own pickled state (a dict of four entries, set through `__setstate__`) costs
    more to read back (measured in benchmarks/RESULTS.md: 4 % of a warm `check` at 2,000
    teams). Equal fields sets are written once and referred to after (a key result's is
    mostly its neighbours'): each of them was a set rebuilt item by item, a fifth of reading
    the pack. No extra fields (`forbid`) and no private attributes are lost: these models
    have neither. The model itself knows nothing of it. (The pack, and the units a second
    process composed, travel so.)"""
    from okrctl.model.fields import StrictModel

    written: dict[frozenset[str], frozenset[str]] = {}

    class Packer(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, StrictModel):
                fields_set = frozenset(obj.__pydantic_fields_set__)
                fields_set = written.setdefault(fields_set, fields_set)
                return (_revive, (type(obj), obj.__dict__, fields_set))
            return NotImplemented

    Packer(into, protocol=pickle.HIGHEST_PROTOCOL).dump(entries)


def _revive(
    cls: type[StrictModel], fields: dict[str, Any], fields_set: frozenset[str]
) -> StrictModel:
    """A model exactly as it was validated, without validating it again (with a fields set of
    its own, as pydantic keeps it: a mutable set, shared with no other model)."""
    model = cls.__new__(cls)
    _set_attribute(model, "__dict__", fields)
    _set_attribute(model, "__pydantic_fields_set__", set(fields_set))
    _set_attribute(model, "__pydantic_extra__", None)
    _set_attribute(model, "__pydantic_private__", None)
    return model


_set_attribute = object.__setattr__

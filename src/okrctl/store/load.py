"""Load a goals repository: find the files, read each safely, build the model.

Every problem a single file can have becomes a `schema` finding located at file:line:col;
a file with such a finding drops out of the model (docs/rules.md, "schema") but its unit id is
remembered so that references into it are not reported again as unknown.
"""

from __future__ import annotations

import errno
import gc
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from pydantic import ValidationError

from okrctl.core.validation_messages import describe_errors
from okrctl.model.config import RepoConfig
from okrctl.model.controls import has_control, visible
from okrctl.model.errors import ConfigError, UsageError
from okrctl.model.fields import SLUG_PATTERN
from okrctl.model.findings import START, Finding, Position, Severity
from okrctl.model.goals import OBJECTIVE_ONLY_IN, ONLY_IN, Kind, Unit
from okrctl.model.names import YAML_SUFFIXES, unit_stem
from okrctl.model.units import Repository, UnitFile
from okrctl.store.bounded import read_at_most
from okrctl.store.cache.kept_reads import working_tree_rereads
from okrctl.store.cache.parse_cache import Entry, Packed, ParseCache, open_cache
from okrctl.store.config import load_config, parse_config, read_settings, settings_too_large
from okrctl.store.file_texts import FileTexts
from okrctl.store.git import objects as git_objects
from okrctl.store.rereads import Rereads
from okrctl.store.root import CONFIG_NAME
from okrctl.store.versions import Known, Values
from okrctl.store.workspace import Workspace
from okrctl.store.yaml.read import (
    MAX_FILE_BYTES,
    TOO_BIG,
    SourceMap,
    YamlProblem,
    decode,
    parse_text,
)

_SLUG = re.compile(SLUG_PATTERN)


def load_repo(
    repo: Workspace | Path | str | None = None,
    *,
    revision: str | None = None,
    seen: Known | None = None,
) -> Repository:
    """Find `okrctl.yaml` (at `repo`, or upward from cwd) and load every unit in goals_dir,
    from the working tree or, with `revision`, from that commit's git objects. `seen` collects
    what history would read from each file parsed here (`history.known_values`)."""
    workspace = Workspace.of(repo)
    root = workspace.root
    # a long-lived process (`okrctl serve`) reads again only the goals files changed since
    rereads = working_tree_rereads() if workspace.caching else None
    if revision is None:
        config = load_config(root, workspace.config_cache)
        files = working_tree_files(root, config.goals_path, rereads)
        workspace.memo[_WORKING_TREE] = files  # a later load of a revision may share them
        workspace.goals_files = len(files)
    else:
        config, files = _revision_source(workspace, revision)
    # a revision's files are mostly the working tree's: read from its pack, never saved to it
    # (what only the revision holds is kept in a side pack)
    cache = open_cache(workspace, config.config.goals_dir, revision=revision is not None)
    if rereads is not None and cache.keyed:
        cache.rereads = rereads  # (and each file's key is hashed once per content)
    return load_files(
        config, files, revision=revision, cache=cache, seen=seen, meanwhile=workspace.meanwhile
    )


BUFFERS_CACHED_FROM = 40
"""Goals files from which an editor's first check looks their parse cache up. Below, it
composes them: finding the cache means asking git where the repository is (GitPython's
import alone is some 50 ms, 40 files' composing), and an editor waits for its first
diagnostics. Once git was asked (the session reads history next), the cache is always read."""


def load_buffers(workspace: Workspace, buffers: Mapping[Path, bytes]) -> Repository:
    """The goals as an editor has them: each open buffer's bytes instead of its file on disk
    (a buffer not yet saved as a file joins them when it is in the goals folder)."""
    root = workspace.root
    settings = buffers.get(root / CONFIG_NAME)
    if settings is not None:  # okrctl.yaml is open too: its buffer is the settings
        config = parse_config(settings, root)
    else:
        config = load_config(root, workspace.config_cache)
    rereads = workspace.memo.get(Rereads)
    if not isinstance(rereads, Rereads):
        rereads = workspace.memo[Rereads] = Rereads()  # kept by the editor's session
    files = working_tree_files(root, config.goals_path, rereads)
    given = {}
    for path, raw in buffers.items():
        try:
            relative = path.resolve().relative_to(root).as_posix()
        except ValueError:
            continue  # not in this repository
        if path.resolve().is_relative_to(config.goals_path.resolve()):
            given[relative] = raw
    files = [(rel, given.pop(rel), None) if rel in given else entry for entry in files
             for rel in [entry[0]]]  # fmt: skip
    files += [
        (rel, raw, None) for rel, raw in sorted(given.items()) if rel.endswith(YAML_SUFFIXES)
    ]
    if workspace.git_asked or len(files) >= BUFFERS_CACHED_FROM:
        cache = open_cache(workspace, config.config.goals_dir, read_only=True)
    else:  # parsed units are still kept in memory, from one check to the next
        kept = workspace.memo.setdefault(ParseCache, {})
        cache = ParseCache(None, packed=Packed(kept) if isinstance(kept, dict) else None)
    cache.rereads = rereads
    return load_files(config, files, cache=cache)


def load_files(
    config: RepoConfig,
    files: list[FileEntry],
    *,
    revision: str | None = None,
    cache: ParseCache | None = None,
    seen: Known | None = None,
    meanwhile: list[Callable[[], None]] | None = None,
) -> Repository:
    """A repository from files already read (the working tree's, a revision's, or edits not
    yet written, which `roll` checks before it writes them). Many files to compose are
    composed on two cores (`store/compose_elsewhere.py`); `meanwhile` is started once the
    second process runs."""
    texts = FileTexts()
    repository = Repository(config=config, revision=revision, texts=texts)
    # A bulk load creates hundreds of thousands of containers and no cycles; the cyclic
    # collector would rescan them again and again (measured: a fifth of a cold load, and four
    # fifths of unpickling the parse cache).
    collecting = gc.isenabled()
    gc.disable()
    cache = cache if cache is not None else ParseCache(None)
    try:
        plan: list[tuple[str, bytes | None, str | None, str, Entry | None]] = []
        fresh: list[tuple[str, bytes, bool, bool]] = []
        for relative, raw, problem in files:
            key, cached = "", None
            if raw is not None:
                key = cache.key(raw, unit_stem(relative)) if cache.keyed else ""
                cached = cache.get(key) if key else None
                if cached is None:
                    # with a cache, positions are composed in the same pass and kept beside
                    # the unit: a file with findings is never parsed twice, now or next run
                    fresh.append((relative, raw, bool(key), seen is not None))
            plan.append((relative, raw, problem, key, cached))
        reads = iter(_read_all(fresh, meanwhile or []))
        for relative, raw, problem, key, cached in plan:
            repository.files_read += 1
            if key:
                repository.content_keys[relative] = key
            if raw is None:
                repository.findings.append(
                    _schema(relative, START, problem or "cannot read the file")
                )
                repository.broken_unit_ids.add(unit_stem(relative))
            elif cached is not None:
                unit, positions = cached
                texts.add_encoded(relative, raw)
                rereads = cache.rereads
                source = (
                    SourceMap(index=positions)
                    if rereads is None
                    else rereads.source_map(key, positions)
                )
                repository.units.append(UnitFile(relative, unit, source))
            else:
                _apply(repository, relative, raw, key, next(reads), cache, seen)
    finally:
        gc.freeze()  # what was loaded lives as long as the command: keep it out of collections
        if collecting:
            gc.enable()
    cache.save()
    _check_single_company(repository)
    return repository


FileEntry = tuple[str, bytes | None, str | None]
"""(path relative to the repo root, content, problem): content is None when there is a problem."""


def _revision_source(workspace: Workspace, revision: str) -> tuple[RepoConfig, list[FileEntry]]:
    root = workspace.root
    top = workspace.top
    if top is None:
        raise UsageError(f"{root} is not in a git repository: reading a revision needs git")
    prefix = workspace.prefix
    label = f"{CONFIG_NAME}@{revision[:12]}"
    over: dict[str, int] = {}
    raw = git_objects.read_file(workspace.repo, revision, prefix + CONFIG_NAME, over=over)
    if over:
        raise ConfigError(settings_too_large(label))
    if raw is None:
        raise ConfigError(f"no {CONFIG_NAME} at {revision[:12]}: the goals did not exist yet")
    # settings unchanged since the revision are read as the working tree's (from their cache)
    cache = workspace.config_cache if raw == _working_settings(root) else None
    config = parse_config(raw, root, label, cache=cache)
    goals = prefix + PurePosixPath(config.config.goals_dir).as_posix().rstrip("/") + "/"
    entries = [
        e
        for e in git_objects.list_tree(top, revision, goals)
        if e.path.endswith(YAML_SUFFIXES)
        and not any(part.startswith(".") for part in e.path[len(goals) :].split("/"))
    ]
    readable = [
        e
        for e in entries
        if e.kind == "blob"
        and e.mode != "120000"
        and e.size <= MAX_FILE_BYTES
        and _is_utf8(e.path)
        and not has_control(e.path)
    ]
    known = _working_tree_blobs(workspace, readable)
    blobs = git_objects.read_blobs(workspace.repo, [e.sha for e in readable if e.sha not in known])
    blobs.update(known)
    files: list[FileEntry] = []
    for entry in sorted(entries, key=lambda e: e.path):
        relative = entry.path[len(prefix) :]
        if not _is_utf8(relative):
            files.append((_shown(relative), None, NOT_UTF8))
        elif has_control(relative):
            files.append((_shown(relative), None, CONTROL_IN_NAME))
        elif entry.mode == "120000":
            files.append(
                (
                    relative,
                    None,
                    "symbolic links are not followed when reading a "
                    "revision; commit the file itself",
                )
            )
        elif entry.size > MAX_FILE_BYTES:
            files.append((relative, None, TOO_BIG))
        elif entry.kind == "blob":
            files.append((relative, blobs.get(entry.sha), None))
    return config, files


_WORKING_TREE = "working-tree files"


def _working_settings(root: Path) -> bytes | None:
    try:
        return read_settings(root)
    except ConfigError:
        return None


def _working_tree_blobs(
    workspace: Workspace, entries: list[git_objects.TreeEntry]
) -> dict[str, bytes]:
    """The blobs among `entries` that this command already read as working-tree files (found by
    their object ids, hashed from the bytes as git hashes them): a report's `--since`, `diff`
    and `review` load a revision that is mostly the working tree, and reading 2,000 unchanged
    blobs back through `git cat-file` took a sixth of a company report (benchmarks/RESULTS.md)."""
    files = workspace.memo.get(_WORKING_TREE)
    if not isinstance(files, list) or not entries:
        return {}
    wanted = {e.sha for e in entries}
    algorithm = "sha1" if len(entries[0].sha) == 40 else "sha256"
    known: dict[str, bytes] = {}
    for _, raw, _ in files:
        if raw is None:
            continue
        sha = git_objects.blob_id(raw, algorithm)
        if sha in wanted:
            known[sha] = raw
    return known


def _schema(path: str, position: Position, message: str, ref: str | None = None) -> Finding:
    return Finding("schema", Severity.ERROR, message, path, position.line, position.column, ref)


def working_tree_files(root: Path, goals: Path, rereads: Rereads | None = None) -> list[FileEntry]:
    """Every YAML file below `goals`, sorted; symbolic links must stay inside the repository.
    Whatever looks meant as a goals file but cannot be read is a problem to report, never
    skipped silently: a link that loops or leads nowhere, a folder that cannot be listed, a
    name that is not UTF-8, a `.YAML` suffix. Paths are handled as text, not `Path` objects:
    at thousands of files those cost more than reading the files. With `rereads`, a file
    unchanged since it was last read there is not read again."""
    real_root = root.resolve()
    prefix = os.path.join(root, "")
    seen_dirs: set[str] = set()
    pending = [str(goals)]
    found: list[FileEntry] = []
    while pending:
        folder = pending.pop()
        try:
            real_folder = Path(folder).resolve(strict=True)
        except (OSError, RuntimeError):
            continue  # reported where the link was found
        if str(real_folder) in seen_dirs:
            continue
        seen_dirs.add(str(real_folder))
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            found.append(
                (_relative(root, folder, prefix), None, f"cannot list the folder: {exc.strerror}")
            )
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            relative = _relative(root, entry.path, prefix)
            problem = _entry_problem(entry, real_root)
            if problem is not None:
                if problem:
                    found.append((relative, None, problem))
                continue
            if entry.is_dir():
                pending.append(entry.path)
            elif entry.name.endswith(YAML_SUFFIXES) and entry.is_file():
                if rereads is None:
                    found.append(read_entry(relative, entry.path))
                else:
                    raw, problem = rereads.read(entry.path, _content)
                    found.append((relative, raw, problem))
    return sorted(found, key=lambda item: item[0])


LINK_OUTSIDE = "symbolic link leads outside the repository; copy the file in or remove the link"


def _relative(root: Path, path: str, prefix: str) -> str:
    """A path for messages, relative to the root with `/` between folders: undecodable bytes in
    a name are shown as U+FFFD."""
    if path.startswith(prefix):
        text = path[len(prefix) :]
        if os.sep != "/":
            text = text.replace(os.sep, "/")
    else:
        text = Path(path).relative_to(root).as_posix()
    return _shown(text)


NOT_UTF8 = "the name is not valid UTF-8; rename it"
CONTROL_IN_NAME = (
    "the name holds a control character (shown as its picture, such as ␛), which a terminal "
    "showing it would obey; rename it"
)


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(name: str) -> str:
    """A name for messages: bytes that are not UTF-8 (kept as surrogates) shown as U+FFFD, a
    control character as its picture (␛)."""
    return visible(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def _entry_problem(entry: os.DirEntry[str], real_root: Path) -> str | None:
    """Why an entry cannot be read as goals ("" to skip it quietly), or None when it can."""
    name = entry.name
    looks_like_yaml = name.lower().endswith(YAML_SUFFIXES)
    if not _is_utf8(name):
        return NOT_UTF8 if looks_like_yaml or entry.is_dir() else ""
    if has_control(name):
        return CONTROL_IN_NAME if looks_like_yaml or entry.is_dir() else ""
    if looks_like_yaml and not name.endswith(YAML_SUFFIXES):
        return "goals files end in .yaml or .yml, in lower case; rename it so it is read"
    if not entry.is_symlink():
        return None
    try:
        target = Path(entry.path).resolve(strict=True)
    except (RuntimeError, OSError) as exc:
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            return "symbolic link loops back on itself; remove it"
        return "symbolic link leads nowhere; fix or remove it" if looks_like_yaml else ""
    if not target.is_relative_to(real_root):
        return LINK_OUTSIDE if looks_like_yaml or target.is_dir() else ""
    return None


def _content(path: str) -> tuple[bytes | None, str | None]:
    _, raw, problem = read_entry(path, path)
    return raw, problem


def read_entry(relative: str, path: str | Path) -> FileEntry:
    """A goals file's bytes, or why it cannot be read (`bounded.read_at_most`)."""
    try:
        raw = read_at_most(path, MAX_FILE_BYTES)
    except OSError as exc:
        return relative, None, f"cannot read the file: {exc.strerror}"
    return (relative, None, TOO_BIG) if raw is None else (relative, raw, None)


class FileRead(NamedTuple):
    """What composing one file gave, made here or in a second process (so: plain data)."""

    unit: Unit | None
    unit_id: str
    problems: list[tuple[Position, str]]
    source: SourceMap
    text: str | None
    known: tuple[tuple[str, str], Values | str] | None
    """What history would read from it (`known_values`), when asked for."""
    aligns_to: list[str]
    """A broken unit's `aligns_to` refs, so that what it claims is not reported missing."""


def _read_fresh(relative: str, raw: bytes, positions: bool, known: bool) -> FileRead:
    read = read_unit(relative, raw, positions=positions)
    values = None
    if known:
        from okrctl.store.versions import known_values

        values = known_values(raw, read.data, unit_stem(relative))
    aligns_to = [] if read.unit is not None else list(_raw_aligns_to(read.data))
    return FileRead(
        read.unit, read.unit_id, read.problems, read.source, read.text, values, aligns_to
    )


def _read_all(
    fresh: list[tuple[str, bytes, bool, bool]], meanwhile: list[Callable[[], None]]
) -> list[FileRead]:
    """Each file composed, in order: the last files (`SHARE` of the bytes) in a second process
    when there are many, the rest here; `meanwhile` started once that process runs."""
    from okrctl.store import compose_elsewhere

    theirs: list[tuple[str, bytes, bool, bool]] = []
    results = None
    if compose_elsewhere.can_fork(len(fresh)):
        half, left = 0, sum(len(item[1]) for item in fresh) * (1 - compose_elsewhere.SHARE)
        while half < len(fresh) and left > 0:
            left -= len(fresh[half][1])
            half += 1
        fresh, theirs = fresh[:half], fresh[half:]
        results = compose_elsewhere.read_elsewhere(theirs, _read_fresh)
    while meanwhile:
        meanwhile.pop(0)()
    reads = [_read_fresh(*item) for item in fresh]
    if results is not None:
        reads += results()
    return reads


def _apply(
    repository: Repository,
    relative: str,
    raw: bytes,
    key: str,
    read: FileRead,
    cache: ParseCache,
    seen: Known | None,
) -> None:
    """One file composed, into the repository (and the parse cache, and what history knows)."""
    if seen is not None and read.known is not None:
        found, values = read.known
        seen[found] = values
        if not isinstance(values, str) and read.unit is not None and read.source.pending is None:
            from okrctl.store.version_patch import Base

            # the unit and its positions are kept anyway: only the bytes are kept for this
            seen.bases[found] = Base(raw, values, source=read.source, unit=read.unit)
    if read.text is not None:
        repository.texts[relative] = read.text
    if read.unit is not None:
        if key:
            cache.put(key, read.unit, read.source.pack())
        repository.units.append(UnitFile(relative, read.unit, read.source))
        return
    repository.broken_unit_ids.add(read.unit_id)
    repository.broken_aligns_to.update(read.aligns_to)
    for position, message in read.problems:
        repository.findings.append(_schema(relative, position, message))


@dataclass(slots=True)
class ReadUnit:
    """One file read as `check` reads it: the unit, or the problems that keep it out."""

    unit: Unit | None
    unit_id: str
    problems: list[tuple[Position, str]]
    source: SourceMap
    data: object = None
    text: str | None = None


def read_unit(relative: str, raw: bytes, *, positions: bool = False) -> ReadUnit:
    """Decode, compose and validate one unit file, with every check `schema` makes; with
    `positions`, its nodes' positions are composed in the same pass (else when first asked)."""
    stem_id = unit_stem(relative)
    text: str | None = None
    try:
        text = decode(raw)
        document = parse_text(text, positions=positions)
    except YamlProblem as problem:
        problems = [(problem.position, problem.message)]
        return ReadUnit(None, stem_id, problems, SourceMap(), text=text)
    data, source = document.data, document.source
    unit_id = data.get("id") if isinstance(data, dict) else None
    broken_id = unit_id if isinstance(unit_id, str) else stem_id
    problems = list(_shape_problems(data, source, stem_id))
    if not problems:
        assert isinstance(data, dict)
        if "id" not in data:
            data = {**data, "id": stem_id}
        try:
            unit = Unit.model_validate(data)
        except ValidationError as exc:
            problems = list(describe_errors(exc, source, Unit))
        else:
            problems = list(_kind_problems(unit, source))
            if not problems:
                return ReadUnit(unit, unit.id, [], source, data, text)
    return ReadUnit(None, broken_id, problems, source, data, text)


def unit_problem(relative: str, raw: bytes) -> str | None:
    """The first problem `check` would report for this content, as `line:col: message`."""
    problems = read_unit(relative, raw).problems
    if not problems:
        return None
    position, message = problems[0]
    return f"{relative}:{position.line}:{position.column}: {message}"


def _raw_aligns_to(data: object) -> Iterator[str]:
    objectives = data.get("objectives") if isinstance(data, dict) else None
    for objective in objectives if isinstance(objectives, list) else ():
        targets = objective.get("aligns_to") if isinstance(objective, dict) else None
        for target in targets if isinstance(targets, list) else ():
            if isinstance(target, str):
                yield target


def _shape_problems(
    data: object, source: SourceMap, stem_id: str
) -> Iterator[tuple[Position, str]]:
    if data is None:
        yield START, "the file is empty: a unit needs at least `kind`, `name` and its objectives"
        return
    if not isinstance(data, dict):
        found = "a list" if isinstance(data, list) else "a single value"
        yield START, f"a unit file is a mapping of fields (kind, id, name, ...); found {found}"
        return
    if "id" not in data and not _SLUG.match(stem_id):
        yield (
            START,
            (
                f"the file name {stem_id!r} is not a valid id (lower-case letters, digits, "
                f"dashes); rename the file or set `id:`"
            ),
        )


def _kind_problems(unit: Unit, source: SourceMap) -> Iterator[tuple[Position, str]]:
    """Fields that exist but belong to another kind of unit (docs/format.md)."""
    for name, kinds in ONLY_IN.items():
        if unit.kind not in kinds and name in unit.model_fields_set:
            yield source.key_at(name), _misplaced(name, unit.kind, kinds)
    if unit.kind is Kind.COMPANY and unit.mission is None:
        yield source.at(), "the company file needs `mission`: the why every goal ladders up to"
    for index, objective in enumerate(unit.objectives):
        for name, kinds in OBJECTIVE_ONLY_IN.items():
            if unit.kind not in kinds and name in objective.model_fields_set:
                yield source.key_at("objectives", index, name), _misplaced(name, unit.kind, kinds)


def _misplaced(name: str, kind: Kind, kinds: tuple[Kind, ...]) -> str:
    where = " and ".join(f"{k} files" for k in kinds)
    return f"`{name}` does not belong in a {kind} file (only in {where}); remove it"


def _check_single_company(repository: Repository) -> None:
    companies = [u for u in repository.units if u.unit.kind is Kind.COMPANY]
    if not companies and not repository.broken_unit_ids:
        repository.findings.append(
            _schema(
                repository.config.config.goals_dir,
                START,
                "no company unit: add one file with `kind: company` and the `mission`",
            )
        )
    for extra in companies[1:]:
        first = companies[0]
        repository.findings.append(
            _schema(
                extra.path,
                extra.source.at("kind"),
                f"a second company unit (the first is {first.path}); a repository has exactly one",
            )
        )
        repository.units.remove(extra)
        repository.broken_unit_ids.add(extra.unit.id)

"""Check-ins from git history, read in one pass (docs/behaviour.md, "Check-ins and history").

One `git log --raw` stream over the whole history (no pathspecs: passing many paths to git log
is itself slow), filtered in Python to the goals folder; the blobs needed are read with one
`git cat-file --batch`, and each distinct blob is parsed once, whatever path or commit it shows
up in. A check-in is a commit that changes a key result's or KPI's value (the value it was
created with counts), or a commit whose message carries an `Okr-Checkin: REF` trailer (how
`okrctl checkin` confirms an unchanged value).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, MutableMapping
from datetime import UTC, datetime
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from okrctl.model.controls import visible
from okrctl.model.history import CheckIn, Commit, History, RefHistory, Skipped
from okrctl.model.names import YAML_SUFFIXES, renamed_unit, translate, unit_of, unit_stem
from okrctl.store.bounded import read_at_most
from okrctl.store.git import log as git_log
from okrctl.store.git import objects as git_objects
from okrctl.store.git import process as git_process
from okrctl.store.workspace import Workspace
from okrctl.store.yaml.read import MAX_FILE_BYTES, YamlProblem

if TYPE_CHECKING:
    from okrctl.store.versions import Known, Values

SHALLOW_NOTE = (
    "history is truncated: this is a shallow clone. Fetch it all with `git fetch --unshallow` "
    "(in GitHub Actions, `fetch-depth: 0` on actions/checkout)"
)

TRAILER_RE = re.compile(r"^Okr-Checkin:\s*(\S+)\s*$", re.MULTILINE)


def confirmed_refs(message: str) -> list[str]:
    """The refs a commit's `Okr-Checkin` trailers name: only its last paragraph, the trailer
    block, counts (as for git's own trailers); a body that mentions one is not a check-in."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) < 2:
        return []
    block = paragraphs[-1].strip()
    if not all(TRAILER_LINE.match(line) for line in block.splitlines()):
        return []
    return TRAILER_RE.findall(block)


TRAILER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:\s")


class LogEntry(NamedTuple):
    status: str
    sha: str
    path: str
    old_path: str | None
    old_sha: str = ""


class LogCommit(NamedTuple):
    sha: str
    date: datetime
    author: str
    message: str
    entries: list[LogEntry]
    email: str = ""
    """The author's address."""


class Scope(NamedTuple):
    """Which paths of the git tree hold the goals: the goals folder where git records it (a
    linked folder is followed), and linked unit files whose targets live elsewhere in the
    repository (git records their changes under the target's path)."""

    folder: str
    """The goals folder from the git top-level, ending in `/`."""
    aliases: dict[str, str]
    """Target path → the link's path (what the unit is read as), both from the top-level."""

    def key(self) -> str:
        return "\0".join([self.folder, *sorted(f"{k}={v}" for k, v in self.aliases.items())])

    def read_as(self, path: str) -> str | None:
        """The goals path a changed file is read as, or None when it holds no goals."""
        alias = self.aliases.get(path)
        if alias is not None:
            return alias
        if path.startswith(self.folder) and path.endswith(YAML_SUFFIXES):
            return path
        return None


def goals_scope(root: Path, top: Path, goals_dir: str) -> Scope:
    folder = (root / goals_dir).resolve()
    if not folder.is_relative_to(top):
        return Scope("\0outside/", {})  # matches nothing: git does not track what lies outside
    prefix = folder.relative_to(top).as_posix()
    scope = Scope("" if prefix == "." else prefix + "/", {})
    pending = [folder]
    while pending:  # scandir entries know what is a link: no extra stat per file
        try:
            with os.scandir(pending.pop()) as entries:
                listed = list(entries)
        except OSError:
            continue  # the loader reports what cannot be listed
        for entry in listed:
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            elif entry.is_symlink() and entry.name.endswith(YAML_SUFFIXES):
                _alias(scope, top, folder, Path(entry.path))
    return scope


def _alias(scope: Scope, top: Path, folder: Path, link: Path) -> None:
    """A linked unit file whose target lives elsewhere in the repository: git records its
    changes under the target's path, read as the link's."""
    try:
        real = link.resolve(strict=True)
    except (OSError, RuntimeError):
        return
    if real.is_relative_to(top) and not real.is_relative_to(folder):
        linked = (folder / link.relative_to(folder)).relative_to(top).as_posix()
        scope.aliases[real.relative_to(top).as_posix()] = linked


class _ReadAhead:
    """The log of HEAD and the versions it names, read on a thread of its own while the caller
    composes the working tree: git works them out on another core (a third of a second for the
    log of 3,000 commits over 2,500 files)."""

    def __init__(self, top: Path, head: str, scope: Scope) -> None:
        self.head, self.scope = head, scope
        self.log: list[LogCommit] | None = None
        self.blobs: dict[str, bytes] = {}
        self.over: dict[str, int] = {}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._read, args=(top,), daemon=True)

    def start(self) -> None:
        if self.thread.ident is None:
            self.thread.start()

    def _read(self, top: Path) -> None:
        try:
            self.log = read_log(top, self.head, self.scope)
            self.blobs = git_objects.read_blobs_at_once(top, _before_head(self.log), self.over)
        except BaseException as error:  # raised where the log is taken, as without the thread
            self.error = error

    def take(self) -> tuple[list[LogCommit], Versions]:
        """The log, and every version it names that git could hand over."""
        self.start()  # (not started when the load stopped short)
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.log is not None
        return self.log, Versions(self.blobs, self.over)


def _before_head(log: list[LogCommit]) -> list[str]:
    """The versions a log names, but for each file's version at its head: the working tree
    holds that one as a rule (a fresh clone), and the walk asks git for it only when the
    working tree's differs (half the versions of a quarter over 2,500 files)."""
    at_head: dict[str, str] = {}
    for commit in log:
        for entry in commit.entries:
            if entry.status == "D":
                at_head.pop(entry.path, None)
            else:
                at_head[entry.path] = entry.sha
    kept = set(at_head.values())
    return [e.sha for c in log for e in c.entries if e.status != "D" and e.sha not in kept]


_READ_AHEAD = "history: the log, read ahead"
_INDEXED = "history: indexed"


def indexed(workspace: Workspace) -> bool:
    """Whether the history this command reads next has an index (`read_ahead` found one): it
    will be read in milliseconds, not walked."""
    return workspace.memo.get(_INDEXED) is True


def read_ahead(workspace: Workspace, goals_dir: str) -> None:
    """Read the log a first walk of history will need (`read_history` of HEAD takes it) while
    the goals are composed (`Workspace.meanwhile`), when there is no index to spare it: a
    fresh clone's first run, or caching off."""
    from okrctl.store.cache import history_index

    top = workspace.top
    if top is None:
        return
    scope = goals_scope(workspace.root, top, goals_dir)
    folder = workspace.cache_folder
    if folder is not None and history_index.exists(folder, scope.key()):
        workspace.memo[_INDEXED] = True
        return
    head = workspace.head()
    if head is not None:
        ahead = workspace.memo[_READ_AHEAD] = _ReadAhead(top, head, scope)
        workspace.meanwhile.append(ahead.start)  # the loader starts it


class Versions(NamedTuple):
    """Versions of goals files read from git: their bytes, and the sizes of those too large for
    a goals file, which were read past and never held (they hold nothing, as a version that
    does not parse)."""

    blobs: dict[str, bytes]
    over: dict[str, int]


def _log_of(
    workspace: Workspace, top: Path, head: str, scope: Scope
) -> tuple[list[LogCommit], Versions]:
    """The log up to `head` and the versions already read: those read ahead when they are of
    that head, else the log read now (and no version yet)."""
    ahead = workspace.memo.pop(_READ_AHEAD, None)
    if isinstance(ahead, _ReadAhead):
        if (ahead.head, ahead.scope) == (head, scope):
            return ahead.take()
        if ahead.thread.ident is not None:  # of another head: no thread is left running
            ahead.thread.join()  # (`site` forks next)
    return read_log(top, head, scope), Versions({}, {})


def read_history(
    repo: Workspace | Path | str,
    goals_dir: str,
    *,
    revision: str = "HEAD",
    unit_ids: Callable[[], set[str]] | None = None,
    known: Known | None = None,
) -> History | None:
    """Every check-in up to `revision`; None outside git.

    The full history of HEAD is kept as an index under `.git/okrctl/` (see `history_index`):
    when HEAD has only moved forward, just the new commits are read. Without an index, a walk
    for `unit_ids()` parses only the files that hold those units (what `history REF` needs);
    they are asked for only then."""
    from okrctl.store.cache import history_index

    workspace = Workspace.of(repo)
    root, top = workspace.root, workspace.top
    if top is None:
        return None
    scope = goals_scope(root, top, goals_dir)
    head = workspace.head() if revision == "HEAD" else git_process.verify_commit(top, revision)
    if head is None:  # no commits yet
        return History(truncated=workspace.shallow_without_commits())
    boundary = git_log.shallow_boundary(workspace.git_folder)
    shallow = bool(boundary)
    is_head = revision == "HEAD" or head == workspace.head()
    folder = workspace.cache_folder  # None: caching is off
    indexed = history_index.load(folder, scope.key(), boundary) if folder else None
    if indexed is not None and indexed.head == head:
        return indexed
    if (
        indexed is not None
        and indexed.head
        and git_log.is_ancestor(top, indexed.head, head)
        and not git_log.has_merges(top, f"{indexed.head}..{head}")
    ):
        # Only a straight line of new commits extends the index in order; a merge can bring in
        # older commits, and is read again from the start, as the cold path would.
        workspace.now_alone()  # (what waits for it starts beside the walk)
        _walk(indexed, workspace, read_log(top, f"{indexed.head}..{head}", scope), None, known)
        indexed.head = head
        if is_head and folder and not workspace.read_only:
            workspace.write(partial(history_index.save, folder, scope.key(), boundary, indexed))
        return indexed
    history = History(truncated=shallow, head=head)
    log, blobs = _log_of(workspace, top, head, scope)
    workspace.now_alone()  # no thread reads ahead any more: what waits starts beside the walk
    wanted = _paths_holding(log, unit_ids()) if unit_ids is not None else None
    if wanted is not None and _mostly(log, wanted):
        wanted = None  # the whole walk costs at most twice as much, and is kept for next time
    _walk(history, workspace, log, wanted, known, blobs)
    if wanted is None and is_head and folder and not workspace.read_only:
        workspace.write(partial(history_index.save, folder, scope.key(), boundary, history))
    return history


def _walk(
    history: History,
    workspace: Workspace,
    log: list[LogCommit],
    wanted: set[str] | None,
    known: Known | None = None,
    read: Versions | None = None,
) -> None:
    """Feed commits, oldest first, into `history`; each distinct blob is parsed once, and a
    blob the loader has just parsed from the working tree (`known`) not at all. Blobs in
    `read` (read ahead) are not asked of git again."""
    if known is None:
        from okrctl.store.versions import Known

        known = Known()
    refs = history.refs
    if not isinstance(refs, MutableMapping):
        refs = history.refs = dict(refs)
    history.commits.extend(Commit(c.sha, c.date) for c in log)
    shas = [
        e.sha
        for c in log
        for e in c.entries
        if e.status != "D"
        and (wanted is None or e.path in wanted)
        and (e.sha, unit_stem(e.path)) not in known
    ]
    ahead = read or Versions({}, {})
    over = dict(ahead.over)
    blobs = git_objects.read_blobs(
        workspace.repo,
        [sha for sha in shas if sha not in ahead.blobs and sha not in over],
        over=over,
    )
    blobs.update((sha, ahead.blobs[sha]) for sha in shas if sha in ahead.blobs)
    parse = _parser(blobs, known, log, over)
    latest = history.latest

    def before(entry: LogEntry) -> Values | None:
        """The values of the version `entry` replaced (read now, should no earlier commit of
        this walk have read it: an index extended by the commit that renames a unit)."""
        if entry.old_sha not in blobs:
            blobs.update(git_objects.read_blobs(workspace.repo, [entry.old_sha], over=over))
        found = parse(entry.old_sha, entry.old_path or entry.path)
        return found if isinstance(found, dict) else None

    for commit in log:
        touched: set[str] = set()
        confirmed = confirmed_refs(commit.message)
        for entry in commit.entries:
            if entry.status == "D" or (wanted is not None and entry.path not in wanted):
                continue
            values = parse(entry.sha, entry.path)
            if isinstance(values, str):
                history.skipped.append(Skipped(commit.sha, commit.date, entry.path, values))
                continue
            first = next(iter(values), None)
            if first is not None and first not in latest and entry.status in ("M", "R"):
                _carry_renamed(refs, latest, values, before(entry))
            for ref, found in values.items():
                if latest.get(ref) is found and ref not in confirmed:
                    continue  # the very values of the file's last version: nothing to add
                _record(refs, latest, commit, ref, found, confirmed, touched)
        for ref in confirmed:
            if ref not in touched and ref in latest:
                value, confidence = latest[ref][:2]
                refs[ref].checkins.append(_checkin(commit, ref, value, confidence))
                touched.add(ref)


def _carry_renamed(
    refs: MutableMapping[str, RefHistory],
    latest: dict[str, tuple[Any, Any, Any, Any]],
    values: Values,
    earlier: Values | None,
) -> None:
    """A unit renamed (its file moved, or its `id:` changed) keeps its numbers' history: each
    number the version before held under the old id goes on under the new one, so the commit
    is no check-in (by whoever renamed it) and no creation, and its check-ins, trend and
    silence stay (docs/commands.md, "Check-ins"). Objectives and key results renamed inside a
    unit are new numbers."""
    renamed = renamed_unit(earlier or (), values)
    if renamed is None:
        return
    as_renamed = dict([renamed])
    for old in earlier or ():
        ref = translate(old, as_renamed)
        if ref == old or ref in refs or ref not in values or old not in latest:
            continue
        kept = refs.get(old)
        if kept is not None:
            refs[ref] = kept.under(ref)
            latest[ref] = latest[old]


def _record(
    refs: MutableMapping[str, RefHistory],
    latest: dict[str, tuple[Any, Any, Any, Any]],
    commit: LogCommit,
    ref: str,
    found: tuple[Any, Any, Any, Any],
    confirmed: list[str],
    touched: set[str],
) -> None:
    value, confidence, target, unit = found
    ref_history = refs.get(ref)
    if ref_history is None:
        ref_history = refs[ref] = RefHistory()
    previous = latest.get(ref)
    if previous is not None and previous[3] != unit:
        previous = _recounted(ref_history, previous, unit)
    if ref_history.created is None:
        ref_history.created = commit.date
    timeline = ref_history.timeline
    if not timeline or not _identical(timeline[-1][1], value):
        timeline.append((commit.date, value))
    targets = ref_history.targets
    if target is not None and (not targets or not _same(targets[-1][1], target)):
        targets.append((commit.date, target))
    latest[ref] = found
    value_changed = previous is None or not _same(previous[0], value)
    if value is not None and (value_changed or ref in confirmed) and ref not in touched:
        ref_history.checkins.append(_checkin(commit, ref, value, confidence))
        touched.add(ref)


def _recounted(
    found: RefHistory, previous: tuple[Any, Any, Any, Any], unit: Any
) -> tuple[Any, Any, Any, Any]:
    """A number moved to another magnitude of its money (`core/recount.py`): what history holds
    of it counted again in the new one, so that its trend, forecast and check-ins read one
    quantity, and the move is neither a check-in nor a target moved. Between units that are not
    one quantity, the numbers stay as committed."""
    from okrctl.core.recount import times_ten
    from okrctl.model.money import rescaling

    power = rescaling(previous[3], unit)
    if not power:
        return previous
    found.checkins = [c._replace(value=times_ten(c.value, power)) for c in found.checkins]
    found.timeline = [(when, times_ten(v, power)) for when, v in found.timeline]
    found.targets = [(when, times_ten(v, power)) for when, v in found.targets]
    value, confidence, target, _ = previous
    return (times_ten(value, power), confidence, times_ten(target, power), unit)


def _same(a: Any, b: Any) -> bool:
    return a == b and (type(a) is bool) == (type(b) is bool)


def _identical(a: Any, b: Any) -> bool:
    """Same value and same type: a timeline keeps `1` and a later `1.0` apart, as `value_at`
    must answer the value as committed."""
    return type(a) is type(b) and a == b


def _checkin(commit: LogCommit, ref: str, value: Any, confidence: Any) -> CheckIn:
    note = _shared_note(commit.message)
    return CheckIn(
        ref,
        commit.date,
        commit.author,
        commit.sha,
        value,
        confidence,
        note_of(commit.message, ref) if note is None else note,
    )


@lru_cache(maxsize=256)
def _shared_note(message: str) -> str | None:
    """The note of every ref a commit checks in, read once per commit (the first commit of a
    history creates thousands); None when the commit gives each ref a line of its own."""
    return None if len(set(TRAILER_RE.findall(message))) > 1 else note_of(message)


def note_of(message: str, ref: str | None = None) -> str:
    """The body without its trailers; else the subject. A commit that checks in several refs
    (`okrctl measure`, a batch) has a line per ref in its body, `REF: old → new`: each ref's
    note is its own line, never the others'."""
    paragraphs = [p.strip() for p in message.strip().split("\n\n") if p.strip()]
    if not paragraphs:
        return ""
    subject, body = paragraphs[0], paragraphs[1:]
    if body and all(TRAILER_LINE.match(line) for line in body[-1].splitlines()):
        body = body[:-1]
    if ref is not None and len(set(TRAILER_RE.findall(message))) > 1:
        own = [
            line.strip()
            for paragraph in body
            for line in paragraph.splitlines()
            if line.strip().startswith(f"{ref}: ")
        ]
        return "\n".join(own) if own else subject
    return "\n\n".join(body) if body else subject


def stated_reason(message: str) -> str:
    """A commit message without its trailers: the reason its author gave."""
    paragraphs = [p.strip() for p in message.strip().split("\n\n") if p.strip()]
    if len(paragraphs) > 1 and all(TRAILER_LINE.match(x) for x in paragraphs[-1].splitlines()):
        paragraphs = paragraphs[:-1]
    return " ".join(" ".join(p.split()) for p in paragraphs)


def read_log(top: Path, revision: str, scope: Scope) -> list[LogCommit]:
    """Every commit up to `revision`, with its goals files' changes; its author and message
    are shown, never obeyed, by a terminal (`model/controls.py`)."""
    out = git_log.log_raw(top, revision)
    commits = []
    for record in out.split("\x1e")[1:]:
        head, author, email, message, raw = record.split("\x1f", 4)
        sha, stamp = head.split()
        entries = []
        for line in raw.splitlines():
            if not line.startswith(":"):
                continue
            meta, *paths = line.split("\t")
            fields = meta.split()
            status, new_sha, old_sha = fields[4][0], fields[3], fields[2]
            path, old_path = (paths[1], paths[0]) if len(paths) == 2 else (paths[0], None)
            read_as = scope.read_as(path)
            if read_as is not None:
                old_read_as = scope.read_as(old_path) if old_path is not None else None
                entries.append(LogEntry(status, new_sha, read_as, old_read_as or old_path, old_sha))
        moment = datetime.fromtimestamp(int(stamp), UTC)
        commits.append(
            LogCommit(sha, moment, visible(author), visible(message), entries, visible(email))
        )
    return commits


def _paths_holding(log: list[LogCommit], unit_ids: set[str]) -> set[str]:
    """Paths that may hold the units: named after them, or renamed from or to such a path.
    (A file whose `id:` differs from its name is found through the current file's path.)"""
    paths = {e.path for c in log for e in c.entries if unit_stem(e.path) in unit_ids}
    changed = True
    while changed:
        changed = False
        for commit in log:
            for entry in commit.entries:
                if entry.old_path is None:
                    continue
                if entry.path in paths and entry.old_path not in paths:
                    paths.add(entry.old_path)
                    changed = True
                elif entry.old_path in paths and entry.path not in paths:
                    paths.add(entry.path)
                    changed = True
    return paths


def _mostly(log: list[LogCommit], paths: set[str]) -> bool:
    """Whether `paths` hold at least half of the file versions in `log`: then a walk of the
    whole history, which can be kept as the index, costs little more than a walk of theirs."""
    versions = [e.path in paths for c in log for e in c.entries if e.status != "D"]
    return 2 * sum(versions) >= len(versions)


def _parser(
    blobs: dict[str, bytes],
    known: Known,
    log: list[LogCommit] | None = None,
    over: dict[str, int] | None = None,
) -> Callable[[str, str], Values | str]:
    """Each distinct (blob, file name) read once: its values, or why it cannot be read. A
    version next to one already read (in `log`, the same file changed by one commit) is read
    from the lines that changed where it can be (`store/version_patch.py`), else whole. (The
    reader of versions is imported here: a warm run reads none.)"""
    from okrctl.store.version_patch import Base, patched
    from okrctl.store.versions import UnreadableVersion, read_whole

    cache: dict[tuple[str, str], Values | str] = dict(known)
    bases: dict[tuple[str, str], Base] = dict(getattr(known, "bases", {}))
    before: dict[tuple[str, str], tuple[str, str]] = {}
    after: dict[tuple[str, str], tuple[str, str]] = {}
    for commit in log or ():
        for entry in commit.entries:
            if entry.status == "M":
                stem = unit_stem(entry.path)
                before[(entry.sha, stem)] = (entry.old_sha, stem)
                after[(entry.old_sha, stem)] = (entry.sha, stem)

    too_large = over or {}

    def whole(key: tuple[str, str]) -> Values | str:
        if key[0] in too_large:  # read past, never held: it holds nothing (`read_whole`),
            return {}  # and no neighbour is read from it
        raw = blobs.get(key[0], b"")
        try:
            values, data, source = read_whole(raw, key[1])
        except UnreadableVersion as exc:
            return str(exc)
        bases[key] = Base(raw, values, data, source)
        return values

    def from_neighbour(key: tuple[str, str], neighbour: tuple[str, str] | None) -> bool:
        base = bases.get(neighbour) if neighbour is not None else None
        raw = blobs.get(key[0])
        if base is None or raw is None:
            return False
        values = patched(base, raw, key[1])
        if values is None:
            return False
        cache[key] = values
        bases[key] = Base(raw, values, lines=base.line_map(key[1]))
        return True

    def from_later(key: tuple[str, str]) -> bool:
        """Back from the nearest later version already read (the working tree's, usually)."""
        chain = [key]
        while (later := after.get(chain[-1])) is not None and later not in bases:
            if later in chain or len(chain) > 10_000:
                return False
            chain.append(later)
        if later is None:
            return False
        for earlier, newer in zip(reversed(chain), [later, *reversed(chain[1:])], strict=True):
            if earlier not in cache and not from_neighbour(earlier, newer):
                return False
        return True

    def parse(sha: str, path: str) -> Values | str:
        key = (sha, unit_stem(path))
        found = cache.get(key)
        if found is None:
            if not (from_neighbour(key, before.get(key)) or from_later(key)):
                cache[key] = whole(key)
            found = cache[key]
        return found

    return parse


class RefCheckins(NamedTuple):
    ref: str
    found: RefHistory
    notes: list[str]
    unit: str | None
    """What the number counts, as its file says now."""
    derived: bool = False
    """Whether its file says now that it takes its number `from:` others."""
    gone: bool = False
    """Whether no goals file holds it now (removed, or its unit renamed since)."""


def ref_history(repo: Workspace | Path | str | None, ref: str) -> RefCheckins:
    """The check-ins of one key result or KPI, oldest first, notes for the user, the number's
    unit and whether it is derived now.

    Fast: it reads only `goals_dir` from okrctl.yaml and the history of the files that hold the
    ref's unit; the whole repository is loaded (and validated) only to explain an unknown ref.
    Outside git there is no history to read (exit 2)."""
    from okrctl.model.errors import UsageError
    workspace = Workspace.of(repo)
    root = workspace.root
    goals_dir = _goals_dir(root, workspace.config_cache)
    unit_id = unit_of(ref)
    # Finding the unit's files reads every goals file: only a walk without an index, or a
    # version that could not be read, needs them.
    unit_names = cache(partial(_unit_names, root / goals_dir, unit_id))
    history = read_history(workspace, goals_dir, unit_ids=unit_names)
    if history is None:
        raise UsageError(f"history needs git, and {root} is not in a git repository")
    found = history.refs.get(ref)
    if found is None:
        found = _explain_unknown(workspace, ref)
    notes = [SHALLOW_NOTE] if history.truncated else []
    if history.skipped:
        notes += history.skipped_notes(stems=unit_names())
    from okrctl.store.number_unit import number_now

    now = number_now(root, root / goals_dir, ref, unit_names)
    return RefCheckins(ref, found, notes, now.unit, now.derived, gone=not now.found)


def _goals_dir(root: Path, kept: Path | None) -> str:
    """`goals_dir` from okrctl.yaml without the cost of validating the rest of it (or of parsing
    it, when `kept` holds it); anything unusual goes through the full validation, which
    reports it (exit 2)."""
    from okrctl.model.errors import ConfigError
    from okrctl.store.cache.config_cache import read_config_document
    from okrctl.store.config import read_settings

    try:
        data = read_config_document(read_settings(root), kept).data
    except (ConfigError, YamlProblem):
        data = None
    value = data.get("goals_dir", "goals") if isinstance(data, dict) else None
    if isinstance(value, str) and value and ".." not in value and (root / value).is_dir():
        return value
    from okrctl.store.config import load_config

    return load_config(root, kept).config.goals_dir


def _unit_names(goals: Path, unit_id: str) -> set[str]:
    """The unit id, and the names of files that declare it with `id:` (a cheap byte search)."""
    names = {unit_id}
    needle = f"id: {unit_id}".encode()
    for path in goals.rglob("*.y*ml"):
        if path.stem != unit_id:
            try:
                raw = read_at_most(path, MAX_FILE_BYTES)  # a larger one holds no unit
            except OSError:
                continue
            if raw is not None and needle in raw:
                names.add(path.stem)
    return names


def _explain_unknown(workspace: Workspace, ref: str) -> RefHistory:
    """A ref with no check-ins: fine for a key result or KPI never checked in; otherwise a
    usage error saying what it is, or what it might have meant."""
    from okrctl.core.graph import RefKind, build_graph
    from okrctl.core.refs import check_ref
    from okrctl.model.errors import UsageError
    from okrctl.store.load import load_repo

    graph = build_graph(load_repo(workspace))
    kind = check_ref(graph, ref)  # raises with suggestions when it names nothing
    if kind not in (RefKind.KEY_RESULT, RefKind.KPI):
        article = "an" if kind is RefKind.OBJECTIVE else "a"
        raise UsageError(f"{ref!r} is {article} {kind}; history is kept for key results and KPIs")
    return RefHistory()

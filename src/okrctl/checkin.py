"""`okrctl checkin REF VALUE`: write the new value, validate, write atomically, commit that file.

Check-ins are serialised with a lock under `.git/`, held from reading the file to committing it,
so parallel check-ins (same file or not) never lose an update and never fight over git's index.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from okrctl import gitlog
from okrctl.errors import OkrctlError, UsageError
from okrctl.graph import RefKind, build_graph
from okrctl.load import load_repo
from okrctl.model import Unit
from okrctl.root import resolve_root
from okrctl.writeback import parse_confidence, parse_value, set_scalar
from okrctl.writefile import write_atomically
from okrctl.yamlread import YamlProblem, decode, parse_text

TRAILER = "Okr-Checkin"
LOCK_NAME = "okrctl-checkin.lock"


@dataclass(frozen=True, slots=True)
class CheckinResult:
    ref: str
    file: str
    """Relative to the goals repository root."""
    old: Any
    new: Any
    old_confidence: float | None
    new_confidence: float | None
    changed: bool
    """False when the file stayed as it was (a confirmation of an unchanged value)."""
    commit: str | None
    note: str | None = None


@contextmanager
def checkin_lock(root: Path, top: Path | None) -> Iterator[None]:
    """An exclusive lock under `.git/` (outside git, on okrctl.yaml itself)."""
    target = gitlog.git_dir(top) / LOCK_NAME if top is not None else root / "okrctl.yaml"
    mode = "a" if top is not None else "r"
    with open(target, mode) as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def checkin(
    repo: Path | str | None,
    ref: str,
    value: str,
    *,
    confidence: str | None = None,
    note: str | None = None,
    commit: bool = True,
) -> CheckinResult:
    root = resolve_root(Path(repo) if repo is not None else None)
    top = gitlog.toplevel(root)
    with checkin_lock(root, top):
        return _checkin_locked(root, top, ref, value, confidence, note, commit and top is not None)


def _checkin_locked(
    root: Path,
    top: Path | None,
    ref: str,
    value: str,
    confidence: str | None,
    note: str | None,
    commit: bool,
) -> CheckinResult:
    repository = load_repo(root)
    graph = build_graph(repository)
    kind = graph.kind_of(ref)
    if kind not in (RefKind.KEY_RESULT, RefKind.KPI):
        from okrctl.show import check_ref

        if kind is None:
            check_ref(graph, ref)  # raises with suggestions
        raise UsageError(
            f"{ref!r} is {'an' if kind is RefKind.OBJECTIVE else 'a'} {kind}; "
            "check in a key result or a KPI"
        )
    if kind is RefKind.KEY_RESULT:
        node = graph.key_results[ref]
        owner, mapping_path = node.owner, node.path()
        is_milestone = node.key_result.milestone
        old = node.key_result.done if is_milestone else node.key_result.current
        old_confidence = node.key_result.confidence
    else:
        kpi = graph.kpis[ref]
        owner, mapping_path, is_milestone = kpi.owner, kpi.path(), False
        old, old_confidence = kpi.kpi.current, None
        if confidence is not None:
            raise UsageError("KPIs carry no confidence; drop --confidence")
    path_from_top = _path_from_top(root, top, owner.path)
    if commit:
        assert top is not None
        _refuse_unsafe(top, path_from_top, owner.path)
    value_text, new = parse_value(value, milestone=is_milestone)
    file = root / owner.path
    raw = file.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom) :].decode("utf-8")
    key = "done" if is_milestone else "current"
    anchors = ("milestone",) if is_milestone else ("keep", "target", "unit", "title")
    text = set_scalar(text, mapping_path, key, value_text, anchors)
    new_confidence = old_confidence
    if confidence is not None:
        confidence_text, new_confidence = parse_confidence(confidence)
        text = set_scalar(text, mapping_path, "confidence", confidence_text, (key,))
    new_raw = bom + text.encode("utf-8")
    _validate(new_raw, owner.path, mapping_path, key, new)
    changed = new_raw != raw
    if changed:
        write_atomically(file, new_raw)
    sha = None
    if commit:
        assert top is not None and path_from_top is not None
        message = _message(ref, old, new, old_confidence, new_confidence, note)
        sha = (
            gitlog.commit_paths(top, [path_from_top], message)
            if changed
            else gitlog.commit_empty(top, message)
        )
    return CheckinResult(
        ref, owner.path, old, new, old_confidence, new_confidence, changed, sha, note
    )


def _path_from_top(root: Path, top: Path | None, relative: str) -> str | None:
    if top is None:
        return None
    return (root.resolve() / relative).relative_to(top).as_posix()


def _refuse_unsafe(top: Path, path_from_top: str | None, relative: str) -> None:
    if gitlog.is_detached(top):
        raise OkrctlError(
            "HEAD is detached: check out a branch first (or use --no-commit to only edit the file)"
        )
    operation = gitlog.operation_in_progress(top)
    if operation is not None:
        raise OkrctlError(
            f"{operation} is in progress: finish or abort it first "
            "(or use --no-commit to only edit the file)"
        )
    if path_from_top is not None and gitlog.changed_paths(top, [path_from_top]):
        raise OkrctlError(
            f"{relative} has uncommitted changes: commit or stash them first, "
            "so the check-in commits only its own edit (or use --no-commit)"
        )


def _validate(
    raw: bytes, relative: str, mapping_path: tuple[Any, ...], key: str, expected: Any
) -> None:
    """Read the new text back exactly as `check` would; refuse to write anything broken."""
    try:
        document = parse_text(decode(raw))
        Unit.model_validate(
            {"id": "x", **document.data}
            if isinstance(document.data, dict) and "id" not in document.data
            else document.data
        )
    except (YamlProblem, ValidationError) as exc:
        raise OkrctlError(
            f"{relative}: the check-in would leave the file invalid ({exc}); nothing was written"
        ) from None
    node: Any = document.data
    for part in (*mapping_path, key):
        node = node[part]
    if node != expected or (type(node) is bool and type(expected) is not bool):
        raise OkrctlError(f"{relative}: the value did not land as {expected!r}; nothing written")


def format_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "done" if value else "not done"
    return str(value)


def _message(
    ref: str,
    old: Any,
    new: Any,
    old_confidence: float | None,
    new_confidence: float | None,
    note: str | None,
) -> str:
    if old == new and type(old) is type(new):
        subject = f"checkin({ref}): {format_value(new)} (unchanged)"
    else:
        subject = f"checkin({ref}): {format_value(old)} → {format_value(new)}"
    if new_confidence != old_confidence:
        subject += f", confidence {format_value(old_confidence)} → {format_value(new_confidence)}"
    body = f"\n\n{note.strip()}" if note and note.strip() else ""
    return f"{subject}{body}\n\n{TRAILER}: {ref}\n"

"""`okrctl checkin REF VALUE [--confidence C] [-m NOTE]`: the new value written into its file
(only that value; comments and layout stay), validated, written atomically and committed with an
`Okr-Checkin` trailer. Check-ins are serialised with the goals lock (store/edits.py), held from
reading the file to committing it, so parallel check-ins and rolls never lose an update."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrctl.core.graph import RefKind, build_graph
from okrctl.core.slips import slip_of
from okrctl.model.errors import UsageError
from okrctl.model.goals import KeyResult, Kpi
from okrctl.render.slips import slip_sentence
from okrctl.render.textformat import format_value
from okrctl.store.checkin import TRAILER, validate_edit
from okrctl.store.edits import (
    goals_lock,
    read_for_edit,
    refuse_unsafe,
    target,
    write_and_commit,
)
from okrctl.store.load import load_repo
from okrctl.store.workspace import Workspace
from okrctl.store.yaml.splice import parse_confidence, parse_value, set_scalar


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
    unit: str | None = None
    """What the number counts (`%`, `$M`), for showing the values as okrctl shows them."""


def checkin(
    repo: Workspace | Path | str | None,
    ref: str,
    value: str,
    *,
    confidence: str | None = None,
    note: str | None = None,
    commit: bool = True,
    author: str | None = None,
    force: bool = False,
) -> CheckinResult:
    """`author` (`Name <email>`) is who the commit names as its author (a check-in made from an
    issue: the issue's author); by default, git's configured user. A value that looks like a
    slip (`refuse_slip`) is refused unless `force`."""
    workspace = Workspace.of(repo)
    refuse_trailers(note)
    with goals_lock(workspace):
        return _checkin_locked(workspace, ref, value, confidence, note, commit, author, force)


def refuse_trailers(note: str | None) -> None:
    """Only okrctl's own trailer says what a commit checks in: a note may not forge one."""
    for line in (note or "").splitlines():
        if line.strip().lower().startswith(TRAILER.lower() + ":"):
            raise UsageError(
                f"the note has a line {line.strip()!r}: okrctl adds the {TRAILER} trailer "
                "itself; reword that line"
            )


def _checkin_locked(
    workspace: Workspace,
    ref: str,
    value: str,
    confidence: str | None,
    note: str | None,
    commit: bool,
    author: str | None = None,
    force: bool = False,
) -> CheckinResult:
    root, top = workspace.root, workspace.top
    commit = commit and top is not None
    repository = load_repo(root)
    graph = build_graph(repository)
    kind = graph.kind_of(ref)
    if kind not in (RefKind.KEY_RESULT, RefKind.KPI):
        from okrctl.core.refs import check_ref

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
    derivation = graph.derivations.values.get(ref)
    node_of_ref = graph.key_result_or_kpi(ref)
    assert node_of_ref is not None
    if node_of_ref.model.derived_from is not None:
        sources = ", ".join(f"`{s.ref}`" for s in derivation.sources) if derivation else ""
        raise UsageError(
            f"{ref} takes its number `from:` others ({sources or 'see its `from`'}): "
            "check in those instead"
        )
    where = target(root, top, owner.path)
    if commit:
        assert top is not None
        refuse_unsafe(top, [where])
    value_text, new = parse_value(value, milestone=is_milestone, unit=node_of_ref.model.unit)
    if not force:
        refuse_slip(ref, value, new, node_of_ref.model)
    source = read_for_edit(where.real)
    key = "done" if is_milestone else "current"
    anchors = ("milestone",) if is_milestone else ("keep", "target", "unit", "title")
    if same_value(old, new):  # `7.50` or `$7.50/month` for 7.5: a confirmation, spelled as is
        new, text = old, source.text
    else:
        text = set_scalar(source.text, mapping_path, key, value_text, anchors)
    new_confidence = old_confidence
    if confidence is not None:
        confidence_text, new_confidence = parse_confidence(confidence)
        text = set_scalar(text, mapping_path, "confidence", confidence_text, (key,))
    new_raw = source.encode(text)
    validate_edit(new_raw, owner.path, mapping_path, key, new)
    message = _message(ref, old, new, old_confidence, new_confidence, note) if commit else None
    sha = write_and_commit(
        workspace, top if commit else None, [(where, source, new_raw)], message, author
    )
    return CheckinResult(
        ref, owner.path, old, new, old_confidence, new_confidence, new_raw != source.raw, sha, note,
        node_of_ref.model.unit,
    )  # fmt: skip


def refuse_slip(ref: str, typed: str, new: Any, model: KeyResult | Kpi) -> None:
    """Refuse a value that looks like a slip of the hand or of the unit (`core/slips.py`),
    saying what was perhaps meant and the command that checks it in as it is."""
    import shlex

    found = slip_of(model, new)
    if found is not None:
        shown = " ".join(typed.split())
        raise UsageError(
            f"{slip_sentence(ref, shown, found, model)} If {shown} is right, check it in with "
            f"`okrctl checkin {ref} {shlex.quote(typed)} --force`."
        )


def same_value(old: Any, new: Any) -> bool:
    """Whether a value typed is the one the file holds (`7.50` for 7.5, `46,800.0` for 46800,
    `done` for true), however it is spelled."""
    if old is None or isinstance(old, bool) != isinstance(new, bool):
        return False
    return bool(old == new)


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

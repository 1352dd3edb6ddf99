"""Building blocks of check-ins: validating an edited unit file, and many values written at once
(`okrctl measure`). The command itself is `commands/checkin.py`.

Check-ins are serialised with the goals lock (see `edits`), held from reading the file to
committing it, so parallel check-ins and rolls never lose an update or fight over git's index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrctl.core.graph import build_graph
from okrctl.model.errors import OkrctlError
from okrctl.store.edits import (
    SourceText,
    Target,
    goals_lock,
    read_for_edit,
    refuse_unsafe,
    target,
    write_and_commit,
)
from okrctl.store.load import load_repo, read_unit
from okrctl.store.workspace import Workspace
from okrctl.store.yaml.splice import set_scalar

TRAILER = "Okr-Checkin"










def validate_edit(
    raw: bytes, relative: str, mapping_path: tuple[Any, ...], key: str, expected: Any
) -> None:
    """Read the new text back exactly as `check` would (one parse); refuse to write anything
    broken, or a value that did not land where it was meant to."""
    read = read_unit(relative, raw)
    if read.problems:
        position, message = read.problems[0]
        raise OkrctlError(
            f"the check-in would leave the file invalid ({relative}:{position.line}:"
            f"{position.column}: {message}); nothing was written"
        )
    node: Any = read.data
    for part in (*mapping_path, key):
        node = node[part]
    if node != expected or (type(node) is bool and type(expected) is not bool):
        raise OkrctlError(f"{relative}: the value did not land as {expected!r}; nothing written")




@dataclass(frozen=True, slots=True)
class NewValue:
    """A value to check in as part of a batch (`okrctl measure`, a guided round), and a key
    result's confidence with it."""

    ref: str
    value: int | float | bool
    confidence: float | None = None


def checkin_batch(
    repo: Workspace | Path | str | None,
    values: list[NewValue],
    message: str,
    *,
    commit: bool = True,
) -> str | None:
    """Write every value as `checkin` would (same splice, same validation, same lock), all in
    one commit with `message`; returns the commit (None outside git or with `commit` off).
    Either every file is written and committed, or every file stays as it was."""
    workspace = Workspace.of(repo)
    root, top = workspace.root, workspace.top
    commit = commit and top is not None
    with goals_lock(workspace):
        graph = build_graph(load_repo(root))
        edits: dict[str, tuple[Target, SourceText, str, list[tuple[Any, str, Any]]]] = {}
        for item in values:
            node = graph.key_results.get(item.ref)
            kpi = graph.kpis.get(item.ref)
            if node is not None:
                owner, mapping_path = node.owner, node.path()
                milestone = node.key_result.milestone
            elif kpi is not None:
                owner, mapping_path, milestone = kpi.owner, kpi.path(), False
            else:
                raise OkrctlError(f"{item.ref} is no longer a key result or KPI; nothing written")
            if owner.path not in edits:
                where = target(root, top, owner.path)
                source = read_for_edit(where.real)
                edits[owner.path] = (where, source, source.text, [])
            where, source, text, landed = edits[owner.path]
            key = "done" if milestone else "current"
            anchors = ("milestone",) if milestone else ("keep", "target", "unit", "title")
            text = set_scalar(text, mapping_path, key, yaml_scalar(item.value), anchors)
            landed = [*landed, (mapping_path, key, item.value)]
            if item.confidence is not None:
                confidence = yaml_scalar(item.confidence)
                text = set_scalar(text, mapping_path, "confidence", confidence, (key,))
                landed.append((mapping_path, "confidence", item.confidence))
            edits[owner.path] = (where, source, text, landed)
        if commit:
            assert top is not None
            refuse_unsafe(top, [where for where, *_ in edits.values()])
        planned = []
        for relative, (where, source, text, landed) in edits.items():
            new_raw = source.encode(text)
            for mapping_path, key, expected in landed:
                validate_edit(new_raw, relative, mapping_path, key, expected)
            planned.append((where, source, new_raw))
        return write_and_commit(
            workspace, top if commit else None, planned, message if commit else None
        )


def yaml_scalar(value: int | float | bool) -> str:
    """The YAML text of a measured value, read back as exactly that value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)

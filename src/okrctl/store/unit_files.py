"""New unit files from data, written through ruamel.yaml's round-trip emitter with `okrctl
fmt`'s settings and key order, so what `import` writes is already formatted."""

from __future__ import annotations

import io
from typing import Any

from okrctl.model.errors import OkrctlError
from okrctl.store.workspace import Workspace


def unit_yaml(data: dict[str, Any]) -> str:
    """`data` (plain dicts and lists) as a unit file in the canonical layout."""
    from okrctl.store.yaml.fmt import ORDER, reorder, round_trip_yaml

    yaml = round_trip_yaml()
    out = io.StringIO()
    yaml.dump(data, out)
    document = yaml.load(out.getvalue())
    reorder(document, "unit", ORDER)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def write_units(workspace: Workspace, texts: dict[str, str]) -> None:
    """Each file under the root (folders made as needed), all as one, under the goals lock. A
    file that exists with uncommitted changes is refused first, as `checkin` refuses one:
    replacing it would lose work git cannot give back."""
    from okrctl.store.edits import goals_lock, journal_file, refuse_uncommitted, target
    from okrctl.store.journal import write_together

    root, top = workspace.root, workspace.top
    with goals_lock(workspace):
        if top is not None:
            existing = [target(root, top, name) for name in texts if (root / name).exists()]
            refuse_uncommitted(top, existing, "; nothing was written")
        for relative in texts:
            folder = (root / relative).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OkrctlError(f"cannot create {folder}: {exc.strerror}") from None
        write_together(
            journal_file(workspace),
            [(root / relative, text.encode("utf-8")) for relative, text in texts.items()],
        )

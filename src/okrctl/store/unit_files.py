"""New unit files from data, written through ruamel.yaml's round-trip emitter with `okrctl
fmt`'s settings and key order, so what `import` writes is already formatted."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from okrctl.model.errors import OkrctlError


def unit_yaml(data: dict[str, Any]) -> str:
    """`data` (plain dicts and lists) as a unit file in the canonical layout."""
    from okrctl.store.fmt import ORDER, reorder, round_trip_yaml

    yaml = round_trip_yaml()
    out = io.StringIO()
    yaml.dump(data, out)
    document = yaml.load(out.getvalue())
    reorder(document, "unit", ORDER)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def write_units(root: Path, texts: dict[str, str]) -> None:
    """Each file under `root` (folders made as needed), atomically."""
    from okrctl.store.writefile import write_atomically

    for relative, text in texts.items():
        path = root / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OkrctlError(f"cannot create {path.parent}: {exc.strerror}") from None
        write_atomically(path, text.encode("utf-8"))

"""`okrctl schema [unit|config]`: the JSON Schemas editors validate goals files with, following
the repository's own rules (docs/commands.md, "Editor completion and validation")."""

from __future__ import annotations

from pathlib import Path

from okrctl.model.errors import ConfigError
from okrctl.store.config import load_config


def editor_schema(repo: Path | None, which: str = "unit") -> str:
    """The JSON Schema editors read for the repository at `repo` (or found upward from here):
    a unit file's encodes what that repository's `check` calls an error. Outside any goals
    repository (and without `repo`), every rule at its default severity. The schema of
    `okrctl.yaml` itself depends on nothing: a broken one is what it helps to fix."""
    from okrctl.core.schema import schema_json
    from okrctl.store.root import find_root, resolve_root

    if which != "unit":
        return schema_json(which)
    if repo is not None:
        root = resolve_root(repo)
    else:
        try:
            root = find_root(Path.cwd())
        except ConfigError:
            return schema_json(which)
    return schema_json(which, load_config(root).config)

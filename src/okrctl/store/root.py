"""Find the goals repository: the folder of `okrctl.yaml`. Kept free of heavy imports, since
every command starts here."""

from __future__ import annotations

from pathlib import Path

from okrctl.model.errors import ConfigError

CONFIG_NAME = "okrctl.yaml"


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding `okrctl.yaml`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(
        f"no {CONFIG_NAME} found in {start} or any folder above it. "
        f"Run `okrctl init` to create a goals repository, or pass --repo PATH."
    )


def resolve_root(repo: Path | None) -> Path:
    """`--repo PATH` names the folder of `okrctl.yaml` (or the file); otherwise search upward."""
    if repo is None:
        return find_root(Path.cwd())
    repo = repo.resolve()
    if repo.is_file() and repo.name == CONFIG_NAME:
        return repo.parent
    if (repo / CONFIG_NAME).is_file():
        return repo
    raise ConfigError(
        f"no {CONFIG_NAME} in {repo}. Run `okrctl init {repo}` to create one, "
        f"or point --repo at the folder that has it."
    )


def root_of_files(paths: list[Path]) -> Path:
    """The goals repository holding every one of `paths`: a hook runs from the git top-level
    with file names, and the files say which repository they belong to."""
    roots = {find_root(path.parent if not path.is_dir() else path) for path in paths}
    if len(roots) > 1:
        listed = ", ".join(sorted(str(r) for r in roots))
        raise ConfigError(
            f"these files belong to {len(roots)} goals repositories ({listed}); "
            "run once per repository, or pass --repo PATH"
        )
    return roots.pop()

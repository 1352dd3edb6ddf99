"""`okrctl.yaml`: read it and validate it. Any problem is a configuration error (exit 2)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from okrctl.core.validation_messages import describe_errors
from okrctl.model.config import Config, RepoConfig
from okrctl.model.errors import ConfigError
from okrctl.model.findings import Positions
from okrctl.store.bounded import read_at_most
from okrctl.store.cache.config_cache import keep, kept_settings, read_config
from okrctl.store.root import CONFIG_NAME
from okrctl.store.yaml.read import MAX_FILE_BYTES, Document, YamlProblem


def load_config(root: Path, cache: Path | None = None) -> RepoConfig:
    """Read `okrctl.yaml` from the working tree; its goals folder must exist. With `cache`
    (`Workspace.config_cache`), an unchanged file is not parsed again."""
    config = parse_config(read_settings(root), root, cache=cache)
    goals = config.goals_path.resolve()
    if not goals.is_relative_to(root.resolve()):
        raise _at(config.source, "goals_dir", "goals_dir must stay inside the repository")
    if not goals.is_dir():
        raise _at(
            config.source,
            "goals_dir",
            f"goals_dir {config.config.goals_dir!r} is not a folder; create it or fix goals_dir",
        )
    return config


def read_settings(root: Path) -> bytes:
    """The bytes of `okrctl.yaml`, read no further than a goals file may be long: a larger one
    (a few settings cannot be) is refused unread, as a configuration error."""
    try:
        raw = read_at_most(root / CONFIG_NAME, MAX_FILE_BYTES)
    except OSError as exc:
        raise ConfigError(f"{CONFIG_NAME}: cannot read: {exc.strerror}") from None
    if raw is None:
        raise ConfigError(settings_too_large(CONFIG_NAME))
    return raw


def settings_too_large(label: str) -> str:
    return (
        f"{label}: the file is over the {MAX_FILE_BYTES:,}-byte limit; it holds a few settings "
        "(the goals go in their own files under goals_dir)"
    )


def parse_config(
    raw: bytes, root: Path, label: str = CONFIG_NAME, *, cache: Path | None = None
) -> RepoConfig:
    """Validate the bytes of `okrctl.yaml`; every problem is a ConfigError naming line:column."""
    try:
        read = read_config(raw, cache, keep_data=False)
    except YamlProblem as problem:
        where = problem.position
        raise ConfigError(f"{label}:{where.line}:{where.column}: {problem.message}") from None
    kept = kept_settings(read)
    if kept is not None:
        return _checked(kept, read.document, root, label)
    try:
        config = _validated(read.document, label)
        checked = _checked(config, read.document, root, label)
    except ConfigError:
        keep(cache, read, None)  # the data alone: the next run finds the same errors, unparsed
        raise
    keep(cache, read, config)  # one write, data and settings
    return checked


def _validated(document: Document, label: str) -> Config:
    data = document.data
    if not isinstance(data, dict):
        raise ConfigError(
            f"{label}:1:1: expected a mapping of settings (company, period, goals_dir, ...)"
        )
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{label}:{position.line}:{position.column}: {message}"
            for position, message in describe_errors(exc, document.source, Config)
        ]
        raise ConfigError("\n".join(lines)) from None


def _checked(config: Config, document: Document, root: Path, label: str) -> RepoConfig:
    """What the model cannot say alone: the goals folder stays inside the repository."""
    goals_dir = PurePosixPath(config.goals_dir)
    if goals_dir.is_absolute() or ".." in goals_dir.parts:
        raise _at(document.source, "goals_dir", "goals_dir must stay inside the repository", label)
    return RepoConfig(root=root, config=config, source=document.source)


def _at(source: Positions, key: str, message: str, label: str = CONFIG_NAME) -> ConfigError:
    where = source.at(key)
    return ConfigError(f"{label}:{where.line}:{where.column}: {message}")



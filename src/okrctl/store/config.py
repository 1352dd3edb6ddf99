"""`okrctl.yaml`: read it and validate it. Any problem is a configuration error (exit 2)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from okrctl.core.validation_messages import describe_errors
from okrctl.model.errors import ConfigError
from okrctl.model.goals import Period, Slug, StrictModel, Text
from okrctl.store.root import CONFIG_NAME
from okrctl.store.yamlread import SourceMap, YamlProblem, read_document

Severity = Literal["error", "warning", "off"]


class Limits(StrictModel):
    """How many goals a unit may carry before `check` warns: too many OKRs drown a team."""

    objectives_per_unit: Annotated[int, Field(gt=0)] = 3
    """Objectives per unit (default 3)."""
    key_results_per_objective: Annotated[int, Field(gt=0)] = 5
    """Key results per objective (default 5)."""


class Config(StrictModel):
    """`okrctl.yaml`: the goals repository's settings."""

    company: Text | None = None
    """Display name; defaults to the company unit's name."""
    period: Period
    """The current period: YYYY-Qn, YYYY-Hn or YYYY."""
    goals_dir: Text = "goals"
    """The folder of the unit files, relative to this file (default `goals`)."""
    fiscal_year_start: Annotated[int, Field(ge=1, le=12)] = 1
    """The month (1-12) in which Q1 starts; fiscal years are named by the year they end in."""
    people: list[Slug] | None = None
    """Optional roster; when present, owners, leads and person ids must be on it."""
    limits: Limits = Limits()
    """How many objectives and key results before `check` warns."""
    stale_after_days: Annotated[int, Field(ge=0, le=36_500)] = 14
    """A key result or KPI with no check-in for longer is stale (at most a century; to never
    warn, set `rules: {stale: off}`)."""
    rules: dict[str, Severity] = Field(default_factory=dict)
    """Per-rule severity: error, warning or off."""


@dataclass(frozen=True, slots=True)
class RepoConfig:
    """A loaded configuration and where it lives."""

    root: Path
    config: Config
    source: SourceMap

    @property
    def goals_path(self) -> Path:
        return self.root / self.config.goals_dir


def load_config(root: Path) -> RepoConfig:
    """Read `okrctl.yaml` from the working tree; its goals folder must exist."""
    path = root / CONFIG_NAME
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{CONFIG_NAME}: cannot read: {exc.strerror}") from None
    config = parse_config(raw, root)
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


def parse_config(raw: bytes, root: Path, label: str = CONFIG_NAME) -> RepoConfig:
    """Validate the bytes of `okrctl.yaml`; every problem is a ConfigError naming line:column."""
    try:
        document = read_document(raw)
    except YamlProblem as problem:
        where = problem.position
        raise ConfigError(f"{label}:{where.line}:{where.column}: {problem.message}") from None
    data = document.data
    if not isinstance(data, dict):
        raise ConfigError(
            f"{label}:1:1: expected a mapping of settings (company, period, goals_dir, ...)"
        )
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{label}:{position.line}:{position.column}: {message}"
            for position, message in describe_errors(exc, document.source, Config)
        ]
        raise ConfigError("\n".join(lines)) from None
    goals_dir = PurePosixPath(config.goals_dir)
    if goals_dir.is_absolute() or ".." in goals_dir.parts:
        raise _at(document.source, "goals_dir", "goals_dir must stay inside the repository", label)
    return RepoConfig(root=root, config=config, source=document.source)


def _at(source: SourceMap, key: str, message: str, label: str = CONFIG_NAME) -> ConfigError:
    where = source.at(key)
    return ConfigError(f"{label}:{where.line}:{where.column}: {message}")

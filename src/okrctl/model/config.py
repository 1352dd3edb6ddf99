"""`okrctl.yaml` as data: the repository's settings and where they were read from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from okrctl.model.findings import Positions
from okrctl.model.goals import Period, Slug, StrictModel, Text

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
    source: Positions

    @property
    def goals_path(self) -> Path:
        return self.root / self.config.goals_dir

"""`okrctl.yaml` as data: the repository's settings and where they were read from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from okrctl.model.findings import Positions
from okrctl.model.goals import EnvName, Period, Slug, StrictModel, Text

Severity = Literal["error", "warning", "off"]


class Limits(StrictModel):
    """How many goals a unit may carry before `check` warns: too many OKRs drown a team."""

    objectives_per_unit: Annotated[int, Field(gt=0)] = 3
    """Objectives per unit (default 3)."""
    key_results_per_objective: Annotated[int, Field(gt=0)] = 5
    """Key results per objective (default 5)."""


class Database(StrictModel):
    """A database `measure:` blocks query, by an SQLAlchemy URL: inline when it holds no secret,
    else named by an environment variable."""

    url: Text | None = None
    """An SQLAlchemy URL, such as `sqlite:///data/metrics.db` (relative to the repository
    root); never one with a password: use `url_env` for that."""
    url_env: EnvName | None = None
    """The environment variable holding the URL, such as `WAREHOUSE_URL`."""

    @model_validator(mode="after")
    def _one_url(self) -> Database:
        if (self.url is None) == (self.url_env is None):
            raise PydanticCustomError("database_url", "give exactly one of `url` or `url_env`")
        if self.url is not None and _has_password(self.url):
            raise PydanticCustomError(
                "database_secret",
                "the `url` holds a password, which would be committed with the goals: put the "
                "URL in an environment variable and name it with `url_env`",
            )
        return self


def _has_password(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).password is not None
    except ValueError:
        return False


class Smtp(StrictModel):
    """The mail server `okrctl send` uses; every setting may be overridden by an `OKRCTL_SMTP_*`
    environment variable, and the login only ever comes from the environment."""

    host: Text | None = None
    """The server's name, such as `smtp.example.com`."""
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    """Default 587 with `starttls`, 465 with `ssl`, 25 with `none`."""
    sender: Annotated[Text | None, Field(alias="from")] = None
    """The From address, such as `OKRs <okrs@example.com>`."""
    tls: Literal["none", "starttls", "ssl"] = "starttls"
    """How the connection is encrypted."""
    user_env: EnvName | None = None
    """The environment variable holding the login name."""
    password_env: EnvName | None = None
    """The environment variable holding the password."""


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
    databases: dict[Slug, Database] = Field(default_factory=dict)
    """Databases that `measure:` blocks name, each an SQLAlchemy URL (`url` or `url_env`)."""
    smtp: Smtp | None = None
    """The mail server for `okrctl send`."""
    emails: dict[Slug, Text] = Field(default_factory=dict)
    """Handle → email address, for people without a person file (`email:` there wins)."""


@dataclass(frozen=True, slots=True)
class RepoConfig:
    """A loaded configuration and where it lives."""

    root: Path
    config: Config
    source: Positions

    @property
    def goals_path(self) -> Path:
        return self.root / self.config.goals_dir

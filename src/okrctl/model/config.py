"""`okrctl.yaml` as data: the repository's settings and where they were read from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from okrctl.model.fields import Period, Slug, StrictModel, Text
from okrctl.model.findings import Positions
from okrctl.model.measure import EnvName

Severity = Literal["error", "warning", "off"]


class Limits(StrictModel):
    """How many goals a unit may carry before `check` warns: too many OKRs drown a team."""

    objectives_per_unit: Annotated[int, Field(gt=0)] = Field(
        default=3,
        description="Objectives per unit (default 3).",
    )
    key_results_per_objective: Annotated[int, Field(gt=0)] = Field(
        default=5,
        description="Key results per objective (default 5).",
    )


class Review(StrictModel):
    """What `okrctl review` points out in a change."""

    jump_share: Annotated[float, Field(gt=0, le=10)] = Field(
        default=0.5,
        description=(
            "A check-in that moves a key result by more than this share of its range "
            "(baseline to target) in one step is pointed out as a jump (default 0.5)."
        ),
    )


class Database(StrictModel):
    """A database `measure:` blocks query, by an SQLAlchemy URL: inline when it holds no secret,
    else named by an environment variable."""

    url: Text | None = Field(
        default=None,
        description=(
            "An SQLAlchemy URL, such as `sqlite:///data/metrics.db` (relative to the repository "
            "root); never one with a password: use `url_env` for that."
        ),
    )
    url_env: EnvName | None = Field(
        default=None,
        description="The environment variable holding the URL, such as `WAREHOUSE_URL`.",
    )

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

    host: Text | None = Field(
        default=None,
        description="The server's name, such as `smtp.example.com`.",
    )
    port: Annotated[int, Field(ge=1, le=65535)] | None = Field(
        default=None,
        description="Default 587 with `starttls`, 465 with `ssl`, 25 with `none`.",
    )
    sender: Annotated[Text | None, Field(alias="from")] = Field(
        default=None,
        description="The From address, such as `OKRs <okrs@example.com>`.",
    )
    tls: Literal["none", "starttls", "ssl"] = Field(
        default="starttls",
        description="How the connection is encrypted.",
    )
    user_env: EnvName | None = Field(
        default=None,
        description="The environment variable holding the login name.",
    )
    password_env: EnvName | None = Field(
        default=None,
        description="The environment variable holding the password.",
    )


class Config(StrictModel):
    """`okrctl.yaml`: the goals repository's settings."""

    company: Text | None = Field(
        default=None,
        description="Display name; defaults to the company unit's name.",
    )
    period: Period = Field(description="The current period: YYYY-Qn, YYYY-Hn or YYYY.")
    goals_dir: Text = Field(
        default="goals",
        description="The folder of the unit files, relative to this file (default `goals`).",
    )
    fiscal_year_start: Annotated[int, Field(ge=1, le=12)] = Field(
        default=1,
        description=(
            "The month (1-12) in which Q1 starts; fiscal years are named by the year they end in."
        ),
    )
    people: list[Slug] | None = Field(
        default=None,
        description="Optional roster; when present, owners, leads and person ids must be on it.",
    )
    limits: Limits = Field(
        default_factory=Limits,
        description="How many objectives and key results before `check` warns.",
    )
    stale_after_days: Annotated[int, Field(ge=0, le=36_500)] = Field(
        default=14,
        description=(
            "A key result or KPI with no check-in for longer is stale (at most a century; to never"
            " warn, set `rules: {stale: off}`)."
        ),
    )
    rules: dict[str, Severity] = Field(
        default_factory=dict,
        description="Per-rule severity: error, warning or off.",
    )
    timezone: Text | None = Field(
        default=None,
        description=(
            "The IANA time zone (e.g. Europe/Berlin) in which `--since DAY` counts a commit's "
            "day; default: each commit's own offset."
        ),
    )
    databases: dict[Slug, Database] = Field(
        default_factory=dict,
        description=(
            "Databases that `measure:` blocks name, each an SQLAlchemy URL (`url` or `url_env`)."
        ),
    )
    smtp: Smtp | None = Field(default=None, description="The mail server for `okrctl send`.")
    emails: dict[Slug, Text] = Field(
        default_factory=dict,
        description=(
            "Handle → email address, for people without a person file (`email:` there wins)."
        ),
    )
    review: Review = Field(
        default_factory=Review,
        description="How `okrctl review` reads a pull request's check-ins.",
    )
    repository_url: Annotated[Text, Field(pattern=r"^https://[^\s?#]+$")] | None = Field(
        default=None,
        description=(
            "The goals repository's web address (https://github.com/OWNER/REPO), for the "
            "'Check in' links of the site and of nudges; default: git's `origin`, when it is "
            "on github.com."
        ),
    )


    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        """A zone the system's time zone database knows (a typo would shift every day)."""
        if name is None:
            return None
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "unknown_zone",
                "unknown time zone '{name}': use an IANA name such as Europe/Berlin or "
                "America/New_York",
                {"name": name},
            ) from None
        return name

    def zone(self) -> tzinfo | None:
        """The configured zone, or None: each commit's own offset."""
        if self.timezone is None:
            return None
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class RepoConfig:
    """A loaded configuration and where it lives."""

    root: Path
    config: Config
    source: Positions

    @property
    def goals_path(self) -> Path:
        return self.root / self.config.goals_dir

"""The typed model of a goals repository (docs/format.md). No I/O here.

Models are strict: a string where a number belongs, or `yes` where a boolean belongs, is an
error rather than a silent coercion. Numbers written where text belongs (`title: 2026`) are
taken as text, since that is what the author meant.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, TypeVar

from pydantic import (
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from okrctl.model.fields import (
    Confidence,
    GitHubLogin,
    Id,
    Number,
    Period,
    Ref,
    Slug,
    StrictModel,
    Text,
    Weight,
)
from okrctl.model.measure import Measure


class Kind(StrEnum):
    COMPANY = "company"
    PILLAR = "pillar"
    TEAM = "team"
    PERSON = "person"


class Bounds(StrictModel):
    """An inclusive band: `min` and/or `max`."""

    min: Number | None = Field(
        default=None,
        description="The lowest value inside the band (inclusive).",
    )
    max: Number | None = Field(
        default=None,
        description="The highest value inside the band (inclusive).",
    )

    @model_validator(mode="after")
    def _band(self) -> Bounds:
        if self.min is None and self.max is None:
            raise PydanticCustomError("empty_bounds", "give `min`, `max` or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError(
                "inverted_bounds",
                "`min` ({min}) is above `max` ({max})",
                {"min": self.min, "max": self.max},
            )
        return self

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class SumOf(StrictModel):
    """A number that is the sum of others' current values (docs/scoring.md, "Derived numbers")."""

    sum: list[Ref] | Literal["supporters"] = Field(
        description=(
            "The key results or KPIs to add up (same unit), or `supporters`: every key result "
            "of the objectives that align to this one."
        ),
    )


class ScoreOf(StrictModel):
    """A key result scored by the objectives that align to it (docs/scoring.md, "Derived
    numbers"): it counts from 0 to 1, their mean score."""

    score: Literal["supporters"] = Field(
        description="`supporters`: the mean score of the objectives that align to this one.",
    )
    weighting: Literal["equal", "target"] = Field(
        default="equal",
        description=(
            "`equal` (default): each supporter counts alike; `target`: each counts by its share "
            "of their total target (the sum of its numeric key results' targets)."
        ),
    )


Derivation = Annotated[
    Ref | SumOf | ScoreOf,
    Field(
        description=(
            "Take the number from others instead of check-ins: a key result's or KPI's ref "
            "(the same number), or `{sum: [refs]}` / `{sum: supporters}`."
        ),
    ),
]


Numbered = TypeVar("Numbered", "KeyResult", "Kpi")


def _derived_or_checked_in(item: Numbered) -> Numbered:
    """A number comes from check-ins or from `from:`, never both; a score from supporters
    counts from 0 to 1, with no baseline, target, band or milestone of its own."""
    if isinstance(item.derived_from, ScoreOf):
        own = [f for f in ("baseline", "target", "keep") if getattr(item, f, None) is not None]
        if not isinstance(item, KeyResult):
            raise PydanticCustomError(
                "score_kpi", "a KPI is watched within bounds: give it a number `from:`, not a score"
            )
        if own or item.milestone:
            raise PydanticCustomError(
                "score_and_number",
                "a key result scored from its supporters counts from 0 to 1; remove {fields}",
                {"fields": ", ".join(f"`{f}`" for f in own or ["milestone"])},
            )
    if item.derived_from is not None:
        for field in ("current", "measure"):
            if getattr(item, field) is not None:
                raise PydanticCustomError(
                    "derived_and_written",
                    "`{field}` beside `from`: this number is derived from others; remove `{field}`",
                    {"field": field},
                )
    return item


class KeyResult(StrictModel):
    """A measurable result: exactly one of a number (baseline → target), a `keep` band, or a
    milestone."""

    id: Id = Field(
        description="Lower-case letters, digits and dashes; unique within its objective.",
    )
    title: Text = Field(description="What will be true, in words.")
    unit: Text | None = Field(
        default=None,
        description="What the number counts: `%`, `$`, `accounts`, `ms`…",
    )
    baseline: Number | None = Field(
        default=None,
        description="Where the number started this period.",
    )
    target: Number | None = Field(
        default=None,
        description="The number that means success (below the baseline for a falling metric).",
    )
    current: Number | None = Field(
        default=None,
        description="The latest check-in; git history keeps the earlier ones.",
    )
    confidence: Confidence | None = Field(
        default=None,
        description="How sure the owner is of reaching the target, 0 to 1.",
    )
    weight: Weight = Field(default=1, description="Its share of the objective's score (default 1).")
    source: Text | None = Field(
        default=None,
        description="Where the number comes from: a dashboard, a query, a report.",
    )
    owner: Slug | None = Field(
        default=None,
        description="Who checks it in (default: the objective's owner).",
    )
    milestone: bool = Field(default=False, description="A yes/no result, scored by `done`.")
    done: bool | None = Field(default=None, description="For a milestone: whether it is done.")
    keep: Bounds | None = Field(default=None, description="A band to stay inside.")
    measure: Measure | None = Field(
        default=None,
        description=(
            "Where `okrctl measure` reads the number (for a milestone: whether it is done)."
        ),
    )
    derived_from: Derivation | None = Field(
        default=None,
        alias="from",
        description=(
            "Take the current value from others instead of check-ins: a key result's or KPI's "
            "ref (the same number), `{sum: [refs]}` / `{sum: supporters}` (their total), or "
            "`{score: supporters}` (the mean score of the objectives aligned to it)."
        ),
    )
    resets: Literal["period"] | None = Field(
        default=None,
        description=(
            "`period`: a number counted afresh each period (deals closed this quarter, % of "
            "plan); `okrctl roll` starts it again from its baseline instead of carrying it."
        ),
    )

    @model_validator(mode="after")
    def _derived_or_checked_in(self) -> KeyResult:
        return _derived_or_checked_in(self)


class Objective(StrictModel):
    """A qualitative goal, measured by its key results."""

    id: Id = Field(
        description=(
            "Lower-case letters, digits and dashes; unique within its unit (with the KPIs)."
        ),
    )
    title: Text = Field(description="The goal, in words.")
    why: Text | None = Field(
        default=None,
        description="Why it matters: the reason that ladders up to the mission.",
    )
    type: Literal["committed", "aspirational"] = Field(
        default="aspirational",
        description="`committed` must be met in full; `aspirational` succeeds at 0.7.",
    )
    category: Literal["product", "functional"] = Field(
        default="product",
        description=(
            "`functional` for tech debt, learning and other work that keeps the team healthy."
        ),
    )
    aligns_to: list[Ref] = Field(
        default=[],
        description=(
            "Refs this objective contributes to: objectives, key results or KPIs, or `mission`."
        ),
    )
    owner: Slug | None = Field(default=None, description="The person answerable for it.")
    origin: Literal["self", "manager"] | None = Field(
        default=None,
        description="Person files only: who proposed it.",
    )
    key_results: list[KeyResult] = Field(
        default=[],
        description="How it is measured (at most `limits.key_results_per_objective`).",
    )


class Kpi(StrictModel):
    """A health metric: watched within bounds, not a target."""

    id: Id = Field(
        description=(
            "Lower-case letters, digits and dashes; unique within its unit (with the objectives)."
        ),
    )
    title: Text = Field(description="What is measured, in words.")
    why: Text | None = Field(default=None, description="Why it matters to watch.")
    unit: Text | None = Field(default=None, description="What the number counts.")
    current: Number | None = Field(default=None, description="The latest check-in.")
    healthy: Bounds | None = Field(default=None, description="The band where all is well.")
    warning: Bounds | None = Field(
        default=None,
        description="Outside `healthy` but inside this band: a warning; outside both: critical.",
    )
    source: Text | None = Field(default=None, description="Where the number comes from.")
    measure: Measure | None = Field(
        default=None,
        description="Where `okrctl measure` reads the number.",
    )
    owner: Slug | None = Field(default=None, description="Who checks it in.")
    derived_from: Derivation | None = Field(
        default=None,
        alias="from",
        description=(
            "Take the current value from others instead of check-ins: a key result's or KPI's "
            "ref (the same number), or `{sum: [refs]}` / `{sum: supporters}` (their total)."
        ),
    )

    @model_validator(mode="after")
    def _derived_or_checked_in(self) -> Kpi:
        return _derived_or_checked_in(self)


class Unit(StrictModel):
    """One file: the company, a pillar, a team or a person."""

    kind: Annotated[Kind, Field(strict=False)] = Field(
        description="company (exactly one), pillar, team or person.",
    )
    id: Id = Field(description="Unique in the repository; defaults to the file name.")
    name: Text | None = Field(default=None, description="The display name (default: the id).")
    parent: Slug | None = Field(
        default=None,
        description="The unit this one belongs to (every kind but the company).",
    )
    lead: Slug | None = Field(default=None, description="Who leads it (not in person files).")
    period: Period | None = Field(
        default=None,
        description="The period these goals are for (a mismatch with okrctl.yaml is a warning).",
    )
    mission: Text | None = Field(
        default=None,
        description="Company only: the why every goal ladders up to.",
    )
    vision: Text | None = Field(default=None, description="Company only.")
    bhag: Text | None = Field(
        default=None,
        description="Company only: the big hairy audacious goal.",
    )
    accomplishments: list[Text] = Field(
        default=[],
        description="Person files only: what went well, for the 1:1.",
    )
    email: Text | None = Field(
        default=None,
        description=(
            "Person files only: where `okrctl send` reaches them (or `emails:` in okrctl.yaml)."
        ),
    )
    github: GitHubLogin | None = Field(
        default=None,
        description=(
            "Person files only: their GitHub login. Once any person file names one, a check-in "
            "from an issue is taken only from the number's owner or a lead above it."
        ),
    )
    objectives: list[Objective] = Field(
        default=[],
        description="At most `limits.objectives_per_unit`.",
    )
    kpis: list[Kpi] = Field(default=[], description="Health metrics, kept apart from objectives.")

    @property
    def display_name(self) -> str:
        return self.name or self.id


# Fields allowed only for some kinds; checked after validation so the message can say why.
ONLY_IN: dict[str, tuple[Kind, ...]] = {
    "mission": (Kind.COMPANY,),
    "vision": (Kind.COMPANY,),
    "bhag": (Kind.COMPANY,),
    "accomplishments": (Kind.PERSON,),
    "email": (Kind.PERSON,),
    "github": (Kind.PERSON,),
    "lead": (Kind.COMPANY, Kind.PILLAR, Kind.TEAM),
    "parent": (Kind.PILLAR, Kind.TEAM, Kind.PERSON),
}
OBJECTIVE_ONLY_IN: dict[str, tuple[Kind, ...]] = {"origin": (Kind.PERSON,)}

"""The typed model of a goals repository (SPEC §2). No I/O here.

Models are strict: a string where a number belongs, or `yes` where a boolean belongs, is an
error rather than a silent coercion. Numbers written where text belongs (`title: 2026`) are
taken as text, since that is what the author meant.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from okrctl.bounds import MAX_MAGNITUDE, MAX_YEAR, MIN_YEAR

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
REF_PATTERN = r"^(mission|[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,2})$"
PERIOD_PATTERN = r"^[0-9]{4}(-Q[1-4]|-H[1-2])?$"
RESERVED_IDS = frozenset({"mission"})


class Kind(StrEnum):
    COMPANY = "company"
    PILLAR = "pillar"
    TEAM = "team"
    PERSON = "person"


def _number_to_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _finite_number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError(
            "number", "expected a number, got {got}", {"got": _describe(value)}
        )
    if isinstance(value, float) and math.isnan(value):
        raise PydanticCustomError("number", "expected a number, got .nan")
    if abs(value) > MAX_MAGNITUDE:
        raise PydanticCustomError(
            "number",
            "the number is too large: okrctl takes numbers up to 10^15 in size "
            "(use a larger unit, such as millions)",
        )
    return value


def _period_in_range(value: str) -> str:
    year = int(value[:4])
    if not MIN_YEAR + 1 <= year <= MAX_YEAR:
        raise PydanticCustomError(
            "period_range",
            "periods are years {low} to {high}",
            {"low": MIN_YEAR + 1, "high": MAX_YEAR},
        )
    return value


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value!r}" if len(value) <= 40 else "text"
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "a mapping", list: "a list", type(None): "nothing"}.get(type(value), "a value")


Text = Annotated[str, BeforeValidator(_number_to_text)]
Number = Annotated[
    int | float,
    BeforeValidator(_finite_number),
    WithJsonSchema({"type": "number"}),
]
Slug = Annotated[Text, Field(pattern=SLUG_PATTERN)]
Ref = Annotated[Text, Field(pattern=REF_PATTERN)]
Period = Annotated[Text, Field(pattern=PERIOD_PATTERN), AfterValidator(_period_in_range)]


def _not_reserved(value: str) -> str:
    if value in RESERVED_IDS:
        raise PydanticCustomError(
            "reserved_id", "'{id}' is a reserved id; choose another", {"id": value}
        )
    return value


Id = Annotated[Slug, AfterValidator(_not_reserved)]


class StrictModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        hide_input_in_errors=True,  # an error must never echo (and expand) the whole input
    )


class Bounds(StrictModel):
    """An inclusive band: `min` and/or `max`."""

    min: Number | None = None
    max: Number | None = None

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


class KeyResult(StrictModel):
    id: Id
    title: Text
    """What will be true, in words."""
    unit: Text | None = None
    baseline: Number | None = None
    target: Number | None = None
    current: Number | None = None
    """The latest check-in; git history keeps the earlier ones."""
    confidence: Annotated[Number, Field(ge=0, le=1)] | None = None
    weight: Annotated[Number, Field(gt=0)] = 1
    source: Text | None = None
    """Where the number comes from: a dashboard, a query, a report."""
    owner: Slug | None = None
    milestone: bool = False
    """A yes/no result, scored by `done`."""
    done: bool | None = None
    keep: Bounds | None = None
    """A band to stay inside."""


class Objective(StrictModel):
    id: Id
    title: Text
    why: Text | None = None
    """Why it matters: the reason that ladders up to the mission."""
    type: Literal["committed", "aspirational"] = "aspirational"
    category: Literal["product", "functional"] = "product"
    """`functional` for tech debt, learning and other work that keeps the team healthy."""
    aligns_to: list[Ref] = []
    owner: Slug | None = None
    origin: Literal["self", "manager"] | None = None
    """Person files only: who proposed it."""
    key_results: list[KeyResult] = []


class Kpi(StrictModel):
    id: Id
    title: Text
    why: Text | None = None
    unit: Text | None = None
    current: Number | None = None
    healthy: Bounds | None = None
    warning: Bounds | None = None
    source: Text | None = None
    owner: Slug | None = None


class Unit(StrictModel):
    """One file: the company, a pillar, a team or a person."""

    kind: Annotated[Kind, Field(strict=False)]
    id: Id
    name: Text | None = None
    parent: Slug | None = None
    lead: Slug | None = None
    period: Period | None = None
    mission: Text | None = None
    vision: Text | None = None
    bhag: Text | None = None
    accomplishments: list[Text] = []
    objectives: list[Objective] = []
    kpis: list[Kpi] = []

    @property
    def display_name(self) -> str:
        return self.name or self.id


# Fields allowed only for some kinds; checked after validation so the message can say why.
ONLY_IN: dict[str, tuple[Kind, ...]] = {
    "mission": (Kind.COMPANY,),
    "vision": (Kind.COMPANY,),
    "bhag": (Kind.COMPANY,),
    "accomplishments": (Kind.PERSON,),
    "lead": (Kind.COMPANY, Kind.PILLAR, Kind.TEAM),
    "parent": (Kind.PILLAR, Kind.TEAM, Kind.PERSON),
}
OBJECTIVE_ONLY_IN: dict[str, tuple[Kind, ...]] = {"origin": (Kind.PERSON,)}

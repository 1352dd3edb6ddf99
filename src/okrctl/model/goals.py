"""The typed model of a goals repository (docs/format.md). No I/O here.

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

from okrctl.model.bounds import MAX_MAGNITUDE, MAX_YEAR, MIN_YEAR

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


# Each type states its JSON Schema: pydantic leaves out the constraints of a type that has a
# before-validator, and the schema editors read must be exactly as strict as `check`.
_TEXT_SCHEMA: dict[str, Any] = {"type": ["string", "number"]}
_RANGE = {"minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}

Text = Annotated[str, BeforeValidator(_number_to_text), WithJsonSchema(_TEXT_SCHEMA)]
Number = Annotated[
    int | float,
    BeforeValidator(_finite_number),
    WithJsonSchema({"type": "number", **_RANGE}),
]
Confidence = Annotated[
    int | float,
    BeforeValidator(_finite_number),
    Field(ge=0, le=1),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1}),
]
Weight = Annotated[
    int | float,
    BeforeValidator(_finite_number),
    Field(gt=0),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": MAX_MAGNITUDE}),
]
Slug = Annotated[
    Text,
    Field(pattern=SLUG_PATTERN),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN}),
]
Ref = Annotated[
    Text,
    Field(pattern=REF_PATTERN),
    WithJsonSchema({"type": "string", "pattern": REF_PATTERN}),
]
Period = Annotated[
    Text,
    Field(pattern=PERIOD_PATTERN),
    AfterValidator(_period_in_range),
    WithJsonSchema({"type": "string", "pattern": PERIOD_PATTERN}),
]


def _not_reserved(value: str) -> str:
    if value in RESERVED_IDS:
        raise PydanticCustomError(
            "reserved_id", "'{id}' is a reserved id; choose another", {"id": value}
        )
    return value


Id = Annotated[
    Slug,
    AfterValidator(_not_reserved),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN, "not": {"const": "mission"}}),
]


class StrictModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        hide_input_in_errors=True,  # an error must never echo (and expand) the whole input
        defer_build=True,  # validators built on first use: a warm run validates no unit
    )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as (class, fields, fields set): the parse cache revives tens of thousands of
        validated models per warm run, and pydantic's own state (a dict of four entries, set
        through `__setstate__`) costs a sixth more to read back. No extra fields (`forbid`)
        and no private attributes are lost: these models have neither."""
        return (_revive, (type(self), self.__dict__, self.__pydantic_fields_set__))


_set_attribute = object.__setattr__


def _revive(cls: type[StrictModel], fields: dict[str, Any], fields_set: set[str]) -> StrictModel:
    """A model exactly as it was validated, without validating it again."""
    model = cls.__new__(cls)
    _set_attribute(model, "__dict__", fields)
    _set_attribute(model, "__pydantic_fields_set__", fields_set)
    _set_attribute(model, "__pydantic_extra__", None)
    _set_attribute(model, "__pydantic_private__", None)
    return model


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


ENV_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[
    str,
    Field(pattern=ENV_PATTERN),
    WithJsonSchema({"type": "string", "pattern": ENV_PATTERN}),
]
RowPick = Literal["last", "first", "sum", "mean", "min", "max", "count"]


def _inside_repository(value: str) -> str:
    """A CSV path is relative to the repository root and stays inside it (checked again on disk,
    links followed, by `check` and `measure`)."""
    import posixpath

    normal = posixpath.normpath(value.replace("\\", "/"))
    if value.startswith(("/", "\\")) or (len(value) > 1 and value[1] == ":"):
        raise PydanticCustomError(
            "csv_path", "`csv` is a path relative to the repository root, not an absolute path"
        )
    if normal == ".." or normal.startswith("../"):
        raise PydanticCustomError(
            "csv_path", "`csv` leads outside the repository; keep the file inside it"
        )
    return value


class EnvValue(StrictModel):
    """A value read from an environment variable when `okrctl measure` runs: never a literal
    secret in a goals file."""

    env: EnvName = Field(description="The environment variable's name.")

    @model_validator(mode="before")
    @classmethod
    def _named_not_written(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise PydanticCustomError(
                "env_value",
                "a header's value names the environment variable that holds it, as "
                "`{env: NAME}`; never write the secret itself in a goals file",
            )
        return value


class Measure(StrictModel):
    """Where `okrctl measure` reads the number: exactly one of an SQL query (`sql` with
    `database`), a CSV column (`csv` with `column`), or a JSON API (`http` with `json`)."""

    model_config = ConfigDict(populate_by_name=False)

    sql: Text | None = Field(
        default=None,
        description=(
            "A query returning exactly one row of one column; binds `:as_of`, `:period_start` and "
            "`:period_end` (ISO dates)."
        ),
    )
    database: Slug | None = Field(
        default=None,
        description="A name under `databases:` in okrctl.yaml.",
    )
    csv: Annotated[Text, AfterValidator(_inside_repository)] | None = Field(
        default=None,
        description="A CSV file, relative to the repository root.",
    )
    column: Text | None = Field(default=None, description="The CSV column holding the number.")
    row: RowPick | None = Field(
        default=None,
        description=(
            "Which row, or what of the column: last (default), first, sum, mean, min, max, count."
        ),
    )
    http: Annotated[Text, Field(pattern=r"^https?://")] | None = Field(
        default=None,
        description="A URL answering JSON.",
    )
    json_path: Annotated[Text | None, Field(alias="json")] = Field(
        default=None,
        description=(
            "A JMESPath expression for the number in the answer, such as `data.funded_rate`."
        ),
    )
    headers: dict[str, EnvValue] = Field(
        default={},
        description=(
            "HTTP headers, each read from an environment variable: `{Authorization: {env: TOKEN}}`."
        ),
    )

    @model_validator(mode="after")
    def _one_source(self) -> Measure:
        kinds = [k for k in ("sql", "csv", "http") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise PydanticCustomError(
                "measure_kind",
                "give exactly one of `sql`, `csv` or `http` (found {found})",
                {"found": ", ".join(f"`{k}`" for k in kinds) or "none"},
            )
        needs = {
            "sql": ("database", "database"),
            "csv": ("column", "column"),
            "http": ("json_path", "json"),
        }[kinds[0]]
        if getattr(self, needs[0]) is None:
            raise PydanticCustomError(
                "measure_field",
                "`{kind}` needs `{field}`",
                {"kind": kinds[0], "field": needs[1]},
            )
        strays = [
            name
            for name, attribute, owner in (
                ("database", self.database, "sql"),
                ("column", self.column, "csv"),
                ("row", self.row, "csv"),
                ("json", self.json_path, "http"),
                ("headers", self.headers or None, "http"),
            )
            if attribute is not None and owner != kinds[0]
        ]
        if strays:
            raise PydanticCustomError(
                "measure_field",
                "{fields} {verb} to another kind of source than `{kind}`; remove {them}",
                {
                    "fields": ", ".join(f"`{f}`" for f in strays),
                    "verb": "belongs" if len(strays) == 1 else "belong",
                    "them": "it" if len(strays) == 1 else "them",
                    "kind": kinds[0],
                },
            )
        return self

    @property
    def kind(self) -> Literal["sql", "csv", "http"]:
        return "sql" if self.sql is not None else "csv" if self.csv is not None else "http"


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
    "lead": (Kind.COMPANY, Kind.PILLAR, Kind.TEAM),
    "parent": (Kind.PILLAR, Kind.TEAM, Kind.PERSON),
}
OBJECTIVE_ONLY_IN: dict[str, tuple[Kind, ...]] = {"origin": (Kind.PERSON,)}

"""The field types every goals and settings model is made of (text, numbers, ids, refs,
periods), each stating the JSON Schema editors read, and the strict base model."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from okrctl.model.bounds import MAX_MAGNITUDE, MAX_YEAR, MIN_YEAR
from okrctl.model.controls import control_class

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


REF_PATTERN = r"^(mission|[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,2})$"


PERIOD_PATTERN = r"^[0-9]{4}(-Q[1-4]|-H[1-2])?$"


RESERVED_IDS = frozenset({"mission"})


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
TEXT_PATTERN = "^[^" + control_class("\\x", 2) + "]*$"
"""Text holds no control character but the line break and the tab: a title written
`"\\e]0;…\\a"` in YAML would reach every terminal that shows it as a command to obey."""
_TEXT_SCHEMA: dict[str, Any] = {
    "type": ["string", "number"],
    "pattern": "^[^" + control_class("\\u", 4) + "]*$",
}


_RANGE = {"minimum": -MAX_MAGNITUDE, "maximum": MAX_MAGNITUDE}


Text = Annotated[
    str,
    BeforeValidator(_number_to_text),
    Field(pattern=TEXT_PATTERN),
    WithJsonSchema(_TEXT_SCHEMA),
]


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


GITHUB_LOGIN_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$"
GitHubLogin = Annotated[
    Text,
    Field(pattern=GITHUB_LOGIN_PATTERN),
    WithJsonSchema({"type": "string", "pattern": GITHUB_LOGIN_PATTERN}),
]
"""A GitHub login: letters, digits and single hyphens, at most 39 characters."""


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


def plain(value: Any, *, exclude_none: bool = False) -> Any:
    """A model as the dict `model_dump()` makes of it (`exclude_none` as there), read field by
    field; any other value as it is. Models build their serializer when first dumped (their
    schema is deferred: `StrictModel`), and a report's comparison spent 23 ms building
    `Bounds`' for two numbers."""
    if not isinstance(value, BaseModel):
        return value
    found = {}
    for name in type(value).model_fields:
        item = _plain_item(getattr(value, name), exclude_none)
        if item is not None or not exclude_none:
            found[name] = item
    return found


def _plain_item(value: Any, exclude_none: bool) -> Any:
    if isinstance(value, list | tuple):
        return type(value)(_plain_item(item, exclude_none) for item in value)
    if isinstance(value, dict):
        return {key: _plain_item(item, exclude_none) for key, item in value.items()}
    return plain(value, exclude_none=exclude_none)


class StrictModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        hide_input_in_errors=True,  # an error must never echo (and expand) the whole input
        defer_build=True,  # validators built on first use: a warm run validates no unit
    )

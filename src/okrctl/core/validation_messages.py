"""Turn pydantic validation errors into located, actionable messages."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from okrctl.core.suggest import Suggester
from okrctl.model.controls import visible_line
from okrctl.model.fields import TEXT_PATTERN
from okrctl.model.findings import Position, Positions

_PATTERN_HINTS = {
    "^[a-z0-9][a-z0-9-]*$": "use lower-case letters, digits and dashes, like `signups`",
    "^(mission|[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,2})$": (
        "a ref is `unit`, `unit/objective`, `unit/objective/key-result`, `unit/kpi` or `mission`"
    ),
    "^[0-9]{4}(-Q[1-4]|-H[1-2])?$": "a period is YYYY-Qn, YYYY-Hn or YYYY, like `2026-Q4`",
    TEXT_PATTERN: (
        "it holds a control character (an escape such as `\\e`, a bell `\\a`, a carriage "
        "return `\\r`), which a terminal showing it would obey: remove it"
    ),
}


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside `X`, `X | None`, `list[X]` or `dict[str, X]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _nested_model(typing.get_args(annotation)[0])
    if origin in (list, dict, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _nested_model(arg)
            if found is not None:
                return found
    return None


def model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    """The model that owns the mapping at `loc` (list indices skipped)."""
    model = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        nested = _nested_model(field.annotation) if field else None
        if nested is None:
            break
        model = nested
    return model


def _field_name(loc: tuple[Any, ...]) -> str:
    names = [str(p) for p in loc if isinstance(p, str)]
    return names[-1] if names else "value"


def _message(error: Any, root: type[BaseModel], suggesters: dict[type, Suggester]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    field = _field_name(loc)
    if kind == "extra_forbidden":
        model = model_at(root, loc[:-1])
        allowed = list(model.model_fields)
        if model not in suggesters:
            suggesters[model] = Suggester(allowed)
        close = suggesters[model](str(loc[-1]))
        hint = f"did you mean `{close[0]}`?" if close else f"allowed: {', '.join(allowed)}"
        return f"unknown field `{loc[-1]}` ({hint})"
    if kind == "missing":
        return f"missing required field `{loc[-1]}`"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        hint = _PATTERN_HINTS.get(pattern, f"it must match {pattern}")
        return f"`{field}` is not valid: {hint}"
    if kind == "string_type":
        return f"`{field}` should be text"
    if kind == "bool_type":
        return f"`{field}` should be true or false (in YAML 1.2, yes/no/on/off are text)"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"`{field}` should be a mapping of fields"
    if kind == "list_type":
        return f"`{field}` should be a list"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"`{field}` should be a whole number"
    return f"`{field}`: {error['msg']}"


def describe_errors(
    exc: ValidationError, source: Positions, root: type[BaseModel]
) -> Iterator[tuple[Position, str]]:
    """Each error as (position, message); unknown fields point at their key."""
    suggesters: dict[type, Suggester] = {}  # one budget for "did you mean" per file
    for error in exc.errors(include_input=False, include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            position = source.key_at(*loc)
        elif kind == "missing":
            position = source.at(*loc[:-1])
        else:
            position = source.at(*loc)
        yield position, visible_line(_message(error, root, suggesters))  # (keys are the file's)

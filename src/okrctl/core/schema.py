"""JSON Schemas of a unit file and of `okrctl.yaml`, from the same pydantic models `check`
validates with, so an editor flags exactly what `check` would."""

from __future__ import annotations

import json
from typing import Any

from okrctl.model.goals import Unit

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def nullable_as_type(node: Any) -> Any:
    """`anyOf: [{type: number, minimum: 0, maximum: 1}, {type: null}]`, as pydantic writes an
    optional field, becomes `{type: [number, null], minimum: 0, maximum: 1}`: the same values
    pass, and a validator's first word on `confidence: 2` is "2 is greater than the maximum of
    1", not "2 is not of type 'null'"."""
    if isinstance(node, list):
        return [nullable_as_type(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: nullable_as_type(value) for key, value in node.items()}
    options = node.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = options[0] if options[1] == {"type": "null"} else options[1]
        if isinstance(other.get("type"), str) and "anyOf" not in other:
            merged = {**other, "type": [other["type"], "null"]}
            rest = {key: value for key, value in node.items() if key != "anyOf"}
            return {**merged, **rest}
    return node


def unit_schema() -> dict[str, Any]:
    schema = nullable_as_type(Unit.model_json_schema(mode="validation"))
    # In a file, `id` may be left out: it defaults to the file name.
    schema["required"] = [name for name in schema.get("required", []) if name != "id"]
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "okrctl unit file",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def config_schema() -> dict[str, Any]:
    """`okrctl.yaml`, with the rule names `rules:` accepts (any other is a configuration
    error, exit 2)."""
    from okrctl.core.rules import REGISTRY
    from okrctl.model.config import Config

    schema = nullable_as_type(Config.model_json_schema(mode="validation"))
    schema["properties"]["rules"]["propertyNames"] = {"enum": sorted(REGISTRY)}
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "okrctl.yaml",
        **{k: v for k, v in schema.items() if k != "title"},
    }


SCHEMAS = {"unit": unit_schema, "config": config_schema}


def schema_json(which: str = "unit") -> str:
    return json.dumps(SCHEMAS[which](), indent=2, sort_keys=False) + "\n"


def unit_schema_json() -> str:
    return schema_json("unit")

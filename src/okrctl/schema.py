"""JSON Schema of a unit file, from the same pydantic models `check` validates with."""

from __future__ import annotations

import json
from typing import Any

from okrctl.model import Unit

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def unit_schema() -> dict[str, Any]:
    schema = Unit.model_json_schema(mode="validation")
    # In a file, `id` may be left out: it defaults to the file name.
    schema["required"] = [name for name in schema.get("required", []) if name != "id"]
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "okrctl unit file",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def unit_schema_json() -> str:
    return json.dumps(unit_schema(), indent=2, sort_keys=False) + "\n"

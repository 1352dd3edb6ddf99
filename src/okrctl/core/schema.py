"""JSON Schemas of a unit file and of `okrctl.yaml`, from the same pydantic models `check`
validates with, so an editor flags exactly what `check` would call an error in that repository:
the schema errors, and each rule that one file can break on its own (docs/ci.md, "Editors")."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from okrctl.model.findings import Severity
from okrctl.model.goals import OBJECTIVE_ONLY_IN, ONLY_IN, Kind, Unit

if TYPE_CHECKING:
    from okrctl.model.config import Config

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


def unit_schema(config: Config | None = None) -> dict[str, Any]:
    """A unit file's schema under `config` (None: every rule at its default severity)."""
    from okrctl.core.rules import levels_of

    schema = nullable_as_type(Unit.model_json_schema(mode="validation"))
    # In a file, `id` may be left out: it defaults to the file name.
    schema["required"] = [name for name in schema.get("required", []) if name != "id"]
    _fields_by_kind(schema)
    levels = levels_of(config.rules if config is not None else {})
    errors = {name for name, level in levels.items() if level is Severity.ERROR}
    for name, encode in FILE_RULES.items():
        if name in errors:
            encode(schema, config)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "okrctl unit file",
        **{k: v for k, v in schema.items() if k != "title"},
    }


NOT_SET = {"type": "null"}
"""A field left out or written `null`: what the model reads as absent."""
FILLED = {"pattern": "\\S"}
"""Text with something in it (a number always has): what the rules call present."""


def _when_kind(schema: dict[str, Any], kinds: list[str], then: dict[str, Any]) -> None:
    schema.setdefault("allOf", []).append(
        {"if": {"properties": {"kind": {"enum": kinds}}}, "then": then}
    )


def _fields_by_kind(schema: dict[str, Any]) -> None:
    """Fields only some kinds of unit may carry, and the company's mission (schema errors)."""
    every = [str(kind) for kind in Kind]
    for field, kinds in ONLY_IN.items():
        others = [kind for kind in every if kind not in {str(k) for k in kinds}]
        _when_kind(schema, others, {"not": {"required": [field]}})
    for field, kinds in OBJECTIVE_ONLY_IN.items():
        others = [kind for kind in every if kind not in {str(k) for k in kinds}]
        objective = {"not": {"required": [field]}}
        _when_kind(schema, others, {"properties": {"objectives": {"items": objective}}})
    _when_kind(schema, [str(Kind.COMPANY)], {"required": ["mission"]})


def _present(definition: dict[str, Any], field: str) -> None:
    """`field` must be there, not null, and (as text) not blank."""
    definition["required"] = [*definition.get("required", []), field]
    prop = definition["properties"][field]
    kinds = prop.get("type")
    if isinstance(kinds, list) and "null" in kinds:
        prop["type"] = [kind for kind in kinds if kind != "null"]
    options = prop.pop("anyOf", None)
    if options is not None:
        prop.update(next(o for o in options if o != NOT_SET))
    if "string" in (prop.get("type") or []) or prop.get("type") == "string":
        prop.update(FILLED)


def _missing_why(schema: dict[str, Any], config: Config | None) -> None:
    for name in ("Objective", "Kpi"):
        _present(schema["$defs"][name], "why")


def _no_source(schema: dict[str, Any], config: Config | None) -> None:
    sourced = {
        "anyOf": [
            {"required": ["source"], "properties": {"source": FILLED}},
            {"required": ["measure"], "properties": {"measure": {"not": NOT_SET}}},
            {"required": ["from"], "properties": {"from": {"not": NOT_SET}}},
        ]
    }
    for name in ("KeyResult", "Kpi"):
        schema["$defs"][name].setdefault("allOf", []).append(sourced)


def _too_many_objectives(schema: dict[str, Any], config: Config | None) -> None:
    limit = config.limits.objectives_per_unit if config is not None else _default_limits()[0]
    schema["properties"]["objectives"]["maxItems"] = limit


def _too_many_key_results(schema: dict[str, Any], config: Config | None) -> None:
    limit = config.limits.key_results_per_objective if config is not None else _default_limits()[1]
    schema["$defs"]["Objective"]["properties"]["key_results"]["maxItems"] = limit


def _default_limits() -> tuple[int, int]:
    from okrctl.model.config import Limits

    limits = Limits()
    return limits.objectives_per_unit, limits.key_results_per_objective


def _period_mismatch(schema: dict[str, Any], config: Config | None) -> None:
    if config is not None:
        schema["properties"]["period"]["enum"] = [config.period, None]


def _orphan(schema: dict[str, Any], config: Config | None) -> None:
    """A unit other than the company names its parent; its objectives align to something."""
    aligned = {"required": ["aligns_to"], "properties": {"aligns_to": {"minItems": 1}}}
    others = [str(kind) for kind in Kind if kind is not Kind.COMPANY]
    _when_kind(
        schema,
        others,
        {
            "required": ["parent"],
            "properties": {"parent": {"type": "string"}, "objectives": {"items": aligned}},
        },
    )


def _unmeasurable(schema: dict[str, Any], config: Config | None) -> None:
    """Each objective has key results; each KPI its healthy band; each key result exactly one
    shape: a number, a band, a milestone, or a score from its supporters. (That a baseline and
    its target differ is left to `check`: a schema cannot compare two fields.)"""
    objective = schema["$defs"]["Objective"]
    objective["required"] = [*objective["required"], "key_results"]
    objective["properties"]["key_results"]["minItems"] = 1
    kpi = schema["$defs"]["Kpi"]
    kpi["required"] = [*kpi["required"], "healthy"]
    kpi.setdefault("allOf", []).append({"properties": {"healthy": {"not": NOT_SET}}})
    score_of = {"type": "object", "required": ["score"]}
    number = {
        "required": ["baseline", "target"],
        "properties": {
            "from": {"not": score_of},
            "baseline": {"not": NOT_SET},
            "target": {"not": NOT_SET},
            "keep": NOT_SET,
            "milestone": {"const": False},
            "done": NOT_SET,
        },
    }
    band = {
        "required": ["keep"],
        "properties": {
            "keep": {"not": NOT_SET},
            "baseline": NOT_SET,
            "target": NOT_SET,
            "milestone": {"const": False},
            "done": NOT_SET,
        },
    }
    milestone = {
        "required": ["milestone"],
        "properties": {
            "milestone": {"const": True},
            "baseline": NOT_SET,
            "target": NOT_SET,
            "keep": NOT_SET,
        },
    }
    scored = {  # `from: {score: supporters}`: counts from 0 to 1, writes no numbers of its own
        "required": ["from"],
        "properties": {
            "from": score_of,
            "baseline": NOT_SET,
            "target": NOT_SET,
            "keep": NOT_SET,
            "milestone": {"const": False},
            "done": NOT_SET,
        },
    }
    schema["$defs"]["KeyResult"].setdefault("allOf", []).append(
        {"oneOf": [number, band, milestone, scored]}
    )


FILE_RULES = {
    "missing-why": _missing_why,
    "no-source": _no_source,
    "too-many-objectives": _too_many_objectives,
    "too-many-key-results": _too_many_key_results,
    "period-mismatch": _period_mismatch,
    "orphan": _orphan,
    "unmeasurable": _unmeasurable,
}
"""The rules one file can break on its own, and how its schema says so when they are errors.
The others (duplicate ids, references, cycles, support, self-set share, staleness) need the
other files or history: only `check` sees them."""


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


def schema_json(which: str = "unit", config: Config | None = None) -> str:
    """The schema as an editor reads it; a unit file's follows `config`'s severities."""
    schema = unit_schema(config) if which == "unit" else config_schema()
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"

"""The JSON Schemas editors read agree with `check`: what one refuses, the other refuses, and every
property carries a description for hover help."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from conftest import BASE, PROJECT_ROOT, findings, run_cli, write_repo
from okrctl.core.schema import config_schema, unit_schema
from okrctl.store.yamlread import read_document

TEAM_FILE = "goals/teams/signups.yaml"
KR = """\
kind: team
id: {id}
parent: growth
lead: sam
objectives:
  - id: funding
    title: {title}
    why: Funding is where people drop off.
    aligns_to: [{aligns}]
    key_results:
      - id: rate
        title: Rate
        baseline: 1
        target: 2
        current: {current}
        confidence: {confidence}
        weight: {weight}
        source: dashboard
"""
GOOD = {
    "id": "signups",
    "title": "Fund",
    "aligns": "growth/convert",
    "current": 1.5,
    "confidence": 0.5,
    "weight": 1,
}
CASES = {
    "good": {},
    "a number as a title": {"title": "2026"},
    "an id with capitals": {"id": "First_Team"},
    "the reserved id": {"id": "mission"},
    "confidence over 1": {"confidence": 7},
    "weight zero": {"weight": 0},
    "a number over 10^15": {"current": "1e16"},
    "a bad ref": {"aligns": "Growth/Convert"},
}


def _schema_errors(schema, data):
    return list(Draft202012Validator(schema).iter_errors(data))


@pytest.mark.parametrize("change", CASES.values(), ids=CASES.keys())
def test_the_unit_schema_refuses_exactly_what_check_refuses(tmp_path, change):
    text = KR.format(**{**GOOD, **change})
    data = read_document(text.encode()).data
    root = write_repo(tmp_path, {TEAM_FILE: text})
    _, found = findings(root)
    refused_by_check = any(rule == "schema" and file == TEAM_FILE for rule, file, _, _ in found)
    assert bool(_schema_errors(unit_schema(), data)) == refused_by_check
    assert refused_by_check == (change != {} and "title" not in change)


CONFIGS = {
    "the demo's": (PROJECT_ROOT / "okrctl.yaml").read_text(),
    "a fiscal month 13": "period: 2026-Q4\nfiscal_year_start: 13\n",
    "an unknown rule": "period: 2026-Q4\nrules: {missing-whyy: error}\n",
    "a bad severity": "period: 2026-Q4\nrules: {missing-why: loud}\n",
    "a negative stale_after_days": "period: 2026-Q4\nstale_after_days: -1\n",
    "a quarter 5": "period: 2026-Q5\n",
    "an unknown field": "period: 2026-Q4\nperiods: 2\n",
}


@pytest.mark.parametrize("text", CONFIGS.values(), ids=CONFIGS.keys())
def test_the_config_schema_refuses_exactly_what_okrctl_refuses(tmp_path, text):
    root = write_repo(tmp_path, {**BASE, "okrctl.yaml": text})
    refused = run_cli("check", "--repo", root).exit_code == 2
    data = read_document(text.encode()).data
    assert bool(_schema_errors(config_schema(), data)) == refused
    assert refused == (text is not CONFIGS["the demo's"])


def test_the_demo_is_valid_against_the_unit_schema():
    for path in (PROJECT_ROOT / "goals").rglob("*.yaml"):
        assert _schema_errors(unit_schema(), read_document(path.read_bytes()).data) == [], path


@pytest.mark.parametrize("schema", [unit_schema(), config_schema()], ids=["unit", "config"])
def test_every_property_has_a_description(schema):
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if "description" not in prop:
                    missing.append(f"{path}/{name}")
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(schema, "")
    assert missing == []


def test_schema_config_on_the_command_line():
    result = run_cli("schema", "config")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "okrctl.yaml"


@pytest.mark.parametrize(
    ("field", "value", "first_words"),
    [
        ("confidence", 2, "2 is greater than the maximum of 1"),
        ("confidence", -0.5, "-0.5 is less than the minimum of 0"),
        ("confidence", "high", "'high' is not of type 'number', 'null'"),
    ],
)
def test_a_validators_first_message_names_the_real_constraint(field, value, first_words):
    from jsonschema.exceptions import best_match

    data = read_document(BASE["goals/pillars/growth.yaml"].encode()).data
    data["objectives"][0]["key_results"][0][field] = value
    errors = list(Draft202012Validator(unit_schema()).iter_errors(data))
    assert errors, "the schema lets it through"
    assert best_match(errors).message == first_words
    def every(found):  # each error and every error under an anyOf, as an editor lists them
        for error in found:
            yield error
            yield from every(error.context or [])

    assert all("is not of type 'null'" not in error.message for error in every(errors))
    assert [error.message for error in errors] == [first_words]

"""The JSON Schemas editors read agree with `check`: what one refuses, the other refuses, and every
property carries a description for hover help."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from conftest import BASE, CONFIG, PROJECT_ROOT, findings, run_cli, write_repo
from okrctl.core.schema import config_schema, unit_schema
from okrctl.store.yaml.read import read_document

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
    "an escape in a title": {"title": '"Fund \\e]0;pwned\\a"'},
    "a C1 control in a title": {"title": '"Fund \\x9b31m"'},
    "a tab in a title": {"title": '"Fund\\tnow"'},
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
    accepted = ({}, CASES["a number as a title"], CASES["a tab in a title"])
    assert refused_by_check == (change not in accepted)


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


CONSTRAINTS = {"allOf", "oneOf", "if", "then", "not"}


@pytest.mark.parametrize("schema", [unit_schema(), config_schema()], ids=["unit", "config"])
def test_every_property_has_a_description(schema):
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                if "description" not in prop:
                    missing.append(f"{path}/{name}")
            for key, value in node.items():
                if key not in CONSTRAINTS:  # restate declared properties, with no new ones
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


STRICT_CONFIG = """\
company: Acme
period: 2026-Q4
limits: {objectives_per_unit: 2, key_results_per_objective: 2}
rules:
  missing-why: error
  no-source: error
  too-many-objectives: error
  too-many-key-results: error
  period-mismatch: error
"""
GOOD_TEAM = """\
kind: team
id: {id}
parent: growth
lead: sam
period: 2026-Q4
objectives:
  - id: funding
    title: Effortless funding
    why: Funding is where people drop off.
    aligns_to: [growth/convert]
    key_results:
      - id: ach
        title: Ship instant ACH
        milestone: true
        done: false
        source: release notes
      - id: rate
        title: Funded share from 40 to 50
        baseline: 40
        target: 50
        source: funnel dashboard
kpis:
  - id: latency
    title: Funding latency
    why: Slow funding loses people.
    healthy: {max: 3}
    source: ops dashboard
"""
WHY = "    why: Funding is where people drop off.\n"
KPI_WHY = "    why: Slow funding loses people.\n"
BAND = "        keep: {min: 1, max: 3}\n"
THIRD_OBJECTIVE = """\
  - id: second
    title: Second
    why: Because.
    aligns_to: [growth/convert]
    key_results:
      - {id: a, title: A, milestone: true, source: notes}
  - id: third
    title: Third
    why: Because.
    aligns_to: [growth/convert]
    key_results:
      - {id: a, title: A, milestone: true, source: notes}
kpis:
"""
BROKEN = {  # name: (change to GOOD_TEAM, refused where the rule is an error, refused by default)
    "good": ((), False, False),
    "an objective without why": (((WHY, ""),), True, False),
    "a blank why": (((WHY, "    why: '  '\n"),), True, False),
    "a KPI without why": (((KPI_WHY, ""),), True, False),
    "a key result without source": ((("        source: release notes\n", ""),), True, False),
    "a KPI without source": ((("    source: ops dashboard\n", ""),), True, False),
    "three objectives": (((("kpis:\n", THIRD_OBJECTIVE),)), True, False),
    "three key results": (
        (
            (
                "        source: funnel dashboard\n",
                "        source: x\n"
                + BAND.replace(
                    "        keep",
                    "      - id: band\n        title: Band\n        source: y\n        keep",
                ),
            ),
        ),
        True,
        False,
    ),
    "last quarter's period": ((("period: 2026-Q4", "period: 2026-Q3"),), True, False),
    "no period at all": ((("period: 2026-Q4\n", ""),), False, False),
    "no parent": ((("parent: growth\n", ""),), True, True),
    "an objective aligned to nothing": ((("    aligns_to: [growth/convert]\n", ""),), True, True),
    "an objective with no key results": (
        (
            (
                "kpis:\n",
                "  - id: empty\n    title: Empty\n    why: Because.\n"
                "    aligns_to: [growth/convert]\n    key_results: []\nkpis:\n",
            ),
        ),
        True,
        True,
    ),
    "a baseline without target": ((("        target: 50\n", ""),), True, True),
    "a number with a band": (
        (("        target: 50\n", "        target: 50\n" + BAND),),
        True,
        True,
    ),
    "a milestone with a target": (
        (("        done: false\n", "        done: false\n        target: 3\n"),),
        True,
        True,
    ),
    "done on a number": (
        (("        target: 50\n", "        target: 50\n        done: true\n"),),
        True,
        True,
    ),
    "a score from supporters with its own target": (
        (("        target: 50\n", "        target: 50\n        from: {score: supporters}\n"),),
        True,
        True,
    ),
    "a KPI without healthy bounds": ((("    healthy: {max: 3}\n", ""),), True, True),
    "a mission in a team": ((("lead: sam\n", "lead: sam\nmission: Win.\n"),), True, True),
    "confidence 2": (
        (("        source: funnel dashboard\n", "        source: f\n        confidence: 2\n"),),
        True,
        True,
    ),
}


def _broken_team(unit_id: str, changes) -> str:
    text = GOOD_TEAM.replace("{id}", unit_id)
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


@pytest.mark.parametrize("strict", [True, False], ids=["rules as errors", "default rules"])
def test_the_repositorys_schema_and_check_agree_on_twenty_broken_files(tmp_path, strict):
    """Each file on its own: `check` calls it an error exactly when the schema `okrctl schema`
    writes for that repository refuses it (as yaml-language-server would)."""
    files = {
        f"goals/teams/t{i}.yaml": _broken_team(f"t{i}", c)
        for i, (c, _, _) in enumerate(BROKEN.values())
    }
    config = STRICT_CONFIG if strict else CONFIG
    root = write_repo(tmp_path, {"okrctl.yaml": config, **files})
    payload = run_cli("check", "--repo", root, "--format", "json").json()
    errors_in = {f["file"] for f in payload["findings"] if f["severity"] == "error"}
    schema = json.loads(run_cli("schema", "--repo", root).stdout)
    verdicts = {}
    for (name, (_, when_strict, by_default)), (path, text) in zip(
        BROKEN.items(), files.items(), strict=True
    ):
        refused = bool(_schema_errors(schema, read_document(text.encode()).data))
        verdicts[name] = (path in errors_in, refused)
        assert (path in errors_in) == (when_strict if strict else by_default), (name, payload)
    assert {name for name, (c, s) in verdicts.items() if c != s} == set(), verdicts


def test_init_makes_every_why_an_error_and_its_schema_requires_it(tmp_path):
    run_cli("init", tmp_path)
    assert "missing-why: error" in (tmp_path / "okrctl.yaml").read_text()
    schema = json.loads((tmp_path / ".okrctl/unit.schema.json").read_text())
    assert "why" in schema["$defs"]["Objective"]["required"]
    assert schema == json.loads(run_cli("schema", "--repo", tmp_path).stdout)
    outside = json.loads(run_cli("schema").stdout)  # from the project: the demo's defaults
    assert "why" not in outside["$defs"]["Objective"]["required"]


MODELINE = "# yaml-language-server: $schema="


@pytest.mark.slow
def test_okrctl_demo_validates_in_an_editor(tmp_path):
    """Each file of `okrctl demo` names its schema on its first line, the schema is there, and
    the file passes it, as yaml-language-server would check it."""
    demo = tmp_path / "demo"
    assert run_cli("demo", demo).exit_code == 0
    files = [demo / "okrctl.yaml", *sorted((demo / "goals").rglob("*.yaml"))]
    assert len(files) > 10
    for path in files:
        first = path.read_text().splitlines()[0]
        assert first.startswith(MODELINE), path
        schema_path = (path.parent / first[len(MODELINE) :]).resolve()
        schema = json.loads(schema_path.read_text())
        expected = "config" if path.name == "okrctl.yaml" else "unit"
        assert schema_path == demo / ".okrctl" / f"{expected}.schema.json"
        assert _schema_errors(schema, read_document(path.read_bytes()).data) == [], path
    assert run_cli("status", "--repo", demo).exit_code == 0


@pytest.mark.parametrize("which", ["unit", "config"])
def test_the_checkouts_editor_schemas_are_current(which):
    """The demo in this checkout names `.okrctl/` too: regenerate with
    `okrctl schema [config] -o .okrctl/<which>.schema.json` when the model or the rules change."""
    kept = (PROJECT_ROOT / ".okrctl" / f"{which}.schema.json").read_text()
    assert kept == run_cli("schema", which, "--repo", PROJECT_ROOT).stdout

"""Mutated YAML thrown at the loader and at `check`: exit 0 or 1, never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROJECT_ROOT, copy_demo, run_cli
from okrctl.store.yaml.read import YamlProblem, read_document

DEMO_FILES = sorted((PROJECT_ROOT / "goals").rglob("*.yaml"))
YAML_NOISE = [
    *list(":-[]{},&*!|>'\"#%@`?\t\n \\\ufeff\x00\x85"),
    "<<: ",
    "- ",
    "  ",
    "\r\n",
    "é",
    "yes",
]


@st.composite
def mutated_yaml(draw: st.DrawFn) -> tuple[Path, bytes]:
    path = draw(st.sampled_from(DEMO_FILES))
    text = path.read_bytes()
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate", "bytes"]))
        if action == "insert":
            text = text[:position] + draw(st.sampled_from(YAML_NOISE)).encode() + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 40)) :]
        elif action == "duplicate":
            text = text[:position] + text[position : position + 60] + text[position:]
        else:
            text = text[:position] + draw(st.binary(min_size=1, max_size=4)) + text[position:]
    return path, text


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_reader_accepts_or_refuses_any_bytes(raw):
    try:
        read_document(raw)
    except YamlProblem as problem:
        assert problem.position.line >= 1 and problem.position.column >= 1


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_yaml())
def test_check_survives_mutated_goals(mutation):
    path, text = mutation
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        copy_demo(root)
        (root / path.relative_to(PROJECT_ROOT)).write_bytes(text)
        result = run_cli("check", "--repo", root, "--format", "json")  # a traceback fails here
        assert result.exit_code in (0, 1)
        payload = result.json()
        assert result.exit_code == (1 if payload["errors"] else 0)
        for finding in payload["findings"]:
            assert finding["line"] >= 1 and finding["column"] >= 1

"""The reader: YAML 1.2 core scalars, positions by path, safe refusals."""

from __future__ import annotations

import math

import pytest

from okrctl.diagnostics import Position
from okrctl.yamlread import YamlProblem, read_document


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("~", None),
        ("null", None),
        ("", None),
        ("2026", 2026),
        ("-3", -3),
        ("0o17", 15),
        ("0x1f", 31),
        ("010", 10),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("2026-11-15", "2026-11-15"),
        ("12:30", "12:30"),
        ("1_000", "1_000"),
        ('"true"', "true"),
        ("'38'", "38"),
        ("!!str 3", "3"),
        ("!!float 3", 3.0),
    ],
)
def test_core_schema_scalars(text, value):
    assert read_document(f"v: {text}\n".encode()).data == {"v": value}


def test_infinity_and_nan_are_read_as_floats():
    data = read_document(b"a: .inf\nb: -.Inf\nc: .nan\n").data
    assert data["a"] == math.inf and data["b"] == -math.inf and math.isnan(data["c"])


def test_positions_by_path():
    document = read_document(b"kind: team\nobjectives:\n  - id: x\n    aligns_to: [a, b]\n")
    source = document.source
    assert source.at("objectives", 0) == Position(3, 5)
    assert source.at("objectives", 0, "aligns_to", 1) == Position(4, 20)
    assert source.key_at("objectives", 0, "aligns_to") == Position(4, 5)
    assert source.at("objectives", 0, "missing", 3) == Position(3, 5)


def test_bad_explicit_tag_value():
    with pytest.raises(YamlProblem) as caught:
        read_document(b"a: !!int seven\n")
    assert caught.value.position == Position(1, 4)

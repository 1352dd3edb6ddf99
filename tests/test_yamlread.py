"""The reader: YAML 1.2 core scalars, positions by path, safe refusals."""

from __future__ import annotations

import math

import pytest

from conftest import PROJECT_ROOT
from okrctl.model.findings import Position
from okrctl.store.yaml import read as yamlread
from okrctl.store.yaml.read import YamlProblem, read_document


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
        ("+7", 7),
        ("-0", 0),
        ("1.", 1.0),
        ("-.5e-2", -0.005),
        ("1E3", 1000.0),
        ("-0x1f", "-0x1f"),
        ("0X1F", "0X1F"),
        ("0o8", "0o8"),
        ("0x", "0x"),
        ("1e", "1e"),
        ("+", "+"),
        (".", "."),
        ("١٢", "١٢"),
        ("nULL", "nULL"),
        ("inf", "inf"),
        ("+.inf", math.inf),
        ("9" * 5000, math.inf),
        ("-" + "9" * 5000, -math.inf),
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


ODD_KEYS = (
    b'"#1": hash\n'
    b'"1": digit\n'
    b'"": empty\n'
    b'"\\\\": backslash\n'
    b'"a\\tb": [1, [2, 3], {x: y}]\n'
    b'"a\\x1fb": separator\n'
    b'"k\\nl": newline\n'
    b'"\\x00": nul\n'
    b'"\xc3\xa9 \xc3\xbc": accents\n'
    b'list:\n  - - a\n    - b\n  - {"#0": w}\n'
)


@pytest.mark.parametrize(
    ("path", "key", "value"),
    [
        (("#1",), (1, 1), (1, 7)),
        (("1",), (2, 1), (2, 6)),
        (("",), (3, 1), (3, 5)),
        (("\\",), (4, 1), (4, 7)),
        (("a\tb", 1, 0), None, (5, 14)),
        (("a\tb", 2, "x"), (5, 22), (5, 25)),
        (("a\x1fb",), (6, 1), (6, 11)),
        (("k\nl",), (7, 1), (7, 9)),
        (("\x00",), (8, 1), (8, 9)),
        (("é ü",), (9, 1), (9, 8)),
        (("list", 0, 1), None, (12, 7)),
        (("list", 1, "#0"), (13, 6), (13, 12)),
    ],
)
def test_positions_of_keys_that_look_like_indexes_or_hold_separators(path, key, value):
    """A key is never mistaken for a list index or another key, whatever characters it holds."""
    for source in (
        read_document(ODD_KEYS).source,
        yamlread.parse_text(yamlread.decode(ODD_KEYS), positions=False).source,  # composed late
    ):
        assert source.at(*path) == Position(*value)
        assert source.key_at(*path) == Position(*(key or value))


def test_a_missing_step_falls_back_to_the_nearest_node_that_exists():
    source = read_document(ODD_KEYS).source
    assert source.at("list", 1, 0) == Position(13, 5)  # a mapping has no index 0
    assert source.at("#0") == Position(1, 1)  # no top-level key "#0": the document
    assert source.at("list", True) == source.at("list", 1) == Position(13, 5)  # as dict keys
    assert source.at("list", 1.5) == Position(11, 3)  # no such index: "list" itself
    assert read_document(b"").source.at("anything") == Position(1, 1)
    assert read_document(b"just text\n").source.at() == Position(1, 1)


def every_path(data: object, path: tuple = ()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from every_path(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from every_path(value, (*path, index))


def test_a_look_up_answers_the_same_in_any_order():
    """A source map searches on from the last record it found (callers mostly ask in the
    file's order): in order, backwards, shuffled and with misses between, each answer is the
    one a fresh map gives, for every node and mapping key of every demo file."""
    import random

    from okrctl.store.yaml.read import SourceMap

    files = sorted((PROJECT_ROOT / "goals").rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        document = read_document(path.read_bytes())
        index = document.source.pack()
        paths = [*every_path(document.data), ("missing",), ("objectives", 99, "id")]
        shuffled = random.Random(path.name).sample(paths, len(paths))
        for order in (paths, paths[::-1], shuffled):
            reused = SourceMap(index=index)
            for node in order:
                fresh = SourceMap(index=index)
                assert reused.at(*node) == fresh.at(*node), (path, node)
                assert reused.key_at(*node) == SourceMap(index=index).key_at(*node)
                assert reused.entry_lines(*node) == SourceMap(index=index).entry_lines(*node)


@pytest.mark.parametrize("pure", [False, True], ids=["c-parser", "pure-parser"])
def test_a_tagged_list_or_mapping_is_read_only_with_the_core_tags(pure, monkeypatch):
    """`!!map`, `!!seq` and the bare `!` change nothing; any other tag on a collection (a set,
    an application's own) is refused where it stands, by either parser."""
    monkeypatch.setattr(yamlread, "PURE_PARSER", pure)
    assert read_document(b"a: !!map {x: 1}\nb: !!seq [1]\nc: ! [2]\n").data == {
        "a": {"x": 1},
        "b": [1],
        "c": [2],
    }
    for text, tag in [
        (b"a: !!set {x: null}\n", "tag:yaml.org,2002:set"),
        (b"a: !app [1]\n", "!app"),
    ]:
        with pytest.raises(YamlProblem) as caught:
            read_document(text)
        assert caught.value.message == f"the tag {tag!r} is not supported; remove it"
        assert caught.value.position == Position(1, 4)


def test_bad_explicit_tag_value():
    with pytest.raises(YamlProblem) as caught:
        read_document(b"a: !!int seven\n")
    assert caught.value.position == Position(1, 4)


HOSTILE_YAML = [
    "a: &x [1, 2]\nb: *x\n",
    "a: 1\n<<: {b: 2}\n",
    "a: 1\na: 2\n",
    "a:\n\t- 1\n",
    "[" * 40 + "]" * 40,
    "a: !!python/object:os.system ls\n",
    "a: [1, 2\n",
    "--- {a: 1}\n--- {b: 2}\n",
]


@pytest.mark.parametrize("text", HOSTILE_YAML)
def test_the_pure_python_parser_refuses_what_the_c_parser_refuses(text, monkeypatch):
    with pytest.raises(YamlProblem) as c_parser:
        read_document(text.encode())
    monkeypatch.setattr(yamlread, "PURE_PARSER", True)
    with pytest.raises(YamlProblem) as pure_parser:
        read_document(text.encode())
    assert pure_parser.value.position == c_parser.value.position
    if c_parser.value.message.startswith("YAML syntax error"):  # libyaml words these its own way
        assert pure_parser.value.message.startswith("YAML syntax error")
    else:
        assert pure_parser.value.message == c_parser.value.message


def test_the_pure_python_parser_reads_the_demo_exactly_as_the_c_parser(monkeypatch):
    files = sorted((PROJECT_ROOT / "goals").rglob("*.yaml"))
    with_c = [read_document(path.read_bytes()) for path in files]
    monkeypatch.setattr(yamlread, "PURE_PARSER", True)
    for path, document in zip(files, with_c, strict=True):
        again = read_document(path.read_bytes())
        assert again.data == document.data, path
        assert again.source.pack() == document.source.pack(), path

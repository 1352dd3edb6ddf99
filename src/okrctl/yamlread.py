"""Read one YAML document fast and safely, remembering where every key and value came from.

The data is composed from libyaml's event stream (PyYAML's C parser) rather than by a loader,
for three reasons:

- one pass refuses anchors, aliases, duplicate keys, unknown tags and nesting deeper than
  `MAX_DEPTH` as soon as they appear, before anything can expand an alias bomb or recurse
  50,000 levels deep (the C composer segfaults there; libyaml's scanner slows quadratically
  with depth, so stopping early keeps even a 2 MB `[[[[...` file to milliseconds);
- scalars resolve by the YAML 1.2 core schema (only `true`/`false` are booleans, dates stay
  strings), whatever YAML 1.1 habits PyYAML's own resolver has;
- positions are recorded by path (`("objectives", 0, "title")`), so a pydantic error's `loc`
  maps straight back to a line and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from okrctl.diagnostics import START, Position

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32

Path = tuple[Hashable, ...]

_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT10 = re.compile(r"[-+]?[0-9]+\Z")
_INT8 = re.compile(r"0o[0-7]+\Z")
_INT16 = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"([-+]?)\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")

_TAG_PREFIX = "tag:yaml.org,2002:"
_SCALAR_TAGS = {"str", "int", "float", "bool", "null"}


class YamlProblem(Exception):
    """The text cannot be read as a safe YAML document; `position` says where."""

    def __init__(self, message: str, position: Position = START) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(slots=True)
class SourceMap:
    """Where each node of a document starts: values and mapping keys, by path."""

    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)

    def at(self, *path: Hashable) -> Position:
        """The value at `path`, or the nearest enclosing node that exists."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return START

    def key_at(self, *path: Hashable) -> Position:
        """The key of the mapping entry at `path`, else the value's position."""
        found = self.keys.get(path)
        return found if found is not None else self.at(*path)


@dataclass(slots=True)
class Document:
    data: Any
    source: SourceMap
    text: str


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM is fine), CRLF folded to LF; bad bytes are a located problem."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise YamlProblem(
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8",
            Position(line, column),
        ) from None
    return text.replace("\r\n", "\n")


def read_document(raw: bytes) -> Document:
    """Decode and compose one document; raise `YamlProblem` for anything unsafe or malformed."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(
            f"the file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; split it"
        )
    return parse_text(decode(raw))


def parse_text(text: str) -> Document:
    """Compose already-decoded text; raise `YamlProblem` for anything unsafe or malformed."""
    source = SourceMap()
    data = _compose(text, source)
    return Document(data=data, source=source, text=text)


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def resolve_plain(value: str) -> Any:
    """YAML 1.2 core schema resolution of an untagged plain scalar."""
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT10.match(value):
        return int(value)
    if _INT8.match(value):
        return int(value[2:], 8)
    if _INT16.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    inf = _INF.match(value)
    if inf:
        return -math.inf if inf.group(1) == "-" else math.inf
    if _NAN.match(value):
        return math.nan
    return value


def _resolve_tagged(value: str, tag: str, position: Position) -> Any:
    name = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else None
    if tag == "!" or name == "str":
        return value
    if name not in _SCALAR_TAGS:
        raise YamlProblem(f"the tag {tag!r} is not supported; remove it", position)
    resolved = resolve_plain(value)
    expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}[name]
    if (isinstance(resolved, bool) and name != "bool") or not isinstance(resolved, expected):
        raise YamlProblem(f"{value!r} is not a valid !!{name}", position)
    return float(resolved) if name == "float" else resolved


def _check_node(event: Any, depth: int) -> None:
    if event.anchor is not None:
        raise YamlProblem(
            f"anchors (&{event.anchor}) are not supported: write the value out in full",
            _position(event.start_mark),
        )
    if depth > MAX_DEPTH:
        raise YamlProblem(
            f"nesting deeper than {MAX_DEPTH} levels; a unit file needs fewer than ten",
            _position(event.start_mark),
        )


def _compose(text: str, source: SourceMap) -> Any:
    import yaml
    from yaml.cyaml import CParser

    parser = CParser(text)
    try:
        return _compose_events(parser, source)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_problem(exc, text) from None
    except yaml.YAMLError as exc:  # unmarked: rare reader errors
        raise YamlProblem(f"YAML error: {exc}") from None
    finally:
        parser.dispose()


def _syntax_problem(exc: Any, text: str) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    position = _position(mark) if mark is not None else START
    lines = text.split("\n")
    line = lines[position.line - 1] if position.line <= len(lines) else ""
    if "\t" in line[: position.column] or line[position.column - 1 : position.column] == "\t":
        tab_column = line.index("\t") + 1
        return YamlProblem(
            "a tab character is used for indentation; YAML needs spaces",
            Position(position.line, tab_column),
        )
    problem = (exc.problem or "syntax error").strip()
    context = f" {exc.context.strip()}" if exc.context else ""
    return YamlProblem(f"YAML syntax error: {problem}{context}", position)


class _Frame:
    __slots__ = ("container", "key", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: Path) -> None:
        self.container = container
        self.path = path
        self.key: str | None = None


def _compose_events(parser: Any, source: SourceMap) -> Any:
    import yaml

    values, keys = source.values, source.keys
    stack: list[_Frame] = []
    root: Any = None
    documents = 0

    def attach(value: Any, position: Position) -> _Frame | None:
        """Place a finished value in its parent; returns the parent frame."""
        nonlocal root
        if not stack:
            root = value
            values[()] = position
            return None
        top = stack[-1]
        if isinstance(top.container, list):
            path = (*top.path, len(top.container))
            top.container.append(value)
        else:
            assert top.key is not None
            path = (*top.path, top.key)
            top.container[top.key] = value
            top.key = None
        values[path] = position
        return top

    def child_path() -> Path:
        top = stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container))
        assert top.key is not None
        return (*top.path, top.key)

    while True:
        event = parser.get_event()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            _check_node(event, len(stack) + 1)
            position = _position(event.start_mark)
            top = stack[-1] if stack else None
            if top is not None and isinstance(top.container, dict) and top.key is None:
                key = event.value
                if key == "<<":
                    raise YamlProblem(
                        "merge keys (<<) are not supported: write the fields out", position
                    )
                key_path = (*top.path, key)
                if key_path in keys:
                    first = keys[key_path]
                    raise YamlProblem(
                        f"duplicate key {key!r} (first at line {first.line}); keep one",
                        position,
                    )
                keys[key_path] = position
                top.key = key
                continue
            if event.tag is not None:
                value = _resolve_tagged(event.value, event.tag, position)
            elif event.implicit[0]:  # untagged plain scalar
                value = resolve_plain(event.value)
            else:
                value = event.value
            attach(value, position)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            _check_node(event, len(stack) + 1)
            position = _position(event.start_mark)
            if event.tag is not None and event.tag not in (
                _TAG_PREFIX + "map",
                _TAG_PREFIX + "seq",
                "!",
            ):
                raise YamlProblem(f"the tag {event.tag!r} is not supported; remove it", position)
            if stack and isinstance(stack[-1].container, dict) and stack[-1].key is None:
                raise YamlProblem("keys must be plain text, not lists or mappings", position)
            container: dict[str, Any] | list[Any] = {} if kind is yaml.MappingStartEvent else []
            path = child_path() if stack else ()
            values[path] = position
            stack.append(_Frame(container, path))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            attach(frame.container, values[frame.path])
        elif kind is yaml.AliasEvent:
            raise YamlProblem(
                f"aliases (*{event.anchor}) are not supported: write the value out in full",
                _position(event.start_mark),
            )
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise YamlProblem(
                    "more than one YAML document (---) in the file; put each unit in its own file",
                    _position(event.start_mark),
                )
        elif kind is yaml.StreamEndEvent:
            return root

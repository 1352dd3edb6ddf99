"""Read one YAML document fast and safely, remembering where every key and value came from.

The data is composed from libyaml's event stream (ruamel.yaml's C parser, see `yamlevents`)
rather than by a loader, for three reasons:

- one pass refuses anchors, aliases, duplicate keys, unknown tags and nesting deeper than
  `MAX_DEPTH` as soon as they appear, before anything can expand an alias bomb or recurse
  50,000 levels deep (the C composer segfaults there; libyaml's scanner slows quadratically
  with depth, so stopping early keeps even a 2 MB `[[[[...` file to milliseconds);
- scalars resolve by the YAML 1.2 core schema (only `true`/`false` are booleans, dates stay
  strings), whatever habits a library's own resolver has;
- positions are recorded by path (`("objectives", 0, "title")`), so a pydantic error's `loc`
  maps straight back to a line and column.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from okrctl.model.controls import visible_line
from okrctl.model.findings import START, Position
from okrctl.store.yaml.scalars import MAYBE_SPECIAL, resolve_plain

MAX_FILE_BYTES = 2 * 1024 * 1024
TOO_BIG = f"the file is over the {MAX_FILE_BYTES:,}-byte limit; split it into several units"
"""What a goals file larger than that is told, wherever it is read."""
MAX_DEPTH = 32


_TAG_PREFIX = "tag:yaml.org,2002:"
_SCALAR_TAGS = {"str", "int", "float", "bool", "null"}


class YamlProblem(Exception):
    """The text cannot be read as a safe YAML document; `position` says where."""

    def __init__(self, message: str, position: Position = START) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


Mark = tuple[int, int]
"""A 0-based (line, column), as libyaml reports it; stored raw because a document has a
position per node and building objects for all of them costs more than parsing."""


@dataclass(slots=True)
class SourceMap:
    """Where each node of a document starts: values and mapping keys, by path.

    The positions are one string, a record per node: `\\n<path>\\t<line> <column>` (0-based,
    as libyaml counts), the key's line and column before the value's for a mapping entry. A
    look-up is one `str.find`, and the parse cache keeps the string as it is: a warm run with
    thousands of findings builds no object per node, only the few positions asked for. Built
    lazily: when `pending` holds the text, it is composed (once) when a position is first asked
    for, since most runs need the positions of only the few nodes that have findings."""

    index: str = ""
    pending: str | None = None
    known: dict[tuple[Hashable, ...], Position] | None = field(
        default=None, compare=False, repr=False
    )
    """The positions `at` found, for a map a long-lived process keeps from one command to the
    next (`store/rereads.py`): its next commands ask for the same nodes (None: not kept)."""
    near: int = field(default=0, compare=False, repr=False)
    """Where the last record found ends: the next look-up searches on from there first, since
    callers mostly ask for nodes in the file's order (`stale`'s thousands of findings: each
    search was a scan from the file's start, 2 KB on average)."""

    def _ready(self) -> None:
        if self.pending is not None:
            text, self.pending = self.pending, None
            _compose(text, self)

    def pack(self) -> str:
        """The positions as the parse cache keeps them, beside the unit they belong to."""
        self._ready()
        return self.index

    def at(self, *path: Hashable) -> Position:
        """The value at `path`, or the nearest enclosing node that exists."""
        known = self.known
        if known is not None:
            position = known.get(path)
            if position is None:
                position = known[path] = self._at(path)
            return position
        return self._at(path)

    def _at(self, path: tuple[Hashable, ...]) -> Position:
        if self.pending is not None:
            self._ready()
        for end in range(len(path), -1, -1):
            found = self._record(path[:end])
            if found is not None:
                return Position(int(found[-2]) + 1, int(found[-1]) + 1)
        return START

    def entry_lines(self, *path: Hashable) -> tuple[int, int] | None:
        """The 1-based lines of a mapping entry's key and of its value; None when `path` is
        not a mapping entry. One look-up (`at` and `key_at` walk up to the nearest node)."""
        if self.pending is not None:
            self._ready()
        found = self._record(path)
        if found is None or len(found) != 4:
            return None
        return int(found[0]) + 1, int(found[2]) + 1

    def key_at(self, *path: Hashable) -> Position:
        """The key of the mapping entry at `path`, else the value's position."""
        if self.pending is not None:
            self._ready()
        found = self._record(path)
        if found is not None and len(found) == 4:
            return Position(int(found[0]) + 1, int(found[1]) + 1)
        return self.at(*path)

    def _record(self, path: tuple[Hashable, ...]) -> list[str] | None:
        """The marks of the node at `path`, as text; None when absent."""
        needle = _NEEDLES.get(path)
        if needle is None:
            needle = f"\n{encode_path(path)}\t"
            if "\x00" not in needle and len(_NEEDLES) < 100_000:  # files share their shapes
                _NEEDLES[path] = needle
        index = self.index
        found = _span(index, needle, self.near)
        if found is None:
            return None
        start, self.near = found
        return index[start : self.near].split(" ")


def _marks(index: str, needle: str) -> list[str] | None:
    found = _span(index, needle)
    return None if found is None else index[found[0] : found[1]].split(" ")


def _span(index: str, needle: str, near: int = 0) -> tuple[int, int] | None:
    """Where the marks of the record headed `needle` (`\n<path>\t`) start and end in `index`.
    A head is in the index once: searched from `near` on, then before it (where every record
    ends by `near`), it is found wherever it is."""
    start = index.find(needle, near)
    if start < 0:
        start = index.find(needle, 0, near)
        if start < 0:
            return None
    start += len(needle)
    end = index.find("\n", start)
    return start, end if end >= 0 else len(index)


_NEEDLES: dict[tuple[Hashable, ...], str] = {}
_PLAIN_KEY = re.compile(r"[^#\\\x00-\x1f][^\\\x00-\x1f]*").fullmatch
_KEYS: dict[str, str] = {}


def _encode_key(key: str) -> str:
    """A mapping key as a path step: itself when plain (the usual case, remembered), else
    escaped behind a backslash, so no step holds a separator and none looks like an index."""
    found = _KEYS.get(key)
    if found is None:
        found = key if _PLAIN_KEY(key) else "\\" + key.encode("unicode_escape").decode("ascii")
        if len(_KEYS) < 100_000:  # the keys of a hostile file do not grow it forever
            _KEYS[key] = found
    return found


def encode_path(path: tuple[Hashable, ...]) -> str:
    """A path as the index spells it: steps joined by \\x1f, a list index as `#N`. A step equal
    to an index is that index, as for a dict key (`True` and `1.0` are `1`); any other step
    (never recorded) is \\x00, which matches nothing."""
    return "\x1f".join([_encode_key(step) if type(step) is str else _odd(step) for step in path])


def _odd(step: Hashable) -> str:
    if isinstance(step, int) or (isinstance(step, float) and step.is_integer()):
        return f"#{int(step)}"
    return "\x00"


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


def read_document(raw: bytes, *, positions: bool = True) -> Document:
    """Decode and compose one document; raise `YamlProblem` for anything unsafe or malformed."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(
            f"the file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit; split it"
        )
    return parse_text(decode(raw), positions=positions)


def parse_text(text: str, *, positions: bool = True) -> Document:
    """Compose already-decoded text; raise `YamlProblem` for anything unsafe or malformed.
    Without `positions`, they are read later, only if asked for (see SourceMap)."""
    if positions:
        source = SourceMap()
        return Document(data=_compose(text, source), source=source, text=text)
    try:
        data = _compose(text, None)
    except YamlProblem:
        _compose(text, SourceMap())  # the same problem, located precisely
        raise
    return Document(data=data, source=SourceMap(pending=text), text=text)


def _position(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _resolve_tagged(value: str, tag: str, position: Position) -> Any:
    name = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else None
    if tag == "!" or name == "str":
        return value
    if name not in _SCALAR_TAGS:
        raise YamlProblem(f"the tag {tag!r} is not supported; remove it", position)
    resolved = resolve_plain(value)
    kinds: dict[str, type | tuple[type, ...]] = {
        "int": int,
        "float": (int, float),
        "bool": bool,
        "null": type(None),
    }
    expected = kinds[name]
    if (isinstance(resolved, bool) and name != "bool") or not isinstance(resolved, expected):
        raise YamlProblem(f"{value!r} is not a valid !!{name}", position)
    if name == "float":
        assert isinstance(resolved, int | float)
        return float(resolved)
    return resolved


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


def _compose(text: str, source: SourceMap | None) -> Any:
    from okrctl.store.yaml import events as yamlevents

    parser = yamlevents.parser(text, pure=PURE_PARSER)
    try:
        return _compose_events(parser, source)
    except yamlevents.MarkedYAMLError as exc:
        raise _syntax_problem(exc, text) from None
    except yamlevents.YAMLError as exc:  # unmarked: a character YAML does not allow
        raise _reader_problem(exc, text) from None
    finally:
        parser.dispose()


PURE_PARSER = False
"""Read with ruamel's pure-Python parser even where the C one is installed (for tests)."""


def _reader_problem(exc: Any, text: str) -> YamlProblem:
    """A character YAML refuses in a file (a control character, such as an escape), located
    at its line and column from the offset the reader gives, and named by its code."""
    offset, character = getattr(exc, "position", None), getattr(exc, "character", None)
    if not isinstance(offset, int) or not 0 <= offset <= len(text):
        return YamlProblem(f"YAML error: {visible_line(str(exc))}")
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    code = character if isinstance(character, int) else ord(str(character)[:1] or "\0")
    reason = getattr(exc, "reason", None) or "it is not allowed"
    return YamlProblem(
        f"YAML error: the character #x{code:04x} is not allowed here ({reason}); remove it",
        Position(line, column),
    )


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
    started = exc.context_mark
    if context and started is not None and _position(started) != position:
        # where what never closed began: an unclosed quote is found only at the file's end
        begun = _position(started)
        context += f" that starts at line {begun.line}, column {begun.column}"
    return YamlProblem(f"YAML syntax error: {problem}{context}", position)


def _compose_events(parser: Any, source: SourceMap | None) -> Any:
    """Build the document from events; with a `source`, every node's start goes into its index.

    The hot path of every command: frames are plain lists [container, path prefix, key, is_map,
    key's marks] and the attach step is inlined, since this runs once per node of every file.
    Whether a node is tagged is read from the event's `ctag` slot: its `tag` property makes a
    string on every read (2 % of composing a file)."""
    from okrctl.store.yaml import events as y

    scalar, alias, stream_end = y.ScalarEvent, y.AliasEvent, y.StreamEndEvent
    map_start, seq_start = y.MappingStartEvent, y.SequenceStartEvent
    map_end, seq_end, document_start = y.MappingEndEvent, y.SequenceEndEvent, y.DocumentStartEvent
    track = source is not None
    records: list[str] = []
    record = records.append
    encode_key, keys = _encode_key, _KEYS
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    get_event = parser.get_event
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar:
            if event.anchor is not None or len(stack) >= MAX_DEPTH:
                _check_node(event, len(stack) + 1)
            if track:
                mark = event.start_mark
                position = (mark.line, mark.column)
            else:
                position = (0, 0)  # only an error needs it, and errors are located again
            if event.ctag is None and event.implicit[0]:
                text = event.value
                value = text if text and text[0] not in MAYBE_SPECIAL else resolve_plain(text)
            else:
                value = _scalar_value(event, position)
            if not stack:
                root = value
                if track:
                    record(f"\n\t{position[0]} {position[1]}")
                continue
            top = stack[-1]
            if top[3]:  # a mapping
                if top[2] is None:  # this scalar is a key
                    key = event.value
                    if key == "<<":
                        raise YamlProblem(
                            "merge keys (<<) are not supported: write the fields out",
                            _as_position(position),
                        )
                    if key in top[0]:
                        raise _duplicate_key(key, position, top[1], records if track else None)
                    top[2] = key
                    top[4] = position
                    continue
                if track:
                    marks = top[4]
                    key = top[2]
                    record(
                        f"\n{top[1]}{keys.get(key) or encode_key(key)}\t{marks[0]} {marks[1]} "
                        f"{position[0]} {position[1]}"
                    )
                top[0][top[2]] = value
                top[2] = None
            else:
                if track:
                    record(f"\n{top[1]}#{len(top[0])}\t{position[0]} {position[1]}")
                top[0].append(value)
        elif kind is map_start or kind is seq_start:
            if event.anchor is not None or len(stack) >= MAX_DEPTH:
                _check_node(event, len(stack) + 1)
            mark = event.start_mark
            position = (mark.line, mark.column) if track else (0, 0)
            if event.ctag is not None and event.tag not in (
                _TAG_PREFIX + "map",
                _TAG_PREFIX + "seq",
                "!",
            ):
                raise YamlProblem(
                    f"the tag {event.tag!r} is not supported; remove it", _as_position(position)
                )
            is_map = kind is map_start
            prefix = ""
            if stack:
                top = stack[-1]
                if top[3] and top[2] is None:
                    raise YamlProblem(
                        "keys must be plain text, not lists or mappings", _as_position(position)
                    )
                if track:
                    if top[3]:
                        key = top[2]
                        path = top[1] + (keys.get(key) or encode_key(key))
                        marks = top[4]
                        record(f"\n{path}\t{marks[0]} {marks[1]} {position[0]} {position[1]}")
                    else:
                        path = f"{top[1]}#{len(top[0])}"
                        record(f"\n{path}\t{position[0]} {position[1]}")
                    prefix = path + "\x1f"
            elif track:
                record(f"\n\t{position[0]} {position[1]}")
            stack.append([{} if is_map else [], prefix, None, is_map, None])
        elif kind is map_end or kind is seq_end:
            container = stack.pop()[0]
            if not stack:
                root = container
            else:
                top = stack[-1]
                if top[3]:
                    top[0][top[2]] = container
                    top[2] = None
                else:
                    top[0].append(container)
        elif kind is alias:
            raise YamlProblem(
                f"aliases (*{event.anchor}) are not supported: write the value out in full",
                _position(event.start_mark),
            )
        elif kind is document_start:
            documents += 1
            if documents > 1:
                raise YamlProblem(
                    "more than one YAML document (---) in the file; put each unit in its own file",
                    _position(event.start_mark),
                )
        elif kind is stream_end:
            if source is not None:
                source.index = "".join(records)
            return root


def _duplicate_key(key: str, position: Mark, prefix: str, records: list[str] | None) -> YamlProblem:
    """A second `key` in one mapping, saying where the first one is when positions are kept."""
    needle = f"\n{prefix}{_encode_key(key)}\t"
    first = _marks("".join(records), needle) if records is not None else None
    where = f" (first at line {int(first[0]) + 1})" if first is not None else ""
    return YamlProblem(f"duplicate key {key!r}{where}; keep one", _as_position(position))


def _as_position(mark: Mark) -> Position:
    return Position(mark[0] + 1, mark[1] + 1)


def _scalar_value(event: Any, position: Mark) -> Any:
    if event.tag is not None:
        return _resolve_tagged(event.value, event.tag, _as_position(position))
    if event.implicit[0]:  # untagged plain scalar
        return resolve_plain(event.value)
    return event.value

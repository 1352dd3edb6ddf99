"""YAML events from ruamel.yaml, the project's one YAML library: its C parser (the package
`ruamel.yaml.clib`) for speed, its pure-Python parser where the C extension is missing. Both
yield the same events, with marks (line, column, index) for every node, which the composer in
`yamlread` and the splicer in `splice` build on."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

__all__ = [
    "AliasEvent",
    "DocumentStartEvent",
    "MappingEndEvent",
    "MappingStartEvent",
    "MarkedYAMLError",
    "ScalarEvent",
    "SequenceEndEvent",
    "SequenceStartEvent",
    "StreamEndEvent",
    "YAMLError",
    "parser",
]

try:
    from _ruamel_yaml import CParser as _CParser  # ruamel.yaml.clib
except ImportError:  # pragma: no cover - exercised by the pure-Python test
    _CParser = None


class _PureParser:
    """ruamel.yaml's pure-Python parser behind the C parser's interface."""

    def __init__(self, text: str) -> None:
        from ruamel.yaml import YAML

        self._events = YAML(typ="safe", pure=True).parse(text)

    def get_event(self) -> Any:
        return next(self._events)

    def dispose(self) -> None:
        self._events.close()


def parser(text: str, *, pure: bool = False) -> Any:
    """A parser with `get_event()` and `dispose()` over `text`."""
    if _CParser is not None and not pure:
        return _CParser(text)
    return _PureParser(text)

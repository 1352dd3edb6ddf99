"""`okrctl fmt`: every goals file in one layout, through ruamel.yaml's round-trip, so comments,
blank lines, quoting and flow mappings survive.

The layout: keys in the order the model declares them (`kind`, `id`, `name`, ... for a unit;
`id`, `title`, `why`, ... for an objective, key result or KPI; unknown keys after them, as
written), two-space indentation with list dashes indented under their key, lines never re-wrapped,
and the file's own line endings and BOM. Formatting a formatted file changes nothing. A file that
does not read as a unit (`check`'s reader refuses it) is reported where it fails and left alone.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okrctl.model.findings import Position
from okrctl.store.yaml.read import YamlProblem, read_document

BOM = "\ufeff"


ORDER: dict[str, list[str]] = {
    # as docs/format.md lists them: what a thing is, then its numbers, then where they come from
    "unit": [
        "kind",
        "id",
        "name",
        "parent",
        "lead",
        "period",
        "mission",
        "vision",
        "bhag",
        "objectives",
        "kpis",
        "accomplishments",
        "email",
        "github",
    ],
    "objective": [
        "id",
        "title",
        "why",
        "type",
        "category",
        "origin",
        "aligns_to",
        "owner",
        "key_results",
    ],
    "key_result": [
        "id",
        "title",
        "unit",
        "milestone",
        "done",
        "keep",
        "baseline",
        "target",
        "current",
        "from",
        "resets",
        "confidence",
        "weight",
        "source",
        "measure",
        "owner",
    ],
    "kpi": [
        "id",
        "title",
        "why",
        "unit",
        "current",
        "from",
        "healthy",
        "warning",
        "source",
        "measure",
        "owner",
    ],
    "bounds": ["min", "max"],
    "measure": ["sql", "database", "csv", "column", "row", "http", "json", "headers"],
}


def round_trip_yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1 << 16  # never re-wrap a line
    yaml.preserve_quotes = True
    return yaml


def format_text(text: str) -> str:
    """`text` (a unit file) in the canonical layout; a `YamlProblem` where it cannot be read."""
    return round_trip(text, lambda data: reorder(data, "unit", ORDER))


def round_trip(text: str, edit: Callable[[Any], None]) -> str:
    """`text` loaded with ruamel's round-trip, changed by `edit`, and written back in the
    canonical layout: comments, quotes, key order, CRLF and a BOM kept. Structural edits (`fmt`,
    `roll`) go through here; a check-in only splices the bytes of one value. A `YamlProblem`
    where the text cannot be read as `check` reads it."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    crlf = "\r\n" in body
    body = body.replace("\r\n", "\n")
    checked = read_document(body.encode("utf-8"), positions=False)  # refuses what check refuses
    yaml = round_trip_yaml()
    data = _load_round_trip(yaml, body, checked.data)
    if data is None:
        return text
    edit(data)
    out = io.StringIO()
    yaml.dump(data, out)
    formatted = out.getvalue()
    if crlf:
        formatted = formatted.replace("\n", "\r\n")
    return bom + formatted


def _load_round_trip(yaml: Any, body: str, expected: Any) -> Any:
    """ruamel's round-trip load of `body`. Its scanner refuses a tab that YAML (and `check`)
    take as a separator (`name:\tPlatform`, `why: w\t# c`): each such tab is read as a space,
    and kept so only while the data is what `check` reads. Anything else it cannot read is a
    located `YamlProblem`, never a traceback."""
    from ruamel.yaml.error import MarkedYAMLError

    replaced = False
    for _ in range(body.count("\t") + 1):
        try:
            data = yaml.load(body)
        except MarkedYAMLError as error:
            mark = error.problem_mark
            if mark is not None and "'\\t'" in str(error.problem) and body[mark.index] == "\t":
                body = body[: mark.index] + " " + body[mark.index + 1 :]
                replaced = True
                continue
            where = Position(mark.line + 1, mark.column + 1) if mark is not None else Position(1, 1)
            raise YamlProblem(f"fmt cannot read this: {error.problem}", where) from None
        if replaced and read_document(body.encode(), positions=False).data != expected:
            break
        return data
    raise YamlProblem("fmt cannot read the tabs in this file: replace them with spaces")


_CHILDREN = {
    "unit": {"objectives": "objective", "kpis": "kpi"},
    "objective": {"key_results": "key_result"},
    "key_result": {"keep": "bounds", "measure": "measure"},
    "kpi": {"healthy": "bounds", "warning": "bounds", "measure": "measure"},
}


def reorder(node: Any, kind: str, order: dict[str, list[str]]) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not isinstance(node, CommentedMap):
        return
    known = [key for key in order[kind] if key in node]
    wanted = known + [key for key in node if key not in order[kind]]
    if list(node) != wanted:
        last = list(node)[-1]
        for key in wanted:
            node.move_to_end(key)
        _keep_trailing_lines(node, last, wanted[-1])
    for key, child_kind in _CHILDREN.get(kind, {}).items():
        child = node.get(key)
        if isinstance(child, CommentedSeq):
            for item in child:
                reorder(item, child_kind, order)
        elif isinstance(child, CommentedMap):
            reorder(child, child_kind, order)


def _keep_trailing_lines(node: Any, old_last: str, new_last: str) -> None:
    """ruamel keeps the blank lines and comments after a mapping as a comment of its last key:
    when another key becomes last, they move to it (an end-of-line comment stays with its key).
    Only a plain value can carry them; after a nested block they stay where they were."""
    from ruamel.yaml.comments import CommentedBase
    from ruamel.yaml.tokens import CommentToken

    if old_last == new_last or isinstance(node[new_last], CommentedBase):
        return
    entry = node.ca.items.get(old_last)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or new_last in node.ca.items:
        return
    own, newline, rest = token.value.partition("\n")
    if not rest:
        return
    entry[2] = CommentToken(own + newline, token.start_mark) if own.strip() else None
    node.ca.items[new_last] = [None, None, CommentToken("\n" + rest, token.start_mark), None]


@dataclass(slots=True)
class Formatted:
    changed: list[str] = field(default_factory=list)
    """Files formatted (or, with `check`, that would be), as given."""
    unchanged: int = 0
    problems: list[tuple[str, Position, str]] = field(default_factory=list)
    """(file, where, what) for files that could not be read; they are left as they were."""
    writes: list[tuple[Path, bytes]] = field(default_factory=list)
    """(path, formatted bytes) for each changed file, to be written together."""


Entry = tuple[str, Path, bytes | None, str | None]
"""(shown name, path, content, problem): a file as the loader reads it."""


def format_files(entries: list[Entry], *, check: bool) -> Formatted:
    """Format each (shown name, path, content, problem) as the loader read it; with `check`,
    only say which would change. What to write is left in `writes`, for the caller to write as
    one."""
    result = Formatted()
    for shown, path, raw, problem in entries:
        if raw is None:
            result.problems.append((shown, Position(1, 1), problem or "cannot read the file"))
            continue
        try:
            text = raw.decode("utf-8")
            formatted = format_text(text)
        except UnicodeDecodeError:
            result.problems.append((shown, Position(1, 1), "not valid UTF-8; save it as UTF-8"))
            continue
        except YamlProblem as located:
            result.problems.append((shown, located.position, located.message))
            continue
        if formatted == text:
            result.unchanged += 1
            continue
        result.changed.append(shown)
        if not check:
            result.writes.append((path, formatted.encode("utf-8")))
    return result





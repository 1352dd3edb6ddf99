"""Several structural edits of one unit file spliced into its text, from one pass of the C
parser's events, so every other byte stays as written (a roll rewrites thousands of files, and
ruamel's round-trip costs about fifteen times a parse: benchmarks/RESULTS.md).

The edits a roll makes: a scalar set or copied from a sibling key, a key removed from a block
mapping, an item removed from a block sequence. Anything else (a flow collection, a key that is
not there, a sequence left empty) raises `CannotSplice`, and `edit_text` makes the same edits
through ruamel's round-trip instead; so does a result that does not read back as the same edit
made on the data.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from okrctl.store.yaml.read import YamlProblem, read_document
from okrctl.store.yaml.splice import CannotSplice, Node, node_index

Path = tuple[Hashable, ...]
BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class SetValue:
    mapping: Path
    key: str
    text: str
    """The value as it is to be written (`false`, `2027-Q1`)."""
    value: Any
    """What it reads back as."""


@dataclass(frozen=True, slots=True)
class CopyValue:
    """`key` takes the value of `source`, exactly as written (`5.40` stays `5.40`)."""

    mapping: Path
    key: str
    source: str


@dataclass(frozen=True, slots=True)
class RemoveKey:
    mapping: Path
    key: str


@dataclass(frozen=True, slots=True)
class RemoveItem:
    sequence: Path
    index: int


Edit = SetValue | CopyValue | RemoveKey | RemoveItem


def splice_edits(text: str, edits: list[Edit]) -> str:
    """`text` with `edits` made (paths and indexes as in the text given); `CannotSplice` where
    one needs the round-trip."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    nodes = node_index(body)
    splices = sorted(_splice(body, nodes, edit) for edit in edits)
    for (_, end, _), (next_start, _, _) in itertools.pairwise(splices):
        if next_start < end:
            raise CannotSplice("edits overlap")
    for start, end, replacement in reversed(splices):
        body = body[:start] + replacement + body[end:]
    expected = read_document(text[len(bom) :].encode("utf-8"), positions=False).data
    apply_edits(expected, edits)
    try:
        found = read_document(body.encode("utf-8"), positions=False).data
    except YamlProblem:
        raise CannotSplice("the spliced text does not read") from None
    if found != expected:
        raise CannotSplice("the spliced text reads differently")
    return bom + body


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Just past the newline of the line holding `index` (the text's end on its last line)."""
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _subtree_end(nodes: dict[Path, Node], path: Path) -> int:
    """Where the last scalar under `path` ends: a block collection's own end mark lies at the
    next token, past the comments and blank lines that belong to what follows."""
    size = len(path)
    return max(n.end for p, n in nodes.items() if p[:size] == path and n.scalar)


def _splice(text: str, nodes: dict[Path, Node], edit: Edit) -> tuple[int, int, str]:
    if isinstance(edit, SetValue | CopyValue):
        node = nodes.get((*edit.mapping, edit.key))
        if node is None or not node.scalar or node.start == node.end:
            raise CannotSplice(f"no `{edit.key}` value to replace")
        if isinstance(edit, SetValue):
            return node.start, node.end, edit.text
        source = nodes.get((*edit.mapping, edit.source))
        if source is None or not source.scalar:
            raise CannotSplice(f"no `{edit.source}` to copy")
        return node.start, node.end, text[source.start : source.end]
    if isinstance(edit, RemoveKey):
        mapping = nodes.get(edit.mapping)
        node = nodes.get((*edit.mapping, edit.key))
        if mapping is None or mapping.flow or node is None or not node.scalar:
            raise CannotSplice(f"`{edit.key}` is not a plain line of a block mapping")
        start = _line_start(text, node.key_start)
        end = _line_end(text, node.end)
        if text[start : node.key_start].strip() or "\n" in text[node.key_start : node.end]:
            raise CannotSplice(f"`{edit.key}` shares its line or spans lines")
        return start, end, ""
    sequence = nodes.get(edit.sequence)
    item = nodes.get((*edit.sequence, edit.index))
    if sequence is None or sequence.flow or item is None or sequence.items < 2:
        raise CannotSplice("not an item of a block sequence that keeps others")
    start = _line_start(text, item.start)
    if text[start : item.start].strip() != "-":
        raise CannotSplice("the item does not start its own line")
    while start > 0 and edit.index > 0:  # a comment just above the item goes with it
        above = _line_start(text, start - 1)
        if not text[above:start].strip().startswith("#"):
            break
        start = above
    following = nodes.get((*edit.sequence, edit.index + 1))
    if following is not None:
        end = _line_start(text, following.start)
    else:
        end = _line_end(text, _subtree_end(nodes, (*edit.sequence, edit.index)) - 1)
    return start, end, ""


def edit_text(text: str, edits: list[Edit]) -> str:
    """`text` with `edits` made: spliced, every other byte as written; where a splice cannot,
    through ruamel's round-trip (comments and key order kept, `fmt`'s indentation)."""
    from okrctl.store.yaml.fmt import round_trip

    try:
        return splice_edits(text, edits)
    except CannotSplice:
        return round_trip(text, lambda data: apply_edits(data, edits))


def apply_edits(data: Any, edits: list[Edit]) -> None:
    """`edits` made on loaded data (plain, or ruamel's round-trip nodes): values first, then
    removals, the deepest and last first, so the paths of the others hold."""
    for edit in [e for e in edits if not isinstance(e, RemoveItem)]:
        _apply(data, edit)
    removals = [e for e in edits if isinstance(e, RemoveItem)]
    for removal in sorted(removals, key=lambda e: (*e.sequence, e.index), reverse=True):
        _apply(data, removal)


def _apply(data: Any, edit: Edit) -> None:
    """One edit made on the data (as the splice makes it in the text)."""
    if isinstance(edit, RemoveItem):
        target = _at(data, edit.sequence)
        del target[edit.index]
        return
    mapping = _at(data, edit.mapping)
    if isinstance(edit, SetValue):
        mapping[edit.key] = edit.value
    elif isinstance(edit, CopyValue):
        mapping[edit.key] = mapping[edit.source]
    else:
        mapping.pop(edit.key, None)


def _at(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data

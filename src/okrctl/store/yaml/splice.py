"""Write a check-in's value into a unit file so that every other byte stays as it was.

A round-trip through a YAML emitter re-indents and re-spaces files written in another style than
its own, so instead the new value is spliced into the exact span libyaml reports for the old
scalar (its start and end marks). A missing `current`, `done` or `confidence` is added as one
new line under the key it belongs with (or `, key: value` in a flow mapping). The new text is
then read back with the same loader and model as `check` before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from okrctl.model.bounds import MAX_MAGNITUDE
from okrctl.model.errors import OkrctlError, UsageError
from okrctl.model.money import ABBREVIATIONS, POWERS, is_money, magnitude
from okrctl.store.yaml import events
from okrctl.store.yaml.read import YamlProblem
from okrctl.store.yaml.scalars import plain_number

Path = tuple[Hashable, ...]

MILESTONE_WORDS = {
    "true": True,
    "done": True,
    "false": False,
    "undone": False,
    "not yet": False,
}


@dataclass(slots=True)
class Span:
    start: int
    end: int


@dataclass(slots=True)
class MappingInfo:
    flow: bool
    end: int = -1
    """Index of the closing `}` of a flow mapping."""
    key_column: int = 0
    values: dict[str, Span] = field(default_factory=dict)


def parse_value(text: str, *, milestone: bool, unit: str | None = None) -> tuple[str, Any]:
    """The YAML text to write and the value it means; a bad value is a usage error (exit 2). A
    number may be typed back as okrctl shows it: in the number's own `unit` (`36%`, `$0.36`,
    `$7.35/month`) and with its thousands grouped (`46,800`)."""
    word = text.strip()
    if milestone:
        if word.lower() not in MILESTONE_WORDS:
            raise UsageError(
                f"{text!r} is not a milestone value: use true/done or false/undone/not yet"
            )
        done = MILESTONE_WORDS[word.lower()]
        return ("true" if done else "false"), done
    typed = typed_number(word, unit)
    if typed is None:
        word = _bare_number(word, unit)
        marked = next((m for m in ("%", "$") if m in word and m != unit), None)
        if marked is not None and unit and is_money(unit) and marked == unit[0]:
            raise UsageError(
                f"{text!r} is not in {unit}: give it alone, like 42, or as okrctl shows it, "
                f"like {unit[0]}42{unit[1:]}"
            )
        if marked is not None:
            counted = f"counts in {unit}" if unit else "has no unit"
            raise UsageError(
                f"{text!r} is in {marked}, but this number {counted}: give it alone, like 42"
            )
        raise UsageError(f"{text!r} is not a number; give the value like 42 or 40.5")
    word, value = typed
    if abs(value) > MAX_MAGNITUDE:
        shown = word if len(word) <= 24 else f"{word[:20]}… ({len(word)} characters)"
        raise UsageError(
            f"{shown} is too large: okrctl takes numbers up to 10^15 in size "
            "(use a larger unit, such as millions)"
        )
    return word, value


def typed_number(text: str, unit: str | None) -> tuple[str, int | float] | None:
    """The plain number `text` stands for, as the file would hold it, and its value; None when
    it is not one. Read as okrctl shows numbers (in `unit`, thousands grouped) and as titles
    abbreviate them (`47k`): what a check-in and an imported spreadsheet cell may say."""
    word = _bare_number(text.strip(), unit)
    value = plain_number(word)
    if value is None and (spelled_out := _abbreviated(word, unit)) is not None:
        word, value = spelled_out, plain_number(spelled_out)
    return None if value is None else (word, value)


_GROUPED = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?").fullmatch
"""46,800 or 1,200.5, as okrctl writes numbers (40,5 is not: a decimal comma is refused)."""


def _bare_number(word: str, unit: str | None) -> str:
    """`word` without the number's own unit around it, and its thousands ungrouped: `46%`,
    `46,800 accounts`, money as okrctl writes it (`$0.36`, `-$1.50`, `$97.5M` for `$M`) or
    as the unit is spelled (`97.5 $M`)."""
    symbol, rest = (unit[0], unit[1:]) if unit and is_money(unit) else ("", "")
    if symbol and word.lstrip("-").startswith(symbol) and word.endswith(rest):
        word = word[: len(word) - len(rest)].rstrip().replace(symbol, "", 1)
    elif unit and word.endswith(unit):
        word = word[: -len(unit)].rstrip()
    return word.replace(",", "") if _GROUPED(word) else word


_ABBREVIATED = re.compile(
    rf"(?P<number>[-+]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)(?P<magnitude>{'|'.join(ABBREVIATIONS)})"
).fullmatch
"""`47k`, `1.2M`, `3bn`: a number as a title writes it (`ABBREVIATIONS`)."""


def _abbreviated(word: str, unit: str | None) -> str | None:
    """`word` spelled out, when it abbreviates its thousands as titles do (`47k` of an
    `accounts` number: 47000), or is its money at another magnitude (`$850k` of a `$M`
    number: 0.85, exactly); None otherwise. A slip of the magnitude is then the slip guard's
    to catch, as any other (docs/commands.md, "checkin")."""
    power = 0
    if unit and is_money(unit):
        counted = magnitude(unit)
        if counted not in POWERS:
            return None  # `$ARR`: no magnitude to count from
        tail = unit[1 + len(counted) :]
        if tail and word.endswith(tail):
            word = word[: -len(tail)].rstrip()
        sign = "-" if word.startswith("-") else ""
        word = sign + word.removeprefix("-").removeprefix(unit[0])
        power = -POWERS[counted]
    found = _ABBREVIATED(word)
    if found is None:
        return None
    amount = Decimal(found["number"].replace(",", ""))
    text = format(amount.scaleb(power + POWERS[found["magnitude"]]), "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def parse_confidence(text: str) -> tuple[str, float]:
    word, value = parse_value(text, milestone=False)
    if not 0 <= value <= 1:
        raise UsageError(f"confidence {text!r} must be between 0 and 1")
    return word, value


def mapping_layout(text: str, target: Path) -> MappingInfo:
    """Spans of every scalar value in the mapping at `target`, and how the mapping is written
    (a nested collection value, such as `keep: {max: 1}`, is known by its end)."""
    try:
        nodes = node_index(text)
    except CannotSplice as problem:
        raise YamlProblem(f"the file cannot be edited in place: {problem}") from None
    mapping = nodes.get(target)
    if mapping is None or mapping.scalar:
        raise OkrctlError(f"cannot find {'/'.join(map(str, target))} in the file")
    found = MappingInfo(flow=mapping.flow, end=mapping.end - 1)  # a flow mapping's `}`
    for path, node in nodes.items():
        if len(path) != len(target) + 1 or path[: len(target)] != target:
            continue
        found.values[str(path[-1])] = Span(node.start if node.scalar else -1, node.end)
        found.key_column = node.key_start - (text.rfind("\n", 0, node.key_start) + 1)
    return found


class CannotSplice(Exception):
    """This edit needs the round-trip."""


@dataclass(slots=True)
class Node:
    start: int
    end: int
    flow: bool = False
    scalar: bool = False
    key_start: int = -1
    """For a mapping entry's value: where its key starts."""
    items: int = 0
    """For a sequence: how many items it has."""


def node_index(text: str) -> dict[Path, Node]:
    """Every node's span by its path; a mapping entry's value also knows where its key starts.
    One pass of the parser's events: what the check-in's and the roll's splices both read.
    `CannotSplice` for text a splice should not touch (an alias, a collection as a key, text
    that does not parse)."""
    parser = events.parser(text)
    found: dict[Path, Node] = {}
    stack: list[list[Any]] = []  # [path, is_mapping, pending key, key start, counter]
    try:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind in (events.MappingStartEvent, events.SequenceStartEvent, events.ScalarEvent):
                top = stack[-1] if stack else None
                if top is not None and top[1] and top[2] is None:
                    if kind is not events.ScalarEvent:
                        raise CannotSplice("a collection as a key")
                    top[2], top[3] = event.value, event.start_mark.index
                    continue
                key_start = -1
                if top is None:
                    path: Path = ()
                elif top[1]:
                    path, key_start, top[2] = (*top[0], top[2]), top[3], None
                else:
                    path = (*top[0], top[4])
                    top[4] += 1
                node = Node(event.start_mark.index, event.end_mark.index, key_start=key_start)
                found[path] = node
                if kind is events.ScalarEvent:
                    node.scalar = True
                    continue
                node.flow = bool(event.flow_style)
                stack.append([path, kind is events.MappingStartEvent, None, -1, 0])
            elif kind in (events.MappingEndEvent, events.SequenceEndEvent):
                path, _, _, _, count = stack.pop()
                found[path].items = count
                found[path].end = event.end_mark.index
            elif kind is events.AliasEvent:
                raise CannotSplice("an alias")
            elif kind is events.StreamEndEvent:
                return found
    except events.YAMLError:
        raise CannotSplice("the text does not parse") from None
    finally:
        parser.dispose()


def set_scalar(text: str, target: Path, key: str, value_text: str, after: tuple[str, ...]) -> str:
    """`text` with `key: value_text` set in the mapping at `target`: the old value's span
    replaced, or a new entry placed after the first key of `after` that exists."""
    layout = mapping_layout(text, target)
    existing = layout.values.get(key)
    if existing is not None and existing.start >= 0:
        if existing.start == existing.end and text[existing.start - 1 : existing.start] == ":":
            value_text = " " + value_text  # an empty value (`current:`) starts at its colon
        return text[: existing.start] + value_text + text[existing.end :]
    if layout.flow:
        return _insert_flow(text, layout, key, value_text)
    anchor = next((layout.values[k] for k in after if k in layout.values), None)
    if anchor is None:
        anchor = max(layout.values.values(), key=lambda span: span.end)
    eol = "\r\n" if "\r\n" in text else "\n"
    line = " " * layout.key_column + f"{key}: {value_text}"
    if anchor.end > 0 and text[anchor.end - 1] == "\n":
        return text[: anchor.end] + line + eol + text[anchor.end :]
    newline = text.find("\n", anchor.end)
    if newline < 0:
        return text + eol + line + eol
    if text[newline - 1] == "\r":
        newline -= 1
    return text[:newline] + eol + line + text[newline:]


def _insert_flow(text: str, layout: MappingInfo, key: str, value_text: str) -> str:
    """`{a: 1}` becomes `{a: 1, key: value}`; the spacing before `}` is kept."""
    end = layout.end
    body_end = end
    while body_end > 0 and text[body_end - 1] in " \n":
        body_end -= 1
    return text[:body_end] + f", {key}: {value_text}" + text[body_end:]

"""The questions of a guided check-in, asked in the terminal with rich's prompts: for each of
my numbers its value now, then a new value (Enter keeps it), a confidence and a note, each
checked as it is typed, with the score the new value would give."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.markup import escape

from okrctl.core.graph import KeyResultNode
from okrctl.model.errors import UsageError
from okrctl.render.slips import slip_sentence
from okrctl.render.textformat import (
    days_ago,
    format_value,
    score_text,
    value_in_unit,
    with_unit,
)
from okrctl.views.checkin_round import Answer, Due

NOT_YET = {"not yet": "false", "no": "false", "yes": "true"}
"""What people type for a milestone, read as `checkin` reads `false` and `true`."""


def ask_round(due: list[Due], console: Any = None) -> list[Answer]:
    """Ask about every number in `due`, in order; Ctrl-C raises `KeyboardInterrupt` before
    anything is written."""
    from rich.console import Console

    console = console or Console(highlight=False)
    answers = []
    for number, item in enumerate(due, start=1):
        console.print(f"\n[bold][{number}/{len(due)}] {item.ref}[/bold]  ({item.kind})")
        console.print(f"  {escape(item.title)}")  # a title's `[beta]` is text, not a style
        console.print(f"  [dim]{escape(_now(item))}[/dim]")
        answers.append(_ask(console, item))
    return answers


def _now(item: Due) -> str:
    if item.milestone:
        parts = ["done" if item.value else "not done yet"]
    else:
        parts = ["no value yet" if item.value is None else with_unit(item.value, item.unit)]
    if item.last is not None:
        ago = "" if item.days_quiet is None else f" ({days_ago(item.days_quiet)})"
        parts.append(f"last check-in {item.last.isoformat()}{ago}")
    elif item.days_quiet is not None:
        parts.append("never checked in")
    if item.confidence is not None:
        parts.append(f"confidence {format_value(item.confidence)}")
    if item.score is not None:
        parts.append(f"score {score_text(item.score)}")
    return " · ".join(parts)


def _ask(console: Any, item: Due) -> Answer:
    from rich.prompt import Prompt

    kept = format_value(item.value) if item.value is not None else "nothing"
    if item.milestone:
        kept = "done" if item.value else "not yet"
        question = f"  Done? done / not yet (Enter keeps {kept})"
    else:
        question = f"  New value (Enter keeps {kept})"
    doubted = None  # a value that looked like a slip: typed again, it is meant
    while True:
        with completing(value_suggestions(item)):
            typed = Prompt.ask(question, default="", show_default=False, console=console)
        typed = typed.strip()
        if not typed:
            console.print("  [dim]kept[/dim]")
            return Answer(item.ref)
        typed = NOT_YET.get(typed.lower(), typed) if item.milestone else typed
        try:
            value, new_score = item.preview(typed)
        except UsageError as error:
            console.print(f"  [red]{escape(str(error))}[/red]")
            continue
        found = item.slip(value)
        if found is not None and value != doubted:
            doubt = slip_sentence(item.ref, typed, found, item.node.model)
            console.print(f"  [yellow]{escape(doubt)} Type it again to check it in.[/yellow]")
            doubted = value
            continue
        break
    if new_score is not None:
        shown = value_in_unit(value, item.unit)
        console.print(f"  → {escape(shown)}, score {score_text(new_score)}")
    confidence = None
    if item.kind == "key result" and not item.milestone:
        confidence = _confidence(console, item)
    note = Prompt.ask("  Note (Enter for none)", default="", show_default=False, console=console)
    return Answer(item.ref, typed, confidence, note.strip() or None)


def _confidence(console: Any, item: Due) -> str | None:
    from rich.prompt import Prompt

    from okrctl.store.yaml.splice import parse_confidence

    kept = format_value(item.confidence) if item.confidence is not None else "none"
    while True:
        with completing(confidence_suggestions(item)):
            typed = Prompt.ask(
                f"  Confidence 0 to 1 (Enter keeps {kept})", default="", show_default=False,
                console=console,
            ).strip()  # fmt: skip
        if not typed:
            return None
        try:
            parse_confidence(typed)
        except UsageError as error:
            console.print(f"  [red]{escape(str(error))}[/red]")
            continue
        return typed


def value_suggestions(item: Due) -> list[str]:
    """What Tab offers for a new value: done / not yet for a milestone; else the value now,
    then the target (a key result) or the healthy band's ends (a KPI)."""
    if item.milestone:
        return ["done", "not yet"]
    if isinstance(item.node, KeyResultNode):
        marks = [item.value, item.node.key_result.target]
    else:
        band = item.node.kpi.healthy
        marks = [item.value, *((band.min, band.max) if band is not None else ())]
    return _distinct(format_value(mark) for mark in marks if mark is not None)


def confidence_suggestions(item: Due) -> list[str]:
    """What Tab offers for a confidence: the one now and the tenths (readline lists them
    sorted)."""
    now = [item.confidence] if item.confidence is not None else []
    return _distinct(format_value(c) for c in [*now, *(step / 10 for step in range(1, 10)), 1])


def _distinct(words: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(words))


@contextmanager
def completing(words: list[str]) -> Iterator[None]:
    """Tab completes the line typed so far from `words` (the whole line: "not yet" has a space)
    for one prompt, through GNU readline (or libedit) where Python has it; elsewhere the prompt
    simply has no completion."""
    try:
        import readline
    except ImportError:  # Windows: no readline module
        yield
        return

    def complete(text: str, state: int) -> str | None:
        matches = [word for word in words if word.startswith(text)]
        return matches[state] if state < len(matches) else None

    before = (readline.get_completer(), readline.get_completer_delims())
    readline.set_completer(complete)
    readline.set_completer_delims("")
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
    try:
        yield
    finally:
        readline.set_completer(before[0])
        readline.set_completer_delims(before[1])

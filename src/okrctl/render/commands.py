"""The Markdown of `status --format md`, `diff --format md` and `retro`, through Jinja templates
shipped in the package (`command_templates/`), with the report filters; `cell` is the one
escaping filter for anything a person typed. Plus `diff`'s and `roll`'s plain text for the
terminal."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from okrctl.core.roll_plan import LABELS
from okrctl.core.scorecard import ObjectiveScore, Scorecard
from okrctl.model.counts import counted
from okrctl.model.goals import Bounds
from okrctl.render.markdown import FILTERS
from okrctl.render.textformat import (
    NONE,
    bounds_text,
    moved_unseen,
    one_line,
    score_text,
    shown_change,
)
from okrctl.views.diff import Diff, ScoreDelta
from okrctl.views.history import HistoryResult
from okrctl.views.retro import Retro
from okrctl.views.roll import Rolled

FOLDER = Path(__file__).parent / "command_templates"


def shown(value: Any) -> str:
    """A field's value in a diff as the YAML file spells it (`done: false → true`, where
    Python's `False → True` showed through), lists and mappings written out, text on one line,
    none for nothing."""
    if isinstance(value, list):
        return "[" + ", ".join(map(shown, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {shown(v)}" for k, v in value.items() if v is not None) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # (a `why:` of several lines: one change, one line)
        return " ".join(value.split())
    return "none" if value is None else str(value)


def healthy(bounds: Bounds | None, unit: str | None) -> str:
    return bounds_text(bounds.min, bounds.max, unit) if bounds else ""


@functools.cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(FOLDER),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS, shown=shown, healthy=healthy, unseen_scores=unseen_scores)
    return env


def _render(name: str, **context: Any) -> str:
    return str(_environment().get_template(f"{name}.md.j2").render(**context))


def status_markdown(card: Scorecard, title: str) -> str:
    """A table of every objective, the roll-up of the top ones (weakest supporter first), and a
    table of every KPI."""
    rollup: list[tuple[ObjectiveScore, list[ObjectiveScore]]] = []
    for unit in card.units:
        if unit.unit_file.unit.kind not in ("company", "pillar"):
            continue
        for objective in unit.objectives:
            rows = [card.objectives[r] for r in objective.supported_by if r in card.objectives]
            rows.sort(key=lambda o: (o.score is None, o.score or 0.0, o.ref))
            if rows:
                rollup.append((objective, rows))
    kpis = [(unit, kpi) for unit in card.units for kpi in unit.kpis]
    elapsed = f"{card.elapsed:.0%}"
    return _render("status", card=card, title=title, elapsed=elapsed, rollup=rollup, kpis=kpis)


class ScoreMove(NamedTuple):
    """An objective's score before and after as shown (two decimals), and the change between
    the two numbers shown."""

    ref: str
    old: str
    new: str
    change: str


def score_moves(scores: list[ScoreDelta]) -> tuple[list[ScoreMove], int]:
    """The objectives whose score moved as a reader sees it, and how many moved by less: a
    change is the difference of the two scores shown, so that 0.2751 → 0.2749 reads
    "0.28 → 0.27 (-0.01)", not "(-0.00)", and 0.4101 → 0.4149 is not a line of its own (at
    2,000 teams, 500 check-ins made 114 such lines, most of them "0.41 → 0.41 (+0.00)").
    JSON keeps every score whole."""
    moves = []
    for score in scores:
        old, new = score_text(score.old), score_text(score.new)
        if old == new:
            continue
        shown = None if NONE in (old, new) else shown_change(score.old or 0, score.new or 0)
        change = NONE if shown is None else f"{shown:+.2f}"
        moves.append(ScoreMove(score.ref, old, new, change))
    return moves, len(scores) - len(moves)


def diff_markdown(result: Diff) -> str:
    moves, unseen = score_moves(result.scores)
    return _render("diff", result=result, moves=moves, unseen=unseen)


def unseen_scores(count: int, shown: int = 0) -> str:
    """What the scores' lines leave out, said: `shown` lines came before."""
    return moved_unseen(count, "objectives", after_others=bool(shown))


def retro_markdown(result: Retro) -> str:
    """The retrospective as a document for the meeting, ending with questions to discuss."""
    units = result.units
    scope_name = units[0].unit_file.unit.display_name if result.scope and units else None
    return _render(
        "retro",
        result=result,
        scope_name=scope_name,
        card=result.card,
        period=result.period,
        cadence=sorted(result.cadence, key=lambda c: -c.longest_silence_days),
        names={unit.id: unit.unit_file.unit.display_name for unit in result.card.units},
        counted_in={  # each moved key result's unit: "1 invites → 0.8 invites"
            move.ref: kr.node.key_result.unit
            for move in result.goalpost_moves
            if (kr := result.card.key_results.get(move.ref)) is not None
        },
        overconfident=[c for c in result.confidence if c.overconfident],
    )


def diff_text(result: Diff) -> str:
    """`okrctl diff` on a terminal: a section per kind of change, one line each."""
    lines = [f"{result.source} → {result.target}"]
    moves, unseen = score_moves(result.scores)
    sections = [
        ("added", [f"+ {ref}{_titled(result, ref)}" for ref in result.comparison.added]),
        ("removed", [f"- {ref}{_titled(result, ref)}" for ref in result.comparison.removed]),
        (
            "changed",
            [
                f"~ {c.ref}  {c.field}: {shown(c.old)} → {shown(c.new)}"
                for c in result.comparison.changed
            ],
        ),
        (
            "scores",
            [f"  {m.ref}  {m.old} → {m.new} ({m.change}){_titled(result, m.ref)}" for m in moves],
        ),
    ]
    for title, rows in sections:
        if rows:
            lines += ["", f"{title} ({len(rows)})", *rows]
    if unseen:
        lines += ["", unseen_scores(unseen, len(moves))]
    if len(lines) == 1:
        lines += ["", "no changes"]
    return "\n".join(lines) + "\n"


def _titled(result: Diff, ref: str) -> str:
    title = result.titles.get(ref)
    return "" if title is None else f"  {one_line(title)}"


def history_said(result: HistoryResult, width: int | None = None) -> list[tuple[str, str]]:
    """What `okrctl history` prints, as (text, style) segments: the check-ins; for a number
    taken `from:` others, its values as they moved (after the check-ins it had before it was
    derived, if any); or that git holds none."""
    said = history_text(result, width) if result.checkins else []
    derived = result.derived
    if derived is None:
        return said or [(f"{result.ref} has no check-ins in git yet.", "")]
    if said:
        said.append(("\n\n", ""))
    if derived.values:
        return said + derived_values_text(result, width)
    return [*said, (f"{result.ref} is {derived.words()}: none has a value in git yet.", "")]


def history_text(result: HistoryResult, width: int | None = None) -> list[tuple[str, str]]:
    """`okrctl history` for people: a row per check-in, oldest first, each value in the
    number's unit, the notes last (wrapped within `width`), as (text, style) segments."""
    from okrctl.render.textformat import format_value, values_in_unit

    values = values_in_unit([item.value for item in result.checkins], result.unit)
    rows = [("date", "author", "value", "confidence", "commit", "note")]
    rows += [
        (
            item.date.strftime("%Y-%m-%d"),
            item.author,
            value,
            "" if item.confidence is None else format_value(item.confidence),
            item.commit[:10],
            " ".join(item.note.split()),
        )
        for item, value in zip(result.checkins, values, strict=True)
    ]
    title = f"Check-ins of {result.ref}"
    if result.derived is not None:
        title += ", before it took its number `from:` others"
    return _table(title, rows, width)


def derived_values_text(result: HistoryResult, width: int | None = None) -> list[tuple[str, str]]:
    """`okrctl history` of a number taken `from:` others: its value after each commit that
    moved one of them, in its unit, under a line that says where they come from."""
    from okrctl.render.textformat import values_in_unit

    derived = result.derived
    assert derived is not None and derived.values
    values = values_in_unit([value for _, value in derived.values], result.unit)
    rows = [("date", "value")]
    rows += [
        (when.strftime("%Y-%m-%d"), value)
        for (when, _), value in zip(derived.values, values, strict=True)
    ]
    said = (
        f"Values of {result.ref}, {derived.words()} (it is never checked in itself: "
        "a row for each commit that moved one of them)"
    )
    if derived.since is not None:
        said = (
            f"Values of {result.ref} since {derived.since.date()}, {derived.words()} (it is "
            "no longer checked in itself: a row for each commit that moved one of them)"
        )
    return _table(said, rows, width)


def _table(title: str, rows: Sequence[Sequence[str]], width: int | None) -> list[tuple[str, str]]:
    """`title` and the rows' heading in bold, then the rows, in columns within `width`."""
    from okrctl.render.textformat import columns

    head, body = columns(rows, width).split("\n", 1)
    return [(f"{title}\n{head}\n", "bold"), (body, "")]


def rolled_text(rolled: Rolled) -> str:
    """What `roll` prints: the plan (`--dry-run`), or what it did, then what to look at."""
    lines: list[str] = []
    if rolled.dry_run:
        lines.append(rolled.plan_text.rstrip("\n"))
    else:
        where = f"committed {rolled.commit[:10]}" if rolled.commit else "not committed"
        files = counted(len(rolled.files), "file")
        lines.append(f"rolled to {rolled.period}: {files} changed; {where}")
        for decision, label in LABELS.items():
            lines += [f"  {label} {ref}" for ref in rolled.refs(decision)]
    notes: list[str] = []
    if rolled.titles:
        notes.append("titles to rewrite (their numbers move with the roll):")
        notes += [f"  {title}" for title in rolled.titles]
    if rolled.shares:
        notes.append("self-set share of personal objectives:")
        notes += [f"  {share}" for share in rolled.shares]
    if rolled.dry_run:  # the whole output is a plan `--plan` reads back: notes are comments
        notes = [f"# {note}" for note in notes]
    return "\n".join(lines + notes) + "\n"

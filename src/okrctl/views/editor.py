"""What an editor asks of the goals as they are being typed (docs/editors.md): the findings of
every file with the open buffers in place of their files, the goal a word names, where it is
written, what aligns to it, what may be typed next. `commands/lsp.py` answers the editor
with these; nothing here speaks the protocol.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from okrctl.core.graph import MISSION, Graph, KeyResultNode, KpiNode, ObjectiveNode, build_graph
from okrctl.core.periods import Period, parse_period
from okrctl.core.rules import Context, UnitHits, run_rules
from okrctl.core.scorecard import Moment, Scorecard, evaluate
from okrctl.core.suggest import Suggester
from okrctl.model.findings import Finding
from okrctl.model.goals import Kind
from okrctl.model.history import History
from okrctl.model.units import Repository
from okrctl.store.load import load_buffers
from okrctl.store.uncommitted_renames import follow_uncommitted_renames
from okrctl.store.workspace import Workspace

Node = ObjectiveNode | KeyResultNode | KpiNode


@dataclass(frozen=True, slots=True)
class Place:
    """A 0-based line and column in a file (a path from the goals repository's root)."""

    path: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something that may be typed at the cursor, with what to show beside it."""

    text: str
    detail: str


@dataclass
class Analysis:
    """The goals as the editor has them, checked."""

    repository: Repository
    graph: Graph
    period: Period
    moment: Moment
    findings: list[Finding]
    history: History | None = field(default=None, repr=False)

    @cached_property
    def card(self) -> Scorecard:
        """Scores, made on the first hover (not on every keystroke)."""
        return evaluate(self.graph, self.period, self.moment, history=self.history)

    def findings_by_file(self) -> dict[str, list[Finding]]:
        found: dict[str, list[Finding]] = {}
        for finding in self.findings:
            found.setdefault(finding.file, []).append(finding)
        return found


def analyse(
    workspace: Workspace,
    buffers: Mapping[Path, bytes],
    history: History | None,
    kept: UnitHits | None = None,
) -> Analysis:
    """Load the goals with `buffers` in place of their files and run every rule on them
    (with `kept`, the per-unit rules only on the units changed since the last analysis)."""
    repository = load_buffers(workspace, buffers)
    graph = build_graph(repository)
    config = repository.config.config
    if history is not None:  # a unit whose `id:` is being renamed keeps its numbers' history
        history = follow_uncommitted_renames(
            workspace, graph, history, config.goals_dir, moves=False
        )
    period = parse_period(config.period, config.fiscal_year_start)
    moment = Moment.of(None)
    findings = run_rules(repository, Context(repository, graph, moment, period, history), kept)
    return Analysis(repository, graph, period, moment, findings, history)


def node_of(graph: Graph, ref: str) -> Node | None:
    return graph.objectives.get(ref) or graph.key_results.get(ref) or graph.kpis.get(ref)


def title_of(graph: Graph, ref: str) -> str:
    """The title of the objective, key result or KPI `ref` names (it must name one)."""
    title = graph.title_of(ref)
    assert title is not None
    return title


def definition(analysis: Analysis, ref: str) -> Place | None:
    """Where a ref (or a unit id) is written: its `id:` line, or a unit's first line."""
    graph = analysis.graph
    node = node_of(graph, ref)
    if node is not None:
        at = node.owner.source.key_at(*node.path("id"))
        return Place(node.owner.path, at.line - 1, at.column - 1)
    unit = graph.units.get(ref)
    if unit is not None:
        return Place(unit.path, 0, 0)
    return None


def ref_on_line(analysis: Analysis, path: str, line: int) -> str | None:
    """The objective, key result or KPI whose `id:` is on this 0-based line of `path`."""
    graph = analysis.graph
    for nodes in (graph.key_results, graph.objectives, graph.kpis):
        for ref, node in nodes.items():
            if node.owner.path == path and node.owner.source.key_at(*node.path("id")).line == (
                line + 1
            ):
                return ref
    return None


def references(analysis: Analysis, ref: str) -> list[Place]:
    """Where each objective that aligns to `ref` (to an objective: or to its key results)
    says so."""
    graph = analysis.graph
    supporters = (
        graph.supported_by(ref) if ref in graph.objectives else graph.supporters.get(ref, [])
    )
    found = []
    for supporter in supporters:
        node = graph.objectives[supporter]
        for index, target in enumerate(node.objective.aligns_to):
            if target == ref or target.startswith(ref + "/"):
                at = node.owner.source.at(*node.path("aligns_to", index))
                found.append(Place(node.owner.path, at.line - 1, at.column - 1))
    return found


KEY = re.compile(r"([A-Za-z_]+):")


def field_being_typed(lines: list[str], line: int) -> str | None:
    """The key whose value the cursor is in: this line's (`parent: gro`, `aligns_to: [gro`),
    or, on a `- item` line of a block list, the key above the list."""
    here = lines[line].lstrip() if line < len(lines) else ""
    item = here.startswith("-")
    found = KEY.match(here[1:].lstrip() if item else here)
    if found is not None:
        return found.group(1)
    if not (item or not here):
        return None
    for above in reversed(lines[:line]):
        text = above.lstrip()
        if not text:
            continue
        if text.startswith("-"):
            if KEY.match(text[1:].lstrip()):
                return None  # a list of mappings, not of refs
            continue
        key = KEY.match(text)
        return key.group(1) if key is not None else None
    return None


def key_being_typed(lines: list[str], line: int) -> list[Candidate] | None:
    """On a line with no `:` yet, the field names of the mapping the cursor is in (a unit,
    an objective, a key result, a KPI, a band), with their descriptions, less those the
    mapping has already; None when the cursor is not typing a key."""
    here = lines[line] if line < len(lines) else ""
    text = here.lstrip(" ")
    if ":" in text or text.startswith("#"):
        return None
    item = text.startswith("- ")
    indent = len(here) - len(text) + (2 if item else 0)
    model = _model_above(lines, line, indent)
    if model is None:
        return None
    present = _keys_beside(lines, line, indent, item)
    written = [(info.alias or name, info) for name, info in model.model_fields.items()]
    return [
        Candidate(key, (info.description or "").split("\n")[0])
        for key, info in written
        if key not in present
    ]


def _model_above(lines: list[str], line: int, indent: int) -> Any:
    from okrctl.model.goals import Bounds, KeyResult, Kpi, Objective, Unit

    parents = {"objectives": Objective, "key_results": KeyResult, "kpis": Kpi, "keep": Bounds,
               "healthy": Bounds, "warning": Bounds}  # fmt: skip
    if indent == 0:
        return Unit
    for above in reversed(lines[:line]):
        text = above.lstrip(" ")
        if not text or text.startswith("#"):
            continue
        depth = len(above) - len(text)
        if depth < indent and not text.startswith("- "):
            key = KEY.match(text)
            return parents.get(key.group(1)) if key is not None else None
        if depth + 2 <= indent and text.startswith("- ") and depth < indent - 2:
            key = KEY.match(text[2:])
            return parents.get(key.group(1)) if key is not None else None
    return None


def _keys_beside(lines: list[str], line: int, indent: int, item: bool) -> set[str]:
    """The keys already written in the mapping the cursor's line belongs to."""
    found: set[str] = set()
    for step in (-1, 1):
        index = line + step
        while 0 <= index < len(lines):
            text = lines[index].lstrip(" ")
            depth = len(lines[index]) - len(text)
            if text and not text.startswith("#"):
                if text.startswith("- ") and depth + 2 == indent:
                    if step == -1 and not item:
                        key = KEY.match(text[2:])
                        if key is not None:
                            found.add(key.group(1))
                    break  # the item starts here (above), or the next one does (below)
                if depth < indent:
                    break
                if depth == indent and (key := KEY.match(text)) is not None:
                    found.add(key.group(1))
            index += step
    return found


def completions(analysis: Analysis, field_name: str | None) -> list[Candidate]:
    """What may be typed as the value of `field_name`: refs for `aligns_to`, numbers for
    `from`, units for `parent`, people for `owner` and `lead`."""
    graph = analysis.graph
    if field_name == "aligns_to":
        candidates = [Candidate(MISSION, "the company's mission")] if graph.company else []
        return candidates + [_candidate(analysis, ref) for ref in graph.all_refs()]
    if field_name == "from":
        return [_candidate(analysis, ref) for ref in [*graph.key_results, *graph.kpis]]
    if field_name == "parent":
        return [
            Candidate(unit_id, f"{unit.unit.kind} · {unit.unit.display_name}")
            for unit_id, unit in graph.units.items()
            if unit.unit.kind is not Kind.PERSON
        ]
    choices = choices_of().get(field_name or "")
    if choices:
        return [Candidate(choice, f"{field_name}") for choice in choices]
    if field_name in ("owner", "lead"):
        people = {u: f"person · {f.unit.display_name}" for u, f in graph.units.items()
                  if f.unit.kind is Kind.PERSON}  # fmt: skip
        for unit in graph.units.values():
            if unit.unit.lead:
                people.setdefault(unit.unit.lead, f"lead of {unit.unit.id}")
        return [Candidate(handle, detail) for handle, detail in sorted(people.items())]
    return []


def _candidate(analysis: Analysis, ref: str) -> Candidate:
    """A ref with its title and how it stands today."""
    title = title_of(analysis.graph, ref)
    card = analysis.card
    if ref in card.objectives and card.objectives[ref].score is not None:
        return Candidate(ref, f"{title} · score {card.objectives[ref].score:.2f}")
    if ref in card.key_results:
        return Candidate(ref, f"{title} · score {card.key_results[ref].score:.2f}")
    if ref in card.kpis:
        return Candidate(ref, f"{title} · {card.kpis[ref].health}")
    return Candidate(ref, title)


@cache
def choices_of() -> dict[str, list[str]]:
    """The values a field may only take, from the models `check` validates with (`type:`,
    `category:`, `origin:`, `kind:`, ...)."""
    from typing import Literal, get_args, get_origin

    from okrctl.model.goals import KeyResult, Kind, Kpi, Objective, Unit

    found: dict[str, list[str]] = {"kind": [str(k) for k in Kind]}
    for model in (Unit, Objective, KeyResult, Kpi):
        for name, info in model.model_fields.items():
            pending = [info.annotation]
            while pending:
                annotation = pending.pop()
                if get_origin(annotation) is Literal:
                    for value in get_args(annotation):
                        if isinstance(value, str) and value not in found.setdefault(name, []):
                            found[name].append(value)
                else:
                    pending.extend(get_args(annotation))
    return found


def suggestions(analysis: Analysis, word: str) -> list[str]:
    """The refs a misspelt one may have meant (the same "did you mean" as `check`'s)."""
    graph = analysis.graph
    return Suggester([MISSION, *graph.all_refs(), *graph.units])(word)


def symbols(analysis: Analysis, query: str) -> list[tuple[str, str, Place]]:
    """(ref, title, where) of every objective and key result whose ref or title holds
    `query` (letter case aside)."""
    wanted = query.lower()
    found = []
    graph = analysis.graph
    for nodes in (graph.objectives, graph.key_results):
        for ref in nodes:
            title = title_of(graph, ref)
            if wanted in ref.lower() or wanted in title.lower():
                place = definition(analysis, ref)
                assert place is not None
                found.append((ref, title, place))
    return found

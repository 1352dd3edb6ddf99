"""Ending one period and starting the next: `okrctl close PERIOD` and `okrctl roll NEXT`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from okrctl.core.graph import build_graph
from okrctl.core.periods import check_period, parse_period
from okrctl.core.scorecard import Moment, evaluate
from okrctl.model.errors import OkrctlError, UsageError
from okrctl.model.goals import ScoreOf
from okrctl.store.config import parse_config
from okrctl.store.edits import (
    SourceText,
    goals_lock,
    read_for_edit,
    refuse_unsafe,
    target,
    write_and_commit,
)
from okrctl.store.git import writes as git_writes
from okrctl.store.load import load_repo, unit_problem
from okrctl.store.revisions import TAG_PREFIX, last_commit_naming_period
from okrctl.store.root import CONFIG_NAME
from okrctl.store.workspace import Workspace
from okrctl.store.yaml.fmt import round_trip
from okrctl.views.retro import grade_period


@dataclass(frozen=True, slots=True)
class Closed:
    tag: str
    commit: str
    message: str


def close(repo: Workspace | Path | str | None, period_name: str, *, force: bool = False) -> Closed:
    """Grade the period and tag its last commit `okr/PERIOD` (an annotated tag holding the
    grades). Closing twice is refused without `force`."""
    check_period(period_name)
    workspace = Workspace.of(repo)
    top = workspace.top
    if top is None:
        raise UsageError("close tags a git commit, and this is not a git repository")
    tag = TAG_PREFIX + period_name
    existing = git_writes.tag_target(top, tag)
    if existing is not None and not force:
        raise OkrctlError(
            f"{period_name} is already closed: tag {tag} is on {existing[:10]}. "
            "Use --force to grade it again and move the tag"
        )
    commit = last_commit_naming_period(workspace, period_name)
    if commit is None:
        raise UsageError(f"no commit's {CONFIG_NAME} names the period {period_name}")
    graded = grade_period(workspace, period_name, commit)
    period, card = graded.period, graded.card
    lines = [
        f"okrctl close {period_name}",
        "",
        f"Graded as of {card.moment.as_of}; period {period.start.date()} to {period.last_day}.",
        "",
    ]
    for unit in card.units:
        score = "-" if unit.score is None else f"{unit.score:.2f}"
        lines.append(f"{unit.id} {score}")
        for objective in unit.objectives:
            value = "-" if objective.score is None else f"{objective.score:.2f}"
            lines.append(f"  {objective.ref} {value} {objective.status or 'unmeasured'}")
    message = "\n".join(lines) + "\n"
    git_writes.create_tag(top, tag, commit, message, force=force)
    return Closed(tag, commit, message)


@dataclass(slots=True)
class Rolled:
    period: str
    files: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    commit: str | None = None


def roll(
    repo: Workspace | Path | str | None,
    next_period: str,
    *,
    carry: bool = False,
    commit: bool = True,
) -> Rolled:
    """Start the next period in one commit: `period` in okrctl.yaml (and in units that name
    one). With `carry`, unfinished committed objectives stay, each numeric key result's
    baseline set to its current value; everything else is left for the teams to rewrite.

    The files are read under the goals lock, so a check-in that commits while a roll waits is
    part of what the roll reads, never written over."""
    check_period(next_period)
    workspace = Workspace.of(repo)
    top = workspace.top
    with goals_lock(workspace):
        return _roll_locked(workspace, top if commit else None, next_period, carry)


def _roll_locked(workspace: Workspace, top: Path | None, next_period: str, carry: bool) -> Rolled:
    root = workspace.root
    repository = load_repo(workspace)
    if repository.findings:
        raise OkrctlError("some goals files do not load; run `okrctl check` and fix them first")
    config = repository.config.config
    if config.period == next_period:
        raise UsageError(f"the current period is already {next_period}")
    check_period(next_period, config.fiscal_year_start)
    graph = build_graph(repository)
    sources: dict[str, SourceText] = {}
    texts: dict[str, str] = {}

    def text_of(relative: str) -> str:
        if relative not in texts:
            sources[relative] = read_for_edit(target(root, top, relative).real)
            texts[relative] = sources[relative].text
        return texts[relative]

    def edit(relative: str, path: tuple[str | int, ...], key: str, value: object) -> None:
        def change(data: Any) -> None:
            for part in path:
                data = data[part]
            data[key] = data[value.key] if isinstance(value, _Same) else value

        texts[relative] = round_trip(text_of(relative), change)

    edit(CONFIG_NAME, (), "period", next_period)
    result = Rolled(next_period)
    for unit_file in graph.units.values():
        if unit_file.unit.period is not None:
            edit(unit_file.path, (), "period", next_period)
    if carry:
        period = parse_period(config.period, config.fiscal_year_start)
        card = evaluate(graph, period, Moment.of(None))
        for objective in card.objectives.values():
            if objective.node.objective.type != "committed" or (objective.score or 0) >= 1:
                continue
            result.carried.append(objective.ref)
            for kr in objective.key_results:
                model = kr.node.key_result
                scored = isinstance(model.derived_from, ScoreOf)  # counts from 0 every period
                if model.baseline is None or model.current is None or model.milestone or scored:
                    continue
                if model.derived_from is not None:  # no `current` in the file: the derived value
                    edit(kr.node.owner.path, kr.node.path(), "baseline", model.current)
                    continue
                edit(kr.node.owner.path, kr.node.path(), "baseline", _Same("current"))
    edits = [
        (target(root, top, relative), sources[relative], sources[relative].encode(text))
        for relative, text in texts.items()
    ]
    _validate(root, {where.shown: after for where, _, after in edits})
    result.files = sorted(texts)
    if top is not None:
        refuse_unsafe(top, [where for where, _, _ in edits])
    body = "".join(f"\n- carried: {ref}" for ref in result.carried)
    message = (
        f"Roll to {next_period}\n"
        + (f"\n{body.strip()}\n" if body else "")
        + f"\nOkr-Roll: {next_period}\n"
    )
    result.commit = write_and_commit(workspace, top, edits, message if top is not None else None)
    return result


def _validate(root: Path, contents: dict[str, bytes]) -> None:
    """Every edited file must still load, or nothing is written."""
    for relative, raw in contents.items():
        if relative == CONFIG_NAME:
            try:
                parse_config(raw, root)
            except OkrctlError as exc:
                raise OkrctlError(
                    f"{relative}: rolling would leave the file invalid ({exc}); nothing was written"
                ) from None
            continue
        problem = unit_problem(relative, raw)
        if problem is not None:
            raise OkrctlError(
                f"rolling would leave a file invalid ({problem}); nothing was written"
            )


@dataclass(frozen=True, slots=True)
class _Same:
    """The value of another key of the same mapping, as written (`5.40` stays `5.40`)."""

    key: str

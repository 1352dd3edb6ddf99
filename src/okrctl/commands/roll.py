"""`okrctl roll NEXT`: start the next period from a plan (docs/commands.md, "Planning the next
period"). Every objective and key result of the closing period gets one decision (carry,
reset, keep or drop); the plan can be printed, edited like `git rebase -i`'s todo list, or read
from a file; then the whole roll is one commit, or nothing."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from okrctl.core.graph import Graph, build_graph
from okrctl.core.periods import check_period, parse_period
from okrctl.core.roll_plan import (
    Change,
    Decision,
    Plan,
    PlanError,
    commit_message,
    default_plan,
    parse_plan,
)
from okrctl.core.rules import run_rules
from okrctl.core.rules.focus import self_set_shares
from okrctl.core.scorecard import Moment, evaluate
from okrctl.model.errors import OkrctlError, UsageError
from okrctl.model.findings import Severity
from okrctl.model.units import Repository
from okrctl.render.roll_plan import format_plan
from okrctl.store.cache.parse_cache import open_cache
from okrctl.store.config import parse_config
from okrctl.store.edits import (
    SourceText,
    Target,
    goals_lock,
    private_file,
    read_for_edit,
    refuse_uncommitted,
    refuse_unsafe,
    target,
    write_and_commit,
)
from okrctl.store.load import load_files, load_repo, working_tree_files
from okrctl.store.revisions import TAG_PREFIX, is_closed
from okrctl.store.root import CONFIG_NAME
from okrctl.store.workspace import Workspace
from okrctl.store.yaml.splice_edits import (
    CopyValue,
    Edit,
    RemoveItem,
    RemoveKey,
    SetValue,
    edit_text,
)
from okrctl.views.roll import Rolled

Editor = Callable[[str], str | None]
"""Shows the plan to someone and returns it as they left it (None: they gave up)."""

PLAN_NAME = "okrctl-roll-plan.txt"


def roll(
    repo: Workspace | Path | str | None,
    next_period: str,
    *,
    plan: str | None = None,
    edit: Editor | None = None,
    dry_run: bool = False,
    commit: bool = True,
) -> Rolled:
    """Start `next_period`: with no `plan` and no `edit`, by the default plan. `plan` is a plan's
    text (as `--dry-run` prints it); `edit` is shown the plan and returns it changed. The files
    are read again under the goals lock before anything is written, so a check-in that lands
    while someone edits the plan is rolled from, never written over."""
    check_period(next_period)
    workspace = Workspace.of(repo)
    text, shown = plan, None
    if dry_run or edit is not None:  # the plan is shown before the lock is taken
        repository, graph = _load(workspace, next_period)
        shown = _plan(repository, graph, next_period)
        if edit is not None:
            text = _edited(workspace, edit, plan if plan is not None else format_plan(shown))
        chosen = _follow(text, shown, workspace, edit) if text is not None else shown
        if dry_run:
            return Rolled(
                next_period,
                chosen,
                format_plan(chosen),
                dry_run=True,
                titles=[f"{ref}: {why}" for ref, why in chosen.stale_titles().items()],
                warnings=_warnings(workspace, repository),
            )
    top = workspace.top if commit else None
    with goals_lock(workspace):
        repository, graph = _load(workspace, next_period)
        fresh = _plan(repository, graph, next_period)
        if shown is not None and edit is not None:
            arrived = [ref for ref in fresh.decisions if ref not in shown.decisions]
            if arrived:  # a line the plan never showed would read as "drop"
                raise OkrctlError(
                    f"the goals changed while the plan was open: {', '.join(arrived[:5])} "
                    f"{'is' if len(arrived) == 1 else 'are'} new; nothing was rolled"
                    + _saved(workspace, edit, next_period)
                )
        chosen = _follow(text, fresh, workspace, edit) if text is not None else fresh
        return _apply(workspace, top, repository, graph, chosen, edit)


def _edited(workspace: Workspace, edit: Editor, text: str) -> str:
    """The plan as the editor leaves it, saved, so a refused roll can be run again with
    `--plan`."""
    edited = edit(text)
    if edited is None:
        raise OkrctlError("the editor gave no plan back: nothing was rolled")
    _save_plan(workspace, edited)
    return edited


def _follow(text: str, proposed: Plan, workspace: Workspace, edit: Editor | None) -> Plan:
    """The decisions a plan's text makes; a plan that cannot be followed is a usage error
    naming its line (exit 2), and nothing is rolled."""
    try:
        return parse_plan(text, proposed)
    except PlanError as error:
        saved = _saved(workspace, edit, proposed.next)
        raise UsageError(f"{error}; nothing was rolled{saved}") from None


def _load(workspace: Workspace, next_period: str) -> tuple[Repository, Graph]:
    repository = load_repo(workspace)
    if repository.findings:
        raise OkrctlError("some goals files do not load; run `okrctl check` and fix them first")
    config = repository.config.config
    if config.period == next_period:
        raise UsageError(f"the current period is already {next_period}")
    check_period(next_period, config.fiscal_year_start)
    return repository, build_graph(repository)


def _plan(repository: Repository, graph: Graph, next_period: str) -> Plan:
    config = repository.config.config
    period = parse_period(config.period, config.fiscal_year_start)
    card = evaluate(graph, period, Moment.of(None))
    return default_plan(card, config.period, next_period)


def _apply(
    workspace: Workspace,
    top: Path | None,
    repository: Repository,
    graph: Graph,
    plan: Plan,
    edit: Editor | None,
) -> Rolled:
    root = workspace.root
    if top is not None:
        _refuse_dirty(workspace, top, repository)
    sources: dict[str, SourceText] = {}
    texts: dict[str, str] = {}
    config_source = read_for_edit(target(root, top, CONFIG_NAME).real)
    sources[CONFIG_NAME] = config_source
    period = SetValue((), "period", plan.next, plan.next)
    texts[CONFIG_NAME] = edit_text(config_source.text, [period])
    for unit_file in graph.units.values():
        changes = _edits(unit_file.unit, plan)
        if not changes:
            continue  # kept as it is
        source = read_for_edit(target(root, top, unit_file.path).real)
        sources[unit_file.path] = source
        texts[unit_file.path] = edit_text(source.text, changes)
    edits = [
        (target(root, top, relative), sources[relative], sources[relative].encode(text))
        for relative, text in texts.items()
    ]
    contents = {where.shown: after for where, _, after in edits}
    after = _reload(workspace, contents)
    _refuse_new_errors(repository, after, workspace, edit)
    changed = sorted(where.shown for where, before, after in edits if after != before.raw)
    result = Rolled(plan.next, plan, format_plan(plan), files=changed)
    result.titles = [f"{ref}: {why}" for ref, why in plan.stale_titles().items()]
    result.shares = _shares(graph, build_graph(after))
    result.warnings = _warnings(workspace, repository)
    if top is not None:
        refuse_unsafe(top, [where for where, _, _ in edits])
    result.commit = write_and_commit(
        workspace, top, edits, commit_message(plan) if top is not None else None
    )
    return result


def _edits(unit: Any, plan: Plan) -> list[Edit]:
    """The roll of one unit file as edits: its period, dropped objectives and key results
    removed, carried and reset numbers rewritten (none: the file is kept as it is)."""
    found: list[Edit] = []
    if unit.period is not None:
        found.append(SetValue((), "period", plan.next, plan.next))
    for index, objective in enumerate(unit.objectives):
        ref = f"{unit.id}/{objective.id}"
        if plan.decisions.get(ref, Decision.KEEP) is Decision.DROP:
            found.append(RemoveItem(("objectives",), index))
            continue
        for at, kr in enumerate(objective.key_results):
            kr_ref = f"{ref}/{kr.id}"
            where = ("objectives", index, "key_results", at)
            if plan.decisions.get(kr_ref, Decision.KEEP) is Decision.DROP:
                found.append(RemoveItem(where[:-1], at))
            elif kr_ref in plan.key_results:
                found += [_edit_of(where, step) for step in plan.changes(kr_ref)]
    return found


def _edit_of(where: tuple[str | int, ...], step: Change) -> Edit:
    if step.copy is not None:
        return CopyValue(where, step.field, step.copy)
    if step.value is None:
        return RemoveKey(where, step.field)
    if isinstance(step.value, bool):
        return SetValue(where, step.field, "true" if step.value else "false", step.value)
    return SetValue(where, step.field, str(step.value), step.value)


def _reload(workspace: Workspace, contents: dict[str, bytes]) -> Repository:
    """The goals as the roll would leave them, read from the edits before they are written
    (unchanged files from the parse cache). An edited file that would no longer load stops the
    roll: nothing is written."""
    try:
        config = parse_config(contents[CONFIG_NAME], workspace.root)
    except OkrctlError as exc:
        raise OkrctlError(
            f"{CONFIG_NAME}: rolling would leave the file invalid ({exc}); nothing was written"
        ) from None
    files = [
        (relative, contents.get(relative, raw), problem)
        for relative, raw, problem in working_tree_files(workspace.root, config.goals_path)
    ]
    cache = open_cache(workspace, config.config.goals_dir)
    after = load_files(config, files, cache=cache)
    broken = [f for f in after.findings if f.file in contents]
    if broken:
        first = broken[0]
        raise OkrctlError(
            f"rolling would leave a file invalid ({first.file}:{first.line}:{first.column}: "
            f"{first.message}); nothing was written"
        )
    return after


def _errors(repository: Repository) -> Counter[tuple[str, str]]:
    return Counter(
        (f.rule, f.message) for f in run_rules(repository) if f.severity is Severity.ERROR
    )


def _refuse_new_errors(
    before: Repository, after: Repository, workspace: Workspace, edit: Editor | None
) -> None:
    """A plan that would leave `okrctl check` errors the goals do not have now (an objective
    aligned to one the plan drops, an objective with every key result dropped) is refused."""
    new = _errors(after) - _errors(before)
    if not new:
        return
    located = [
        f"  {f.file}:{f.line}:{f.column} {f.rule}: {f.message}"
        for f in run_rules(after)
        if f.severity is Severity.ERROR and (f.rule, f.message) in new
    ]
    raise OkrctlError(
        "rolling by this plan would leave errors `okrctl check` would report:\n"
        + "\n".join(located)
        + "\ncarry or keep what they name, or drop what names it; nothing was written"
        + _saved(workspace, edit, after.config.config.period)
    )


def _refuse_dirty(workspace: Workspace, top: Path, repository: Repository) -> None:
    """The plan is made from the files as they are; uncommitted edits would go into the roll's
    commit unreviewed, or be written over."""
    goals = [CONFIG_NAME, *(unit_file.path for unit_file in repository.units)]
    targets: list[Target] = [target(workspace.root, top, relative) for relative in goals]
    refuse_uncommitted(top, targets, ", so the roll starts from committed goals")


def _shares(before: Graph, after: Graph) -> list[str]:
    old, new = self_set_shares(before), self_set_shares(after)
    notes = []
    for team, share in sorted(new.items()):
        if old.get(team) != share:
            was = old.get(team)
            was_text = "" if was is None else f" (was {was:.0%})"
            notes.append(f"{team}: {share:.0%} of personal objectives self-set{was_text}")
    for team in sorted(set(old) - set(new)):
        notes.append(f"{team}: no personal objectives left (was {old[team]:.0%} self-set)")
    return notes


def _warnings(workspace: Workspace, repository: Repository) -> list[str]:
    closing = repository.config.config.period
    if workspace.top is None or is_closed(workspace, closing):
        return []
    return [
        f"{closing} was never closed: `okrctl close {closing}` grades it into the tag "
        f"{TAG_PREFIX}{closing} (its last commit stays findable after the roll)"
    ]


def _save_plan(workspace: Workspace, text: str) -> None:
    with contextlib.suppress(OSError):  # a convenience: the roll itself does not need it
        private_file(workspace, PLAN_NAME, "-roll-plan.txt").write_text(text, encoding="utf-8")


def _saved(workspace: Workspace, edit: Editor | None, next_period: str) -> str:
    if edit is None:
        return ""
    where = private_file(workspace, PLAN_NAME, "-roll-plan.txt")
    return (
        f"\nyour plan is saved in {where}: fix it and run "
        f"`okrctl roll {next_period} --plan {where}`"
    )

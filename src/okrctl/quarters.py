"""Ending one period and starting the next: `okrctl close PERIOD` and `okrctl roll NEXT`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from okrctl import gitlog
from okrctl.config import parse_config
from okrctl.errors import OkrctlError, UsageError
from okrctl.evaluate import Moment, evaluate
from okrctl.graph import build_graph
from okrctl.load import load_repo
from okrctl.model import Unit
from okrctl.periods import is_period, parse_period
from okrctl.retro import grade_period
from okrctl.revisions import TAG_PREFIX, last_commit_naming_period
from okrctl.root import CONFIG_NAME, resolve_root
from okrctl.writeback import set_scalar
from okrctl.writefile import write_atomically
from okrctl.yamlread import YamlProblem, decode, parse_text


@dataclass(frozen=True, slots=True)
class Closed:
    tag: str
    commit: str
    message: str


def close(repo: Path | str | None, period_name: str, *, force: bool = False) -> Closed:
    """Grade the period and tag its last commit `okr/PERIOD` (an annotated tag holding the
    grades). Closing twice is refused without `force`."""
    if not is_period(period_name):
        raise UsageError(f"{period_name!r} is not a period: use YYYY-Qn, YYYY-Hn or YYYY")
    root = resolve_root(Path(repo) if repo is not None else None)
    top = gitlog.toplevel(root)
    if top is None:
        raise UsageError("close tags a git commit, and this is not a git repository")
    tag = TAG_PREFIX + period_name
    existing = gitlog.tag_target(top, tag)
    if existing is not None and not force:
        raise OkrctlError(
            f"{period_name} is already closed: tag {tag} is on {existing[:10]}. "
            "Use --force to grade it again and move the tag"
        )
    commit = last_commit_naming_period(root, top, period_name)
    if commit is None:
        raise UsageError(f"no commit's {CONFIG_NAME} names the period {period_name}")
    graded = grade_period(root, period_name, commit)
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
    gitlog.create_tag(top, tag, commit, message, force=force)
    return Closed(tag, commit, message)


@dataclass(slots=True)
class Rolled:
    period: str
    files: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    commit: str | None = None


def roll(
    repo: Path | str | None, next_period: str, *, carry: bool = False, commit: bool = True
) -> Rolled:
    """Start the next period in one commit: `period` in okrctl.yaml (and in units that name
    one). With `carry`, unfinished committed objectives stay, each numeric key result's
    baseline set to its current value; everything else is left for the teams to rewrite."""
    if not is_period(next_period):
        raise UsageError(f"{next_period!r} is not a period: use YYYY-Qn, YYYY-Hn or YYYY")
    root = resolve_root(Path(repo) if repo is not None else None)
    repository = load_repo(root)
    if repository.findings:
        raise OkrctlError("some goals files do not load; run `okrctl check` and fix them first")
    config = repository.config.config
    if config.period == next_period:
        raise UsageError(f"the current period is already {next_period}")
    parse_period(next_period, config.fiscal_year_start)
    graph = build_graph(repository)
    top = gitlog.toplevel(root) if commit else None
    texts: dict[str, str] = {CONFIG_NAME: (root / CONFIG_NAME).read_text(encoding="utf-8")}
    texts[CONFIG_NAME] = set_scalar(texts[CONFIG_NAME], (), "period", next_period, ("company",))
    result = Rolled(next_period)
    for unit_file in graph.units.values():
        if unit_file.unit.period is not None:
            text = texts.get(unit_file.path) or (root / unit_file.path).read_text("utf-8")
            texts[unit_file.path] = set_scalar(text, (), "period", next_period, ("name",))
    if carry:
        period = parse_period(config.period, config.fiscal_year_start)
        card = evaluate(graph, period, Moment.of(None))
        for objective in card.objectives.values():
            if objective.node.objective.type != "committed" or (objective.score or 0) >= 1:
                continue
            result.carried.append(objective.ref)
            for kr in objective.key_results:
                model = kr.node.key_result
                if model.baseline is None or model.current is None or model.milestone:
                    continue
                path = kr.node.owner.path
                text = texts.get(path) or (root / path).read_text("utf-8")
                texts[path] = set_scalar(
                    text, kr.node.path(), "baseline", str(model.current), ("unit",)
                )
    _validate(root, texts)
    result.files = sorted(texts)
    if top is not None:
        prefix = root.resolve().relative_to(top).as_posix()
        paths = [p if prefix == "." else f"{prefix}/{p}" for p in result.files]
        busy = gitlog.changed_paths(top, paths)
        if busy:
            raise OkrctlError(
                f"{', '.join(busy)} have uncommitted changes: commit or stash them "
                "first (or use --no-commit)"
            )
    for relative, text in texts.items():
        write_atomically(root / relative, text.encode("utf-8"))
    if top is not None:
        body = "".join(f"\n- carried: {ref}" for ref in result.carried)
        message = (
            f"Roll to {next_period}\n"
            + (f"\n{body.strip()}\n" if body else "")
            + f"\nOkr-Roll: {next_period}\n"
        )
        result.commit = gitlog.commit_paths(top, paths, message)
    return result


def _validate(root: Path, texts: dict[str, str]) -> None:
    """Every edited file must still load, or nothing is written."""
    for relative, text in texts.items():
        try:
            if relative == CONFIG_NAME:
                parse_config(text.encode("utf-8"), root)
                continue
            data = parse_text(decode(text.encode("utf-8"))).data
            stem = relative.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            Unit.model_validate({"id": stem, **data} if "id" not in data else data)
        except (YamlProblem, ValidationError) as exc:
            raise OkrctlError(
                f"{relative}: rolling would leave the file invalid ({exc}); nothing was written"
            ) from None

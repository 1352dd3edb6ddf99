"""`okrctl init` and `okrctl codeowners`: a new goals repository that passes `check` from the
first minute, with CI (okrctl's GitHub Action), a pre-commit hook, editor schemas and CODEOWNERS.
Never overwrites a file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from okrctl._version import __version__
from okrctl.model.goals import Kind
from okrctl.store.git import process as git_process
from okrctl.store.git import writes as git_writes
from okrctl.store.workspace import Workspace

SCAFFOLD = Path(__file__).parent / "scaffold_files"
CODEOWNERS = "CODEOWNERS"
ACTION_REPOSITORY = "okrctl/okrctl"
"""Where okrctl's GitHub Action and pre-commit hook are published (this repository)."""
RELEASE = f"v{__version__}"
"""The release tag scaffolds pin the Action and the hook to."""


@dataclass(slots=True)
class Initialised:
    root: Path
    created: list[str] = field(default_factory=list)
    """Paths relative to `root` (files at the git top-level may start with `../`)."""
    kept: list[str] = field(default_factory=list)
    to_add: list[tuple[str, str]] = field(default_factory=list)
    """(file, text): what to add by hand to a file that exists, since okrctl never edits it."""
    git_initialised: bool = False
    branch: str = "main"


def current_quarter(today: date | None = None) -> str:
    today = today or date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def init(target: Path, today: date | None = None, *, ci_only: bool = False) -> Initialised:
    """The goals repository in `target` (okrctl.yaml, goals/, the editor schemas in .okrctl/),
    and what git and its hosts read at the git top-level (the workflow, the pre-commit config,
    the editor settings, CODEOWNERS), pointed at `target` with `--repo`. `git init` (on the
    configured default branch, else `main`) when `target` is not inside a repository. A file
    that exists is never overwritten: what it would need is printed to add by hand. With
    `ci_only`, only the files at the git top-level (for goals that exist already)."""
    target = target.resolve()
    if ci_only and not (target / "okrctl.yaml").is_file():
        from okrctl.model.errors import UsageError

        raise UsageError(f"--ci-only is for goals that exist, and {target} has no okrctl.yaml")
    target.mkdir(parents=True, exist_ok=True)
    result = Initialised(target)
    top = git_process.toplevel(target)
    if top is None:
        result.branch = git_writes.default_branch_setting() or "main"
        git_writes.init_repository(target, result.branch)
        result.git_initialised = True
        top = target
    else:
        result.branch = (
            git_writes.current_branch(top) or git_writes.default_branch_setting() or "main"
        )
    goals_repo = target.relative_to(top).as_posix()
    tokens = {
        "PERIOD": current_quarter(today),
        "BRANCH": result.branch,
        "GOALS_REPO": goals_repo,
        "GOALS_PREFIX": "" if goals_repo == "." else f"{goals_repo}/",
        "ACTION_REF": f"{ACTION_REPOSITORY}@{RELEASE}",
        "HOOK_REPO": f"https://github.com/{ACTION_REPOSITORY}",
        "HOOK_REV": RELEASE,
    }
    files = {
        (target, relative): _fill(text, tokens)
        for relative, text in _templates(SCAFFOLD / "goals-repo")
    }
    for (folder, relative), text in {} if ci_only else files.items():
        _write_new(result, folder / relative, text)
    for which in () if ci_only else ("unit", "config"):  # the schema follows okrctl.yaml's rules
        _write_new(result, target / f".okrctl/{which}.schema.json", _schema(target, which))
    for relative, text in _templates(SCAFFOLD / "top"):
        _write_new(
            result, top / relative, _fill(text, tokens), merge=_snippet(relative, text, tokens)
        )
    owners = codeowners(target)
    _write_new(result, top / CODEOWNERS, owners, merge=owners)
    return result


def _schema(target: Path, which: str) -> str:
    """The editor schema of the repository at `target`; one whose okrctl.yaml (kept as it was)
    does not load gets the defaults' (`check` says what is wrong with it)."""
    from okrctl.commands.schema import editor_schema
    from okrctl.core.schema import schema_json
    from okrctl.model.errors import ConfigError

    try:
        return editor_schema(target, which)
    except ConfigError:
        return schema_json(which)


def _templates(folder: Path) -> list[tuple[str, str]]:
    return [
        (path.relative_to(folder).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(p for p in folder.rglob("*") if p.is_file())
    ]


def _fill(text: str, tokens: dict[str, str]) -> str:
    for token, value in tokens.items():
        text = text.replace(token, value)
    return text


def _snippet(relative: str, text: str, tokens: dict[str, str]) -> str | None:
    """What to add by hand to an existing top-level file (None: keeping it is enough)."""
    if relative == ".pre-commit-config.yaml":
        return _fill(text[text.index("  - repo:") :], tokens)
    if relative == ".vscode/settings.json":
        return _fill(text, tokens)
    return None


def _write_new(result: Initialised, path: Path, text: str, merge: str | None = None) -> None:
    shown = os.path.relpath(path, result.root).replace(os.sep, "/")
    if path.exists():
        result.kept.append(shown)
        if merge is not None:
            result.to_add.append((shown, merge))
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    result.created.append(shown)


def codeowners(repo: Workspace | Path | str | None) -> str:
    """CODEOWNERS from the units' leads: changing a unit's goals needs its lead's review, and
    okrctl.yaml needs the company lead's. Paths are anchored at the git top-level."""
    from okrctl.core.graph import build_graph
    from okrctl.store.load import load_repo

    workspace = Workspace.of(repo)
    graph = build_graph(load_repo(workspace))
    anchor = f"/{workspace.prefix}"
    lines = [
        "# Generated by `okrctl codeowners` from the units' leads: a change to a unit's goals",
        "# (its targets, or what aligns to what) needs its lead's review. Regenerate it with",
        "# `okrctl codeowners -o CODEOWNERS` after leads change.",
    ]
    company = graph.company
    if company is not None and company.unit.lead:
        lines.append(f"{anchor}okrctl.yaml @{company.unit.lead}")
    for unit_file in sorted(graph.units.values(), key=lambda u: u.path):
        unit = unit_file.unit
        owner = unit.id if unit.kind is Kind.PERSON else unit.lead
        if owner:
            lines.append(f"{anchor}{unit_file.path} @{owner}")
    return "\n".join(lines) + "\n"

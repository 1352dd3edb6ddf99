"""okrctl: goals as reviewed, versioned YAML — validate the cascade, score it, report it.

A script can do what the CLI does, one call per command::

    import okrctl
    workspace = okrctl.Workspace.open("path/to/goals-repo")
    result = okrctl.check_repo(workspace)
    for finding in result.findings:
        print(finding.file, finding.line, finding.rule, finding.message)
    scored = okrctl.status(workspace, "growth")
    print(scored.as_json()["units"][0]["score"])
    print(okrctl.render_report(okrctl.report(workspace, "tom")))

Every call takes a `Workspace` (or a path, or None to search upward from the current folder).
"""

from __future__ import annotations

from okrctl._version import __version__

TYPE_CHECKING = False  # (not `typing`'s: the client of `okrctl serve` imports only this)
if TYPE_CHECKING:
    from typing import Any

    from okrctl.commands.check import CheckResult, check_repo
    from okrctl.commands.checkin import checkin
    from okrctl.commands.diff import diff
    from okrctl.commands.fmt import format_repo
    from okrctl.commands.history import history
    from okrctl.commands.quarters import close
    from okrctl.commands.report import report
    from okrctl.commands.retro import retro
    from okrctl.commands.review import review_change
    from okrctl.commands.roll import roll
    from okrctl.commands.show import show
    from okrctl.commands.status import status
    from okrctl.core.graph import Graph, build_graph
    from okrctl.model.errors import ConfigError, OkrctlError, UsageError
    from okrctl.model.findings import Finding, Severity
    from okrctl.model.units import Repository
    from okrctl.render.markdown import render_report
    from okrctl.store.load import load_repo
    from okrctl.store.workspace import Workspace

# Imported on first use, so `okrctl --help` does not pay for pydantic and friends.
_EXPORTS = {
    "CheckResult": "okrctl.commands.check",
    "check_repo": "okrctl.commands.check",
    "Finding": "okrctl.model.findings",
    "Severity": "okrctl.model.findings",
    "ConfigError": "okrctl.model.errors",
    "OkrctlError": "okrctl.model.errors",
    "UsageError": "okrctl.model.errors",
    "Graph": "okrctl.core.graph",
    "build_graph": "okrctl.core.graph",
    "Repository": "okrctl.model.units",
    "load_repo": "okrctl.store.load",
    "Workspace": "okrctl.store.workspace",
    "checkin": "okrctl.commands.checkin",
    "format_repo": "okrctl.commands.fmt",
    "status": "okrctl.commands.status",
    "show": "okrctl.commands.show",
    "report": "okrctl.commands.report",
    "render_report": "okrctl.render.markdown",
    "history": "okrctl.commands.history",
    "diff": "okrctl.commands.diff",
    "retro": "okrctl.commands.retro",
    "review_change": "okrctl.commands.review",
    "close": "okrctl.commands.quarters",
    "roll": "okrctl.commands.roll",
}

__all__ = [
    "CheckResult",
    "ConfigError",
    "Finding",
    "Graph",
    "OkrctlError",
    "Repository",
    "Severity",
    "UsageError",
    "Workspace",
    "__version__",
    "build_graph",
    "check_repo",
    "checkin",
    "close",
    "diff",
    "format_repo",
    "history",
    "load_repo",
    "render_report",
    "report",
    "retro",
    "review_change",
    "roll",
    "show",
    "status",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'okrctl' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

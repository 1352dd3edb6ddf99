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

from typing import TYPE_CHECKING, Any

from okrctl._version import __version__

if TYPE_CHECKING:
    from okrctl.core.graph import Graph, build_graph
    from okrctl.model.errors import ConfigError, OkrctlError, UsageError
    from okrctl.model.findings import Finding, Severity
    from okrctl.model.units import Repository
    from okrctl.render.markdown import render_report
    from okrctl.store.checkin import checkin
    from okrctl.store.fmt import format_repo
    from okrctl.store.load import load_repo
    from okrctl.store.workspace import Workspace
    from okrctl.views.check import CheckResult, check_repo
    from okrctl.views.diff import diff
    from okrctl.views.history import history
    from okrctl.views.quarters import close, roll
    from okrctl.views.report import report
    from okrctl.views.retro import retro
    from okrctl.views.show import show
    from okrctl.views.status import status

# Imported on first use, so `okrctl --help` does not pay for pydantic and friends.
_EXPORTS = {
    "CheckResult": "okrctl.views.check",
    "check_repo": "okrctl.views.check",
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
    "checkin": "okrctl.store.checkin",
    "format_repo": "okrctl.store.fmt",
    "status": "okrctl.views.status",
    "show": "okrctl.views.show",
    "report": "okrctl.views.report",
    "render_report": "okrctl.render.markdown",
    "history": "okrctl.views.history",
    "diff": "okrctl.views.diff",
    "retro": "okrctl.views.retro",
    "close": "okrctl.views.quarters",
    "roll": "okrctl.views.quarters",
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

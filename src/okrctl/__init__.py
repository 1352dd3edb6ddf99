"""okrctl: goals as reviewed, versioned YAML — validate the cascade, score it, report it.

A script can do what the CLI does::

    import okrctl
    result = okrctl.check_repo("path/to/goals-repo")
    for finding in result.findings:
        print(finding.file, finding.line, finding.rule, finding.message)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from okrctl.core.graph import Graph, build_graph
    from okrctl.model.errors import ConfigError, OkrctlError, UsageError
    from okrctl.model.findings import Finding, Severity
    from okrctl.store.load import Repository, load_repo
    from okrctl.views.check import CheckResult, check_repo

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
    "Repository": "okrctl.store.load",
    "load_repo": "okrctl.store.load",
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
    "__version__",
    "build_graph",
    "check_repo",
    "load_repo",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'okrctl' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

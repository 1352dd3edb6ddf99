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
    from okrctl.check import CheckResult, check_repo
    from okrctl.diagnostics import Finding, Severity
    from okrctl.errors import ConfigError, OkrctlError, UsageError
    from okrctl.graph import Graph, build_graph
    from okrctl.load import Repository, load_repo

# Imported on first use, so `okrctl --help` does not pay for pydantic and friends.
_EXPORTS = {
    "CheckResult": "okrctl.check",
    "check_repo": "okrctl.check",
    "Finding": "okrctl.diagnostics",
    "Severity": "okrctl.diagnostics",
    "ConfigError": "okrctl.errors",
    "OkrctlError": "okrctl.errors",
    "UsageError": "okrctl.errors",
    "Graph": "okrctl.graph",
    "build_graph": "okrctl.graph",
    "Repository": "okrctl.load",
    "load_repo": "okrctl.load",
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

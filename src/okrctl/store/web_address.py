"""Where the goals repository lives on the web, for links that open its check-in form
(docs/checkin.md): `repository_url` in okrctl.yaml, else git's `origin` when it is on
github.com (the form's prefill parameters are GitHub's)."""

from __future__ import annotations

import re

from okrctl.store.git import process as git_process
from okrctl.store.workspace import Workspace

_GITHUB = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<path>[A-Za-z0-9._-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


def repository_url(workspace: Workspace, configured: str | None) -> str | None:
    if configured:
        return configured.rstrip("/")
    top = workspace.top
    if top is None:
        return None
    origin = git_process.config_value(top, "remote.origin.url")
    found = _GITHUB.match(origin)
    return f"https://github.com/{found.group('path')}" if found else None

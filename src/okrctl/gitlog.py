"""The only module that talks to git."""

from __future__ import annotations

import subprocess
from pathlib import Path


def toplevel(path: Path) -> Path | None:
    """The work tree root containing `path`, or None outside a git repository."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=path,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return Path(done.stdout.strip()).resolve()

"""Real git repositories in temporary folders, with back-dated commits. Nothing is mocked."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path


class GitRepo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Maria Lopez")
        self.git("config", "user.email", "maria@example.com")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, date: str | None = None) -> str:
        env = dict(os.environ)
        if date is not None:
            stamp = f"{date}T12:00:00+00:00" if "T" not in date else date
            env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        done = subprocess.run(
            ["git", *args], cwd=self.root, env=env, check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    def write(self, files: dict[str, str | None]) -> None:
        for relative, content in files.items():
            path = self.root / relative
            if content is None:
                path.unlink(missing_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(content), encoding="utf-8")

    def commit(self, files: dict[str, str | None], date: str, message: str = "update") -> str:
        """Write the files and commit them, authored and committed on `date` (UTC noon)."""
        self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date)
        return self.git("rev-parse", "HEAD")

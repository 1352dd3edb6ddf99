"""`okrctl check` as a library call: load, run every rule, report what was found."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from okrctl.diagnostics import Finding, Severity, count
from okrctl.load import Repository, load_repo


@dataclass(frozen=True, slots=True)
class CheckResult:
    repository: Repository
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return count(self.findings, Severity.ERROR)

    @property
    def warnings(self) -> int:
        return count(self.findings, Severity.WARNING)

    def exit_code(self, *, strict: bool = False) -> int:
        """SPEC §4: 1 with errors (or, with `strict`, warnings), else 0."""
        return 1 if self.errors or (strict and self.warnings) else 0


def check_repo(repo: Path | str | None = None, *, at: str | None = None) -> CheckResult:
    """Load the goals (from the working tree, or at a revision or period) and run every rule."""
    from okrctl.rules import run_rules

    revision = None
    if at is not None:
        from okrctl.config import resolve_root
        from okrctl.revisions import resolve

        revision = resolve(resolve_root(Path(repo) if repo is not None else None), at)
    repository = load_repo(repo, revision=revision)
    return CheckResult(repository, run_rules(repository))

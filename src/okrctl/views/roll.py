"""What `okrctl roll` did (or, with `--dry-run`, would do): the plan followed, the files and
the commit, and what the people rolling should look at next."""

from __future__ import annotations

from dataclasses import dataclass, field

from okrctl.core.roll_plan import Decision, Plan


@dataclass(slots=True)
class Rolled:
    period: str
    plan: Plan
    plan_text: str
    """The plan as followed (or, with `dry_run`, as it would be)."""
    files: list[str] = field(default_factory=list)
    commit: str | None = None
    dry_run: bool = False
    titles: list[str] = field(default_factory=list)
    """Key results whose titles would disagree with their new numbers (`title-numbers`)."""
    shares: list[str] = field(default_factory=list)
    """Each team's self-set share of personal objectives, where the roll changes it."""
    warnings: list[str] = field(default_factory=list)

    def refs(self, decision: Decision) -> list[str]:
        return self.plan.refs(decision)

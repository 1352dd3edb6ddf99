"""`okrctl history REF`: a key result's or KPI's check-ins from git, oldest first."""

from __future__ import annotations

from pathlib import Path

from okrctl.store.history import ref_history
from okrctl.views.history import HistoryResult


def history(repo: Path | str | None, ref: str) -> HistoryResult:
    """The check-ins of `ref` from git; a ref that names nothing is a usage error."""
    ref, found, notes = ref_history(repo, ref)
    return HistoryResult(ref, found.checkins, notes)

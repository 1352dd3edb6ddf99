"""A loaded goals repository: its units, each with its file and the positions of its nodes,
and what could not be loaded."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from okrctl.model.config import RepoConfig
from okrctl.model.findings import Finding, Positions
from okrctl.model.goals import Unit


@dataclass(frozen=True, slots=True)
class UnitFile:
    """A unit that validated, with its file (relative to the repo root) and source map."""

    path: str
    unit: Unit
    source: Positions


@dataclass(slots=True)
class Repository:
    """Everything `check`, `status` and `report` read: config, valid units, schema findings."""

    config: RepoConfig
    units: list[UnitFile] = field(default_factory=list)
    broken_unit_ids: set[str] = field(default_factory=set)
    broken_aligns_to: set[str] = field(default_factory=set)
    """Refs that files failing `schema` align to, read best-effort, so that what they support
    is not reported as unsupported while they are being fixed."""
    findings: list[Finding] = field(default_factory=list)
    texts: MutableMapping[str, str] = field(default_factory=dict)
    """Each file's text, by path (a load fills it with `store.file_texts.FileTexts`, which
    decodes a file only when its text is asked for)."""
    content_keys: dict[str, str] = field(default_factory=dict)
    """Each file's parse cache key (a hash of its bytes, its name and the code that reads it),
    where the load had a cache: what a cache of things found in a file keys on."""
    files_read: int = 0
    revision: str | None = None
    """The commit the goals were read from; None for the working tree."""

    @property
    def root(self) -> Path:
        return self.config.root

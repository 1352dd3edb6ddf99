"""How goals files are named, without importing the model: the history fast path needs it."""

from __future__ import annotations

YAML_SUFFIXES = (".yaml", ".yml")
"""What a goals file's name ends in (in lower case: `.YAML` is a finding, not a goals file)."""


def unit_of(ref: str) -> str:
    """The unit a ref belongs to: its first step (`signups` of `signups/funding/ach`)."""
    return ref.partition("/")[0]


def unit_stem(path: str) -> str:
    """The unit id a goals file is named for: its file name without the suffix."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]

"""The ref-like word under an editor's cursor, and the line a finding points at. Their own
small module: the language server's first diagnostics are placed on their words before the
rest of the editor views (or the protocol's types, in the child that checks at start) is
imported."""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z0-9_./-]+")
"""What a ref or an id is made of."""


def word_at(line: str, character: int) -> tuple[str, int, int] | None:
    """The ref-like word under the cursor, with its start and end column."""
    for match in WORD.finditer(line):
        if match.start() <= character <= match.end():
            return match.group(), match.start(), match.end()
    return None


def line_of(line_number: int, lines: list[str]) -> str:
    """The text of a 1-based line ("" past the end; line 0 is the first)."""
    line = max(line_number - 1, 0)
    return lines[line] if line < len(lines) else ""

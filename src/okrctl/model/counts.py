"""A count with its noun in agreement, for every layer that writes one ("1 days" was written
by a rule, a renderer and a store message, each with a plural of its own). No imports: the
fast paths print with it."""

from __future__ import annotations


def counted(count: int, noun: str) -> str:
    """`1 file`, `4 files`, `2,001 units`: a plain `s` plural, thousands grouped."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"

""""Did you mean" for misspelt refs and names, in bounded time.

Comparing every unknown ref with every known one is quadratic: a hostile pull request with
20,000 objectives aligned to unknown refs would stall CI for minutes. Refs are paths
(`unit/objective/key-result`), so a suggestion is searched level by level: a known parent
narrows the candidates to its children, an unknown parent is first matched among the parents
at its level. Answers are remembered per word, and the whole run has a budget of comparisons;
past it, findings simply carry no suggestion.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property

BUDGET = 30_000
"""Candidate comparisons per run: about a second when every candidate is a near miss (60 µs
each), a few tens of milliseconds for ordinary ids. Repeated typos are answered from memory."""


class Suggester:
    """Built for every run of the rules, used only when something is misspelt: the index of
    the words is made on the first question (at 2,000 teams, a tenth of a second saved)."""

    def __init__(self, words: Iterable[str], budget: int = BUDGET) -> None:
        self._given = list(words)
        self.left = budget
        self.memo: dict[tuple[str, bool], list[str]] = {}

    @cached_property
    def words(self) -> set[str]:
        return set(self._given)

    @cached_property
    def roots(self) -> list[str]:
        return sorted(w for w in self.words if "/" not in w)

    @cached_property
    def children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = defaultdict(list)
        for word in sorted(self.words):
            parent, separator, _ = word.rpartition("/")
            if separator:
                children[parent].append(word)
        return children

    @cached_property
    def parent_roots(self) -> list[str]:
        return sorted(p for p in self.children if "/" not in p)

    @cached_property
    def parent_children(self) -> dict[str, list[str]]:
        return {
            parent: [child for child in children if child in self.children]
            for parent, children in self.children.items()
        }

    def __call__(self, word: str) -> list[str]:
        """Up to three known words close to `word`, best first."""
        return self._matches(word, among_parents=False)

    def hint(self, word: str) -> str:
        """` (did you mean `a`, `b`?)`, or nothing."""
        close = self(word)
        return f" (did you mean {', '.join(f'`{c}`' for c in close)}?)" if close else ""

    def _matches(self, word: str, among_parents: bool) -> list[str]:
        key = (word, among_parents)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._close(word, self._pool(word, among_parents))
        return found

    def _pool(self, word: str, among_parents: bool) -> list[str]:
        parent, separator, _ = word.rpartition("/")
        if not separator:
            return self.parent_roots if among_parents else self.roots
        children = self.parent_children if among_parents else self.children
        if parent in self.children:
            return children.get(parent, [])
        return [child for known in self._matches(parent, True) for child in children[known]]

    def _close(self, word: str, pool: list[str]) -> list[str]:
        if not pool or len(pool) > self.left:
            return []
        self.left -= len(pool)
        return difflib.get_close_matches(word, pool, n=3, cutoff=0.6)

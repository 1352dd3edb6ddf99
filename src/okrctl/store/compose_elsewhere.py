"""Composing a large load on two cores: a second process, forked, reads part of the files
while this one reads the rest, and sends its units back packed as the parse cache packs them.
Composing and validating is nine tenths of a cold load, and Python runs it on one core.

Only where okrctl may fork (`store/forks.py`: Linux, no other thread running): the language
server, and any caller with threads of its own, compose alone. Whatever goes wrong in the
child (an exception, a crash, a result of the wrong shape) only means this process reads
those files itself: the load is the same."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from okrctl.store.forks import Later, elsewhere, processes_for

SHARE = 0.42
"""The second process's share of the bytes to compose: a little under half, since its units
are then packed, sent and unpacked (measured at 2,000 teams: with half, this process waited
0.15 s for them)."""

Item = TypeVar("Item")


def can_fork(files: int) -> bool:
    return processes_for(files) > 1


def read_elsewhere(
    items: Sequence[tuple[Any, ...]], read: Callable[..., Item]
) -> Later[list[Item]]:
    """Start a child that runs `read(*item)` over `items`; the function returned waits for its
    results, in order (read here when the child could not give them all)."""

    def unpack(data: bytes) -> list[Item]:
        found = pickle.loads(data)
        if not (isinstance(found, list) and len(found) == len(items)):
            raise ValueError("not one result per file")
        return found

    return elsewhere(lambda: [read(*item) for item in items], pack=_pack_models, unpack=unpack)


def _pack_models(found: object) -> bytes:
    from okrctl.store.cache.parse_cache import pack_models

    return pack_models(found)

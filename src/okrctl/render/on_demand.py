"""A template context's dict whose costly entries are worked out only when a template reads
them: a company report at 2,000 teams shows each objective's score, not each of its 18,000 key
results' check-ins, trend and forecast."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class FilledOnDemand(dict[str, Any]):
    """A dict that holds some of its entries at first. Reading any other, or the whole of it
    (iterating, its length, comparing, printing, JSON, copying, pickling), first fills it with
    every entry `fill` gives, in `fill`'s order; an entry set on it meanwhile is kept over
    `fill`'s. What a template sees is the dict `fill` makes: only when it is made differs."""

    __slots__ = ("_fill", "_set")

    def __init__(self, known: dict[str, Any], fill: Callable[[], dict[str, Any]]) -> None:
        super().__init__(known)
        self._fill: Callable[[], dict[str, Any]] | None = fill
        self._set: dict[str, Any] = {}

    def _filled(self) -> FilledOnDemand:
        fill = self._fill
        if fill is not None:
            whole = fill()
            whole.update(self._set)
            self._fill, self._set = None, {}
            dict.clear(self)
            dict.update(self, whole)
        return self

    def __setitem__(self, key: str, value: Any) -> None:
        if self._fill is not None:
            self._set[key] = value
        dict.__setitem__(self, key, value)

    def __missing__(self, key: str) -> Any:
        if self._fill is None:
            raise KeyError(key)
        return dict.__getitem__(self._filled(), key)

    def get(self, key: str, default: Any = None) -> Any:
        if self._fill is not None and not dict.__contains__(self, key):
            self._filled()
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        if self._fill is not None and not dict.__contains__(self, key):
            self._filled()
        return dict.__contains__(self, key)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FilledOnDemand):
            other._filled()
        return dict.__eq__(self._filled(), other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickled and copied as the plain dict it fills to."""
        return dict, (list(dict.items(self._filled())),)


def _whole(name: str) -> Callable[..., Any]:
    method = getattr(dict, name)

    def whole(self: FilledOnDemand, *args: Any, **kwargs: Any) -> Any:
        return method(self._filled(), *args, **kwargs)

    whole.__name__ = name
    return whole


for _name in (
    "__iter__",
    "__len__",
    "__reversed__",
    "__repr__",
    "__or__",
    "__ror__",
    "__ior__",
    "__delitem__",
    "keys",
    "values",
    "items",
    "copy",
    "pop",
    "popitem",
    "setdefault",
    "update",
    "clear",
):
    setattr(FilledOnDemand, _name, _whole(_name))

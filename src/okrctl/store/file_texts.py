"""Each goals file's text, decoded from its bytes only when asked for.

Only `check`'s text output reads any (the line of each finding, in the files that have one);
a load decoded every file, 6 ms of each warm or served run at 2,000 teams."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping

from okrctl.store.yaml.read import decode


class FileTexts(MutableMapping[str, str]):
    """Texts by path: those already decoded (a file composed in this load), and the bytes of
    the others (a unit the parse cache held), decoded once on first use. Those bytes decoded
    when they were composed, so decoding them again cannot fail."""

    __slots__ = ("_encoded", "_texts")

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._encoded: dict[str, bytes] = {}

    def add_encoded(self, path: str, raw: bytes) -> None:
        self._texts.pop(path, None)
        self._encoded[path] = raw

    def __getitem__(self, path: str) -> str:
        text = self._texts.get(path)
        if text is None:
            text = self._texts[path] = decode(self._encoded.pop(path))
        return text

    def __setitem__(self, path: str, text: str) -> None:
        self._encoded.pop(path, None)
        self._texts[path] = text

    def __delitem__(self, path: str) -> None:
        if self._texts.pop(path, None) is None:
            del self._encoded[path]

    def __contains__(self, path: object) -> bool:
        return path in self._texts or path in self._encoded

    def __iter__(self) -> Iterator[str]:
        yield from self._texts
        yield from self._encoded

    def __len__(self) -> int:
        return len(self._texts) + len(self._encoded)

"""`okrctl.yaml` as it was last read, kept under `.git/okrctl/` so that a warm command reads its
settings without importing the YAML parser (a twentieth of a warm `history REF`, measured in
instructions with callgrind).

The entry is the document's data, keyed by a hash of the file's bytes and of the reader that
composed them (okrctl's version and `yamlread`'s source), so an edited file or another okrctl
is simply a miss. Positions are not kept: they are composed from the text only if an error
needs one. Like the other caches it is written atomically, read with `marshal` (plain data, no
code), and one that cannot be read is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path
from typing import Any

from okrctl._version import __version__
from okrctl.store.yamlread import Document, SourceMap, decode, read_document

FORMAT = b"okrctl-config-1"


def _key(raw: bytes) -> str:
    digest = hashlib.blake2b(FORMAT + b"\0" + __version__.encode(), digest_size=20)
    digest.update(Path(__file__).with_name("yamlread.py").read_bytes())
    digest.update(b"\0" + raw)
    return digest.hexdigest()


def read_config_document(raw: bytes, cache: Path | None) -> Document:
    """The document of these bytes of `okrctl.yaml`, from `cache` when it holds them; parsed
    (and kept there) otherwise. A problem in the file is raised as `read_document` raises it."""
    if cache is None:
        return read_document(raw)
    key = _key(raw)
    data = _load(cache, key)
    if data is not None:
        text = decode(raw)
        return Document(data=data[0], source=SourceMap(pending=text), text=text)
    document = read_document(raw)
    _save(cache, key, document.data)
    return document


def _load(cache: Path, key: str) -> tuple[Any] | None:
    """The kept data, in a 1-tuple (an empty `okrctl.yaml` is kept as None), or None."""
    from okrctl.store.writefile import read_cache_file

    raw = read_cache_file(cache, limit=1 << 20)
    if raw is None:
        return None
    try:
        found_key, data = marshal.loads(raw)
    except (ValueError, TypeError, EOFError):  # not what okrctl wrote: parse again
        return None
    return (data,) if found_key == key else None


def _save(cache: Path, key: str, data: Any) -> None:
    from okrctl.model.errors import OkrctlError
    from okrctl.store.writefile import write_atomically

    try:
        body = marshal.dumps((key, data))
        cache.parent.mkdir(exist_ok=True)
        write_atomically(cache, body, own_file=True)
    except (OSError, ValueError, OkrctlError):
        pass  # a read-only .git, or data marshal cannot keep: the next run parses again

"""`okrctl.yaml` as it was last read, kept under `.git/okrctl/` so that a warm command reads its
settings without importing the YAML parser (a twentieth of a warm `history REF`) or validating
them (a ninth of a warm `check` on the demo: pydantic builds the settings' validator on every
run that validates, and its plugin loader imports `importlib.metadata`), both counted in
instructions with callgrind.

The entry holds the document's data, keyed by a hash of the file's bytes and of the reader that
composed them (okrctl's version and `yamlread`'s source), and, once they validated, the settings
themselves under a second key that adds the code that validated them (Python's and pydantic's
versions and the model's source). An edited file or another okrctl is simply a miss; settings
that did not validate are never kept, so their errors are always found again. Positions are not
kept: they are composed from the text only if an error needs one. Like the parse cache beside
it, the entry is trusted as the repository's own hooks are, written atomically, and ignored and
rewritten when it cannot be read.
"""

from __future__ import annotations

import hashlib
import marshal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from okrctl.store.yaml.read import Document, SourceMap, decode, read_document

if TYPE_CHECKING:
    from okrctl.model.config import Config

FORMAT = b"okrctl-config-2"

Kept = tuple[str, bytes]
"""Validated settings as kept: the key of the code that validated them, and their pickle."""


class Read(NamedTuple):
    document: Document
    key: str | None
    """The entry's key, to keep validated settings under; None where nothing is cached."""
    kept: Kept | None = None
    fresh: bool = False
    """Parsed by this read, not found kept."""


def _key(raw: bytes) -> str:
    """The bytes, and the reader that composed them: enough for the data, and no pydantic
    import (`history REF` reads `goals_dir` from the data alone)."""
    from okrctl.store.cache.fingerprint import READER, fingerprint

    digest = hashlib.blake2b(FORMAT + b"\0" + fingerprint(READER), digest_size=20)
    digest.update(b"\0" + raw)
    return digest.hexdigest()


def _settings_key(key: str) -> str:
    """`key`, and the code that validated the settings: Python, pydantic and the model."""
    from okrctl.store.cache.fingerprint import SETTINGS_MODEL, fingerprint

    digest = hashlib.blake2b(key.encode() + b"\0", digest_size=20)
    digest.update(fingerprint(SETTINGS_MODEL, models=True))
    return digest.hexdigest()


def read_config(raw: bytes, cache: Path | None, *, keep_data: bool = True) -> Read:
    """The document of these bytes of `okrctl.yaml`, from `cache` when it holds them (with the
    settings, once they validated); parsed otherwise, and its data kept there unless the caller
    keeps it itself (`keep_data=False`, then `keep`: with the settings, in one write). A problem
    in the file is raised as `read_document` raises it."""
    if cache is None:
        return Read(read_document(raw), None)
    key = _key(raw)
    found = _load(cache, key)
    if found is not None:
        data, kept = found
        text = decode(raw)
        return Read(Document(data=data, source=SourceMap(pending=text), text=text), key, kept)
    read = Read(read_document(raw), key, fresh=True)
    if keep_data:
        _save(cache, key, read.document.data, None)
    return read


def read_config_document(raw: bytes, cache: Path | None) -> Document:
    """The document alone, for a reader that needs one setting, not all of them validated."""
    return read_config(raw, cache).document


def kept_settings(read: Read) -> Config | None:
    """The settings as they validated when kept by this very code; None when they need it."""
    if read.kept is None or read.key is None or read.kept[0] != _settings_key(read.key):
        return None
    import pickle

    from okrctl.model.config import Config

    try:
        config = pickle.loads(read.kept[1])
    except Exception:  # not what okrctl wrote (pickle raises many kinds): validate again
        return None
    return config if type(config) is Config else None


def keep(cache: Path | None, read: Read, config: Config | None) -> None:
    """Keep settings that validated beside their data, so the next run need not validate them;
    without settings, a freshly parsed document's data alone, so it need not parse them."""
    if cache is None or read.key is None:
        return
    if config is not None:
        import pickle

        kept = (_settings_key(read.key), pickle.dumps(config, pickle.HIGHEST_PROTOCOL))
        _save(cache, read.key, read.document.data, kept)
    elif read.fresh:
        _save(cache, read.key, read.document.data, None)


def _load(cache: Path, key: str) -> tuple[Any, Kept | None] | None:
    """The kept data (an empty `okrctl.yaml` is kept as None) and settings, or None."""
    from okrctl.store.writefile import read_cache_file

    raw = read_cache_file(cache, limit=1 << 20)
    if raw is None:
        return None
    try:
        found_key, data, kept = marshal.loads(raw)
    except (ValueError, TypeError, EOFError):  # not what okrctl wrote: parse again
        return None
    if found_key != key:
        return None
    well_formed = type(kept) is tuple and len(kept) == 2 and type(kept[0]) is str
    return data, kept if well_formed and type(kept[1]) is bytes else None


def _save(cache: Path, key: str, data: Any, kept: Kept | None) -> None:
    from okrctl.model.errors import OkrctlError
    from okrctl.store.writefile import write_atomically

    try:
        body = marshal.dumps((key, data, kept))
        cache.parent.mkdir(exist_ok=True)
        write_atomically(cache, body, own_file=True)
    except (OSError, ValueError, OkrctlError):
        pass  # a read-only .git, or data marshal cannot keep: the next run parses again

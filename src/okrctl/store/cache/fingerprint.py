"""What made a cached entry: okrctl's version, Python's (and pydantic's, for validated models),
and the source of the modules whose code shaped it. The one answer every cache under
`.git/okrctl/` keys on, so an entry made by other code is a miss whatever its version says (in a
checkout, code changes without a version bump). Reading and hashing the few files costs well
under a millisecond, once per run."""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from pathlib import Path

from okrctl._version import __version__

PACKAGE = Path(__file__).resolve().parents[2]
"""The `okrctl` package folder, which the paths below are relative to."""

READER = ("store/yaml/read.py", "store/yaml/scalars.py")
"""What turns the bytes of a YAML file into data."""
UNIT_MODEL = ("model/fields.py", "model/controls.py", "model/goals.py", "model/measure.py")
"""What validates a unit file."""
SETTINGS_MODEL = ("model/fields.py", "model/controls.py", "model/measure.py", "model/config.py")
"""What validates `okrctl.yaml`."""
HISTORY = ("store/versions.py", "store/history.py", "store/cache/history_index.py")
"""What reads check-ins out of each version of a goals file, and keeps them."""


@cache
def fingerprint(*groups: tuple[str, ...], models: bool = False) -> bytes:
    """The versions, and a digest of the source of every file in `groups`; with `models`,
    pydantic's version too (imported only then: `history REF` reads settings without it)."""
    code = hashlib.blake2b(digest_size=16)
    for relative in dict.fromkeys(path for group in groups for path in group):
        code.update(relative.encode() + b"\0" + (PACKAGE / relative).read_bytes())
    versions = [__version__, ".".join(map(str, sys.version_info[:3]))]
    if models:
        import pydantic

        versions.append(pydantic.VERSION)
    return ("\0".join(versions) + "\0" + code.hexdigest()).encode()

"""Write a file so that it either completes or leaves the old file exactly as it was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from okrctl.errors import OkrctlError


def write_atomically(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename: a crash leaves the old file or the new one."""
    folder = path.resolve().parent
    try:
        descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as exc:
        raise OkrctlError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp_name, path.stat().st_mode & 0o7777)
        os.replace(temp_name, path)
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        raise OkrctlError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise

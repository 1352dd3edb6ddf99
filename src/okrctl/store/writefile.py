"""Write a file so that it either completes or leaves the old file exactly as it was."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from okrctl.model.errors import OkrctlError


def write_atomically(
    path: Path, data: bytes | Callable[[BinaryIO], None], *, own_file: bool = False
) -> None:
    """Temp file in the same folder, fsync, rename: a crash leaves the old file or the new one.
    `data` is the bytes, or what writes them into the open file (a large cache streamed there
    is never held whole in memory).

    A symbolic link is followed (its target is written, the link stays a link), and anything
    that is not a regular file (a device such as /dev/null, a FIFO) is written in place, as a
    shell redirection would: renaming over it would destroy it. A new file gets the permissions
    the umask allows, a rewritten one keeps its own. okrctl's `own_file`s (its caches) are
    always replaced: whatever else stands at their path is not the user's output."""
    target = path if own_file else follow_links(path)
    try:
        existing = target.stat() if not own_file else None
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise OkrctlError(f"cannot write {path}: {exc.strerror}") from None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        _write_in_place(path, target, data)
        return
    try:
        descriptor, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise OkrctlError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            _put(handle, data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = existing.st_mode & 0o7777 if existing is not None else 0o666 & ~current_umask()
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except OSError as exc:
        Path(temp_name).unlink(missing_ok=True)
        raise OkrctlError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def write_output(path: Path, data: bytes) -> None:
    """A file the user named with `-o`: its folder is created when missing (as `-o
    .okrctl/unit.schema.json` expects), then it is written atomically."""
    try:
        follow_links(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OkrctlError(f"cannot create the folder of {path}: {exc.strerror}") from None
    write_atomically(path, data)


def follow_links(path: Path) -> Path:
    """The file a chain of links ends at (which may not exist yet); a loop is an error."""
    try:
        return Path(os.path.realpath(path, strict=False)) if path.is_symlink() else path
    except (OSError, RuntimeError):
        raise OkrctlError(f"cannot write {path}: its symbolic links loop") from None


def _write_in_place(path: Path, target: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    try:
        with open(target, "wb") as handle:
            _put(handle, data)
    except OSError as exc:
        raise OkrctlError(f"cannot write {path}: {exc.strerror}") from None


def _put(handle: BinaryIO, data: bytes | Callable[[BinaryIO], None]) -> None:
    if isinstance(data, bytes):
        handle.write(data)
    else:
        data(handle)


def current_umask() -> int:
    """The process umask (reading it means setting it; it is put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def read_cache_file(path: Path, limit: int = 1 << 30) -> bytes | None:
    """A cache file's bytes, or None when it is missing, unreadable or not a regular file (a
    FIFO put in its place must not hang the command) or larger than `limit`."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(descriptor, "rb") as handle:
            descriptor = -1
            return handle.read()
    except OSError:
        return None
    finally:
        if descriptor >= 0:
            os.close(descriptor)

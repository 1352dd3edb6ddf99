"""Where a server listens, and which okrctl it is: the client and the server agree on both
without importing anything but the standard library."""

from __future__ import annotations

import os
import sys
import zlib

TYPE_CHECKING = False  # (not `typing`'s: the client imports only the standard library's cheapest)
if TYPE_CHECKING:
    from typing import Any

SERVED = frozenset({"check", "status", "report", "show"})
"""The commands a server runs: they read the goals and write only their output (to the
caller's terminal or pipe, or the file named with `-o`), and never ask a question."""

HERE = sys.platform.startswith("linux")
"""Whether a server can run here: it tells its own user's commands from others' by the
socket's peer credentials (`SO_PEERCRED`), which Linux gives. Elsewhere every command runs
in its own process, and `okrctl serve` says why it cannot start."""

OFF_SWITCH = "OKRCTL_NO_SERVER"
"""`OKRCTL_NO_SERVER=1` runs every command in its own process, even with a server running."""


_identity: str | None = None


def identity() -> str:
    """This okrctl: its environment (`sys.prefix`, a virtualenv's folder), the interpreter's
    version, the package's folder and okrctl's version. A server answers only a client of the
    same identity (another virtualenv's okrctl starts its own server)."""
    global _identity
    if _identity is None:
        from okrctl._version import __version__

        here = os.path.realpath(__file__)
        package = os.path.dirname(os.path.dirname(os.path.dirname(here)))  # okrctl/store/resident
        _identity = "\0".join((sys.prefix, sys.version, package, __version__))
    return _identity


def folder() -> str:
    """The user's folder of sockets: `$XDG_RUNTIME_DIR/okrctl`, else `/tmp/okrctl-UID`
    (created by the server, readable by its owner alone)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        return os.path.join(runtime, "okrctl")
    return f"/tmp/okrctl-{os.getuid()}"


def socket_path() -> str:
    """The socket of this okrctl's server (see `identity`)."""
    name = zlib.crc32(identity().encode("utf-8", "surrogateescape"))
    return os.path.join(folder(), f"{name:08x}.sock")


def usable_folder(path: str) -> bool:
    """Whether `path` is a folder (not a link to one) owned by this user and closed to others:
    a socket found anywhere else is nobody's to trust."""
    import stat

    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and stat.S_IMODE(info.st_mode) & 0o077 == 0
    )


def server_socket() -> str | None:
    """This okrctl's server socket, where one may listen: here (`HERE`), in a folder that is the
    user's alone; None otherwise."""
    if not HERE:
        return None
    path = socket_path()
    if not os.path.exists(path) or not usable_folder(os.path.dirname(path)):
        return None
    return path


def peer(connection: Any) -> tuple[int, int, int]:
    """The process id, user id and group id of the process at the other end of a connected Unix
    socket (`SO_PEERCRED`)."""
    import socket
    import struct

    credentials = connection.getsockopt(
        socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i")
    )
    pid, uid, gid = struct.unpack("3i", credentials)
    return pid, uid, gid

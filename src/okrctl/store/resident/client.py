"""The `okrctl` typed at a prompt, when a server runs: it hands the command to the server and
exits as the command does.

The request is the arguments, the current folder, the environment and the umask; once the
server takes it, the caller's standard output and error follow as file descriptors
(`SCM_RIGHTS`), so the server writes straight
to the caller's terminal, pipe or file, and sees what the command would see there (a terminal's
width and colours, a pipe's end). Ctrl-C is passed on to the command. Anything short of a
server that takes the command (no socket, a server of another okrctl, one that has since
stopped) and the command runs in this process, as it would without a server."""

from __future__ import annotations

import os
import sys

from okrctl.store.resident.address import OFF_SWITCH, SERVED, identity, peer, server_socket

TYPE_CHECKING = False  # (typing's own costs this process as much as the rest of its work)
if TYPE_CHECKING:
    from typing import Any

RUNNING = b"R"
"""The server will run the command once the client says go (`GO`): its exit code follows, once
it is done."""
GO = b"G"
"""The client still waits: run it. (A client that gave up waiting for a busy server runs the
command itself; the server, finding it gone, must not run it a second time.)"""
DECLINED = b"N"
"""The server will not run it (another okrctl, or this one changed on disk): run it here."""
CODE = "!i"
LENGTH = "!I"
WAIT = 5.0
"""Seconds a client waits for a server to take a command (or a stop) before it runs the
command itself."""
MAX_REQUEST = 1 << 24
"""The largest request a server reads (arguments and environment): 16 MB."""


def forward(argv: list[str]) -> int | None:
    """The exit code of `argv` (as `sys.argv`) run by this okrctl's server; None when no server
    runs it, and it is to be run here (also when the server is busy for more than `WAIT`
    seconds with another command: waiting longer would cost more than a run of its own)."""
    if len(argv) < 2 or argv[1] not in SERVED or os.environ.get(OFF_SWITCH, "") not in ("", "0"):
        return None
    path = server_socket()
    if path is None:
        return None
    try:
        here = os.getcwd()
    except OSError:  # the current folder was removed: the command says so itself
        return None
    import socket

    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(WAIT)
        connection.connect(path)
        mask = os.umask(0o022)
        os.umask(mask)
        request = {
            "identity": identity(),
            "argv": argv,
            "cwd": here,
            "env": dict(os.environ),
            "umask": mask,
        }
        _send(connection, request)
        if read_exactly(connection, 1) != RUNNING:
            return None
        # the output streams go with the go-ahead: sent with the request, a pipe would stay open
        # in the socket's queue (its reader waiting) for as long as a busy server keeps it there
        socket.send_fds(connection, [GO], [1, 2])
        connection.settimeout(None)
    except OSError:
        connection.close()
        return None  # nobody there (a server killed), or it stopped before it took the command
    with connection, _InterruptsPassedOn(connection):
        try:
            reply = read_exactly(connection, 4)
        except OSError:
            reply = b""
    if len(reply) != 4:
        print("okrctl: the server stopped before the command was done", file=sys.stderr)
        return 1
    import struct

    code: int = struct.unpack(CODE, reply)[0]
    return code


def stop_server() -> bool:
    """Ask this okrctl's server to stop; whether one was running (it stops once any command
    it runs is done)."""
    path = server_socket()
    if path is None:
        return False
    import socket

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(WAIT)
            connection.connect(path)
            _send(connection, {"identity": identity(), "stop": True})
            return read_exactly(connection, 1) == RUNNING
    except OSError:
        return False


def _send(connection: Any, request: dict[str, Any]) -> None:
    import json
    import struct

    body = json.dumps(request).encode("ascii")  # (what is not ASCII is escaped, surrogates too)
    connection.sendall(struct.pack(LENGTH, len(body)) + body)


def read_exactly(connection: Any, size: int) -> bytes:
    """`size` bytes from `connection`, or fewer where it ended first."""
    data = bytearray()
    while len(data) < size:
        chunk = connection.recv(min(size - len(data), 1 << 20))
        if not chunk:
            break
        data += chunk
    return bytes(data)


class _InterruptsPassedOn:
    """While the server runs the command, Ctrl-C here interrupts it there (as `SIGUSR1` to the
    server, which turns it into the command's own Ctrl-C); this process waits for its end."""

    def __init__(self, connection: Any) -> None:
        self.before: Any = None
        try:
            self.server = peer(connection)[0]
        except OSError:  # (then Ctrl-C ends this process alone)
            self.server = 0

    def __enter__(self) -> None:
        import signal

        self.before = signal.signal(signal.SIGINT, self._pass_on)

    def __exit__(self, *exc: object) -> None:
        import signal

        signal.signal(signal.SIGINT, self.before)

    def _pass_on(self, number: int, frame: Any) -> None:
        import signal

        if self.server <= 0:
            return
        try:
            os.kill(self.server, signal.SIGUSR1)
        except OSError:
            return  # it ended meanwhile


def exit_status(code: object) -> int:
    """`sys.exit`'s argument as the exit status it gives: None is 0, a number itself, anything
    else (a message) printed to stderr, and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1

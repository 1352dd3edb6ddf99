"""The server `okrctl serve` runs: one command at a time, each as the `okrctl` that sent it
would have run it, in its folder, with its environment and its output and error streams.

What it keeps from one command to the next is what a command may share with the next one
anyway: okrctl's modules, imported once, and what the cache files under `.git/okrctl/` decoded
to while they have not changed (`store/cache/kept_reads.py`). Each command opens its own
workspace, reads the goals again and asks git again, so its answer is the one a command of its
own would give. The server stops once okrctl's files changed on disk (an upgrade, an edit of its
source: the client then runs the command itself), when asked (`okrctl serve --stop`), on Ctrl-C
or `SIGTERM`, or after `idle` seconds with no command. It answers only its own user, through a
socket in a folder only that user can open."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TextIO, TypeGuard

from okrctl.model.errors import UsageError
from okrctl.store.cache.kept_reads import forget_reads, keep_reads
from okrctl.store.forks import end_children
from okrctl.store.resident.address import (
    HERE,
    folder,
    identity,
    peer,
    socket_path,
    usable_folder,
)
from okrctl.store.resident.client import (
    CODE,
    DECLINED,
    GO,
    LENGTH,
    MAX_REQUEST,
    RUNNING,
    exit_status,
    read_exactly,
    stop_server,
)

__all__ = ["serve", "stop_server"]

MADE_AFTER = 0.2
"""Seconds with no command after which what the last commands made is collected (some 15 ms
at 2,000 teams, 30 ms after the busy org's 20,000 findings): a command sent right after
another, as a script sends them, does not wait for it."""

TIDY_AFTER = 30.0
"""Seconds with no command after which the server collects everything it holds (at 2,000
teams a tenth of a second: not while a command waits). Meanwhile it collects only what the
commands made (`MADE_AFTER`): their objects are frozen out of collections as they are loaded
(`store.load`), and the few cycles among them wait for this."""


@dataclass
class _Served:
    run: Callable[[], object]
    log: TextIO
    sources: dict[str, int] = field(default_factory=dict)
    """okrctl's modules (their files' modification times) as this process imported them."""
    stopping: bool = False
    in_command: bool = False
    untidy: bool = False
    """Whether a command ran since everything was last collected."""


def serve(run: Callable[[], object], *, idle: float, log: TextIO) -> None:
    """Run the commands sent to this okrctl's socket with `run` (the CLI's entry point: it reads
    `sys.argv` and ends by `SystemExit`), until stopped. A usage error when another server of
    this okrctl already runs, or the socket's folder is not the user's own."""
    if not HERE:
        raise UsageError(f"okrctl serve runs on Linux only (not on {sys.platform})")
    path = socket_path()
    _make_folder(folder())
    listener = _listen(path)
    served = _Served(run, log)
    _changed(served.sources)
    keep_reads()
    import git  # noqa: F401 (each command then asks git here, not in a child: `ask_git_ahead`)

    before_usr1 = signal.signal(signal.SIGUSR1, partial(_interrupt, served))
    before_term = signal.signal(signal.SIGTERM, partial(_stop, served))
    os.register_at_fork(after_in_child=partial(_signals_as, before_usr1, before_term))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # commands read nothing: no terminal is read from the background
    os.close(null)
    os.chdir("/")  # each command runs in its own folder; between them, none is held
    log.write(f"okrctl serving check, status, report and show at {path}\n")
    log.flush()
    try:
        _loop(listener, served, idle)
    except KeyboardInterrupt:
        pass
    finally:
        _close(listener, path)
        end_children()
        forget_reads()
        signal.signal(signal.SIGUSR1, before_usr1)
        signal.signal(signal.SIGTERM, before_term)
        log.write("okrctl server stopped\n")
        log.flush()


def _interrupt(served: _Served, number: int, frame: Any) -> None:
    """`SIGUSR1` (a client's Ctrl-C) interrupts the command running, and nothing else."""
    if served.in_command:
        raise KeyboardInterrupt


def _stop(served: _Served, number: int, frame: Any) -> None:
    """`SIGTERM`: the command running is interrupted, and the server stops."""
    served.stopping = True
    raise KeyboardInterrupt


def _signals_as(usr1: Any, term: Any) -> None:
    """In a command's forked worker: the signals as they were before the server (its parent
    ends it with `SIGTERM`, which must end it, not interrupt it)."""
    signal.signal(signal.SIGUSR1, usr1)
    signal.signal(signal.SIGTERM, term)


def _make_folder(path: str) -> None:
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {path} for the server's socket: {exc.strerror}") from None
    if not usable_folder(path):
        raise UsageError(
            f"{path} must be a folder of your own that only you can open "
            f"(chmod 700 {path}, or set XDG_RUNTIME_DIR to one)"
        )


def _listen(path: str) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.lexists(path):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(2)
                probe.connect(path)
        except OSError:
            os.unlink(path)  # a server that ended without removing it
        else:
            listener.close()
            raise UsageError(f"okrctl is already served at {path} (okrctl serve --stop stops it)")
    try:
        listener.bind(path)
        os.chmod(path, 0o600)
        listener.listen(16)
    except OSError as exc:
        listener.close()
        raise UsageError(f"cannot listen at {path}: {exc.strerror}") from None
    return listener


def _close(listener: socket.socket, path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
    listener.close()


def _loop(listener: socket.socket, served: _Served, idle: float) -> None:
    last = time.monotonic()
    made = 0  # commands whose objects are still to be collected
    while not served.stopping:
        waited = time.monotonic() - last
        if waited >= idle:
            served.log.write(f"no command for {idle:g} s: stopping\n")
            return
        wait = idle - waited
        if made:
            wait = min(wait, MADE_AFTER)
        elif served.untidy:
            if waited >= TIDY_AFTER:  # due already (a timeout of 0 would not wait at all)
                _tidy(served)
                continue
            wait = min(wait, TIDY_AFTER - waited)
        listener.settimeout(wait)
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            if made:
                end_children()  # (those that sent their result have exited by now)
                gc.collect()  # what the commands made since the last pause (see TIDY_AFTER)
                made = 0
            elif served.untidy:
                _tidy(served)
            continue
        with connection:
            _answer(connection, served)
        made += 1
        if made >= 10:  # never a pause: collected now and then all the same
            gc.collect()
            made = 0
        last = time.monotonic()


def _tidy(served: _Served) -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()  # what is kept is not scanned again by the next collection
    served.untidy = False


def _answer(connection: socket.socket, served: _Served) -> None:
    connection.settimeout(5)
    fds: list[int] = []
    try:
        if peer(connection)[1] != os.getuid():
            return  # another user's: closed unanswered
        request = _receive(connection)
        if request is None or request.get("identity") != identity():
            connection.sendall(DECLINED)
            return
        if request.get("stop") is True:
            connection.sendall(RUNNING)
            served.stopping = True
            return
        if _changed(served.sources):
            connection.sendall(DECLINED)
            served.log.write("okrctl changed on disk: stopping (the next command starts anew)\n")
            served.stopping = True
            return
        argv, cwd, env = request.get("argv"), request.get("cwd"), request.get("env")
        mask = request.get("umask")
        if not (
            _strings(argv)
            and isinstance(cwd, str)
            and _environment(env)
            and type(mask) is int
            and 0 <= mask <= 0o777
        ):
            connection.sendall(DECLINED)
            return
        connection.sendall(RUNNING)
        go, fds, _, _ = socket.recv_fds(connection, 1, 2)
        if go != GO or len(fds) != 2:
            return  # it stopped waiting, and runs the command itself
        started = time.perf_counter()
        code = _run(served, argv, cwd, env, mask, fds)
        served.untidy = True
        took = (time.perf_counter() - started) * 1000
        served.log.write(f"{argv[1]}: exit {code}, {took:.0f} ms\n")
        served.log.flush()
        connection.sendall(struct.pack(CODE, code))
    except OSError:
        pass  # the client is gone
    finally:
        for fd in fds:
            os.close(fd)


def _receive(connection: socket.socket) -> dict[str, Any] | None:
    head = read_exactly(connection, struct.calcsize(LENGTH))
    if len(head) != struct.calcsize(LENGTH):
        return None
    (size,) = struct.unpack(LENGTH, head)
    if size > MAX_REQUEST:
        return None
    body = read_exactly(connection, size)
    if len(body) != size:
        return None
    try:
        request = json.loads(body)
    except ValueError:
        return None
    return request if isinstance(request, dict) else None


def _strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and len(value) >= 2 and all(isinstance(v, str) for v in value)


def _environment(value: object) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) and k and "=" not in k and "\0" not in k + v
        for k, v in value.items()
    )


def _changed(known: dict[str, int]) -> bool:
    """Whether a file of okrctl's imported modules changed since it was imported (a module
    imported since the last look joins `known` as it is)."""
    for name, module in list(sys.modules.items()):
        where = getattr(module, "__file__", None)
        if not name.startswith("okrctl") or not isinstance(where, str):
            continue
        try:
            modified = os.stat(where).st_mtime_ns
        except OSError:
            modified = -1
        if known.setdefault(where, modified) != modified:
            return True
    return False


def _run(
    served: _Served, argv: list[str], cwd: str, env: dict[str, str], mask: int, fds: list[int]
) -> int:
    """`argv` run as its client would have run it (see the module's docstring)."""
    with _as_the_client(argv, env, mask, fds):
        try:
            os.chdir(cwd)
        except OSError as exc:
            print(f"okrctl: cannot work in {cwd}: {exc.strerror}", file=sys.stderr)
            return 2
        served.in_command = True
        try:
            served.run()
            code: object = 0
        except SystemExit as stop:
            code = stop.code
        except KeyboardInterrupt:
            code = 130
        except Exception:  # a bug: reported as a command of its own reports it, the server goes on
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            served.in_command = False
        return exit_status(code)


@contextlib.contextmanager
def _as_the_client(
    argv: list[str], env: dict[str, str], mask: int, fds: list[int]
) -> Iterator[None]:
    here = os.getcwd()
    own_mask = os.umask(mask)
    environment = dict(os.environ)
    streams = sys.stdout, sys.stderr, sys.argv
    own = [os.dup(1), os.dup(2)]
    try:
        os.environ.clear()
        os.environ.update(env)
        time.tzset()
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        sys.stdout = _text(1, streams[0])
        sys.stderr = _text(2, streams[1])
        sys.argv = list(argv)
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        end_children(wait_for_exiting=False)  # (reaped once exited: by the next one, or idle)
        sys.stdout, sys.stderr, sys.argv = streams
        os.dup2(own[0], 1)
        os.dup2(own[1], 2)
        for fd in own:
            os.close(fd)
        os.environ.clear()
        os.environ.update(environment)
        time.tzset()
        os.umask(own_mask)
        os.chdir(here)


def _text(fd: int, like: TextIO) -> TextIO:
    """A text stream on `fd` as Python opens its standard streams: line buffered on a
    terminal, in the server's encoding."""
    stream = open(  # noqa: SIM115 (lives as long as the command; fd itself stays open)
        fd,
        "w",
        encoding=like.encoding,
        errors=like.errors,
        closefd=False,
        buffering=-1,
    )
    if os.isatty(fd):
        stream.reconfigure(line_buffering=True)
    return stream

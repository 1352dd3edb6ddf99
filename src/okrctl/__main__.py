"""`python -m okrctl` and the `okrctl` command. One command, then exit: the cyclic collector is
switched off here, before the first import, and stays off. It would only rescan, again and
again, the hundreds of thousands of objects a large repository loads (measured: a sixth of a
warm `check` at 2,000 teams), and what okrctl creates has no cycles worth collecting before
exit. (A library caller keeps its collector: `store.load` pauses it only while loading.)

Nor are those objects freed one by one at exit: once the command is done, what the
interpreter's exit does that anyone can see is done (output flushed, forked children ended as
`multiprocessing` ends them; a thread still at work gets the usual exit) and the process ends
there (measured: 0.07 s of a company report at 2,000 teams; mypy exits so for the same reason)."""

from __future__ import annotations

import gc

TYPE_CHECKING = False  # (not `typing`'s: a served command's client would import it, 3 ms, for this)
if TYPE_CHECKING:
    from typing import NoReturn


def run() -> NoReturn:
    gc.disable()
    import sys

    from okrctl.store.resident.client import forward

    served = forward(sys.argv)  # a server runs it (`okrctl serve`), or None: it runs here
    if served is not None:
        leave(served)
    from okrctl.cli import main
    from okrctl.store.lifetime import ends_with_its_command

    ends_with_its_command()

    try:
        main()
    except SystemExit as stop:
        leave(stop.code)
    leave(0)


def leave(code: str | int | None) -> NoReturn:
    """Exit with `code` as `sys.exit` would, without freeing every object first. Where a
    profiler or a coverage tracer is watching (they write their report at the exit), or a
    thread is still at work (the interpreter's exit lets a pool's threads finish, then waits
    for them), the usual exit."""
    import contextlib
    import os
    import sys

    working = []
    if "threading" in sys.modules:  # (else no thread was started: a served command's client)
        import threading

        working = [t for t in threading.enumerate() if t is not threading.current_thread()]
    watched = sys.getprofile() is not None or sys.gettrace() is not None
    if watched or any(not thread.daemon for thread in working):
        sys.exit(code)
    from okrctl.store.resident.client import exit_status

    status = exit_status(code)  # (sys.exit("message"): the message, and failure)
    if "multiprocessing" in sys.modules:  # as its own exit handler (asked here: a served
        # command's client would import `forks` and its imports, some 20 ms, for nothing)
        from okrctl.store.forks import end_children

        end_children(wait_for_exiting=False)  # (one that sent its result exits alone)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    os._exit(status)


if __name__ == "__main__":
    run()

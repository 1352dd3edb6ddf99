"""When okrctl may fork worker processes (the site's pages, a cold load's composing, a report's
comparison), and the one way it runs work in a forked child. Only on Linux, where forking is
safe and cheap (macOS advises against fork, Windows has none), and only while no other thread
runs, since a child inherits whatever lock that thread held (the language server's reader
thread, a library caller's threads)."""

from __future__ import annotations

import os
import pickle
import struct
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

Result = TypeVar("Result")


WORTH_A_CHILD = 200
"""Items of work (files to compose, units to check or whose caches to write, unit pages to
draw) from which a forked child pays for itself: below, starting it (some 10 ms) and sending
its results back cost more than it saves (measured on a 50-file history: a warm `check`
0.22 s alone, 0.24 s with a child)."""


def cores_to_fork() -> int:
    """The cores this process may use through forked workers; 1 where it must not fork."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return 1
    return len(os.sched_getaffinity(0))


def processes_for(items: int) -> int:
    """The processes `items` items of work are shared among: every core okrctl may fork on
    (`cores_to_fork`) from `WORTH_A_CHILD` items, else this one alone."""
    return cores_to_fork() if items >= WORTH_A_CHILD else 1


CHILD_SHARE = 0.48
"""The share of a report's units a forked child scores and builds the context of, by what
they cost (`split_off`'s `weight`: a unit's numbers): under half, since it also starts,
touches memory the fork shares (each page it writes to is copied) and sends its results back.
Tuned on two companies of 2,000 teams, one with 500 people of one key result each: cut by
the count of units, the first ended with its child at 45-50 %, the second at 40 % (its people
come first, its teams of nine last); cut by their cost, both end with their child at 48 %.
`status --format json`, tuned the same way at first, now shares its units out as the two
processes go (`FromBothEnds`), whatever their speed."""

Item = TypeVar("Item")


def split_off(items: list[Item], weight: Callable[[Item], int]) -> tuple[list[Item], list[Item]]:
    """`items` cut in two, order kept: this process's, and the last of them for a forked
    child, `CHILD_SHARE` of their `weight` (what each costs), this process keeping one at
    least; none for a child where one is not worth it (`processes_for`)."""
    if processes_for(len(items)) < 2:
        return items, []
    weights = [weight(item) for item in items]
    theirs, wanted, cut = 0, sum(weights) * CHILD_SHARE, len(items)
    while cut > 1 and theirs + weights[cut - 1] <= wanted:
        cut -= 1
        theirs += weights[cut]
    return items[:cut], items[cut:]


_EXITING: set[int] = set()
"""The children that sent their result and have nothing left to do but exit (`Later`)."""


class Later(Generic[Result]):
    """Work started in a forked child (or, where there is none, to be done here): calling it
    waits for the result; `abandon` ends a child whose result is no longer wanted.

    The result comes through a file in memory, its length through the pipe (`Early` says
    why): at 2,000 teams a child's 3.7 MB of `status` JSON took 6 ms through the pipe itself,
    the child blocked until this process read it all. A child that has sent its result is not
    waited for: it exits meanwhile (tearing down a large process's memory took 6 ms), and is
    reaped by the next `end_children`."""

    def __init__(
        self,
        work: Callable[[], Result],
        unpack: Callable[[bytes], Result] = pickle.loads,
        child: Any = None,
        receiving: Any = None,
        here: Callable[[], Result] | None = None,
        data: int = -1,
    ) -> None:
        self.work, self.unpack, self.child, self.receiving = work, unpack, child, receiving
        self.here = here or work
        """What does the child's work here, should the child fail."""
        self.data = data
        """The file in memory the child writes its result into."""

    def __call__(self) -> Result:
        if self.child is None:
            return self.work()
        data = b""
        try:
            data = _received(self.receiving, self.data)
        finally:
            self.abandon(sent=bool(data))
        if data:
            try:
                return self.unpack(data)
            except Exception:  # a broken message, or not what was asked for
                pass
        return self.here()

    @property
    def forked(self) -> bool:
        """Whether a child does the work (else it is done here, when asked for)."""
        return self.child is not None

    def sent(self) -> bool:
        """Whether the child has sent its result, or ended without (calling this object then
        waits for nothing); False without a child."""
        if self.child is None:
            return False
        try:
            return bool(self.receiving.poll())
        except (OSError, EOFError):
            return True

    def abandon(self, *, sent: bool = False) -> None:
        """End the child, and wait for it; one that `sent` its result is left to exit."""
        if self.child is not None:
            self.receiving.close()
            os.close(self.data)
            if sent:
                _EXITING.add(self.child.pid)
            else:
                if self.child.is_alive():
                    self.child.terminate()
                self.child.join()
            self.child = None


def elsewhere(
    work: Callable[[], Result],
    *,
    pack: Callable[[Any], bytes] = pickle.dumps,
    unpack: Callable[[bytes], Result] = pickle.loads,
    first_in_child: Callable[[], None] | None = None,
    here: Callable[[], Result] | None = None,
) -> Later[Result]:
    """`work` started in a forked child while this process goes on; calling what is returned
    waits for its result. Where okrctl may not fork, or whatever goes wrong in the child (an
    exception, a crash, a message `unpack` refuses), `work` runs here when the result is asked
    for (or, once a child started, `here`: the same work done another way, such as the items of
    `Claims` this process did not take): the result, or the error, is the same either way. The
    child sees this process as it was at the fork and must not write anything a later step of
    this process reads; `first_in_child` runs there before `work` (to leave what is the
    parent's alone)."""
    if cores_to_fork() < 2:
        return Later(work)
    import multiprocessing

    for stream in (sys.stdout, sys.stderr):  # nothing half-written is written twice
        stream.flush()
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    data = _file_in_memory()
    child = context.Process(
        target=_child, args=(work, pack, sending, data, first_in_child), daemon=True
    )
    try:
        child.start()
    except OSError:  # no process to be had (a limit, a sandbox): the work is done here
        receiving.close()
        sending.close()
        os.close(data)
        return Later(work)
    sending.close()  # the child's end: this process keeps only its own
    return Later(work, unpack, child, receiving, here, data)


_DRAINED = -2


class Claims:
    """Items that this process and a forked child share out as they go, each done by exactly
    one of them: whichever is free takes the next (items listed longest first balance best).
    A pipe made before the fork holds a byte per item, and reading a byte from a pipe takes it
    (Linux's pipe reads are atomic); where okrctl does not fork there is no pipe, and the items
    are taken here in order. Should the child fail, this process does the items it did not take
    itself (`not_taken_here`), once it has taken all it could."""

    def __init__(self, count: int) -> None:
        if count > 256:
            raise ValueError("at most 256 items are shared out")
        self.count = count
        self.taken_here: list[int] = []
        self._next = 0
        self._pipe = -1
        self._owner = os.getpid()
        if count and cores_to_fork() > 1:
            try:
                read, write = os.pipe()
            except OSError:  # (no descriptor left): every item is taken here
                return
            os.write(write, bytes(range(count)))
            os.close(write)  # once the bytes are gone, a read finds the end
            self._pipe = read

    def take(self) -> Iterator[int]:
        """The items this process does, each taken as it asks for the next."""
        while True:
            if self._pipe >= 0:
                try:
                    got = os.read(self._pipe, 1)
                except OSError:
                    got = b""
                if not got:
                    os.close(self._pipe)
                    self._pipe = _DRAINED
                    return
                item = got[0]
            elif self._pipe == _DRAINED or os.getpid() != self._owner:
                return  # (without a pipe, a child takes nothing)
            elif self._next < self.count:
                item = self._next
                self._next += 1
            else:
                return
            self.taken_here.append(item)
            yield item

    def not_taken_here(self) -> list[int]:
        """The items the child took (this process having taken all it could)."""
        mine = set(self.taken_here)
        return [item for item in range(self.count) if item not in mine]


class FromBothEnds:
    """Items shared out from both ends of their list: this process takes them first to last, a
    forked child last to first, each the next one free, until the two meet; each item is done
    by exactly one. This process's items are so a first stretch of the list and the child's
    the rest: each can write its share in order as it goes, and the two are joined as they
    stand (`status --format json`). And they end together however fast each one runs: a child
    forked from a large process copies every page it writes to, so a fixed share was right for
    one size of process only (`CHILD_SHARE`, tuned in a command of its own, left this process
    waiting 20 ms in `okrctl serve`). The two ends are counters in memory the fork shares,
    moved under a lock. Where okrctl does not fork, or cannot share them, there is no child's
    end: this process takes every item."""

    _ENDS = struct.Struct("qq")

    def __init__(self, count: int, *, with_child: bool = True) -> None:
        """`count` items; without `with_child` (too few to be worth one), all this process's."""
        self.count = count
        self.met = count
        """Where this process's items end once it has taken all it could: the child's are the
        ones from there (should it fail, this process does them: `theirs`)."""
        self._shared: Any = None
        self._lock: Any = None
        if with_child and count > 1 and cores_to_fork() > 1:
            import mmap
            import multiprocessing

            try:
                lock = multiprocessing.get_context("fork").Lock()
                shared = mmap.mmap(-1, self._ENDS.size)  # (shared with a child forked later)
            except (OSError, ImportError):  # no semaphore to be had (no /dev/shm; a platform
                return  # without `sem_open`, which `multiprocessing` says by an ImportError)
            self._ENDS.pack_into(shared, 0, 0, count)
            self._shared, self._lock = shared, lock

    @property
    def shared(self) -> bool:
        """Whether a child may take items from the end (else they are all this process's)."""
        return self._shared is not None

    LOCK_WAIT = 10.0
    """Seconds to wait for the lock, held for microseconds: past them, the other process died
    holding it, and this one takes no more (this process then does the child's items)."""

    def _next(self, *, from_the_end: bool) -> int | None:
        if not self._lock.acquire(timeout=self.LOCK_WAIT):
            return None
        try:
            low: int
            high: int
            low, high = self._ENDS.unpack_from(self._shared, 0)
            if low >= high:
                return None
            if from_the_end:
                high -= 1
                item = high
            else:
                item = low
                low += 1
            self._ENDS.pack_into(self._shared, 0, low, high)
        finally:
            self._lock.release()
        return item

    def first_to_last(self) -> Iterator[int]:
        """This process's items, each taken as it asks for the next; `met` is set once they
        run out."""
        if self._shared is None:
            yield from range(self.count)
            return
        while (item := self._next(from_the_end=False)) is not None:
            yield item
        self.met = self._ENDS.unpack_from(self._shared, 0)[0]

    def last_to_first(self) -> Iterator[int]:
        """The child's items, last to first, each taken as it asks for the next (none where
        there is no child's end: the work meant for a child that could not start finds every
        item taken here)."""
        if self._shared is None:
            return
        while (item := self._next(from_the_end=True)) is not None:
            yield item

    def theirs(self) -> range:
        """The items past this process's, in order: the child's (call once `first_to_last` is
        done)."""
        return range(self.met, self.count)


def _child(
    work: Callable[[], Any],
    pack: Callable[[Any], bytes],
    sending: Any,
    data: int,
    first: Callable[[], None] | None,
) -> None:
    try:
        if first is not None:
            first()
        _send(sending, data, pack(work()))
    except BaseException:  # the parent does the work itself, and says what is wrong
        sending.send_bytes(b"0")
    sending.close()


def _send(sending: Any, fd: int, data: bytes) -> None:
    """`data` into the file in memory `fd`, then its length through the pipe `sending`."""
    view, written = memoryview(data), 0
    while written < len(view):
        written += os.pwrite(fd, view[written:], written)
    sending.send_bytes(str(len(view)).encode())


def _received(receiving: Any, fd: int) -> bytes:
    """What `_send` sent; nothing where the child sent nothing, or died first."""
    try:
        size = int(receiving.recv_bytes())
    except (EOFError, OSError, ValueError):
        return b""  # it died before sending
    chunks, read = [], 0
    while read < size:
        chunk = os.pread(fd, size - read, read)
        if not chunk:
            return b""
        chunks.append(chunk)
        read += len(chunk)
    return b"".join(chunks)


Prepared = TypeVar("Prepared")


class _Stopped(Exception):
    """This process went on without the child's second step (see `TwoSteps`)."""


class TwoSteps(Generic[Prepared, Result]):
    """Work in two steps, the first in a forked child: `prepare` (drawing pages, say: what may
    fail and leaves nothing behind), then `commit` (writing them), which the child starts only
    once this process calls `go`. A process that writes only after every process has prepared
    can so promise that a failure anywhere (a template error) writes nothing at all.

    `prepare_here_unless_done()` waits for the child's first step; when the child did not do it
    (it failed or died, or okrctl does not fork here), `prepare` runs here, its error raised
    here. Calling the object gives the result of `commit`, done in the child (should it fail
    there, both steps run here) or here with what was prepared here."""

    def __init__(
        self,
        prepare: Callable[[], Prepared],
        commit: Callable[[Prepared], Result],
        later: Later[Result] | None = None,
        pipes: tuple[int, int] = (-1, -1),
    ) -> None:
        self.prepare, self.commit, self.later = prepare, commit, later
        self._ready, self._go = pipes
        self._here: list[Prepared] = []

    def prepare_here_unless_done(self) -> None:
        if self._ready >= 0:
            try:
                said = os.read(self._ready, 1)
            except OSError:
                said = b""
            if said == b"1":
                return
            self.abandon()  # it failed or died before committing anything
        if self.later is None and not self._here:
            self._here.append(self.prepare())

    @property
    def done_here(self) -> bool:
        """Whether this process did the first step itself (the child failed or died, or there
        was none): what a test asserts the children did not leave to it."""
        return bool(self._here)

    def go(self) -> None:
        """Let the child commit (once it has prepared)."""
        if self._go >= 0:
            os.write(self._go, b"1")
            os.close(self._go)
            self._go = -1

    def __call__(self) -> Result:
        try:
            if self._here:
                return self.commit(self._here[0])
            if self.later is None:
                return self.commit(self.prepare())
            self.go()
            return self.later()
        finally:
            self.abandon()

    def abandon(self) -> None:
        """End the child; unless `go` was said, it commits nothing."""
        for end in (self._ready, self._go):
            if end >= 0:
                os.close(end)
        self._ready = self._go = -1
        if self.later is not None:
            self.later.abandon()
            self.later = None


def elsewhere_in_two_steps(
    prepare: Callable[[], Prepared],
    commit: Callable[[Prepared], Result],
    *,
    prepare_here: Callable[[], Prepared] | None = None,
    first_in_child: Callable[[], None] | None = None,
) -> TwoSteps[Prepared, Result]:
    """`prepare` started in a forked child, and `commit` after it there once this process says
    `go` (see `TwoSteps`). Where okrctl may not fork, nothing starts: both run here, the first
    step as `prepare_here` (when the child's own way of preparing is not this process's, such
    as sending what it made early: see `Early`). `first_in_child` runs there first."""
    here = prepare_here or prepare
    if cores_to_fork() < 2:
        return TwoSteps(here, commit)
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    parent = os.getpid()

    def leave_the_parent_ends() -> None:
        os.close(ready_read)
        os.close(go_write)
        if first_in_child is not None:
            first_in_child()

    def work() -> Result:
        if os.getpid() == parent:  # (the child failed: all of it here)
            return commit(here())
        done = prepare()
        os.write(ready_write, b"1")
        if os.read(go_read, 1) != b"1":
            raise _Stopped  # nothing is committed
        return commit(done)

    later = elsewhere(work, first_in_child=leave_the_parent_ends)
    os.close(ready_write)
    os.close(go_read)
    if not later.forked:
        os.close(ready_read)
        os.close(go_write)
        return TwoSteps(here, commit)
    return TwoSteps(here, commit, later, (ready_read, go_write))


class Early(Generic[Result]):
    """What a forked child hands this process before it goes on with the rest of its work (the
    contexts of the units whose pages it then draws): `send` there once, `receive` here once.
    The data goes into a file in memory (`memfd_create`), and only its length through a pipe:
    a child sending megabytes through the pipe itself waited, blocked, until this process
    read them (measured: 0.7 s). `in_child` and `forked` close the pipe's end each process
    does not use, so that a child that dies unsent is an end of file here, never a wait."""

    def __init__(self) -> None:
        import multiprocessing

        self._receiving, self._sending = multiprocessing.get_context("fork").Pipe(duplex=False)
        self._data = _file_in_memory()

    def in_child(self) -> None:
        self._receiving.close()

    def forked(self) -> None:
        self._sending.close()

    def send(self, value: Result) -> None:
        try:
            _send(self._sending, self._data, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        finally:
            self._sending.close()

    def receive(self) -> Result | None:
        """What the child sent; None when it sent nothing (it failed, or never started)."""
        try:
            data = _received(self._receiving, self._data)
            return pickle.loads(data) if data else None
        except Exception:  # a broken message: as if none came
            return None
        finally:
            self._receiving.close()
            os.close(self._data)


def _file_in_memory() -> int:
    """An anonymous file (`memfd_create`; where this Linux lacks it, an unnamed temporary file,
    in the page cache all the same)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("okrctl-result", os.MFD_CLOEXEC)
    import tempfile

    with tempfile.TemporaryFile() as file:
        return os.dup(file.fileno())


def end_children(*, wait_for_exiting: bool = True) -> None:
    """The forked children a command leaves: its daemon workers ended, every child waited for
    (what `multiprocessing` does at exit, for a process that does not exit: `okrctl serve`).
    Without `wait_for_exiting`, those that sent their result are left to exit: one that has
    exited is reaped all the same, and a command's process that exits leaves them to init."""
    processes = sys.modules.get("multiprocessing")
    if processes is None:
        return
    children = processes.active_children()  # (reaps those that have exited)
    _EXITING.intersection_update(child.pid for child in children)
    for child in children:
        if wait_for_exiting or child.pid not in _EXITING:
            if child.daemon:
                child.terminate()
            child.join()

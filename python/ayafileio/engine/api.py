"""The engine protocol both drivers — the native one (driver) and the forked child's
thread sibling (threads) — implement, and the cancellation rule every request follows:
a cancelled task cancels its request and waits it out, because the memory a request
names must outlive it.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Callable
from typing import Any, Protocol

from .records import AT_FDCWD, OFF_CURRENT, OP_WRITE, address_of


class Request:
    """One submitted operation: its future, its keep-alive objects, its user data, and
    its result once reaped (kept for settle() when the future was already cancelled)."""

    __slots__ = ("future", "keep", "user_data", "result")

    def __init__(self, future: asyncio.Future[int], keep: Any, user_data: int) -> None:
        self.future, self.keep, self.user_data = future, keep, user_data
        self.result: int | None = None


class Engine(Protocol):
    """What the layers above ask of the running loop's driver."""

    loop: asyncio.AbstractEventLoop
    thread: int
    closed: bool
    info: dict[str, Any]
    ops: frozenset[int]  # the op codes it performs; the os functions run the others on threads

    def submit(self, op: int, fd: int = -1, addr: int = 0, length: int = 0, off: int = 0, keep: Any = None, *,
               flags: int = 0, op_flags: int = 0, addr2: int = 0, mode: int = 0, dirfd: int = AT_FDCWD,
               slot: int = 0) -> Request:
        """Queues one request for this loop iteration's submission (slot: OP_OPENAT into
        direct-descriptor slot slot - 1)."""

    def take_slot(self) -> int | None:
        """A free direct-descriptor slot, or None."""

    def give_slot(self, slot: int) -> None: ...

    async def settle(self, req: Request, cancel: bool = True) -> int:
        """Waits out a request whose awaiting task was cancelled."""

    def room_for_chain(self, n: int) -> None:
        """Makes room so that the next n requests go into one submission."""

    def path_fs_kind(self, cpath: bytes) -> int:
        """The FS_* kind of the file system a NUL-terminated path lies on, from the mount
        table (no system call on the file): what an open by path is submitted as."""

    def dev_fs_kind(self, dev: int, fallback: int) -> int:
        """The FS_* kind of device dev (a stat's st_dev), or fallback when the mount table
        does not list it."""

    def statx_cached(self, fd: int, addr: int) -> int:
        """statx of fd into the struct at addr from the attributes the kernel has cached
        (AT_STATX_DONT_SYNC: no request to a FUSE daemon or a network server), on this
        thread: 0 or -errno (-ENOSYS where there is no such call)."""

    def read_cached(self, fd: int, view: memoryview, off: int, memory: bool = False) -> int | None:
        """Reads at once what is in memory: the count, -errno, or None (use the ring)."""

    def read_memory(self, fd: int, n: int, off: int) -> bytes | int | None: ...

    def fast_budget_spent(self) -> asyncio.Future[None] | None: ...

    def spend_budget(self) -> asyncio.Future[None] | None:
        """Counts work done without the engine (a listing fetched ahead) against this
        loop iteration's budget, as reads from memory count: a future to await once
        it is spent, else None."""

    def close(self) -> None: ...

    def stats(self) -> dict[str, int]: ...


async def result(engine: Engine, req: Request, cancel: bool = True,
                 undo: Callable[[int], object] | None = None) -> int:
    """A request's result (a count, a descriptor or -errno). If the awaiting task is
    cancelled, the request is cancelled too (unless cancel is False: a close or an fsync
    runs to its end) and waited out, then CancelledError propagates: the memory a
    request names outlives it. If it succeeded nonetheless, undo gets its result (a
    descriptor the task will never use, say) to release what it made."""
    try:
        return await req.future
    except asyncio.CancelledError:
        res = await engine.settle(req, cancel)
        if undo is not None and res >= 0:
            undo(res)
        raise


async def run(engine: Engine, op: int, keep: Any, fd: int = -1, addr: int = 0, length: int = 0, off: int = 0,
              **fields: int) -> int:
    """One request's result (a value or -errno). A cancelled task cancels the request and
    waits it out: an operation the kernel finished first has happened."""
    return await result(engine, engine.submit(op, fd, addr, length, off, keep, **fields))


async def write_all(engine: Engine, fd: int, data: Any, off: int, *, flags: int = 0, waited_out: bool = False,
                    wrote: Callable[[int], object] | None = None) -> int:
    """Writes all of data at off (OFF_CURRENT: at the file position), one WRITE after
    another while they come up short; returns the count. wrote hears of each write's
    count as it lands. A cancelled task cancels the write in flight and waits it out,
    unless waited_out: then every write is waited out whatever the task wants (bytes
    that must land once their task was cancelled)."""
    view = memoryview(data).cast("B")
    done = 0
    while done < view.nbytes:
        addr, keep = address_of(view[done:], writable=False)
        req = engine.submit(OP_WRITE, fd, addr, view.nbytes - done, off if off == OFF_CURRENT else off + done, keep,
                            flags=flags)
        res = await (engine.settle(req, cancel=False) if waited_out else result(engine, req))
        if res < 0:
            raise os_error(res)
        if res == 0:
            raise OSError(errno.EIO, "write returned 0 bytes")
        if wrote is not None:
            wrote(res)
        done += res
    return done


def write_all_now(write: Callable[[memoryview, int], int], data: Any, off: int) -> None:
    """Writes all of data at off (-1: at the file position) without the event loop:
    write(rest, offset) writes once and returns its count, and is called again while
    the writes come up short."""
    view = memoryview(data).cast("B")
    while view:
        n = write(view, off)
        view = view[n:]
        off = off if off < 0 else off + n


async def chain(engine: Engine, steps: list[tuple[int, dict[str, Any]]], flags: int = 0,
                undo: Callable[[int], object] | None = None) -> list[int]:
    """Submits steps (op, submit()'s keywords) as one linked chain, each request with flags
    added, and returns every result. Only the last request wakes the task: a chain
    completes in order, so the others' results are in by then (their futures are
    cancelled at once, which spares the loop a task step each). A cancelled task waits
    the chain out first (a close in it must run), gives undo the first request's result
    if that succeeded (a descriptor it opened), then raises."""
    engine.room_for_chain(len(steps))
    reqs = [engine.submit(op, **{**kw, "flags": kw.get("flags", 0) | flags}) for op, kw in steps]
    for req in reqs[:-1]:
        req.future.cancel()
    cancelled = False
    try:
        await reqs[-1].future
    except asyncio.CancelledError:
        cancelled = True
        await engine.settle(reqs[-1], cancel=False)
    results = [req.result if req.result is not None else await engine.settle(req, cancel=False) for req in reqs]
    if cancelled:
        if undo is not None and results[0] >= 0:
            undo(results[0])
        raise asyncio.CancelledError
    return results


async def wait_out(fut: asyncio.Future[int], timeout: float) -> int:
    """The result of a request whose task was cancelled, absorbing further
    cancellations, for at most timeout seconds: its memory must outlive it. Past that it
    is abandoned (the driver keeps its memory) and CancelledError is raised."""
    loop = fut.get_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            return await asyncio.wait_for(asyncio.shield(fut), max(deadline - loop.time(), 0))
        except asyncio.CancelledError:
            if fut.done():
                return fut.result()
        except asyncio.TimeoutError:
            raise asyncio.CancelledError from None


def os_error(res: int, filename: Any = None, filename2: Any = None) -> OSError:
    """The OSError (subclass chosen by errno) for a -errno result, as os raises it."""
    code = -res
    if filename is None:
        return OSError(code, os.strerror(code))
    if filename2 is None:
        return OSError(code, os.strerror(code), filename)
    return OSError(code, os.strerror(code), filename, None, filename2)


def check_result(res: int) -> int:
    """A request's result as a value: -errno raises the matching OSError."""
    if res < 0:
        raise os_error(res)
    return res

"""The engine protocol both drivers — the native one (driver) and the forked child's
thread sibling (threads) — implement, and the cancellation rule every request follows:
a cancelled task cancels its request and waits it out, because the memory a request
names must outlive it.
"""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from .buffers import Buffer
from .records import (
    AT_FDCWD, DIRENTS_CLOSE, FSYNC_DATASYNC, MAX_IO_LEN, OFF_CURRENT, OP_CLOSE, OP_COPY_FILE_RANGE, OP_FACCESSAT,
    OP_FSYNC, OP_FTRUNCATE, OP_GETDENTS, OP_LINKAT, OP_MKDIRAT, OP_OPENAT, OP_READ, OP_READLINKAT, OP_RENAMEAT,
    OP_SENDFILE, OP_STATFS, OP_STATX, OP_SYMLINKAT, OP_UNLINKAT, OP_WRITE, address_of,
)


def _nbytes(buf: Any) -> int:
    return len(buf) if type(buf) is bytes or type(buf) is bytearray else memoryview(buf).nbytes


class Request:
    """One submitted operation: its future, its keep-alive objects, its user data, and
    its result once reaped (kept for settle() when the future was already cancelled)."""

    __slots__ = ("future", "keep", "user_data", "result")

    def __init__(self, future: asyncio.Future[int], keep: Any, user_data: int) -> None:
        self.future, self.keep, self.user_data = future, keep, user_data
        self.result: int | None = None


RING_ONLY = ("", False, False)  # the file_policy() of a file whose every request goes to the engine


class Engine(Protocol):
    """What the layers above ask of the running loop's driver. Both drivers subclass it
    and so share its typed operations (below submit()), the one place outside the
    drivers where request records are packed: each takes Python objects (buffers,
    NUL-terminated paths), keeps them alive until the request completes, and returns
    the Request. flags are request flags: FLAG_LINK chains the next request,
    FLAG_FIXED_FILE names a direct-descriptor slot, FLAG_ASYNC a file on a slow file
    system."""

    loop: asyncio.AbstractEventLoop
    thread: int
    closed: bool
    info: dict[str, Any]
    ops: frozenset[int]  # the op codes it performs; the os functions run the others on threads
    # The struct statx that the calls made at once (opened_kind, open_now, stat_now) fill
    # in: one per engine, pinned once, read before the loop's thread makes the next call.
    now_record: bytearray

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

    def opened_kind(self, fd: int, fallback: int) -> int:
        """statx of fd into now_record from the attributes the kernel has cached
        (AT_STATX_DONT_SYNC: no request to a FUSE daemon or a network server), on this
        thread, and the FS_* kind of its file system by its device (fallback when the
        mount table does not list it): the kind, or -errno (-ENOSYS where there is no
        such call)."""

    def open_now(self, cpath: bytes, flags: int, mode: int = 0o666) -> int:
        """Opens the NUL-terminated cpath with os.open's flags (and mode) on this thread where that
        cannot wait for a device (core.OpenNow: a regular file whose path is in the
        dentry cache, not on a slow file system; creating only on a RAM-backed one), and
        fills now_record for it. The outcome times 4 plus an FS_* kind: the descriptor and
        its file system's kind, or -errno and the kind of the file system the path lies
        on by the mount table (-EAGAIN: submit openat() instead, as a file of that kind;
        no path_fs_kind() needed). Like every call made at once, it spends this loop
        iteration's budget: await now_turn() first."""

    def stat_now(self, cpath: bytes, dirfd: int, at_flags: int) -> int:
        """statx of cpath (relative to dirfd; with AT_EMPTY_PATH, dirfd itself) into now_record
        on this thread where that cannot wait (core.StatNow): 0, -errno, or -EAGAIN
        (submit statx() instead)."""

    def rename_now(self, old: bytes, new: bytes, sync_dir: bool) -> int:
        """Renames the NUL-terminated old to new on this thread where that cannot wait
        (core.RenameNow: two names in one directory of a RAM-backed file system, reached
        without symbolic links or ".."), with sync_dir fsync'ing that directory after: 0,
        -errno, or -EAGAIN (submit renameat() instead)."""

    def getdents_now(self, fd: int, out: bytearray, *, path: bytes | None = None, dirfd: int = AT_FDCWD,
                     close: bool = False) -> int:
        """getdents() made on this thread where that cannot wait (core.GetdentsNow: a
        directory on a RAM-backed file system, a path reached without symbolic links or
        ".."): the answer's length in out, -errno, or -EAGAIN (submit getdents() instead)."""

    def file_policy(self, regular: bool, readable: bool, writable: bool, fs_kind: int,
                    truncated: bool) -> tuple[str, bool, bool]:
        """What of a file's work may skip the ring (a file regular or not, open for
        reading, for writing, on a file system of kind fs_kind, opened with O_TRUNC or
        not), the one rule for it: (fast_read, writes_now, closes_now).

        fast_read: "nowait" tries read_cached() and read_new() (page-cache hits), "memory"
        as well (a RAM-backed file system: it never waits for a device), "" never.
        writes_now: writes are made on this thread with write_memory() (a regular file on a
        RAM-backed file system). closes_now: the close is made on this thread: on a file
        system that is not slow (no FUSE or NFS flush to wait for; io_uring's inline close
        runs the same release on this thread) and that does not write back at the close
        (ext4's auto_da_alloc, XFS and Btrfs flush a truncated file's new data when it is
        closed: milliseconds for a few MiB; such a close goes to the kernel's workers,
        FLAG_ASYNC)."""

    def read_cached(self, fd: int, view: memoryview, off: int, memory: bool = False) -> int | None:
        """Reads at once what is in memory: the count, -errno, or None (use the ring)."""

    def read_new(self, fd: int, n: int, off: int, memory: bool) -> bytes | int | None:
        """read_cached() of up to n bytes into new bytes: the data, -errno, or None."""

    def write_memory(self, fd: int, data: Any, off: int) -> int | None:
        """Writes at once (see file_policy()): the count, -errno, or None (use the ring)."""

    def sync_memory(self, fd: int, datasync: bool) -> int | None:
        """fsync (fdatasync) at once of a file whose writes are made at once (see
        file_policy(): a RAM-backed file system has nothing to write back): 0, -errno, or
        None (use the ring)."""

    def fast_budget_spent(self, start: bool = False) -> asyncio.Future[None] | None:
        """A future to await before work made at once when this loop iteration's budget
        for it is spent (with start, new work: an open, a stat, a whole-file call, when
        the asking task's turn at it is over while others wait); else None."""

    def budget_left(self) -> bool:
        """Whether this loop iteration has budget left for work made at once: asks, where
        fast_budget_spent() also queues the caller for the next iteration's."""

    def spend_budget(self) -> asyncio.Future[None] | None:
        """Counts work done without the engine (a listing fetched ahead) against this
        loop iteration's budget, as reads from memory count: a future to await once
        it is spent, else None."""

    def close(self) -> None: ...

    def stats(self) -> dict[str, int]: ...

    # --- typed operations -----------------------------------------------------------
    # (those without a liburing tag have no ring opcode: the engine's workers run them)

    # liburing: io_uring_prep_read
    def read(self, fd: int, buffer: Any, offset: int, *, flags: int = 0) -> Request:
        """Up to len(buffer) bytes at offset (OFF_CURRENT: at the file position) into
        buffer."""
        addr, keep = address_of(buffer, writable=True)
        return self.submit(OP_READ, fd, addr, _nbytes(buffer), offset, keep, flags=flags)

    # liburing: io_uring_prep_read
    def read_pinned(self, fd: int, pinned: Buffer, start: int, length: int, offset: int, *,
                    flags: int = 0) -> Request:
        """read() into a kept buffer from byte start on, by the address it was pinned at
        (no ctypes objects per read)."""
        return self.submit(OP_READ, fd, pinned[3] + start, length, offset, pinned[2], flags=flags)

    # liburing: io_uring_prep_write
    def write(self, fd: int, data: Any, offset: int, *, flags: int = 0) -> Request:
        """data at offset (OFF_CURRENT: at the file position; the count can be short)."""
        addr, keep = address_of(data, writable=False)
        return self.submit(OP_WRITE, fd, addr, _nbytes(data), offset, keep, flags=flags)

    # liburing: io_uring_prep_write
    def write_pinned(self, fd: int, pinned: Buffer, start: int, length: int, offset: int, *,
                     flags: int = 0) -> Request:
        """write() of length bytes of a kept buffer from byte start on, by the address it
        was pinned at (no copy, no ctypes objects per write)."""
        return self.submit(OP_WRITE, fd, pinned[3] + start, length, offset, pinned[2], flags=flags)

    # liburing: io_uring_prep_openat
    def openat(self, path: bytes, oflags: int, mode: int = 0o666, *, dirfd: int = AT_FDCWD, slot: int | None = None,
               flags: int = 0) -> Request:
        """os.open(path, oflags, mode, dir_fd=dirfd): the descriptor, or with slot, into
        that direct-descriptor slot (io_uring_prep_openat_direct)."""
        addr, keep = address_of(path, writable=False)
        return self.submit(OP_OPENAT, 0, addr, 0, 0, keep, flags=flags, op_flags=oflags, mode=mode, dirfd=dirfd,
                           slot=0 if slot is None else slot + 1)

    # liburing: io_uring_prep_close
    def close_fd(self, fd: int, *, flags: int = 0) -> Request:
        """Closes a descriptor (close() is the engine's own)."""
        return self.submit(OP_CLOSE, fd, flags=flags)

    # liburing: io_uring_prep_fsync
    def fsync(self, fd: int, datasync: bool = False, *, flags: int = 0) -> Request:
        return self.submit(OP_FSYNC, fd, flags=flags, op_flags=FSYNC_DATASYNC if datasync else 0)

    # liburing: io_uring_prep_ftruncate
    def ftruncate(self, fd: int, size: int, *, flags: int = 0) -> Request:
        return self.submit(OP_FTRUNCATE, fd, 0, 0, size, flags=flags)

    # liburing: io_uring_prep_statx
    def statx(self, path: bytes, out: bytearray, *, dirfd: int = AT_FDCWD, at_flags: int = 0, mask: int,
              flags: int = 0) -> Request:
        """statx(dirfd, path, at_flags, mask) into out (a struct statx)."""
        addr, keep = address_of(path, writable=False)
        out_addr, keep_out = address_of(out, writable=True)
        return self.submit(OP_STATX, -1, addr, 0, 0, (keep, keep_out), flags=flags, op_flags=at_flags, addr2=out_addr,
                           mode=mask, dirfd=dirfd)

    def statfs(self, fd: int | None, path: bytes, out: bytearray) -> Request:
        """fstatfs(fd), or statfs(path) when fd is None, into out (a struct statfs)."""
        addr, keep = (0, None) if fd is not None else address_of(path, writable=False)
        out_addr, keep_out = address_of(out, writable=True)
        return self.submit(OP_STATFS, -1 if fd is None else fd, addr, 0, 0, (keep_out, keep), addr2=out_addr)

    # liburing: io_uring_prep_renameat
    def renameat(self, olddirfd: int, old: bytes, newdirfd: int, new: bytes, *, flags: int = 0) -> Request:
        a, ka = address_of(old, writable=False)
        b, kb = address_of(new, writable=False)
        return self.submit(OP_RENAMEAT, newdirfd, a, 0, 0, (ka, kb), flags=flags, addr2=b, dirfd=olddirfd)

    # liburing: io_uring_prep_unlinkat
    def unlinkat(self, dirfd: int, path: bytes, at_flags: int = 0, *, flags: int = 0) -> Request:
        addr, keep = address_of(path, writable=False)
        return self.submit(OP_UNLINKAT, -1, addr, 0, 0, keep, flags=flags, op_flags=at_flags, dirfd=dirfd)

    # liburing: io_uring_prep_mkdirat
    def mkdirat(self, dirfd: int, path: bytes, mode: int, *, flags: int = 0) -> Request:
        addr, keep = address_of(path, writable=False)
        return self.submit(OP_MKDIRAT, -1, addr, 0, 0, keep, flags=flags, mode=mode, dirfd=dirfd)

    # liburing: io_uring_prep_linkat
    def linkat(self, olddirfd: int, old: bytes, newdirfd: int, new: bytes, at_flags: int = 0) -> Request:
        a, ka = address_of(old, writable=False)
        b, kb = address_of(new, writable=False)
        return self.submit(OP_LINKAT, newdirfd, a, 0, 0, (ka, kb), op_flags=at_flags, addr2=b, dirfd=olddirfd)

    # liburing: io_uring_prep_symlinkat
    def symlinkat(self, target: bytes, newdirfd: int, linkpath: bytes) -> Request:
        a, ka = address_of(target, writable=False)
        b, kb = address_of(linkpath, writable=False)
        return self.submit(OP_SYMLINKAT, -1, a, 0, 0, (ka, kb), addr2=b, dirfd=newdirfd)

    def readlinkat(self, dirfd: int, path: bytes, out: bytearray) -> Request:
        """readlinkat into out: the target's length."""
        a, ka = address_of(path, writable=False)
        b, kb = address_of(out, writable=True)
        return self.submit(OP_READLINKAT, -1, a, len(out), 0, (ka, kb), addr2=b, dirfd=dirfd)

    def faccessat(self, dirfd: int, path: bytes, mode: int, at_flags: int = 0) -> Request:
        addr, keep = address_of(path, writable=False)
        return self.submit(OP_FACCESSAT, -1, addr, 0, 0, keep, op_flags=at_flags, mode=mode, dirfd=dirfd)

    def getdents(self, fd: int, out: bytearray, *, path: bytes | None = None, dirfd: int = AT_FDCWD,
                 close: bool = False) -> Request:
        """A batch of fd's entries (or of the directory at path, which the engine opens)
        into out, packed as kernel.dirents() reads them; close: close the descriptor
        when the directory ends."""
        addr, keep = address_of(out, writable=True)
        addr2, keep2 = address_of(path, writable=False) if path is not None else (0, None)
        return self.submit(OP_GETDENTS, fd, addr, len(out), 0, (keep, keep2), addr2=addr2, dirfd=dirfd,
                           op_flags=DIRENTS_CLOSE if close else 0)

    def sendfile(self, out_fd: int, in_fd: int, offset: int | None, count: int) -> Request:
        """os.sendfile (offset None: from and advancing in_fd's position)."""
        return self.submit(OP_SENDFILE, out_fd, 0, min(count, MAX_IO_LEN), OFF_CURRENT if offset is None else offset,
                           dirfd=in_fd)

    def copy_file_range(self, fd_in: int, off_in: int, fd_out: int, off_out: int, length: int) -> Request:
        return self.submit(OP_COPY_FILE_RANGE, fd_out, 0, length, off_out, addr2=off_in, dirfd=fd_in)


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


def now_turn(engine: Engine, start: bool = False) -> Awaitable[None]:
    """Done once this loop iteration has budget left for work made at once on the
    loop's thread (open_now, stat_now, write_memory): when it is spent, in the next
    iteration, so that timers and other tasks run in between. (A call made at once is
    still cheaper there than a round trip through the engine's workers.) start: new
    work (an open, a stat, a whole-file call), which also waits while the task's turn
    is over and others wait (Engine.fast_budget_spent)."""
    return engine.fast_budget_spent(start) or completed()


# One completed future for every caller, whatever its loop: awaiting a done future
# returns its result without looking at its loop, and without a coroutine frame.
_COMPLETED: asyncio.Future[None] | None = None


def completed() -> asyncio.Future[None]:
    """A future that is done: what an awaitable call returns when it has no wait."""
    global _COMPLETED
    if _COMPLETED is None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        _COMPLETED = done
    return _COMPLETED


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
        req = engine.write(fd, view[done:], off if off == OFF_CURRENT else off + done, flags=flags)
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


def sync_now(fd: int, datasync: bool) -> None:
    """os.fsync(fd), or os.fdatasync(fd) where there is one (macOS has none), on this thread."""
    (getattr(os, "fdatasync", os.fsync) if datasync else os.fsync)(fd)


async def chain(engine: Engine, reqs: list[Request], undo: Callable[[int], object] | None = None) -> list[int]:
    """The results of reqs, a linked chain just submitted (each but the last with
    FLAG_LINK, after engine.room_for_chain(len(reqs))). Only the last request wakes the
    task: a chain completes in order, so the others' results are in by then (their
    futures are cancelled at once, which spares the loop a task step each). A cancelled
    task waits the chain out first (a close in it must run), gives undo the first
    request's result if that succeeded (a descriptor it opened), then raises."""
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

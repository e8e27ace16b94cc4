"""The request/completion record format of core/record.go (a test holds the two side by
side), the memory a record may point at, and the engine protocol both drivers — the
native one and the forked child's thread fallback — implement. A leaf: it imports
nothing of the package.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import struct
from collections.abc import Callable
from typing import Any, Protocol

# The 64-byte request record (op, flags, fd, user data, addr, len, op flags, off, addr2,
# mode, dirfd, slot) and the 16-byte completion record (user data, result).
REQUEST = struct.Struct("<BBHiQQIIQQIiI4x")
REQUEST_SIZE, COMPLETION_SIZE = 64, 16

OP_NOP, OP_READ, OP_WRITE, OP_READV, OP_WRITEV, OP_FSYNC, OP_OPENAT, OP_CLOSE = range(8)
OP_STATX, OP_RENAMEAT, OP_UNLINKAT, OP_MKDIRAT, OP_FTRUNCATE = range(8, 13)
OP_SYMLINKAT, OP_LINKAT, OP_READLINKAT, OP_FACCESSAT, OP_GETDENTS, OP_STATFS, OP_SENDFILE = range(13, 20)
OP_COPY_FILE_RANGE = 20
# The names get_backend_info() lists the engine's operations by, indexed by op code.
OP_NAMES = ("nop", "read", "write", "readv", "writev", "fsync", "openat", "close", "statx", "renameat", "unlinkat",
            "mkdirat", "ftruncate", "symlinkat", "linkat", "readlinkat", "faccessat", "getdents", "statfs", "sendfile",
            "copy_file_range")
FLAG_LINK = 1  # the next request runs only if this one succeeds
FLAG_FIXED_FILE = 2  # fd is a direct-descriptor slot
FLAG_HARD_LINK = 4  # with FLAG_LINK: the next request runs whatever this one's result
FLAG_ASYNC = 8  # never run inline on the loop's thread (io_uring's IOSQE_ASYNC): files on FS_SLOW
# What waiting on a file system can cost the thread asking (core/fsinfo.go's FSKind): a
# local one never makes an inline attempt wait, a RAM-backed one never waits for a device
# at all, a slow one (FUSE, NFS, SMB, ...) can wait for a daemon or the network anywhere.
FS_LOCAL, FS_MEMORY, FS_SLOW = 0, 1, 2
FSYNC_DATASYNC = 1
OFF_CURRENT = (1 << 64) - 1  # use (and advance) the file position
AT_FDCWD = -100
MAX_IO_LEN = 0x7FFFF000  # the largest length of one read or write (Linux caps one at this)
DIRECT_SLOTS = 256  # the engine's direct-descriptor table: slot ranges over 1..DIRECT_SLOTS
DIRENTS_END = 1  # OP_GETDENTS' answer flags: the directory ended
DIRENTS_CLOSE = 1  # OP_GETDENTS' op flags: close the descriptor when the directory ends


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


def engine_ops(info: dict[str, Any]) -> frozenset[int]:
    """The op codes an engine performs, from its backend info."""
    names = set(info.get("native_ops", ())) | set(info.get("worker_ops", ()))
    return frozenset(code for code, name in enumerate(OP_NAMES) if name in names)


def check_result(res: int) -> int:
    """A request's result as a value: -errno raises the matching OSError."""
    if res < 0:
        raise os_error(res)
    return res


def _bytes_data_offset() -> int | None:
    """Where a bytes object's data starts relative to id() in this interpreter (CPython
    keeps it inline at a fixed offset), checked against ctypes; None if not fixed."""
    offsets = set()
    for sample in (b"ayafileio", b"x" * 1000):
        addr = ctypes.cast(ctypes.c_char_p(sample), ctypes.c_void_p).value or 0
        offsets.add(addr - id(sample))
    return offsets.pop() if len(offsets) == 1 else None


_BYTES_OFFSET = _bytes_data_offset()

_bytes_from_size: Any = None
if _BYTES_OFFSET is not None and hasattr(ctypes, "pythonapi"):
    _bytes_from_size = ctypes.pythonapi.PyBytes_FromStringAndSize
    _bytes_from_size.restype = ctypes.py_object
    _bytes_from_size.argtypes = (ctypes.c_void_p, ctypes.c_ssize_t)

_FRESH_BYTES_MIN = 16384  # below it, a bytearray and a copy cost less than the ctypes calls


def fresh_bytes(n: int) -> tuple[bytes | bytearray, memoryview]:
    """A new n-byte object to read into and return, and a writable view of it. As io's
    read does (PyBytes_FromStringAndSize(NULL, n)), a bytes object is filled in place
    before anyone else sees it: no zero-fill, no copy into bytes afterwards. Where the
    interpreter's layout is unknown: a bytearray."""
    if _bytes_from_size is None or n < _FRESH_BYTES_MIN:
        out = bytearray(n)
        return out, memoryview(out)
    b: bytes = _bytes_from_size(None, n)
    assert _BYTES_OFFSET is not None
    return b, memoryview((ctypes.c_char * n).from_address(id(b) + _BYTES_OFFSET)).cast("B")


def address_of(buf: Any, writable: bool) -> tuple[int, Any]:
    """The address of a contiguous buffer's first byte, and the object that keeps it valid."""
    if type(buf) is bytearray and not writable and len(buf) <= 16384:
        buf = bytes(buf)  # a small copy is cheaper than pinning the bytearray with ctypes
    if type(buf) is bytes and not writable:
        if _BYTES_OFFSET is not None:
            return id(buf) + _BYTES_OFFSET, buf  # the hot path: no ctypes objects
        p = ctypes.c_char_p(buf)
        return ctypes.cast(p, ctypes.c_void_p).value or 0, (buf, p)
    view = memoryview(buf)
    if not view.c_contiguous:
        raise BufferError("ayafileio needs a contiguous buffer")
    view = view.cast("B")
    if view.readonly:
        if writable:
            raise TypeError("readinto() argument must be read-write bytes-like object")
        return address_of(bytes(view), False)
    if len(view) == 0:
        return 0, view
    c = (ctypes.c_char * len(view)).from_buffer(view)
    return ctypes.addressof(c), (view, c)

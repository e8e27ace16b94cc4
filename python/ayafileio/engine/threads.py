"""The driver used where the native engine cannot run: in a child forked after the Go
runtime started (Go's threads do not survive fork()). It takes the same requests as the
native driver and performs them with plain system calls on a few threads, completing
futures through call_soon_threadsafe. Honest about it: get_backend_info() says
"python-threads", not truly asynchronous.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

assert sys.platform != "win32", "only a forked child needs this driver, and Windows has no fork()"

from .config import cached_close_timeout
from .records import (
    AT_FDCWD, FLAG_LINK, FS_LOCAL, FSYNC_DATASYNC, OFF_CURRENT, OP_CLOSE, OP_FSYNC, OP_FTRUNCATE, OP_NOP,
    OP_OPENAT, OP_READ, OP_NAMES, OP_WRITE, engine_ops,
)
from .api import RING_ONLY, Engine, Request, sync_now, wait_out
from .kernel import STATX_SIZE

FORKED = "forked after the native engine started; Go does not survive fork()"
_WORKERS = 4
_PERFORMED = (OP_NOP, OP_READ, OP_WRITE, OP_OPENAT, OP_CLOSE, OP_FSYNC, OP_FTRUNCATE)  # what _perform does


def _memory(addr: int, length: int) -> Any:
    return (ctypes.c_char * length).from_address(addr) if length else b""


def _perform(op: int, fd: int, addr: int, length: int, off: int, op_flags: int, mode: int, dirfd: int) -> int:
    """One request as one system call: its result, or -errno."""
    try:
        if op == OP_NOP:
            return 0
        if op == OP_READ:
            buf = _memory(addr, length)
            return os.readv(fd, [buf]) if off == OFF_CURRENT else os.preadv(fd, [buf], off)
        if op == OP_WRITE:
            buf = _memory(addr, length)
            return os.write(fd, buf) if off == OFF_CURRENT else os.pwrite(fd, buf, off)
        if op == OP_OPENAT:
            path = ctypes.string_at(addr)
            return os.open(path, op_flags, mode, dir_fd=None if dirfd == AT_FDCWD else dirfd)
        if op == OP_CLOSE:
            os.close(fd)
            return 0
        if op == OP_FSYNC:
            sync_now(fd, bool(op_flags & FSYNC_DATASYNC))
            return 0
        if op == OP_FTRUNCATE:
            os.ftruncate(fd, off)
            return 0
        return -errno.ENOSYS
    except OSError as e:
        return -(e.errno or errno.EIO)


class ThreadDriver(Engine):
    """The Engine protocol (api.Engine), a sibling of driver.Driver: requests run
    as plain system calls on a small thread pool and complete through
    call_soon_threadsafe. It serves no reads from memory (nothing is faster than the
    pool here)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, reason: str) -> None:
        self.loop = loop
        self.thread = threading.get_ident()
        self.closed = False
        self.info: dict[str, Any] = {"platform": sys.platform, "backend": "python-threads",
                                     "is_truly_async": False, "fallback_reason": reason, "native_ops": [],
                                     "worker_ops": [OP_NAMES[op] for op in _PERFORMED]}
        self.ops = engine_ops(self.info)
        self.now_record = bytearray(STATX_SIZE)  # never filled: nothing is made at once here
        self._pool = ThreadPoolExecutor(_WORKERS, thread_name_prefix="ayafileio-fallback")
        self._inflight: dict[int, Request] = {}
        self._chain: list[tuple[int, ...]] = []
        self._next_ud = 1

    def submit(self, op: int, fd: int = -1, addr: int = 0, length: int = 0, off: int = 0, keep: Any = None,
               *, flags: int = 0, op_flags: int = 0, addr2: int = 0, mode: int = 0, dirfd: int = AT_FDCWD,
               slot: int = 0) -> Request:
        assert slot == 0, "no direct descriptors here: take_slot() gives none"
        if self.closed:
            raise RuntimeError("ayafileio: the event loop's I/O engine is closed")
        ud = self._next_ud
        self._next_ud += 1
        req = Request(self.loop.create_future(), keep, ud)
        self._inflight[ud] = req
        self._chain.append((ud, op, fd, addr, length, off & OFF_CURRENT, op_flags, mode, dirfd))
        if not flags & FLAG_LINK:
            chain, self._chain = self._chain, []
            self._pool.submit(self._run_chain, chain)
        return req

    def _run_chain(self, chain: list[tuple[int, ...]]) -> None:
        failed = False
        for ud, op, fd, addr, length, off, op_flags, mode, dirfd in chain:
            res = -errno.ECANCELED if failed else _perform(op, fd, addr, length, off, op_flags, mode, dirfd)
            failed = failed or res < 0 or (op in (OP_READ, OP_WRITE) and res != length)
            try:
                self.loop.call_soon_threadsafe(self._complete, ud, res)
            except RuntimeError:
                return  # the loop closed; nobody waits any more

    def _complete(self, ud: int, res: int) -> None:
        req = self._inflight.pop(ud, None)
        if req is not None:
            req.keep = None
            req.result = res
            if not req.future.done():
                req.future.set_result(res)

    async def settle(self, req: Request, cancel: bool = True) -> int:
        """Waits out a request whose task was cancelled (a system call on a thread cannot
        be interrupted, so cancel changes nothing)."""
        if req.result is not None:
            return req.result
        req.future = self.loop.create_future()  # the old one was cancelled with the task
        return await wait_out(req.future, cached_close_timeout())

    def room_for_chain(self, n: int) -> None:
        """Chains are collected until their last request; nothing to make room for."""

    def path_fs_kind(self, cpath: bytes) -> int:
        return FS_LOCAL  # every request runs on a thread here

    def dev_fs_kind(self, dev: int, fallback: int) -> int:
        return fallback

    def opened_kind(self, fd: int, fallback: int) -> int:
        return -errno.ENOSYS  # Go cannot run in this process

    def open_now(self, cpath: bytes, flags: int, mode: int = 0o666) -> int:
        return -errno.EAGAIN << 2 | FS_LOCAL  # every open runs on a thread here

    def stat_now(self, cpath: bytes, dirfd: int, at_flags: int) -> int:
        return -errno.EAGAIN

    def rename_now(self, old: bytes, new: bytes, sync_dir: bool) -> int:
        return -errno.EAGAIN

    def getdents_now(self, fd: int, out: bytearray, *, path: bytes | None = None, dirfd: int = AT_FDCWD,
                     close: bool = False) -> int:
        return -errno.EAGAIN

    def file_policy(self, regular: bool, readable: bool, writable: bool, fs_kind: int,
                    truncated: bool) -> tuple[str, bool, bool]:
        return RING_ONLY  # nothing is faster than the pool here

    def read_cached(self, fd: int, view: memoryview, off: int, memory: bool = False) -> int | None:
        return None

    def read_new(self, fd: int, n: int, off: int, memory: bool) -> bytes | int | None:
        return None

    def write_memory(self, fd: int, data: Any, off: int) -> int | None:
        return None

    def sync_memory(self, fd: int, datasync: bool) -> int | None:
        return None

    def fast_budget_spent(self, start: bool = False) -> asyncio.Future[None] | None:
        return None

    def budget_left(self) -> bool:
        return True

    def spend_budget(self) -> asyncio.Future[None] | None:
        return None

    def take_slot(self) -> int | None:
        return None  # no direct descriptors: whole-file calls run on threads

    def give_slot(self, slot: int) -> None:
        raise AssertionError("no slot was given")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._pool.shutdown(wait=False)  # a thread blocked on a pipe must not hang the loop's close
            self._inflight.clear()

    def stats(self) -> dict[str, int]:
        return {"inflight": len(self._inflight), "queued": len(self._chain)}

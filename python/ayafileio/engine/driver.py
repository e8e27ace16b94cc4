"""One native engine per event loop: requests are packed into a record array and go to
the engine in exchanges, each one call (one io_uring_enter) that submits and reaps:
at once when a task works alone (what the kernel finishes during the submission comes
back done, without a loop iteration), else once per loop iteration, and when the engine
signals (how the loop hears it: notify). Completions are handed to their tasks in
slices that keep each loop iteration short.

Every request keeps the Python objects its record points into (buffers, paths) alive
until its completion is reaped, also when the task that awaited it was cancelled.
"""

from __future__ import annotations

import asyncio
import ctypes
import errno
import functools
import os
import sys
import threading
import time
from collections import deque
from typing import Any

from . import buffers, native, notify, platform
from .config import cached_close_timeout, cached_idle_spin, cached_loop_budget, cached_turn_share, debug, get_config
from .records import (
    AT_FDCWD, COMPLETION_SIZE, DIRECT_SLOTS, FLAG_ASYNC, FLAG_LINK, FS_MEMORY, FS_SLOW, OFF_CURRENT, REQUEST, REQUEST_SIZE,
    OP_NAMES, OP_OPENAT, OP_READ, OP_STATX, OP_WRITE, address_of, bytes_address, bytes_read, engine_ops,
    fresh_bytes,
)
from .api import RING_ONLY, Engine, Request, sync_now, wait_out
from .kernel import STATX_SIZE

_BATCH = 256  # records per submit/reap call
# Reads served straight from memory, and requests submitted and completed at once, share
# the loop-iteration budget (adaptive_target_latency_us): a run of them keeps the loop
# from other work for at most that long.
_FAST_READ_MAX = 1 << 20
# A read or write of more than this goes to the kernel's workers (FLAG_ASYNC), not
# io_uring's inline attempt: copying it alone keeps the loop's thread for ~100 us, and an
# iteration's exchange may hold several (8 writes of 1 MiB: 8-12 ms of timer lateness).
_INLINE_MAX = 256 << 10
# A directory batch listed at once reads at most this much (some 400 entries, ~100 us
# of getdents64 on tmpfs here): the loop's thread is held for a share of a budget, where
# the 64 KiB a worker's batch takes would hold it for a millisecond.
_DIRENTS_NOW = 16 << 10
# core.ExchangeMode: the iteration's submission, the notify fd's answer, a caller
# waiting for what it submits now, and the loop's own look while requests are in flight.
_TICK, _NOTIFIED, _INLINE, _POLL = 0, 1, 2, 3
# Requests io_uring always hands to its io-wq workers (an open that may create or
# truncate, a statx): submitted inline where the engine signals for what it leaves in
# flight (quiet_wakeups false), they would only cost a wake-up for nothing.
_PUNTED_OPEN = os.O_CREAT | os.O_TRUNC | getattr(os, "O_TMPFILE", 0)
# While completions wait to be handed out, requests are submitted once this many are
# queued (or the wait is over): one io_uring_enter per slice would be one per handful.
_LOADED_BATCH = 32
# Completions handed to their tasks in one loop iteration (adaptive_batch) before the
# cost of a task step has been measured.
_FIRST_SLICE = 16

# Buffers of requests still in flight when an engine was closed: the kernel or a worker
# may write to them at any time, so they are kept for the life of the process.
_graveyard: list[Any] = []


class Driver(Engine):
    """The engine of one event loop, driven from that loop's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        env_error = native.lib().pybind_ConfigEnvError()
        if env_error:
            raise ValueError(env_error)  # a typo in AYAFILEIO_BACKEND is not silently ignored
        ans = native.call_json("EngineNew")
        if "error" in ans:
            raise OSError(errno.EIO, "ayafileio: cannot create an I/O engine: " + ans["error"])
        self.loop = loop
        self.thread = threading.get_ident()
        self.info: dict[str, Any] = ans["info"]
        self.ops = engine_ops(self.info)
        self._free_slots = list(range(DIRECT_SLOTS - 1, -1, -1)) if self.info.get("direct_descriptors") else []
        # Requests io_uring always hands to io-wq: worth trying inline only where what
        # an inline exchange leaves in flight costs no wake-up of its own.
        self._inline_punted = bool(self.info.get("quiet_wakeups"))
        get_config()  # refresh the cached options (a child forked later inherits them)
        self._lib = native.lib()
        self._id: int = ans["id"]
        self._exchange_fn = self._lib.pybind_EngineExchange
        self._sq = bytearray(REQUEST_SIZE * _BATCH)
        self._sq_c = ctypes.c_char.from_buffer(self._sq)  # pins the array's address
        self._sq_addr = ctypes.addressof(self._sq_c)
        self._cq = bytearray(COMPLETION_SIZE * _BATCH)
        self._cq_c = ctypes.c_char.from_buffer(self._cq)
        self._cq_addr = ctypes.addressof(self._cq_c)
        self._cq_view = memoryview(self._cq).cast("q")
        self.now_record = bytearray(STATX_SIZE)
        self._now_record_c = ctypes.c_char.from_buffer(self.now_record)
        self._now_record_addr = ctypes.addressof(self._now_record_c)
        self._queued = 0
        self._adaptive, self._budget = cached_loop_budget()
        self._idle_spin = cached_idle_spin()
        self._poll_until = 0.0  # while requests are in flight: look for them until then
        self._polling = False
        self._fast_until = 0.0  # end of this tick's budget for work made at once
        self._now_waiters: deque[asyncio.Future[None]] = deque()  # tasks waiting for a turn at it
        # The tasks that made work at once within the last budget while others waited,
        # and whether one was told to wait: how many turns the next iteration hands out.
        self._now_tasks: set[asyncio.Task[Any] | None] = set()
        self._refused = False
        # turn_share: while tasks wait for a turn at the budget, the length of a task's
        # turn at new work (0.0: the whole budget), the task whose turn it is, its end.
        share = cached_turn_share()
        self._turn = self._budget / 2 / share if share > 1 else 0.0
        self._turn_task: asyncio.Task[Any] | None = None
        self._turn_until = 0.0
        self._turn_waits = 0  # futures handed out by fast_budget_spent(), for stats()
        self._flush_scheduled = False
        self._inflight: dict[int, Request] = {}
        # Completions reaped but not yet handed to their tasks (adaptive_batch), how many
        # to hand out per loop iteration, and when the last slice went out.
        self._done: deque[Request] = deque()
        self._step_cost = 0.0  # seconds per task step woken, measured
        self._handed = 0  # futures resolved by the last slice
        self._slice_at = 0.0  # when it went out
        self._hand_out_scheduled = False
        self._next_ud = 1
        self.closed = False
        self._listener = notify.listen(loop, ans["notify_fd"], functools.partial(self._lib.pybind_EngineWakeSocket,
                                                                                   self._id), self._on_notify)
        debug("engine %d for loop %r: %s", self._id, loop, self.info.get("backend"))

    # --- submission ---------------------------------------------------------------

    def submit(
        self,
        op: int,
        fd: int = -1,
        addr: int = 0,
        length: int = 0,
        off: int = 0,
        keep: Any = None,
        *,
        flags: int = 0,
        op_flags: int = 0,
        addr2: int = 0,
        mode: int = 0,
        dirfd: int = AT_FDCWD,
        slot: int = 0,
    ) -> Request:
        """Queues one request and returns its handle. When nothing else is in flight or
        waits to be handed out (one task working alone) and this loop iteration has
        time left, the queue (this request, or the chain it ends) goes to the engine
        now: what the kernel finishes during the submission comes back with the request
        already done, so awaiting it costs no loop iteration. Otherwise it goes in this
        iteration's one exchange."""
        if self.closed:
            raise RuntimeError("ayafileio: the event loop's I/O engine is closed")
        if self._queued == _BATCH and not flags & FLAG_LINK:
            self._exchange(_TICK)  # the array is full
        if length > _INLINE_MAX and (op == OP_READ or op == OP_WRITE):
            flags |= FLAG_ASYNC
        ud = self._next_ud
        self._next_ud = ud + 1
        REQUEST.pack_into(self._sq, self._queued * REQUEST_SIZE, op, flags, 0, fd, ud, addr,
                           length, op_flags, off & OFF_CURRENT, addr2, mode, dirfd, slot)
        self._queued += 1
        req = Request(self.loop.create_future(), keep, ud)
        inflight = self._inflight
        inflight[ud] = req
        if (not flags & FLAG_LINK  # a chain goes to the engine whole, with its last request
                and len(inflight) == self._queued and not self._done and length <= _FAST_READ_MAX
                and (self._inline_punted or not (op == OP_STATX or op == OP_OPENAT and op_flags & _PUNTED_OPEN))
                and self.budget_left()):
            self._spend_fast_budget()
            self._exchange(_INLINE, ud - self._queued + 1)
            return req
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self._flush)
        return req

    def take_slot(self) -> int | None:
        """A free direct-descriptor slot for a chain to open into, or None (none free, or
        the engine has none). Give it back once the chain's close has completed."""
        return self._free_slots.pop() if self._free_slots else None

    def give_slot(self, slot: int) -> None:
        self._free_slots.append(slot)

    def path_fs_kind(self, cpath: bytes) -> int:
        kind: int = self._lib.pybind_PathFSKind(bytes_address(cpath), len(cpath) - 1)
        return kind

    def dev_fs_kind(self, dev: int, fallback: int) -> int:
        if sys.platform == "win32":
            return fallback  # st_dev is a volume serial number there
        kind: int = self._lib.pybind_DevFSKind(os.major(dev), os.minor(dev))
        return fallback if kind < 0 else kind

    def opened_kind(self, fd: int, fallback: int) -> int:
        res: int = self._lib.pybind_OpenedKind(fd, self._now_record_addr, fallback)
        return res

    def open_now(self, cpath: bytes, flags: int, mode: int = 0o666) -> int:
        self._spend_fast_budget()
        res: int = self._lib.pybind_OpenNow(bytes_address(cpath), len(cpath) - 1, flags, mode, self._now_record_addr)
        return res

    def stat_now(self, cpath: bytes, dirfd: int, at_flags: int) -> int:
        self._spend_fast_budget()
        res: int = self._lib.pybind_StatNow(dirfd, bytes_address(cpath), len(cpath) - 1, at_flags,
                                            self._now_record_addr)
        return res

    def rename_now(self, old: bytes, new: bytes, sync_dir: bool) -> int:
        self._spend_fast_budget()
        res: int = self._lib.pybind_RenameNow(bytes_address(old), len(old) - 1, bytes_address(new), len(new) - 1,
                                              int(sync_dir))
        return res

    def getdents_now(self, fd: int, out: bytearray, *, path: bytes | None = None, dirfd: int = AT_FDCWD,
                     close: bool = False) -> int:
        self._spend_fast_budget()
        addr, keep = address_of(out, writable=True)
        path_addr, keep_path = address_of(path, writable=False) if path is not None else (0, None)
        res: int = self._lib.pybind_GetdentsNow(fd, addr, min(len(out), _DIRENTS_NOW), path_addr,
                                                len(path) - 1 if path else 0, dirfd, int(close))
        return res

    def file_policy(self, regular: bool, readable: bool, writable: bool, fs_kind: int,
                    truncated: bool) -> tuple[str, bool, bool]:
        if not platform.READ_FAST_PATH or fs_kind == FS_SLOW:
            return RING_ONLY
        memory = fs_kind == FS_MEMORY
        return (("memory" if memory else "nowait") if regular and readable else "",
                memory and regular and writable, memory or not truncated)

    def write_memory(self, fd: int, data: Any, off: int) -> int | None:
        """Writes data at off (OFF_CURRENT: at the file position) to a file on a RAM-backed
        file system at once: the count or -errno; None when the ring must do it (too
        large)."""
        if memoryview(data).nbytes > _FAST_READ_MAX:
            return None
        self._spend_fast_budget()
        try:
            return platform.write_once(fd, data, -1 if off == OFF_CURRENT else off)
        except OSError as e:
            return -(e.errno or errno.EIO)

    def sync_memory(self, fd: int, datasync: bool) -> int | None:
        self._spend_fast_budget()
        try:
            sync_now(fd, datasync)
        except OSError as e:
            return -(e.errno or errno.EIO)
        return 0

    def read_cached(self, fd: int, view: memoryview, off: int, memory: bool = False) -> int | None:
        """Reads at once what is in memory: page-cache hits through preadv2 RWF_NOWAIT
        (which never waits for the disk), or anything on a RAM-backed file system
        (memory=True). Returns the byte count or -errno, or None when the ring must do
        it: data not cached (EAGAIN), too large, or this tick's budget spent."""
        if len(view) > _FAST_READ_MAX:
            return None
        self._spend_fast_budget()
        try:
            return platform.read_nowait(fd, view, off, memory)
        except BlockingIOError:
            return None
        except OSError as e:
            return -(e.errno or errno.EIO)

    def read_new(self, fd: int, n: int, off: int, memory: bool) -> bytes | int | None:
        """read_cached() of up to n bytes into new bytes (on a RAM-backed file system
        os.pread's, which allocates as io's read does): the data, -errno, or None."""
        if n > _FAST_READ_MAX:
            return None
        self._spend_fast_budget()
        try:
            if memory:
                return platform.read_new(fd, n, off)
            out, view = fresh_bytes(n)
            return bytes_read(out, view, platform.read_nowait(fd, view, off, False))
        except BlockingIOError:
            return None
        except OSError as e:
            return -(e.errno or errno.EIO)

    def fast_budget_spent(self, start: bool = False) -> asyncio.Future[None] | None:
        """When this loop iteration has spent its time for work made at once (half the
        target latency, as a slice of completions), a future to await before the work,
        which then goes ahead without asking again; None while there is time left.
        _flush wakes waiting tasks in order, as many per iteration as tasks worked in
        the last budget (see there). A woken task works on while the budget lasts: no
        more (a turn that outlasted it by up to one budget made iterations of 1 ms and
        the 1 ms timer 2 ms late at its median); with start (new work), while its turn
        lasts (_turn_left)."""
        if self._turn_left() if start else self.budget_left():
            return None
        fut = self.loop.create_future()
        if not self.budget_left():
            self._refused = True  # the iteration's budget is spent (not only a turn)
        self._turn_waits += 1
        self._now_waiters.append(fut)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self._flush)
        return fut

    def spend_budget(self) -> asyncio.Future[None] | None:
        self._spend_fast_budget()
        return self.fast_budget_spent()

    def budget_left(self) -> bool:
        return self._fast_until == 0.0 or time.perf_counter() <= self._fast_until

    def _turn_left(self) -> bool:
        """budget_left(), and while tasks wait for a turn at the budget, whether the asking
        task's turn has time left (turn_share): 1/turn_share of the budget from the first
        start of new work it asks for in a row. Asked only where new work starts (an
        open, a stat, a whole-file call): a task finishes the file it works on. With the
        whole budget a turn (turn_share 1), a task that lost the budget made the file it
        was about to start wait for a cycle of the queue: 460 ms at p99 with 1,000 tasks
        writing files on tmpfs; with 16, 130 ms, at 10 % fewer files per second (the
        tasks interleave)."""
        if not self.budget_left():
            return False
        if not self._turn or not self._now_waiters:
            return True
        now = time.perf_counter()
        if now <= self._turn_until:
            return True
        task = asyncio.current_task(self.loop)
        if task is self._turn_task:
            return False  # its turn is over: others wait
        self._turn_task, self._turn_until = task, now + self._turn
        return True

    def _spend_fast_budget(self) -> None:
        if self._now_waiters and self.budget_left():
            self._now_tasks.add(asyncio.current_task(self.loop))
        if self._fast_until == 0.0:
            self._fast_until = time.perf_counter() + self._budget / 2
            if not self._flush_scheduled:
                self._flush_scheduled = True
                self.loop.call_soon(self._flush)  # the next iteration resets the budget

    def room_for_chain(self, n: int) -> None:
        """Makes room so that the next n requests go into one submission (a link chain)."""
        if self._queued + n > _BATCH:
            self._exchange(_TICK)

    def _flush(self) -> None:
        self._fast_until = 0.0
        self._turn_task, self._turn_until = None, 0.0
        # As many turns as tasks worked in the last budget, twice as many when nobody was
        # refused (it had room). A woken task works on through its pieces of work while
        # the budget lasts, so one turn per piece (the count before) woke tasks that
        # found it spent: a futile step each, 2 of 3 per file at 1,000 tasks. (Waking
        # all waiters at once made all but the first futile; waking one per iteration
        # made an iteration, and an io_uring_enter, per task that goes to the ring.)
        turns = max(1, len(self._now_tasks)) * (1 if self._refused else 2)
        self._now_tasks.clear()
        self._refused = False
        waiters = self._now_waiters
        while waiters and turns:
            fut = waiters.popleft()
            if not fut.done():  # (done: its task was cancelled)
                fut.set_result(None)  # a turn in the next iteration
                turns -= 1
        if self._done and self._queued < _LOADED_BATCH:
            # Completions still wait for their slice: the loop is busy with them, and
            # what their tasks queue goes to the engine together, not once per slice.
            self.loop.call_soon(self._flush)
            return
        if waiters:
            self.loop.call_soon(self._flush)  # the next turns, in the next iteration
        else:
            self._flush_scheduled = False
        if self._queued:
            self._exchange(_TICK)

    def _fail_queued(self, n: int, err: int) -> None:
        for i in range(n):
            ud = REQUEST.unpack_from(self._sq, i * REQUEST_SIZE)[4]
            self._complete(ud, -err)

    # --- completion ---------------------------------------------------------------

    def _on_notify(self) -> None:
        self._exchange(_TICK if self._queued else _NOTIFIED)

    def _exchange(self, mode: int, first_inline: int = 0) -> None:
        """Submits the queue and reaps, in one engine call (one io_uring_enter). With
        _INLINE, the requests from user data first_inline on are the caller's, who
        waits for them now: their futures are resolved at once, outside the slices."""
        n = self._queued
        self._queued = 0
        got = self._exchange_fn(self._id, self._sq_addr, n, self._cq_addr, _BATCH, mode)
        if got < 0:
            self._fail_queued(n, -got)
            got = 0
        view = self._cq_view
        while True:
            vals = view[: 2 * got].tolist()
            for i in range(0, 2 * got, 2):
                ud = vals[i]
                if mode == _INLINE and ud >= first_inline:
                    self._resolve_now(ud, vals[i + 1])
                else:
                    self._complete(ud, vals[i + 1])
            if got < _BATCH:
                break
            got = self._exchange_fn(self._id, self._sq_addr, 0, self._cq_addr, _BATCH, _NOTIFIED)
        if self._done and not self._hand_out_scheduled:
            self._hand_out()
        if self._inflight and self._idle_spin:
            self._poll_until = time.perf_counter() + self._idle_spin
            if not self._polling:
                self._polling = True
                self.loop.call_soon(self._poll_in_flight)

    def _poll_in_flight(self) -> None:
        """Looks for completions once per loop iteration, for idle_spin_us after an
        exchange left requests in flight: the loop does not fall asleep in its selector
        waiting for them, and what the kernel's workers finish within that time costs no
        wake-up of the loop's thread (a halted vCPU woken by an interrupt: tens of µs in a
        VM). One file at a time on ext4, whose creation and writes go to io-wq: 365 ->
        230 µs per new file. A look finds nothing by reading the notifier, without
        entering the kernel, and then yields the CPU: the worker it waits for may be
        queued on this one (without the yield, 1 MiB reads went 15-28 % slower)."""
        if self.closed or not self._inflight or time.perf_counter() > self._poll_until:
            self._polling = False
            return
        if not self._queued:  # (queued: this iteration's _flush exchanges)
            waiting = len(self._inflight)
            self._exchange(_POLL)
            if len(self._inflight) == waiting:
                platform.yield_cpu()
        self.loop.call_soon(self._poll_in_flight)

    def _resolve_now(self, ud: int, res: int) -> None:
        req = self._inflight.pop(ud, None)
        if req is None:
            return
        req.keep = None
        req.result = res
        # An inline exchange also answers requests other tasks queued earlier in this
        # iteration; a task cancelled meanwhile has its future cancelled already (and
        # settle() reads the result): raising here would lose the rest of the batch.
        if not req.future.done():
            req.future.set_result(res)

    def _complete(self, ud: int, res: int) -> None:
        req = self._inflight.pop(ud, None)
        if req is None:
            return
        req.keep = None
        req.result = res  # settle() of a cancelled task reads it at once
        if self._adaptive:
            self._done.append(req)
        elif not req.future.done():
            req.future.set_result(res)

    def _hand_out(self) -> None:
        """Resolves the next slice of completed requests' futures. Each wakes its task in
        the next loop iteration, so the slice sets that iteration's length: it holds as
        many as fit in half the target latency (a timer falls due at most one iteration
        before the one that runs it) at the measured cost of a task step. This method
        is queued behind the steps it woke, so the time until it runs again is their
        cost. What is left goes out in later iterations, after the loop has looked at
        its timers and descriptors."""
        self._hand_out_scheduled = False
        now = time.perf_counter()
        if self._handed:
            cost = (now - self._slice_at) / self._handed
            self._step_cost = cost if not self._step_cost else 0.75 * self._step_cost + 0.25 * cost
            self._handed = 0
        done = self._done
        if not done:
            return
        n = max(1, int(self._budget / 2 / self._step_cost)) if self._step_cost else _FIRST_SLICE
        handed = 0
        while done and handed < n:
            req = done.popleft()
            if not req.future.done():  # a cancelled task's future costs no iteration time
                req.future.set_result(req.result)  # type: ignore[arg-type]
                handed += 1
        self._handed = handed
        self._slice_at = time.perf_counter()
        self._hand_out_scheduled = True
        self.loop.call_soon(self._hand_out)

    # --- cancellation ---------------------------------------------------------------

    async def settle(self, req: Request, cancel: bool = True) -> int:
        """Waits out a request whose awaiting task was cancelled: asks the engine to
        cancel it (unless cancel is False: a close must happen whatever the task
        wants), then waits (absorbing further cancellations) for its real result.

        A request that neither finishes nor cancels within close_timeout_ms (a blocking
        read of a pipe on the worker backend) is abandoned: CancelledError is raised and
        its buffer stays referenced here until the request does finish."""
        if req.result is not None:
            return req.result  # reaped already, perhaps just after the future was cancelled
        fut = req.future
        if req.user_data in self._inflight:
            req.future = fut = self.loop.create_future()
            if cancel and not self.closed:
                self._cancel(req.user_data)
        return await wait_out(fut, cached_close_timeout())

    def _cancel(self, user_data: int) -> None:
        self._lib.pybind_EngineCancel(self._id, user_data)

    # --- shutdown -------------------------------------------------------------------

    def close(self) -> None:
        """Stops the engine: waits for in-flight requests (close_timeout_ms), then
        cancels them; requests that still run keep their buffers for good."""
        if self.closed:
            return
        self.closed = True
        self._listener.stop()
        timeout = int(cached_close_timeout() * 1000)
        if self._queued:  # submitted, not reaped: EngineClose waits them out
            self._exchange_fn(self._id, self._sq_addr, self._queued, self._cq_addr, 0, _TICK)
            self._queued = 0
        left = self._lib.pybind_EngineClose(self._id, timeout)
        for req in self._done:  # completed, not yet handed out
            if not req.future.done() and not req.future.get_loop().is_closed():
                req.future.set_result(req.result)  # type: ignore[arg-type]
        self._done.clear()
        self._listener.close()  # after EngineClose: its wake goroutine has stopped writing
        if left > 0:
            _graveyard.extend(r.keep for r in self._inflight.values())
        for req in self._inflight.values():
            if not req.future.done() and not req.future.get_loop().is_closed():
                req.future.set_exception(OSError(errno.ECANCELED, "the event loop's I/O engine was closed"))
        self._inflight.clear()
        debug("engine %d closed, %d requests left running", self._id, left)

    def stats(self) -> dict[str, int]:
        return {"inflight": len(self._inflight), "queued": self._queued, "turn_waits": self._turn_waits}


_drivers: dict[asyncio.AbstractEventLoop, Engine] = {}
_drivers_lock = threading.Lock()
_local = threading.local()


def _close_with_loop(loop: asyncio.AbstractEventLoop, engine: Engine) -> None:
    """Closes engine when loop closes, by wrapping the loop instance's close(). (A loop type
    that refuses instance attributes keeps its engine until the process exits.)"""
    original = loop.close

    def close() -> None:
        try:
            engine.close()
        finally:
            with _drivers_lock:
                _drivers.pop(loop, None)
            original()

    try:
        loop.close = close  # type: ignore[method-assign]
    except (AttributeError, TypeError):
        pass


def _new_driver(loop: asyncio.AbstractEventLoop) -> Engine:
    """The native driver, or in a child forked after the Go runtime started, the
    pure-Python one (Go cannot run there)."""
    if sys.platform != "win32" and native.forked_after_load():  # (Windows has no fork())
        from .threads import FORKED, ThreadDriver

        return ThreadDriver(loop, FORKED)
    return Driver(loop)


def _close_orphans() -> None:
    """Closes the engines of loops that closed without telling us (loop types whose
    close() cannot be wrapped, such as uvloop's). Called with _drivers_lock held."""
    for loop in [lp for lp in _drivers if lp.is_closed()]:
        _drivers.pop(loop).close()


def get_driver() -> Engine:
    """The running loop's driver, created on first use."""
    loop = asyncio.get_running_loop()
    cached = getattr(_local, "pair", None)
    if cached is not None and cached[0] is loop and not cached[1].closed:
        found: Engine = cached[1]
        return found
    with _drivers_lock:
        engine = _drivers.get(loop)
        if engine is not None and engine.closed:
            engine = None
        if engine is not None and engine.thread != threading.get_ident():
            raise RuntimeError(
                "ayafileio: this event loop's I/O engine was created in another thread; "
                "an engine serves the thread that created it (run each loop in one thread)"
            )
        if engine is None:
            _close_orphans()
            engine = _new_driver(loop)
            _drivers[loop] = engine
            _close_with_loop(loop, engine)
    _local.pair = (loop, engine)
    return engine


def get_backend_info() -> dict[str, Any]:
    """Which backend runs the running loop's engine (or would run a new one), what the
    kernel granted (setup flags, SQPOLL) and which operations are native."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        if sys.platform != "win32" and native.forked_after_load():
            from .threads import FORKED

            return {"platform": sys.platform, "backend": "python-threads", "is_truly_async": False,
                    "fallback_reason": FORKED}
        info: dict[str, Any] = native.call_json("Probe")
        if "error" in info:
            raise OSError(info["error"])
        return info
    return dict(get_driver().info)


def get_capabilities() -> dict[str, Any]:
    """get_backend_info() with the C++ ayafileio 2.0's two extra keys: backend_detail
    (each operation and whether the kernel does it natively, the setup flags, SQPOLL,
    direct descriptors, the queue depth) and features (what this build offers)."""
    info = get_backend_info()
    native, worker = set(info.get("native_ops") or ()), set(info.get("worker_ops") or ())
    detail = {"opcodes": {name: name in native for name in OP_NAMES}, "worker_ops": sorted(worker),
              "setup_flags": info.get("setup_flags", []), "sqpoll": bool(info.get("sqpoll_granted")),
              "direct_descriptors": bool(info.get("direct_descriptors")), "queue_depth": info.get("queue_depth")}
    features = {"positional_io": True, "batch_positional_io": True, "zero_copy_readinto": True,
                "chunked_streaming": True, "async_open": True,
                "adaptive_batching": bool(get_config()["adaptive_batch"]),
                "linked_chains": detail["direct_descriptors"], "atomic_writes": True,
                "kernel_path_ops": platform.PATH_OPS and "statx" in native | worker,
                "fast_file_copy": platform.PATH_OPS and "copy_file_range" in native | worker}
    return {**info, "backend_detail": detail, "features": features}


def get_stats() -> dict[str, Any]:
    """Counters for tests and monitoring: live engines, requests in flight, the
    io_uring_enter system calls made so far, the loops' wake-ups for completions
    (notify_wakeups: exchanges answering the notify fd), the Go heap, and the file
    buffers kept for reuse."""
    stats: dict[str, Any] = native.call_json("Stats")
    stats["buffers"] = buffers.stats()
    return stats


def _forget_after_fork() -> None:
    global _drivers_lock
    _drivers.clear()
    _drivers_lock = threading.Lock()
    _local.__dict__.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)

"""The binary layer: a file descriptor with an explicit position, read-ahead and write
buffering in the manner of io.BufferedRandom, every read and write done by the engine at
an explicit offset (append mode: at the kernel's end of file).

Callers (AsyncFile) serialise calls on one file; this layer assumes exclusive use.
"""

from __future__ import annotations

import asyncio
import errno
import io
import os
import stat
from collections.abc import Callable
from typing import Any, TypeVar

from . import _driver, _handles
from ._config import debug
from ._driver import FLAG_LINK, OFF_CURRENT, OP_CLOSE, OP_FSYNC, OP_FTRUNCATE, OP_READ, OP_WRITE, Request

T = TypeVar("T")


def os_error(res: int, filename: Any = None) -> OSError:
    """The OSError (subclass chosen by errno) for a -errno result."""
    code = -res
    if filename is None:
        return OSError(code, os.strerror(code))
    return OSError(code, os.strerror(code), filename)


def closed_error() -> ValueError:
    return ValueError("I/O operation on closed file.")


async def run(req: Request, apply: Callable[[int], T], on_cancel: Callable[[int], object] | None = None) -> T:
    """Awaits req and returns apply(result). If the awaiting task is cancelled, the
    request is cancelled too but its real result is still given to on_cancel (default:
    apply), so bytes that were read or written are accounted for before CancelledError
    propagates."""
    try:
        res = await req.future
    except asyncio.CancelledError:
        res = await _driver.get_driver().settle(req)
        try:
            (on_cancel or apply)(res)
        except OSError:
            pass  # the task was cancelled: the error is not what it will see
        raise
    return apply(res)


class BufferedFile:
    """Binary buffered file over the running loop's engine."""

    def __init__(
        self,
        fd: int,
        *,
        ref: int,
        owned: bool,
        readable: bool,
        writable: bool,
        append: bool,
        closefd: bool,
        bufsize: int,
        st: os.stat_result,
    ) -> None:
        self.fd = fd  # what os functions and fileno() take
        self.ref = ref  # what request records name (_handles: the same number on POSIX)
        self.owned = owned  # the engine opened it
        self.readable = readable
        self.writable = writable
        self.append = append
        self.closefd = closefd
        self.bufsize = bufsize
        self.regular = stat.S_ISREG(st.st_mode)
        # Reads may skip the ring: "nowait" tries preadv2(RWF_NOWAIT) (page-cache hits),
        # "memory" reads a RAM-backed file system directly (it never waits for a device).
        self.fast_read = ""
        if self.regular and readable and _driver.READ_FAST_PATH:
            self.fast_read = "memory" if _driver.get_driver().is_memory_fs(fd) else "nowait"
        self.seekable = self.regular or stat.S_ISBLK(st.st_mode) or (not stat.S_ISFIFO(st.st_mode) and _lseek_ok(fd))
        self.closed = False
        # A descriptor this module just opened without O_APPEND is at 0: no lseek needed.
        fresh_at_zero = owned and not append
        self.pos = 0 if fresh_at_zero or not self.seekable else os.lseek(fd, 0, os.SEEK_END if append else os.SEEK_CUR)
        self._rbuf = b""  # read-ahead: file bytes from pos - _rstart on
        self._rstart = 0  # index of pos in _rbuf
        self._wbuf = bytearray()  # data written after _wpos and not yet handed to the OS
        self._wpos = 0

    # --- checks -----------------------------------------------------------------------

    def check_open(self) -> None:
        if self.closed:
            raise closed_error()

    def check_readable(self) -> None:
        if self.closed:
            raise closed_error()
        if not self.readable:
            raise io.UnsupportedOperation("read")

    def check_writable(self) -> None:
        if self.closed:
            raise closed_error()
        if not self.writable:
            raise io.UnsupportedOperation("write")

    def check_seekable(self) -> None:
        if self.closed:
            raise closed_error()
        if not self.seekable:
            raise io.UnsupportedOperation("File or stream is not seekable.")

    # --- raw operations -----------------------------------------------------------------

    def _offset(self) -> int:
        return self.pos if self.seekable else OFF_CURRENT

    async def _raw_read_into(self, view: memoryview, off: int, fill: bool = False) -> int:
        """One read into view at off. It advances the position, or with fill=True makes
        the bytes the read-ahead instead. If the task is cancelled after the kernel read
        the bytes, they become the read-ahead: the next read returns them."""

        def stash(res: int) -> int:
            if res < 0:
                raise os_error(res)
            self._rbuf, self._rstart = bytes(view[:res]), 0
            return res

        def advance(res: int) -> int:
            if res < 0:
                raise os_error(res)
            if self.seekable:
                self.pos = off + res
            return res

        return await self.read_at_into(view, off, stash if fill else advance, stash)

    async def read_at_into(self, view: memoryview, off: int, apply: Callable[[int], int],
                           on_cancel: Callable[[int], object] | None = None) -> int:
        """Reads into view at off and returns apply(result), applied inside the
        completion (on_cancel instead, if the task was cancelled). Data already in the
        page cache is taken at once (preadv2 with RWF_NOWAIT), skipping the round trip
        through the loop."""
        res = self.read_now(view, off)
        if res is not None:
            return apply(res)
        return await self.read_ring(view, off, apply, on_cancel)

    async def read_ring(self, view: memoryview, off: int, apply: Callable[[int], int],
                        on_cancel: Callable[[int], object] | None = None) -> int:
        """read_at_into() without the in-memory attempt: for callers that made it."""
        addr, keep = _driver.address_of(view, writable=True)
        return await run(_driver.get_driver().submit(OP_READ, self.ref, addr, len(view), off, keep), apply, on_cancel)

    def read_now(self, view: memoryview, off: int) -> int | None:
        """Reads at off into view at once if the data is in memory (see
        Driver.read_cached): the byte count, or None when the ring must do it. Errors
        raise OSError."""
        if not self.fast_read or off == OFF_CURRENT:
            return None
        res = _driver.get_driver().read_cached(self.fd, view, off, self.fast_read == "memory")
        if res == -errno.EOPNOTSUPP:
            self.fast_read = ""  # this file system cannot say; use the ring
            return None
        if res is not None and res < 0:
            raise os_error(res)
        return res

    async def _raw_read(self, n: int) -> bytes:
        """One read of up to n bytes at the position (at most _MAX_READ: a huge size
        asks for what is there, not for that much memory); advances it."""
        buf = bytearray(min(n, _MAX_READ))
        got = await self._raw_read_into(memoryview(buf), self._offset())
        del buf[got:]
        return bytes(buf)

    async def _raw_write_all(self, data: Any, n: int) -> None:
        """Writes n bytes of data at the write position (append: at the end), retrying
        short writes. On error or cancellation the unwritten rest goes back to the front
        of the write buffer: nothing is silently dropped."""
        view = memoryview(data).cast("B")
        written = 0

        def done(res: int) -> int:
            nonlocal written
            if res < 0:
                raise os_error(res)
            self._wpos += res
            written += res
            return res

        try:
            while written < n:
                # Whole bytes objects are addressed directly; a view of them would be copied.
                chunk = data if written == 0 and type(data) is bytes and n == len(data) else view[written:n]
                addr, keep = _driver.address_of(chunk, writable=False)
                off = OFF_CURRENT if self.append or not self.seekable else self._wpos
                req = _driver.get_driver().submit(OP_WRITE, self.ref, addr, len(chunk), off, keep)
                if await run(req, done) == 0:
                    raise OSError(errno.EIO, "write returned 0 bytes")
        except BaseException:
            self._wbuf[:0] = view[written:n]
            raise
        if self.append and self.seekable and not self._wbuf:
            # O_APPEND wrote at the end and left the descriptor's offset there; the
            # built-in file reports that offset from here on, and so do we.
            self.pos = _handles.append_position(self.fd)

    # --- buffering ----------------------------------------------------------------------

    def _drop_readahead(self) -> None:
        self._rbuf, self._rstart = b"", 0

    def _take_readahead(self, n: int) -> bytes:
        start = self._rstart
        chunk = self._rbuf[start : start + n] if n >= 0 else self._rbuf[start:]
        self._rstart = start + len(chunk)
        if self._rstart >= len(self._rbuf):
            self._drop_readahead()
        if self.seekable:
            self.pos += len(chunk)
        return chunk

    def _unread(self, data: bytes) -> None:
        """Puts back bytes a cancelled read had gathered, in front of the read-ahead:
        the next read returns them and the position is where the read started."""
        if data:
            self._rbuf = data + self._rbuf[self._rstart :]
            self._rstart = 0
            if self.seekable:
                self.pos -= len(data)

    @property
    def readahead(self) -> int:
        return len(self._rbuf) - self._rstart

    async def flush(self) -> None:
        """Hands buffered writes to the OS."""
        if not self._wbuf:
            return
        data, self._wbuf = self._wbuf, bytearray()
        await self._raw_write_all(data, len(data))

    async def _fill(self) -> int:
        """One read of a buffer's worth into the read-ahead; returns its size (0 at EOF)."""
        buf = bytearray(max(self.bufsize, 1))
        return await self._raw_read_into(memoryview(buf), self._offset(), fill=True)

    # --- reading ------------------------------------------------------------------------

    async def read(self, n: int = -1) -> bytes:
        self.check_readable()
        await self.flush()
        if n is None or n == -1:
            return await self.readall()
        if n < 0:
            raise ValueError("read length must be non-negative or -1")
        parts = [self._take_readahead(n)]
        want = n - len(parts[0])
        try:
            while want > 0:
                if want >= self.bufsize:
                    chunk = await self._raw_read(want)
                elif await self._fill():
                    chunk = self._take_readahead(want)
                else:
                    chunk = b""
                if not chunk:
                    break
                parts.append(chunk)
                want -= len(chunk)
                if not self.regular:
                    break  # interactive streams: return what one read gave
        except asyncio.CancelledError:
            self._unread(b"".join(parts))
            raise
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def readall(self) -> bytes:
        self.check_readable()
        await self.flush()
        parts = [self._take_readahead(-1)]
        try:
            while True:
                size, end = self.bufsize, -1
                if self.regular:  # ask for one byte more than fstat says is left
                    end = os.fstat(self.fd).st_size
                    size = max(end - self.pos, 0) + 1
                chunk = await self._raw_read(max(size, 1))
                if not chunk:
                    break
                parts.append(chunk)
                if self.pos >= end >= 0 and len(chunk) < size:
                    break  # stopped where fstat said the file ends (not a partial read)
        except asyncio.CancelledError:
            self._unread(b"".join(parts))
            raise
        return b"".join(parts)

    async def read1(self, n: int = -1) -> bytes:
        self.check_readable()
        await self.flush()
        if n == 0:
            return b""
        if self.readahead:
            return self._take_readahead(n)
        if n < 0:
            n = self.bufsize
        if n >= self.bufsize:
            return await self._raw_read(n)
        await self._fill()
        return self._take_readahead(n)

    async def peek(self, n: int = 0) -> bytes:
        self.check_readable()
        await self.flush()
        if not self.readahead:
            await self._fill()
        return self._rbuf[self._rstart :]

    async def readinto(self, b: Any, one_read: bool = False) -> int:
        self.check_readable()
        await self.flush()
        view = memoryview(b).cast("B")
        if view.readonly:
            raise TypeError("readinto() argument must be read-write bytes-like object")
        n = len(view)
        got = 0
        if self.readahead:
            chunk = self._take_readahead(n)
            view[: len(chunk)] = chunk
            got = len(chunk)
        try:
            while got < n and not (one_read and got):
                if n - got >= self.bufsize:
                    k = await self._raw_read_into(view[got:], self._offset())
                else:
                    if not await self._fill():
                        break
                    chunk = self._take_readahead(n - got)
                    view[got : got + len(chunk)] = chunk
                    k = len(chunk)
                if k == 0:
                    break
                got += k
                if not self.regular:
                    break
        except asyncio.CancelledError:
            self._unread(bytes(view[:got]))
            raise
        return got

    async def readline(self, size: int = -1) -> bytes:
        if size == 0:  # io's readline answers a zero limit before asking to read
            self.check_open()
            return b""
        self.check_readable()
        await self.flush()
        limit = size if size is not None and size >= 0 else -1
        parts: list[bytes] = []
        total = 0
        while limit < 0 or total < limit:
            try:
                if not self.readahead and not await self._fill():
                    break
            except asyncio.CancelledError:
                self._unread(b"".join(parts))
                raise
            buf, start = self._rbuf, self._rstart
            end = buf.find(b"\n", start)
            take = (end + 1 - start) if end >= 0 else len(buf) - start
            if limit >= 0:
                take = min(take, limit - total)
            parts.append(self._take_readahead(take))
            total += take
            if end >= 0 and parts[-1].endswith(b"\n"):
                break
        return b"".join(parts)

    # --- writing ------------------------------------------------------------------------

    def _start_write(self, n: int) -> None:
        """Accounts for n bytes written at the position: the read-ahead is stale, and
        the write buffer starts here if it was empty."""
        if self._rbuf:
            self._drop_readahead()
        if not self._wbuf:
            self._wpos = self.pos
        self.pos += n

    def write_now(self, data: Any) -> int | None:
        """write() when it fits in the write buffer (no I/O): the count, else None."""
        if type(data) is not bytes or not self.writable or self.closed:
            return None
        n = len(data)
        if len(self._wbuf) + n >= self.bufsize:
            return None
        self._start_write(n)
        self._wbuf += data
        return n

    async def write(self, data: Any) -> int:
        self.check_writable()
        if isinstance(data, str):
            raise TypeError("a bytes-like object is required, not 'str'")
        view = memoryview(data).cast("B") if not isinstance(data, bytes) else data
        n = len(view)
        self._start_write(n)
        if not self._wbuf and n >= self.bufsize:
            await self._raw_write_all(view, n)
            return n
        self._wbuf += view
        if len(self._wbuf) >= self.bufsize:
            await self.flush()
        return n

    # --- position -----------------------------------------------------------------------

    async def seek(self, offset: int, whence: int = 0) -> int:
        self.check_seekable()
        if not isinstance(offset, int):
            raise TypeError(f"'{type(offset).__name__}' object cannot be interpreted as an integer")
        if whence not in (os.SEEK_SET, os.SEEK_CUR, os.SEEK_END, *_DATA_HOLE):
            raise ValueError(f"whence value {whence} unsupported")
        await self.flush()
        if whence == os.SEEK_SET:
            target = offset
        elif whence == os.SEEK_CUR:
            target = self.pos + offset
        else:
            target = os.lseek(self.fd, offset, whence)
        if target < 0:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        # Keep the read-ahead when the target falls inside it, as io.BufferedReader does.
        base = self.pos - self._rstart
        if self._rbuf and base <= target <= base + len(self._rbuf):
            self._rstart = target - base
        else:
            self._drop_readahead()
        self.pos = target
        return target

    def tell(self) -> int:
        self.check_open()
        if not self.seekable:
            raise OSError(errno.ESPIPE, os.strerror(errno.ESPIPE))
        return self.pos

    async def truncate(self, size: int | None = None) -> int:
        self.check_writable()
        if not self.seekable:
            raise io.UnsupportedOperation("File or stream is not seekable.")
        await self.flush()
        if size is None:
            size = self.pos
        if size < 0:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        self._drop_readahead()
        req = _driver.get_driver().submit(OP_FTRUNCATE, self.ref, 0, 0, size)
        await run(req, check_result)
        return size

    async def sync(self, datasync: bool) -> None:
        self.check_open()
        await self.flush()
        req = _driver.get_driver().submit(OP_FSYNC, self.ref, op_flags=int(datasync))
        await run(req, check_result)

    # --- closing ------------------------------------------------------------------------

    async def close(self) -> None:
        """Flushes and closes; the descriptor is closed even when the flush fails, and
        the flush's error is raised after. With buffered data the write and the close
        go to the kernel as one linked chain."""
        if self.closed:
            return
        drv = _driver.get_driver()
        try:
            await self._close_ref(drv)
        finally:
            # After the engine's close (a flush that falls back may still use the
            # descriptor); on Windows this closes the descriptor's own handle.
            _handles.close_fd(self.fd, self.closefd)

    async def _close_ref(self, drv: _driver.Driver) -> None:
        error: BaseException | None = None
        closes_ref = _handles.engine_closes(self.closefd)
        if self._wbuf and closes_ref:
            data, self._wbuf = self._wbuf, bytearray()
            addr, keep = _driver.address_of(data, writable=False)
            off = OFF_CURRENT if self.append or not self.seekable else self._wpos
            drv.room_for_chain(2)
            wreq = drv.submit(OP_WRITE, self.ref, addr, len(data), off, keep, flags=FLAG_LINK)
            creq = drv.submit(OP_CLOSE, self.ref)
            self.closed = True
            try:
                wres = await wreq.future
                cres = await creq.future
            except asyncio.CancelledError:
                # Closing is not abandoned half-way: the data goes out and the
                # descriptor is closed, then the task sees its cancellation.
                wres = await drv.settle(wreq, cancel=False)
                cres = await drv.settle(creq, cancel=False)
                if cres == -errno.ECANCELED:
                    if 0 <= wres < len(data):
                        await _write_all_now(drv, self.ref, data, wres, off)
                    await drv.settle(drv.submit(OP_CLOSE, self.ref), cancel=False)
                raise
            if cres != -errno.ECANCELED:
                if cres < 0:
                    raise os_error(cres)
                return
            # The write failed or was short, so the close was skipped: finish by hand.
            self._wbuf = data[max(wres, 0) :]
            self._wpos = off + max(wres, 0)
            self.closed = False
            if wres < 0:
                self._wbuf = bytearray()
                error = os_error(wres)
        try:
            await self.flush()
        except BaseException as e:  # close anyway, then report
            error = e
        self.closed = True
        if closes_ref:
            req = drv.submit(OP_CLOSE, self.ref)
            try:
                cres = await req.future
            except asyncio.CancelledError:
                await drv.settle(req, cancel=False)
                raise
            if cres < 0 and error is None:
                error = os_error(cres)
        if error is not None:
            raise error


_MAX_READ = 64 << 20

_DATA_HOLE = tuple(w for w in (getattr(os, "SEEK_DATA", None), getattr(os, "SEEK_HOLE", None)) if w is not None)


async def _write_all_now(drv: _driver.Driver, fd: int, data: bytes | bytearray, done: int, off: int) -> None:
    """Writes data[done:] at off + done (or appends), uninterruptibly: the rest of a
    close whose task was cancelled. An error here has nobody to go to but the log."""
    while done < len(data):
        chunk = bytes(data[done:])
        addr, keep = _driver.address_of(chunk, writable=False)
        req = drv.submit(OP_WRITE, fd, addr, len(chunk), off if off == OFF_CURRENT else off + done, keep)
        res = await drv.settle(req, cancel=False)
        if res <= 0:
            debug("write at close of fd %d failed after cancellation: %d", fd, res)
            return
        done += res


def check_result(res: int) -> int:
    """A request's result as a value: -errno raises the matching OSError."""
    if res < 0:
        raise os_error(res)
    return res


def _lseek_ok(fd: int) -> bool:
    try:
        os.lseek(fd, 0, os.SEEK_CUR)
        return True
    except OSError:
        return False

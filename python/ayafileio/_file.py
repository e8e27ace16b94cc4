"""AsyncFile: the asyncio file object. Every method is the built-in file's method of the
same name, awaited; calls made together on one file run one after another in call order.

Differences from io: ``tell``/``seek``/``truncate``/``flush``/``close`` are coroutines
too (aiofiles' convention); ``fsync``/``datasync``/``read_at``/``write_at`` are extra.
"""

from __future__ import annotations

import asyncio
import errno
import io
import os
import stat
import warnings
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any, AnyStr, Generic

from . import _driver, _handles
from ._binary import BufferedFile, check_result, os_error, run
from ._config import cached_buffer_size
from ._driver import OP_OPENAT, OP_WRITE
from ._modes import NoDirection, check_arg_types, check_file_arg, check_file_type, check_text_args, parse_mode, text_codec
from ._text import TextLayer


class Turns:
    """First-come, first-served turns for the calls on one file. Unlike asyncio.Lock,
    a release hands the turn straight to the next waiter, so `idle` is exact: it is
    False from a call's start until the last queued call has finished."""

    __slots__ = ("_held", "_waiters")

    def __init__(self) -> None:
        self._held = False
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def idle(self) -> bool:
        return not self._held

    async def __aenter__(self) -> None:
        if not self._held:
            self._held = True
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self._release()  # the turn was handed over just as we were cancelled
            else:
                self._waiters.remove(fut)
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(None)  # the turn passes on; _held stays True
                return
        self._held = False


class AsyncFile(Generic[AnyStr]):
    """An open file (or one to be opened by ``await``/``async with``).

    ``AsyncFile(path, mode="rb", encoding=None, ...)`` takes the built-in ``open()``'s
    arguments; the file is opened, asynchronously, when it is awaited or entered.
    """

    def __init__(
        self,
        file: Any,
        mode: str = "rb",
        buffering: int = -1,
        encoding: str | None = None,
        errors: str | None = None,
        newline: str | None = None,
        closefd: bool = True,
        opener: Any = None,
    ) -> None:
        # The built-in open()'s order of checks: the file argument's type, the mode,
        # the text arguments, then what the raw file checks (mode direction, the name).
        check_arg_types(mode, buffering, encoding, errors, newline)
        check_file_type(file)
        try:
            self._mode = parse_mode(mode)
        except NoDirection as e:
            check_file_arg(file, closefd)
            raise ValueError(str(e)) from None
        self._mode_arg = mode
        self._encoding = check_text_args(self._mode, encoding, errors, newline, buffering)
        self._path, self._fd_arg, self._name = check_file_arg(file, closefd)
        self._buffering = buffering
        self._errors = errors
        self._newline = newline
        self._closefd = closefd
        self._opener = opener
        # The binary layer; named as aiofiles names its inner file, whose tests look at it.
        self._file: BufferedFile | None = None
        self._text: TextLayer | None = None
        self._detached = False
        self._shared = False  # a view (.buffer) of another AsyncFile: that one owns the fd
        self._turns = Turns()

    # --- opening ------------------------------------------------------------------------

    async def _open(self) -> AsyncFile[AnyStr]:
        if self._file is not None:
            return self
        m = self._mode
        owned = self._fd_arg is None and self._opener is None
        if self._fd_arg is not None:
            fd = self._fd_arg
        elif self._opener is not None:
            fd = self._opener(self._name, m.flags)
            if not isinstance(fd, int):
                raise TypeError("expected an integer from opener")
            if fd < 0:
                raise ValueError(f"opener returned {fd}")
        if owned:
            fd, ref = _handles.adopt(await _openat(self._path or b"", m.flags, self._name), m.flags)
        else:
            try:
                ref = _handles.borrow(fd)
            except BaseException:
                if self._closefd:
                    os.close(fd)
                raise
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), self._name)
            # buffering=0 (binary only: text refused it above) means every call is one I/O.
            bufsize = 0 if self._buffering == 0 else self._buffering if self._buffering > 1 else cached_buffer_size()
            buf = BufferedFile(fd, ref=ref, owned=owned, readable=m.readable, writable=m.writable,
                               append=m.append, closefd=self._closefd, bufsize=bufsize, st=st)
            if m.text:
                text_codec(self._encoding)  # LookupError now, with the file open, as open() does
                self._text = TextLayer(buf, self._encoding, self._errors or "strict", self._newline,
                                       line_buffering=self._buffering == 1, write_through=False)
        except BaseException:
            _handles.close_now(fd, ref, self._closefd)
            raise
        self._file = buf
        return self

    def __await__(self) -> Any:
        return self._open().__await__()

    async def __aenter__(self) -> AsyncFile[AnyStr]:
        return await self._open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __del__(self) -> None:
        buf = getattr(self, "_file", None)
        if buf is None or buf.closed or getattr(self, "_detached", False) or getattr(self, "_shared", True):
            return
        if buf.closefd:  # as the built-in file: a borrowed descriptor is not ours to warn about
            warnings.warn(f"unclosed file {self!r}", ResourceWarning, stacklevel=2, source=self)
        try:  # last resort, as the built-in file does: flush and close synchronously
            text = getattr(self, "_text", None)
            if text is not None and text._pending:
                buf._wbuf += b"".join(text._pending)
                text._pending = []
            if buf._wbuf:
                _handles.write_now(buf.fd, buf.ref, bytes(buf._wbuf), -1 if buf.append or not buf.seekable else buf._wpos)
            _handles.close_now(buf.fd, buf.ref, buf.closefd)
        except OSError:
            pass
        buf.closed = True

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("unopened" if self._file is None else "open")
        return f"<ayafileio.AsyncFile name={self._name!r} mode={self._mode_arg!r} {state}>"

    # --- helpers ------------------------------------------------------------------------

    @property
    def _b(self) -> BufferedFile:
        if self._detached:
            raise ValueError("raw stream has been detached")
        if self._file is None:
            raise ValueError("I/O operation on a file that was not opened (await it first)")
        return self._file


    # --- attributes ---------------------------------------------------------------------

    @property
    def name(self) -> Any:
        return self._name

    @property
    def mode(self) -> str:
        return self._mode_arg if self._mode.text else self._mode.raw_mode

    @property
    def closed(self) -> bool:
        return self._file is not None and self._file.closed

    @property
    def encoding(self) -> str | None:
        return self._encoding if self._text is not None else None

    @property
    def errors(self) -> str | None:
        return self._text.errors if self._text is not None else None

    @property
    def newlines(self) -> Any:
        return self._text.newlines if self._text is not None else None

    @property
    def buffer(self) -> AsyncFile[bytes]:
        """A text file's binary layer, as an AsyncFile that shares this file's buffers,
        position and call order (io.TextIOWrapper.buffer)."""
        if self._text is None:
            raise AttributeError("buffer: binary files have no text wrapper to unwrap")
        view: AsyncFile[bytes] = AsyncFile.__new__(AsyncFile)
        view.__dict__.update(self.__dict__)
        view._text = None
        view._mode = self._mode.binary()
        view._mode_arg = self._mode.raw_mode
        view._encoding = ""
        view._turns = self._turns
        view._shared = True
        return view

    @property
    def line_buffering(self) -> bool:
        return self._text.line_buffering if self._text is not None else False

    def fileno(self) -> int:
        self._b.check_open()
        return self._b.fd

    def readable(self) -> bool:
        self._b.check_open()
        return self._b.readable

    def writable(self) -> bool:
        self._b.check_open()
        return self._b.writable

    def seekable(self) -> bool:
        self._b.check_open()
        return self._b.seekable

    def isatty(self) -> bool:
        self._b.check_open()
        return os.isatty(self._b.fd)

    # --- reading ------------------------------------------------------------------------

    async def read(self, size: int | None = -1) -> AnyStr:
        """Up to size bytes or characters; all that is left when size is negative."""
        async with self._turns:
            if self._text is not None:
                return await self._text.read(size)  # type: ignore[return-value]
            return await self._b.read(_size(size))  # type: ignore[return-value]

    async def readall(self) -> AnyStr:
        return await self.read(-1)

    async def read1(self, size: int = -1) -> bytes:
        """At most one read from the OS (binary files only)."""
        async with self._turns:
            return await self._binary_only("read1").read1(_size(size))

    async def peek(self, size: int = 0) -> bytes:
        """Buffered bytes ahead of the position, reading once if there are none."""
        async with self._turns:
            return await self._binary_only("peek").peek(size)

    async def readinto(self, buffer: Any) -> int:
        """Reads into a writable buffer; large reads go straight from the kernel into it."""
        async with self._turns:
            return await self._binary_only("readinto").readinto(buffer)

    async def readinto1(self, buffer: Any) -> int:
        async with self._turns:
            return await self._binary_only("readinto1").readinto(buffer, one_read=True)

    async def readline(self, size: int | None = -1) -> AnyStr:
        async with self._turns:
            if self._text is not None:
                return await self._text.readline(size)  # type: ignore[arg-type,return-value]
            return await self._b.readline(_size(size))  # type: ignore[return-value]

    async def readlines(self, hint: int | None = -1) -> list[AnyStr]:
        if hint is None:
            hint = -1
        if not isinstance(hint, int):
            raise TypeError(f"argument should be integer or None, not '{type(hint).__name__}'")
        lines: list[AnyStr] = []
        total = 0
        async for line in self:  # iterating, as io's readlines does (it turns tell() off)
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __aiter__(self) -> AsyncIterator[AnyStr]:
        self._b.check_open()
        return self

    async def __anext__(self) -> AnyStr:
        """The next line. Like the built-in text file, iterating turns tell() off until
        the end of the file is reached."""
        if self._text is not None:
            self._text.disable_telling(True)
        line = await self.readline()
        if not line:
            if self._text is not None:
                self._text.disable_telling(False)
            raise StopAsyncIteration
        return line

    # --- writing ------------------------------------------------------------------------

    async def write(self, data: AnyStr) -> int:
        """Buffers data (written to the OS when the buffer fills, on flush or close)."""
        if self._turns.idle:
            # Nothing else is running on this file: a write that only fills the buffer
            # is done here, with no lock and no I/O.
            if self._text is not None:
                length, encoded, needflush = self._text.encode(data)  # type: ignore[arg-type]
                if not self._text.append_now(encoded, needflush):
                    async with self._turns:
                        await self._text.append(encoded, needflush)
                return length
            n = self._b.write_now(data)
            if n is not None:
                return n
        async with self._turns:
            if self._text is not None:
                return await self._text.write(data)  # type: ignore[arg-type]
            return await self._b.write(data)

    async def writelines(self, lines: Iterable[AnyStr]) -> None:
        for line in lines:
            await self.write(line)

    async def flush(self) -> None:
        """Hands buffered data to the OS (durability needs fsync())."""
        async with self._turns:
            self._b.check_open()
            if self._text is not None:
                await self._text.flush()
            else:
                await self._b.flush()

    async def fsync(self) -> None:
        """Flushes, then makes the file's data and metadata durable."""
        async with self._turns:
            if self._text is not None:
                await self._text.flush_pending()
            await self._b.sync(datasync=False)

    async def datasync(self) -> None:
        """Flushes, then makes the file's data durable (fdatasync)."""
        async with self._turns:
            if self._text is not None:
                await self._text.flush_pending()
            await self._b.sync(datasync=True)

    # --- position -----------------------------------------------------------------------

    async def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        async with self._turns:
            if self._text is not None:
                return await self._text.seek(offset, whence)
            return await self._b.seek(offset, whence)

    async def tell(self) -> int:
        async with self._turns:
            if self._text is not None:
                return await self._text.tell()
            return self._b.tell()

    async def truncate(self, size: int | None = None) -> int:
        """Resizes the file (to the position by default); the position does not move."""
        async with self._turns:
            if self._text is not None:
                self._b.check_writable()
                return await self._text.truncate(size)
            return await self._b.truncate(size)

    # --- positional I/O -----------------------------------------------------------------

    async def read_at(self, offset: int, size: int) -> bytes:
        """Reads up to size bytes at offset without using or moving the position; calls
        run concurrently. Buffered writes are flushed first so they are seen."""
        b = self._binary_only("read_at")
        b.check_readable()
        if offset < 0 or size < 0:
            raise ValueError("offset and size must not be negative")
        if b._wbuf:
            async with self._turns:
                await b.flush()
        out = bytearray(size)
        view = memoryview(out)
        got = b.read_now(view, offset)  # page-cache hit: no coroutine layers, no round trip
        if got is None:
            got = await b.read_ring(view, offset, check_result)
        del view
        del out[got:]
        return bytes(out)

    async def write_at(self, offset: int, data: Any) -> int:
        """Writes all of data at offset without using or moving the position; calls run
        concurrently. Returns the number of bytes written."""
        b = self._binary_only("write_at")
        b.check_writable()
        if offset < 0:
            raise ValueError("offset must not be negative")
        if b.append:
            raise io.UnsupportedOperation("write_at on a file opened for appending")
        if b._wbuf:
            async with self._turns:
                await b.flush()
        b._drop_readahead()
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            addr, keep = _driver.address_of(view[done:], writable=False)
            req = _driver.get_driver().submit(OP_WRITE, b.ref, addr, len(view) - done, offset + done, keep)
            n = await run(req, check_result)
            if n == 0:
                raise OSError(5, "write returned 0 bytes")
            done += n
        return done

    # --- closing ------------------------------------------------------------------------

    async def close(self) -> None:
        """Flushes and closes; closing twice is allowed."""
        if self._detached:
            raise ValueError("raw stream has been detached")
        if self._file is None or self._file.closed:
            return
        async with self._turns:
            if self._text is not None:
                try:
                    await self._text.flush_pending()
                except BaseException:
                    await self._file.close()  # close anyway, then report the write error
                    raise
            await self._file.close()

    def detach(self) -> Any:
        """Separates the descriptor from this object and returns it as a synchronous
        file at the same position (text files: the binary buffered file, binary files:
        the raw io.FileIO), as io's detach() does. Pending writes are written first,
        synchronously (detach is not a coroutine); this object is unusable afterwards."""
        b = self._b
        b.check_open()
        if self._text is not None and self._text._pending:
            b._wbuf += b"".join(self._text._pending)
        if b.owned:
            _handles.check_detachable()
        if b._wbuf:
            data, b._wbuf = bytes(b._wbuf), bytearray()
            _handles.write_now(b.fd, b.ref, data, -1 if b.append or not b.seekable else b._wpos)
        fd = _handles.detach_fd(b.fd, b.ref)
        if b.seekable:
            os.lseek(fd, b.pos, os.SEEK_SET)
        self._detached = True
        raw = io.FileIO(fd, self._mode.raw_mode.replace("x", "w"), closefd=b.closefd)
        if self._text is None:
            return raw
        return io.BufferedRandom(raw) if b.readable and b.writable else (
            io.BufferedReader(raw) if b.readable else io.BufferedWriter(raw))

    def _binary_only(self, what: str) -> BufferedFile:
        if self._text is not None:
            raise io.UnsupportedOperation(what)
        return self._b


def _size(size: int | None) -> int:
    if size is None:
        return -1
    if not isinstance(size, int):
        raise TypeError(f"argument should be integer or None, not '{type(size).__name__}'")
    return size


async def _openat(path: bytes, flags: int, name: Any) -> int:
    cpath = path + b"\0"
    addr, keep = _driver.address_of(cpath, writable=False)
    req = _driver.get_driver().submit(OP_OPENAT, 0, addr, 0, 0, keep, op_flags=flags, mode=0o666)
    try:
        res = await req.future
    except asyncio.CancelledError:
        res = await _driver.get_driver().settle(req)
        if res >= 0:
            _handles.discard(res)  # the task is gone: nobody will use the descriptor
        raise
    if res < 0:
        raise os_error(res, name)
    return res

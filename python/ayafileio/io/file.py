"""The asyncio file objects: AsyncFile and its four kinds, one class per kind as io has
(AsyncTextIOWrapper, AsyncBufferedReader, AsyncBufferedIOBase, AsyncFileIO; aiofiles'
names). Every method is the built-in file's method of the same name, awaited; calls made
together on one file run one after another in call order.

Differences from io: ``tell``/``seek``/``truncate``/``flush``/``close`` are coroutines
too (aiofiles' convention); ``readable``/``writable``/``seekable``/``isatty`` answer with
an AwaitableBool (usable with and without await); ``fsync``/``datasync``/``read_at``/
``write_at`` are extra. Layers below: TextLayer (text modes) over BufferedFile (or
Unbuffered for buffering=0) over RawFile, each owning its own state; the classes here
only hold them.
"""

from __future__ import annotations

import asyncio
import errno
import io
import os
import stat
import warnings
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Coroutine, Iterable
from typing import Any, AnyStr, Generic, TypeVar

from ..engine import api, driver, kernel, platform
from .answer import AwaitableBool, answer
from .buffered import BufferedFile, Unbuffered, optional_size
from ..engine.config import cached_buffer_size
from .modes import Mode, OpenArgs, parse_mode, parse_open_args
from .raw import RawFile, closed_error, openat, opened_cached, stats_by_engine
from ..engine.records import FLAG_ASYNC, FS_LOCAL, FS_SLOW
from ..engine.api import check_result
from .text import TextLayer


class Turns:
    """First-come, first-served turns for the calls on one file. Unlike asyncio.Lock,
    a release hands the turn straight to the next waiter, so `held` is exact: it is
    True from a call's start until the last queued call has finished.

    Taking a free turn and giving it back return api.completed(): an uncontended call
    pays no coroutine frame."""

    __slots__ = ("held", "_waiters")

    def __init__(self) -> None:
        self.held = False
        self._waiters: deque[asyncio.Future[None]] | None = None  # made for the first waiter (0.7 KB)

    def __aenter__(self) -> Awaitable[None]:
        if not self.held:
            self.held = True
            return api.completed()
        return self._wait()

    def __aexit__(self, *exc: object) -> Awaitable[None]:
        self._release()
        return api.completed()

    async def _wait(self) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = self._waiters
        if waiters is None:
            waiters = self._waiters = deque()
        waiters.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self._release()  # the turn was handed over just as we were cancelled
            else:
                waiters.remove(fut)
            raise

    @property
    def waited_for(self) -> bool:
        """Whether a call waits for the turn."""
        return bool(self._waiters)

    def _release(self) -> None:
        waiters = self._waiters
        while waiters:
            fut = waiters.popleft()
            if not fut.done():
                fut.set_result(None)  # the turn passes on; held stays True
                return
        self.held = False


_F = TypeVar("_F", bound="AsyncFile[Any]")


class AsyncFile(Generic[AnyStr]):
    """An open file (or one to be opened by ``await``/``async with``): the base of the
    four kinds open() returns, as io has a class per kind: AsyncTextIOWrapper (text),
    AsyncBufferedReader (binary, readable), AsyncBufferedIOBase (binary, write-only) and
    AsyncFileIO (binary, buffering=0). What they share is here.

    ``AsyncFile(path, mode="rb", encoding=None, ...)`` takes the built-in ``open()``'s
    arguments and is an instance of the mode's kind; the file is opened, asynchronously,
    when it is awaited or entered. A kind given a synchronous file object instead of a
    path (aiofiles' ``AsyncBufferedIOBase(file, loop=..., executor=...)``) runs that
    object's methods on threads (see ayafileio.threadpool).
    """

    def __new__(cls: type[_F], file: Any = None, mode: Any = "rb", buffering: Any = -1, *args: Any,
                **kwargs: Any) -> _F:
        if cls is not AsyncFile and not isinstance(file, _NAMES_A_FILE) and (
                hasattr(file, "read") or hasattr(file, "write")):
            # A subclass of cls, whose __init__ takes (file, loop=, executor=).
            return object.__new__(_on_threads(cls))  # type: ignore[return-value]
        kind = kind_of(mode, buffering)
        if kind is not None and not issubclass(kind, cls):
            if issubclass(cls, (AsyncTextIOWrapper, AsyncBinaryFile)):
                raise TypeError(f"{cls.__name__} does not open mode {mode!r} (open() gives {kind.__name__})")
            kind = None  # a class of the caller's own: theirs to make
        return object.__new__(kind or cls)

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
        *,
        auto_flush: bool = False,
    ) -> None:
        self._new(parse_open_args(file, mode, buffering, encoding, errors, newline, closefd, opener), auto_flush)

    def _new(self, args: OpenArgs, auto_flush: bool) -> None:
        self._start(args, Turns())
        if auto_flush:  # per instance, so that the default write() pays nothing for it
            self.write = self._write_and_flush  # type: ignore[method-assign]

    def _start(self, args: OpenArgs, turns: Turns, layer: BufferedFile | Unbuffered | None = None) -> None:
        """Every field, for a new file (no layer yet) and for a view of another file's
        binary layer (.buffer, .raw), which shares that file's position and call order;
        the file it came from owns the descriptor."""
        self._args = args
        # The binary layer; named as aiofiles names its inner file, whose tests look at it.
        self._file: BufferedFile | Unbuffered | None = layer
        self._text: TextLayer | None = None
        self._top: TextLayer | BufferedFile | Unbuffered | None = layer  # the top layer, while usable
        self._detached = False
        self._shared = layer is not None  # a view: not ours to close when collected
        self._turns = turns
        self._view: AsyncFile[bytes] | None = None  # .buffer or .raw, made once

    def _view_of(self, layer: BufferedFile | Unbuffered, buffering: int) -> AsyncFile[bytes]:
        """The binary file over layer, this file's own (made once, as io's .buffer and
        .raw are the same object each time)."""
        if self._view is None:
            m = self._args.mode.binary()
            args = self._args._replace(mode=m, mode_arg=m.raw_mode, buffering=buffering, encoding="", errors=None,
                                       newline=None)
            kind = kind_of(m.raw_mode, buffering)
            assert kind is not None
            view: AsyncFile[bytes] = object.__new__(kind)  # not __init__: nothing to parse or open
            view._start(args, self._turns, layer)
            self._view = view
        return self._view

    # --- opening ------------------------------------------------------------------------

    @classmethod
    def wrap(cls, fd: int, mode: str = "rb", *, closefd: bool = False) -> AsyncFile[Any]:
        """An open AsyncFile over descriptor fd at once (no await: nothing to open)."""
        f: AsyncFile[Any] = cls(fd, mode, closefd=closefd)
        f._attach(driver.get_driver(), fd, platform.borrow(fd), owned=False, st=None, fs_kind=FS_LOCAL)
        return f

    async def _open(self) -> AsyncFile[AnyStr]:
        if self._file is not None:
            return self
        args = self._args
        engine = driver.get_driver()
        if args.fd is None and args.opener is None:  # a path the engine opens
            flags = args.mode.flags
            res, st, kind = await openat(engine, args.path or b"\0", flags, args.name)
            try:
                fd, ref = platform.adopt(res, flags)
            except BaseException:
                platform.discard(engine, res, FLAG_ASYNC if kind == FS_SLOW else 0)
                raise
            self._attach(engine, fd, ref, True, st, kind)
            return self
        if args.fd is not None:
            fd = args.fd
        else:
            fd = args.opener(args.name, args.mode.flags)
            if not isinstance(fd, int):
                raise TypeError("expected an integer from opener")
            if fd < 0:
                raise ValueError(f"opener returned {fd}")
        try:
            ref = platform.borrow(fd)
        except BaseException:
            if args.closefd:
                os.close(fd)
            raise
        self._attach(engine, fd, ref, False, None, FS_LOCAL)  # (_attach asks for the stat)
        return self

    def __await__(self) -> Any:
        return self._open().__await__()

    def _attach(self, engine: api.Engine, fd: int, ref: int, owned: bool,
                st: kernel.TypeAndSize | os.stat_result | None, fs_kind: int) -> None:
        """Builds the layers over an open descriptor of engine's whose stat is st (None:
        os.fstat's), on a file system of fs_kind; closed again if that fails."""
        args = self._args
        m = args.mode
        try:
            if st is None:
                cached = opened_cached(engine, fd, fs_kind) if stats_by_engine(engine) else None
                if cached is None:
                    st = os.fstat(fd)
                    fs_kind = engine.dev_fs_kind(st.st_dev, fs_kind)
                else:
                    st, fs_kind = cached
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), args.name)
            raw = RawFile(engine, fd, ref, owned=owned, readable=m.readable, writable=m.writable, append=m.append,
                          closefd=args.closefd, st=st, fs_kind=fs_kind,
                          truncated=owned and bool(m.flags & os.O_TRUNC))
            buf: BufferedFile | Unbuffered
            if args.buffering == 0:
                if m.text:  # refused with the file open, as open() refuses it (a "w" file is made)
                    raise ValueError("can't have unbuffered text I/O")
                buf = Unbuffered(raw)
            else:
                if m.readable and m.writable and not raw.seekable:  # io.BufferedRandom's check
                    raise io.UnsupportedOperation("File or stream is not seekable.")
                buf = BufferedFile(raw, args.buffering if args.buffering > 1 else cached_buffer_size())
            if m.text:  # (an unknown encoding is TextLayer's LookupError, with the file open, as open()'s)
                assert isinstance(buf, BufferedFile)
                line_buffering = args.buffering == 1 or (args.buffering < 0 and not raw.regular and os.isatty(fd))
                self._text = TextLayer(buf, args.encoding, args.errors or "strict", args.newline,
                                       line_buffering=line_buffering, write_through=False)
        except BaseException:
            if owned:  # closed by the engine: a close can wait on a slow file system
                platform.close_fd(fd, args.closefd)
                platform.discard(engine, ref, FLAG_ASYNC if fs_kind == FS_SLOW else 0)
            else:
                platform.close_now(fd, ref, args.closefd)
            raise
        self._file = buf
        self._top = self._text or buf

    async def __aenter__(self) -> AsyncFile[AnyStr]:
        return await self._open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __del__(self) -> None:
        buf = getattr(self, "_file", None)
        if buf is None or buf.closed or getattr(self, "_detached", False) or getattr(self, "_shared", True):
            return
        if buf.raw.closefd:  # as the built-in file: a borrowed descriptor is not ours to warn about
            warnings.warn(f"unclosed file {self!r}", ResourceWarning, stacklevel=2, source=self)
        try:  # last resort, as the built-in file does: flush and close synchronously
            self._drain_now()
            buf.raw.close_now()
        except OSError:
            pass

    def _drain_now(self) -> None:
        """Hands every layer's pending bytes to the OS, synchronously."""
        assert self._file is not None
        (self._text or self._file).drain_now()

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("unopened" if self._file is None else "open")
        return f"<ayafileio.{type(self).__name__} name={self._args.name!r} mode={self._args.mode_arg!r} {state}>"

    @property
    def _binary(self) -> BufferedFile | Unbuffered:
        if self._detached:
            raise ValueError("raw stream has been detached")
        if self._file is None:
            raise ValueError("I/O operation on a file that was not opened (await it first)")
        return self._file

    # --- attributes ---------------------------------------------------------------------

    @property
    def name(self) -> Any:
        return self._args.name

    @property
    def mode(self) -> str:
        m = self._args.mode
        return self._args.mode_arg if m.text else m.raw_mode

    @property
    def closed(self) -> bool:
        return self._file is not None and self._file.closed

    def fileno(self) -> int:
        self._binary.raw.check_open()
        return self._binary.fd

    def readable(self) -> AwaitableBool:
        """io's bool, and aiofiles' awaitable: ``if f.readable():`` and ``await f.readable()``.
        A buffered file of the other direction answers False also once closed: io's
        BufferedWriter has IOBase's readable(), which does not look."""
        b = self._binary
        if b.readable or isinstance(b, Unbuffered):
            b.raw.check_open()
        return answer(b.readable)

    def writable(self) -> AwaitableBool:
        b = self._binary
        if b.writable or isinstance(b, Unbuffered):  # (as readable())
            b.raw.check_open()
        return answer(b.writable)

    def seekable(self) -> AwaitableBool:
        self._binary.raw.check_open()
        return answer(self._binary.seekable)

    def isatty(self) -> AwaitableBool:
        raw = self._binary.raw
        raw.check_open()
        return answer(not raw.regular and os.isatty(raw.fd))  # a regular file is no terminal: no ioctl to a file system

    # --- reading ------------------------------------------------------------------------

    async def read(self, size: int | None = -1) -> AnyStr:
        """Up to size bytes or characters; all that is left when size is negative."""
        fast = self._top
        if fast is not None and not self._turns.held and type(size) is int:
            # Served from the buffer, the only hop: nothing else runs on this file.
            got = fast.read_fast(size)
            if got is not None:
                return got  # type: ignore[return-value]
        async with self._turns:
            if self._text is not None:
                return await self._text.read(size)  # type: ignore[return-value]
            return await self._binary.read(size)  # type: ignore[return-value]

    async def readline(self, size: int | None = -1) -> AnyStr:
        fast = self._top
        if fast is not None and size == -1 and not self._turns.held:
            line = fast.readline_fast()
            if line is not None:
                return line  # type: ignore[return-value]
        async with self._turns:
            if self._text is not None:
                if not isinstance(size, int):  # io.TextIOWrapper.readline refuses None too
                    raise TypeError(f"'{type(size).__name__}' object cannot be interpreted as an integer")
                return await self._text.readline(size)  # type: ignore[return-value]
            return await self._binary.readline(optional_size(size))  # type: ignore[return-value]

    async def readlines(self, hint: int | None = -1) -> list[AnyStr]:
        if hint is None:
            hint = -1
        if not isinstance(hint, int):
            raise TypeError(f"argument should be integer or None, not '{type(hint).__name__}'")
        lines: list[AnyStr] = []
        total = 0
        async for line in self:  # iterating, as io's readlines does (it turns tell() off)
            lines.append(line)
            if 0 < hint < total + len(line):
                break
            total += len(line)
        return lines

    def __aiter__(self) -> AsyncIterator[AnyStr]:
        self._binary.raw.check_open()
        return self

    async def __anext__(self) -> AnyStr:
        """The next line. Like the built-in text file, iterating turns tell() off until
        the end of the file is reached."""
        if self._text is not None:
            self._text.start_iteration()
        line = await self.readline()
        if not line:
            if self._text is not None:
                self._text.end_iteration()
            raise StopAsyncIteration
        return line

    # --- writing ------------------------------------------------------------------------

    async def write(self, data: AnyStr) -> int:
        """Buffers data (written to the OS when the buffer fills, on flush or close)."""
        text = self._text
        if text is not None:
            if self._turns.held and (self._turns.waited_for or not text.pushing):
                async with self._turns:  # encoded in call order, on its turn
                    if text.write_now(data):  # type: ignore[arg-type]
                        await text.push()
                return len(data)
            # Nothing else is running on this file, or only a text write giving the
            # buffer its due batches, which takes any this write closes: the text is
            # queued at once, after what came before; I/O waits for the turn.
            if text.write_now(data):  # type: ignore[arg-type]
                async with self._turns:
                    await text.push()
            return len(data)
        if not self._turns.held:
            # Nothing else is running on this file: a write that only fills the buffer
            # is done here, with no lock and no I/O.
            b = self._binary
            if type(data) is bytes and b.writable and not b.closed and b.write_fast(data, len(data)):
                return len(data)
        async with self._turns:
            return await self._binary.write(data)

    async def _write_and_flush(self, data: AnyStr) -> int:
        """write() and then flush(): what write() is with auto_flush=True."""
        n = await AsyncFile.write(self, data)
        await self.flush()
        return n

    async def writelines(self, lines: Iterable[AnyStr]) -> None:
        if self.closed:  # IOBase.writelines looks before it takes a line
            raise closed_error()
        for line in lines:
            await self.write(line)

    async def flush(self) -> None:
        """Hands buffered data to the OS (durability needs fsync())."""
        async with self._turns:
            if self._text is not None:
                await self._text.flush()
            else:
                await self._binary.flush()

    async def fsync(self) -> None:
        """Flushes, then makes the file's data and metadata durable."""
        await self._sync(datasync=False)

    async def datasync(self) -> None:
        """Flushes, then makes the file's data durable (fdatasync)."""
        await self._sync(datasync=True)

    async def _sync(self, datasync: bool) -> None:
        async with self._turns:
            if self._text is not None:
                await self._text.writeflush()
            await self._binary.sync(datasync)

    # --- position -----------------------------------------------------------------------

    async def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        b = self._file
        if b is not None and self._text is None and not self._detached and not self._turns.held:
            n = b.seek_now(offset, whence)  # binary: no I/O unless writes are pending
            if n is not None:
                return n
        async with self._turns:
            if self._text is not None:
                return await self._text.seek(offset, whence)  # type: ignore[no-any-return]
            return await self._binary.seek(offset, whence)

    async def tell(self) -> int:
        async with self._turns:
            if self._text is not None:
                return await self._text.tell()
            return self._binary.tell()

    async def truncate(self, size: int | None = None) -> int:
        """Resizes the file (to the position by default); the position does not move."""
        async with self._turns:
            if self._text is not None:
                return await self._text.truncate(size)
            return await self._binary.truncate(size)

    # --- closing ------------------------------------------------------------------------

    async def close(self) -> None:
        """Flushes and closes; closing twice is allowed."""
        if self._detached:
            raise ValueError("raw stream has been detached")
        if self._file is None or self._file.closed:
            return
        top = self._text or self._file
        if not self._turns.held and top.close_fast():
            return  # nothing was pending, and the file system may close on this thread
        async with self._turns:
            await top.close()

    def _detach(self) -> Any:
        """Separates the descriptor from this object and returns it as a synchronous
        file at the same position (text files: the binary buffered file, binary files:
        the raw io.FileIO), as io's detach() does (the text and buffered kinds' detach()). Pending writes are written first,
        synchronously (detach is not a coroutine); this object is unusable afterwards."""
        b = self._binary
        b.raw.check_open()
        if b.raw.owned:
            platform.check_detachable()
        self._drain_now()
        raw = b.raw
        fd = platform.detach_fd(raw.fd, raw.ref)
        if raw.seekable:
            os.lseek(fd, raw.pos, os.SEEK_SET)
        self._detached = True
        self._top = None
        fileio = io.FileIO(fd, self._args.mode.raw_mode.replace("x", "w"), closefd=raw.closefd)
        if self._text is None:
            return fileio
        return io.BufferedRandom(fileio) if b.readable and b.writable else (
            io.BufferedReader(fileio) if b.readable else io.BufferedWriter(fileio))


class AsyncTextIOWrapper(AsyncFile[str]):
    """A text file (io.TextIOWrapper's counterpart; what open() gives for a text mode).

    ``buffer`` is its binary layer as an AsyncBufferedReader/AsyncBufferedIOBase: async
    like every ayafileio file (aiofiles hands out the synchronous object, which would
    block the loop), the same object each time, sharing this file's buffer, position and
    call order, as io's ``buffer`` does; the text file owns the descriptor."""

    @property
    def encoding(self) -> str:
        return self._args.encoding

    @property
    def errors(self) -> str | None:
        return self._text.errors if self._text is not None else None

    @property
    def newlines(self) -> Any:
        return self._text.newlines if self._text is not None else None

    @property
    def line_buffering(self) -> bool:
        return self._text.line_buffering if self._text is not None else False

    @property
    def buffer(self) -> AsyncBufferedIOBase:
        view = self._view_of(self._binary, self._args.buffering)
        assert isinstance(view, AsyncBufferedIOBase)
        return view

    @property
    def _CHUNK_SIZE(self) -> int:  # noqa: N802 (io.TextIOWrapper's name)
        """io.TextIOWrapper's read and write chunk size."""
        if self._text is None:
            raise AttributeError("_CHUNK_SIZE")
        return self._text.chunk_size

    @_CHUNK_SIZE.setter
    def _CHUNK_SIZE(self, size: int) -> None:  # noqa: N802
        if self._text is None:
            raise AttributeError("_CHUNK_SIZE")
        if not isinstance(size, int):
            raise TypeError(f"'{type(size).__name__}' object cannot be interpreted as an integer")
        if size <= 0:
            raise ValueError("a strictly positive integer is required")
        self._text.chunk_size = size

    detach = AsyncFile._detach


class AsyncBinaryFile(AsyncFile[bytes]):
    """What the binary kinds share: readinto, readall, and positional I/O (read_at,
    write_at, their _many forms, chunk). read1/readinto1/peek are here too, where io's
    FileIO (buffering=0) has none: on AsyncFileIO awaiting them raises io's
    AttributeError."""

    async def readall(self) -> bytes:
        return await self.read(-1)

    async def read1(self, size: int = -1) -> bytes:
        """At most one read from the OS."""
        async with self._turns:
            return await self._binary.read1(size)

    async def peek(self, size: int = 0) -> bytes:
        """Buffered bytes ahead of the position, reading once if there are none."""
        async with self._turns:
            return await self._binary.peek(size)

    async def readinto(self, buffer: Any) -> int:
        """Reads into a writable buffer; large reads go straight from the kernel into it."""
        async with self._turns:
            return await self._binary.readinto(buffer)

    async def readinto1(self, buffer: Any) -> int:
        async with self._turns:
            b = self._binary
            if isinstance(b, Unbuffered):
                raise AttributeError("'_io.FileIO' object has no attribute 'readinto1'")
            return await b.readinto(buffer, readinto1=True)

    async def read_at(self, offset: int, size: int = -1) -> bytes:
        """Reads up to size bytes at offset (size -1: to the end of the file) without
        using or moving the position; calls run concurrently. Buffered writes are
        flushed first so they are seen."""
        b = self._binary
        b.check_readable()
        if size == -1:
            size = max(0, await b.raw.current_size() - offset)
        if offset < 0 or size < 0:
            raise ValueError("offset and size must not be negative")
        if b.pending_write():
            async with self._turns:
                await b.flush()
        out = bytearray(size)
        view = memoryview(out)
        raw = b.raw
        got = None
        if raw.fast_read:  # in memory: no round trip
            wait = raw.busy()
            if wait is not None:
                await wait
            got = raw.pread_cached(view, offset)
        if got is None:
            # Waited out if cancelled: the kernel may still be writing into view.
            got = check_result(await api.result(raw.engine, raw.engine.read(raw.ref, view, offset, flags=raw.flags)))
        # A copy of the filled part: the finished request may still hold an export of
        # out (its keep), so out itself cannot be resized.
        return view[:got].tobytes()

    async def write_at(self, offset: int, data: Any) -> int:
        """Writes all of data at offset without using or moving the position; calls run
        concurrently. Returns the number of bytes written."""
        b = self._binary
        b.check_writable()
        if offset < 0:
            raise ValueError("offset must not be negative")
        if b.raw.append:
            raise io.UnsupportedOperation("write_at on a file opened for appending")
        if b.pending_write():
            async with self._turns:
                await b.flush()
        # A cancelled write may have landed: writing the same bytes at the same offset
        # again is idempotent.
        return await api.write_all(b.raw.engine, b.raw.ref, data, offset, flags=b.raw.flags)

    async def read_many(self, spans: Iterable[tuple[int, int]]) -> list[bytes]:
        """read_at() of each (offset, size), all submitted together; results in order."""
        return list(await asyncio.gather(*(self.read_at(off, n) for off, n in spans)))

    async def write_many(self, writes: Iterable[tuple[int, Any]]) -> list[int]:
        """write_at() of each (offset, data), all submitted together; counts in order."""
        return list(await asyncio.gather(*(self.write_at(off, data) for off, data in writes)))

    async def chunk(self, chunk_size: int = 1 << 20, *, buf: Any = None) -> AsyncIterator[memoryview]:
        """The file from its position on, as memoryviews of one reused buffer (buf, or a
        new bytearray of chunk_size): each is valid until the next is asked for."""
        if buf is None:
            if chunk_size <= 0:
                raise ValueError("chunk_size must be positive")
            buf = bytearray(chunk_size)
        view = memoryview(buf).cast("B")
        while n := await self.readinto(view):
            yield view[:n]


class AsyncBufferedIOBase(AsyncBinaryFile):
    """A buffered binary file: what open() gives for "wb", "ab" and "xb" (io.BufferedWriter's
    counterpart) and, as AsyncBufferedReader, for the readable binary modes.

    ``raw`` is the file below the buffer as an AsyncFileIO (name, mode, closefd, and
    FileIO's calls, async): the same object each time, sharing this file's descriptor,
    raw position and call order, as io's ``raw`` does (reading it skips what this file
    has buffered, as in io); this file owns the descriptor."""

    @property
    def raw(self) -> AsyncFileIO:
        b = self._binary
        view = self._view_of(b if isinstance(b, Unbuffered) else Unbuffered(b.raw), 0)
        assert isinstance(view, AsyncFileIO)
        return view

    detach = AsyncFile._detach


class AsyncBufferedReader(AsyncBufferedIOBase):
    """A readable buffered binary file (io.BufferedReader's and io.BufferedRandom's
    counterpart): open()'s "rb", "r+b", "w+b", "a+b", "x+b"."""


class AsyncFileIO(AsyncBinaryFile):
    """An unbuffered binary file (io.FileIO's counterpart): open(..., buffering=0)."""

    @property
    def closefd(self) -> bool:
        return self._args.closefd


def opening(file: AsyncFile[AnyStr]) -> Coroutine[Any, Any, AsyncFile[AnyStr]]:
    """The coroutine that opens file (once) and returns it: what awaiting an open(), or
    entering it, runs."""
    return file._open()


def unopened(args: OpenArgs, auto_flush: bool) -> AsyncFile[Any]:
    """The unopened file of open()'s checked arguments, of the kind open() gives for
    them: what AsyncFile(...) makes, without parsing the mode again."""
    f: AsyncFile[Any] = object.__new__(kind_of_mode(args.mode, args.buffering))
    f._new(args, auto_flush)
    return f


def kind_of(mode: Any, buffering: Any) -> type[AsyncFile[Any]] | None:
    """The class open() gives for mode and buffering, as io picks TextIOWrapper,
    BufferedReader/Random, BufferedWriter or FileIO; None for arguments open() refuses
    (its error comes from the arguments' check)."""
    try:
        m = parse_mode(mode)
    except (TypeError, ValueError):
        return None
    return kind_of_mode(m, buffering)


def kind_of_mode(m: Mode, buffering: Any) -> type[AsyncFile[Any]]:
    """kind_of() for a parsed mode."""
    if m.text:
        return AsyncTextIOWrapper
    if buffering == 0:
        return AsyncFileIO
    return AsyncBufferedReader if m.readable else AsyncBufferedIOBase


def _on_threads(cls: type[AsyncFile[Any]]) -> type[AsyncFile[Any]]:
    """cls's thread-backed subclass, for a synchronous file object."""
    try:
        return THREAD_BACKED[cls]
    except KeyError:
        raise TypeError(f"{cls.__name__} does not wrap a file object (ayafileio.threadpool.wrap() does)") from None


# Each kind's subclass that runs a synchronous file object's methods on threads, filled in
# by ayafileio.threadpool (which builds on this module) when it is imported: ayafileio
# imports it.
THREAD_BACKED: dict[type[AsyncFile[Any]], type[AsyncFile[Any]]] = {}
# A first argument of these types names a file (or is open()'s error); anything else with
# read or write is a file object (os.PathLike is not tested: a mock has __fspath__ too).
_NAMES_A_FILE = (str, bytes, int, float)




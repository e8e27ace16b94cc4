"""The raw layer: io.FileIO's semantics over the engine. It owns the raw position (the
descriptor's offset is not used: reads and writes name their offset; appends go to the
kernel's end of file, after which the position is where O_APPEND left it).

Nothing here waits for a file system on the loop's thread: what FileIO learns from fstat
when it opens a file comes from the kernel's cached attributes or from a STATX linked
behind the engine's OPENAT (openat), the file system's kind from the mount table, and
every request of a file on a slow one (FUSE, NFS, ...) goes with FLAG_ASYNC, so that
io_uring never runs it inline.

A read or write returns the real result; when the awaiting task is cancelled the request
is waited out and `Interrupted` carries the number of bytes the kernel did move, so the
layer above can account for every one of them (`interrupted()`, the one rule for it).
"""

from __future__ import annotations

import asyncio
import errno
import functools
import io
import operator
import os
import stat
from typing import Any

from ..engine import api, kernel, platform, records
from ..engine.records import AT_FDCWD, FLAG_ASYNC, FLAG_LINK, FS_SLOW, OFF_CURRENT, OP_STATX
from ..engine.api import Engine, Request, check_result, os_error
from ..engine.buffers import Buffer


def closed_error(msg: str = "I/O operation on closed file.") -> ValueError:
    return ValueError(msg)


class Interrupted(asyncio.CancelledError):
    """A transfer whose task was cancelled after the kernel moved `count` bytes. Only
    the layers of one file see it: they account for the bytes and raise a plain
    CancelledError to the caller."""

    def __init__(self, count: int, *args: Any, data: bytes = b"") -> None:
        super().__init__(*args)
        self.count = count
        self.data = data  # readall's: the bytes it had read


async def interrupted(engine: Engine, req: Request, e: asyncio.CancelledError) -> Interrupted:
    """What a read or write whose task was cancelled raises: the request is cancelled
    and waited out, and the exception carries the bytes the kernel did move."""
    res = await engine.settle(req)
    return Interrupted(max(res, 0), *e.args)


_PAGE = 4096  # the smallest page size: a read stopped by a page not cached stops at a multiple of it


class RawFile:
    """An open descriptor with FileIO's read/write/seek/tell/truncate semantics."""

    __slots__ = ("fd", "ref", "owned", "readable", "writable", "append", "closefd", "closed", "engine", "regular",
                 "seekable", "flags", "size", "fast_read", "writes_now", "closes_now", "close_flags", "pos")

    def __init__(self, engine: Engine, fd: int, ref: int, *, owned: bool, readable: bool, writable: bool,
                 append: bool, closefd: bool, st: kernel.TypeAndSize | os.stat_result, fs_kind: int,
                 truncated: bool) -> None:
        self.fd = fd  # what os functions and fileno() take
        self.ref = ref  # what request records name (_platform: the same number on POSIX)
        self.owned = owned  # the engine opened it
        self.readable = readable
        self.writable = writable
        self.append = append
        self.closefd = closefd
        self.closed = False
        self.engine = engine  # the running loop's, which opened the file: a file belongs to that loop
        self.regular = regular = stat.S_ISREG(st.st_mode)
        self.seekable = seekable = regular or stat.S_ISBLK(st.st_mode) or (
            not stat.S_ISFIFO(st.st_mode) and _lseek_ok(fd))
        self.flags = flags = FLAG_ASYNC if fs_kind == FS_SLOW else 0  # what every request on this file adds
        self.size = st.st_size  # what the file held when last seen: readall's first guess
        # What may skip the ring: reads, writes, the close.
        self.fast_read, self.writes_now, closes_now = engine.file_policy(regular, readable, writable, fs_kind,
                                                                         truncated)
        self.closes_now = closes_now
        # A close the file system may make write data back (a truncated file's) never
        # runs on the loop's thread, not even as io_uring's inline attempt.
        self.close_flags = flags | FLAG_ASYNC if truncated and not closes_now else flags
        # FileIO seeks an appending file to its end when it opens it (a descriptor this
        # module opened has O_APPEND: its writes go there anyway); a descriptor this
        # module just opened is at 0 otherwise.
        if not seekable:
            self.pos = 0
        elif append:
            self.pos = st.st_size if owned else os.lseek(fd, 0, os.SEEK_END)
        else:
            self.pos = 0 if owned else os.lseek(fd, 0, os.SEEK_CUR)

    # --- checks (FileIO's) ------------------------------------------------------------

    def check_open(self) -> None:
        if self.closed:
            raise closed_error("I/O operation on closed file")  # FileIO's words: no full stop

    def check_readable(self) -> None:
        self.check_open()
        if not self.readable:
            raise io.UnsupportedOperation("File not open for reading")

    def check_writable(self) -> None:
        self.check_open()
        if not self.writable:
            raise io.UnsupportedOperation("File not open for writing")

    # --- position -----------------------------------------------------------------------

    def tell(self) -> int:
        self.check_open()
        if not self.seekable:
            raise OSError(errno.ESPIPE, os.strerror(errno.ESPIPE))
        return self.pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self.check_open()
        if not self.seekable:
            raise OSError(errno.ESPIPE, os.strerror(errno.ESPIPE))
        if whence == os.SEEK_SET:
            target = offset
        elif whence == os.SEEK_CUR:
            target = self.pos + offset
        else:  # SEEK_END, SEEK_DATA, SEEK_HOLE: the kernel knows; an invalid whence: EINVAL
            target = os.lseek(self.fd, offset, whence)
        if target < 0:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        self.pos = target
        return target

    # --- transfers ------------------------------------------------------------------------

    def _read_offset(self) -> int:
        return self.pos if self.seekable else OFF_CURRENT

    def write_offset(self) -> int:
        """Where a write goes: the descriptor's own offset (OFF_CURRENT) when appending or
        unseekable, else the position."""
        return OFF_CURRENT if self.append or not self.seekable else self.pos

    def busy(self) -> asyncio.Future[None] | None:
        """A future to await before a read served from memory when this loop iteration
        has spent its time for them (Driver.fast_budget_spent); None otherwise."""
        return self.engine.fast_budget_spent() if self.fast_read else None

    def pread_cached(self, view: memoryview, off: int) -> int | None:
        """Reads at off into view at once if the data is in memory (see
        Driver.read_cached): the count, or None when the ring must do it."""
        if not self.fast_read:
            return None
        res = self.engine.read_cached(self.fd, view, off, self.fast_read == "memory")
        if res is None or res >= 0:
            return res
        self._refused(res)
        return None

    def _refused(self, res: int) -> None:
        """A read made at once that failed with -errno res: the OSError raised, but where
        the ring must read instead (EOPNOTSUPP: the file system cannot say, from then on)."""
        if res != -errno.EOPNOTSUPP:
            raise os_error(res)
        self.fast_read = ""

    def read_cached(self, view: memoryview) -> int | None:
        """pread_cached() at the position, which it advances (fast_read implies a
        regular, so seekable, file)."""
        n = self.pread_cached(view, self.pos)
        if n is not None:
            self.pos += n
        return n

    def ends_within(self, n: int) -> bool:
        """Whether the file, as last seen, ends within n bytes of the position (a
        regular file whose reads may skip the ring)."""
        return bool(self.fast_read) and self.size - self.pos <= n

    async def read_at_once(self, view: memoryview) -> int | None:
        """read_cached() after the loop iteration's budget allows it."""
        wait = self.busy()
        if wait is not None:
            await wait
        return self.read_cached(view)

    def read_new(self, n: int) -> bytes | None:
        """Up to n bytes at the position, at once, as new bytes, where the file system has
        them in memory and the read shows that they are all there is: on a RAM-backed
        one any read (a short one is the end), from the page cache one that is whole,
        stops inside a page or reads nothing. RWF_NOWAIT also stops short at the start
        of a page not cached, so a read that stopped at a page boundary is followed by
        one there, which must find the end (a file whose size is a multiple of the page:
        one more system call, where the awaited paths took 3-4 µs more). None otherwise,
        the position unmoved."""
        if not self.fast_read:
            return None
        res = self.engine.read_new(self.fd, n, self.pos, self.fast_read == "memory")
        if res is None:
            return None
        if isinstance(res, int):
            self._refused(res)
            return None
        if 0 < len(res) < n and self.fast_read == "nowait" and (self.pos + len(res)) % _PAGE == 0:
            if self.engine.read_new(self.fd, 1, self.pos + len(res), False) != b"":
                return None  # not cached there (None), more bytes, or an error the ring will meet
        self.pos += len(res)
        return res

    def readall_now(self) -> bytes | None:
        """readall() at once, as one read_new() that shows the end: of a regular file that
        ends where it was last seen to, or before. None otherwise (a file that grew),
        the position unmoved."""
        want = max(self.size - self.pos, 0) + 1
        data = self.read_new(want)
        if data is None:
            return None
        if len(data) == want:  # it grew: readall() reads on
            self.pos -= want
            return None
        self.size = self.pos
        return data

    async def readinto(self, view: memoryview) -> int:
        """FileIO.readinto: one read at the position."""
        n = await self.read_at_once(view)
        if n is not None:
            return n
        return await self.readinto_by_ring(view)

    async def readinto_by_ring(self, view: memoryview) -> int:
        """readinto() by the engine (the caller tried the memory first)."""
        return await self._read_ring(self.engine.read(self.ref, view, self._read_offset(), flags=self.flags))

    async def read_pinned(self, pinned: Buffer, start: int, length: int) -> int:
        """readinto() by the engine of up to length bytes into a kept buffer from byte
        start on (the caller tried the memory first)."""
        return await self._read_ring(
            self.engine.read_pinned(self.ref, pinned, start, length, self._read_offset(), flags=self.flags))

    async def _read_ring(self, req: Request) -> int:
        """A read's count; advances the position, also by what a cancelled read moved."""
        try:
            n = check_result(await req.future)
        except asyncio.CancelledError as e:
            stop = await interrupted(self.engine, req, e)
            if self.seekable:
                self.pos += stop.count
            raise stop from None
        if self.seekable:
            self.pos += n
        return n

    async def write(self, data: Any) -> int:
        """FileIO.write: one write at the position (appending: at the end); returns the
        count written, which can be short."""
        if self.writes_now:
            await api.now_turn(self.engine)
            res = self.engine.write_memory(self.fd, data, self.write_offset())
            if res is not None:
                self.wrote(check_result(res))
                return res
        req = self.engine.write(self.ref, data, self.write_offset(), flags=self.flags)
        try:
            n = check_result(await req.future)
        except asyncio.CancelledError as e:
            stop = await interrupted(self.engine, req, e)
            self.wrote(stop.count)
            raise stop from None
        self.wrote(n)
        return n

    def wrote(self, n: int) -> None:
        """Moves the position past n bytes just written."""
        if not self.seekable or n <= 0:
            return
        # O_APPEND wrote at the end and left the descriptor's offset there; FileIO's
        # position is that offset from here on, and so is ours.
        self.pos = platform.append_position(self.fd) if self.append else self.pos + n
        self.size = max(self.size, self.pos)

    async def readall(self) -> bytes:
        """FileIO.readall: everything up to the end of the stream. A cancelled readall
        raises Interrupted with what it had read in `data`."""
        parts: list[bytes] = []
        total = 0
        # FileIO asks fstat how much is left; the size seen at open (or since) tells the
        # same without a system call on the loop's thread. A file that grew since is read
        # on in growing pieces, one that shrank ends at the first empty read.
        end = self.size if self.regular else -1
        try:
            while True:
                size = end - self.pos + 1 if end >= self.pos else max(_CHUNK, total)
                buf, view = records.fresh_bytes(min(size, _MAX_READ))
                got = await self.readinto(view)
                if not got:
                    break
                total += got
                parts.append(buf if got == len(buf) and type(buf) is bytes else bytes(view[:got]))
                if self.pos >= end >= 0 and got < size:
                    break  # stopped where the file was seen to end (not a partial read)
        except Interrupted as e:
            data = b"".join(parts) + bytes(view[: e.count])
            raise Interrupted(len(data), *e.args, data=data) from None
        if self.regular:
            self.size = self.pos
        return parts[0] if len(parts) == 1 else b"".join(parts)

    async def truncate(self, size: int | None = None) -> int:
        """FileIO.truncate: resizes to size (default: the position), which stays put."""
        self.check_writable()
        size = self.tell() if size is None else operator.index(size)  # FileIO's conversion and its TypeError
        if size < 0:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        req = self.engine.ftruncate(self.ref, size, flags=self.flags)
        check_result(await api.result(self.engine, req, cancel=False))
        self.size = size
        return size

    async def sync(self, datasync: bool) -> None:
        self.check_open()
        if self.writes_now:
            await api.now_turn(self.engine)
            res = self.engine.sync_memory(self.fd, datasync)
            if res is not None:
                check_result(res)
                return
        req = self.engine.fsync(self.ref, datasync, flags=self.flags)
        check_result(await api.result(self.engine, req, cancel=False))

    async def close(self) -> None:
        """Closes the descriptor (once); the close runs to its end even if cancelled."""
        if self.closed:
            return
        self.closed = True
        if self.closes_now:
            platform.close_now(self.fd, self.ref, self.closefd)
            return
        try:
            if platform.engine_closes(self.closefd):
                req = self.engine.close_fd(self.ref, flags=self.close_flags)
                check_result(await api.result(self.engine, req, cancel=False))
        finally:
            # After the engine's close; on Windows this closes the descriptor's own handle.
            platform.close_fd(self.fd, self.closefd)

    def chains_close(self) -> bool:
        """Whether pending bytes and the close go to the engine as one linked chain (not
        where writes and the close are made at once)."""
        return platform.engine_closes(self.closefd) and not self.writes_now

    def write_now(self, data: bytes) -> None:
        """Writes all of data at the position without the event loop (a file collected
        unclosed, detach())."""
        off = self.write_offset()
        platform.write_now(self.fd, self.ref, data, -1 if off == OFF_CURRENT else off)
        self.wrote(len(data))

    def wrote_and_closed(self, written: int, closed: int) -> bool:
        """Takes in the results of a write and a close linked in one chain on this file
        (BufferedFile.close's): whether the file is closed. The kernel skips the close
        when the write fails or comes up short; the file stays open, past what was
        written."""
        if closed == -errno.ECANCELED:
            self.wrote(written)
            return False
        self.closed = True
        platform.close_fd(self.fd, self.closefd)  # the engine closed the record handle
        return True

    def close_now(self) -> None:
        if not self.closed:
            self.closed = True
            platform.close_now(self.fd, self.ref, self.closefd)


    async def current_size(self) -> int:
        """The file's size now (fstat's), asked of the engine."""
        self.size = (await fstat(self.engine, self.fd)).st_size
        return self.size


_CHUNK = 8192
_MAX_READ = 64 << 20


def stats_by_engine(engine: Engine) -> bool:
    """Whether engine does STATX (else os.fstat does, on the loop's thread: Windows, a forked
    child's thread driver)."""
    return platform.PATH_OPS and OP_STATX in engine.ops


async def fstat(engine: Engine, fd: int) -> os.stat_result:
    """os.fstat(fd), by the engine where it can."""
    if not stats_by_engine(engine):
        return os.fstat(fd)
    return await kernel.statx(engine, kernel.PathArg(b"\0", fd, fd), AT_FDCWD, True, name_fd=False)


def opened_cached(engine: Engine, fd: int, fallback: int) -> tuple[kernel.TypeAndSize, int] | None:
    """What FileIO learns of fd when it opens it (its type and size), and the FS_* kind
    of its file system (fallback where the mount table does not list its device), from
    the attributes the kernel has cached, at once, without asking a slow file system;
    None where there is no such call."""
    kind = engine.opened_kind(fd, fallback)
    if kind < 0:
        return None
    return kernel.type_and_size_from_statx(engine.now_record), kind


def opened_now(engine: Engine, cpath: bytes, flags: int,
               mode: int = 0o666) -> tuple[int, kernel.TypeAndSize | None, int]:
    """cpath opened at once where that cannot wait (Engine.open_now): (the descriptor,
    its type and size, its FS_* kind); where it was not, (-errno, None, the FS_* kind of
    the path's file system): -EAGAIN, the ring must open it, as a file of that kind.
    Await api.now_turn() first."""
    now = engine.open_now(cpath, flags, mode)
    if now < 0:
        return now >> 2, None, now & 3
    return now >> 2, kernel.type_and_size_from_statx(engine.now_record), now & 3


async def openat(engine: Engine, cpath: bytes, flags: int,
                 name: Any) -> tuple[int, kernel.TypeAndSize | os.stat_result | None, int]:
    """Opens the NUL-terminated cpath with os.open's flags on the engine, as FileIO does:
    (the engine's handle, the file's stat or None, its FS_* kind). A path on a slow file
    system (by the mount table) is opened with FLAG_ASYNC and its stat comes from a STATX
    of the same path linked behind the OPENAT (one chain, all on the kernel's workers,
    resolving the path as the open just did). Elsewhere the open may complete inline and
    the stat comes from the kernel's cached attributes: a path that led to a slow file
    system after all (a symbolic link) is not asked, and its requests go with FLAG_ASYNC
    from then on, since the kind of an opened file is its device's. None where the engine
    has no STATX: the caller asks os.fstat. Where the open cannot wait (Engine.open_now),
    it is made at once, without the ring."""
    wait = engine.fast_budget_spent(start=True)  # (api.now_turn(), without a done future to await)
    if wait is not None:
        await wait
    res, cached_st, path_kind = opened_now(engine, cpath, flags)
    if cached_st is not None:
        return res, cached_st, path_kind
    if res != -errno.EAGAIN:
        raise os_error(res, name)
    extra = FLAG_ASYNC if path_kind == FS_SLOW else 0
    discard = functools.partial(platform.discard, engine, flags=extra)  # for an open nobody will use
    if not stats_by_engine(engine) or path_kind != FS_SLOW:
        res = await api.result(engine, engine.openat(cpath, flags, flags=extra), undo=discard)
        if res < 0:
            raise os_error(res, name)
        if not stats_by_engine(engine):
            return res, None, path_kind
        try:
            cached = opened_cached(engine, res, path_kind)
            if cached is not None:
                return res, cached[0], cached[1]
            st = await fstat(engine, res)
        except BaseException:
            discard(res)
            raise
        return res, st, engine.dev_fs_kind(st.st_dev, path_kind)
    buf = bytearray(kernel.STATX_SIZE)
    nofollow = kernel.AT_SYMLINK_NOFOLLOW if flags & getattr(os, "O_NOFOLLOW", 0) else 0
    engine.room_for_chain(2)
    res, statted = await api.chain(engine, [
        engine.openat(cpath, flags, flags=FLAG_LINK | extra),
        engine.statx(cpath, buf, at_flags=nofollow, mask=kernel.STATX_BASIC_STATS, flags=extra),
    ], undo=discard)
    if res < 0:
        raise os_error(res, name)
    try:
        # A path renamed or removed between the two: ask about the descriptor.
        st = kernel.stat_from_statx(buf) if statted >= 0 else await fstat(engine, res)
    except BaseException:
        discard(res)
        raise
    return res, st, engine.dev_fs_kind(st.st_dev, path_kind)


def _lseek_ok(fd: int) -> bool:
    try:
        os.lseek(fd, 0, os.SEEK_CUR)
        return True
    except OSError:
        return False

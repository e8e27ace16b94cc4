"""Whole files in one submission each: read_bytes, read_text, write_bytes, write_text and
their _many forms.

Each file is one linked chain of requests: OPENAT into a direct descriptor, the READ or
WRITE, (FSYNC,) CLOSE; on a slow file system (FUSE, NFS, ...) each with FLAG_ASYNC, so that
no step runs inline on the loop's thread. The read or write is hard-linked to what follows, so the close
runs whatever it returned; a failed open cancels the rest. One loop round trip per file,
and the chains of one loop iteration go to the kernel in one io_uring_enter. An atomic
write is two chains: the file under a temporary name in the target's directory, then
RENAMEAT over the target (and, when durable, an fsync of the directory).

Where the engine has no direct descriptors (a forked child's thread driver), the same
steps run as plain calls on a thread: _SyncSteps, a sibling with the same contract.
"""

from __future__ import annotations

import asyncio
import errno
import io
import os
import stat
import sys
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from .engine import api, driver, platform
from .os import requests
from . import testing
from . import os as aos
from .io.modes import c_path
from .io.open import open as aopen
from .io.raw import RawFile, opened_now
from .engine.records import (
    AT_FDCWD, FLAG_ASYNC, FLAG_FIXED_FILE, FLAG_HARD_LINK, FLAG_LINK, MAX_IO_LEN, FS_SLOW, OP_CLOSE, OP_OPENAT,
)
from .engine.api import Engine, chain, os_error, result
from .os.requests import in_thread

T = TypeVar("T")
R = TypeVar("R")

_FIRST_READ = 65536  # a read_bytes chain reads this much; a file that fills it is read again whole
_LINKED = FLAG_LINK | FLAG_HARD_LINK  # the next request runs whatever this one returned
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_TEMP_TRIES = 16
_AS_ROOT = getattr(os, "geteuid", lambda: -1)() == 0  # may give a file to another owner
_WRITER = (getattr(os, "geteuid", lambda: -1)(), getattr(os, "getegid", lambda: -1)())


def _path(path: Any) -> tuple[bytes, Any]:
    """The NUL-terminated path, and what errors name, as open() converts a path."""
    shown = os.fspath(path)
    return c_path(shown), shown


def _async_flag(engine: Engine, c: bytes) -> int:
    """FLAG_ASYNC for the chains of a path on a slow file system, else 0."""
    return FLAG_ASYNC if engine.path_fs_kind(c) == FS_SLOW else 0


def _chain_engine() -> Engine | None:
    """The engine when it runs these chains here (on Windows the thread sibling does:
    os's errors there carry winerror, and a directory cannot be opened to fsync; and
    while calls go through Python's io and os, ayafileio.testing)."""
    if testing.active():
        return None
    engine = driver.get_driver()
    return engine if platform.PATH_OPS and OP_OPENAT in engine.ops and OP_CLOSE in engine.ops else None


async def read_bytes(path: Any) -> bytes:
    """pathlib.Path(path).read_bytes(): one chain (open, read, close) for a file of up to
    64 KiB; a larger one is then read whole through an AsyncFile. Same exceptions."""
    c, shown = _path(path)
    engine = _chain_engine()
    if engine is not None:
        await api.now_turn(engine, start=True)
        raw, kind = _raw_now(engine, c, os.O_RDONLY | platform.OPEN_FLAGS)
        if isinstance(raw, RawFile):
            try:
                return await raw.readall()
            finally:
                await raw.close()
        if raw != -errno.EAGAIN:
            raise os_error(raw, shown)
    slot = engine.take_slot() if engine is not None else None
    if engine is None or slot is None:
        return await in_thread(None, _read_sync, shown)
    buf = bytearray(_FIRST_READ)
    try:
        flags = FLAG_ASYNC if kind == FS_SLOW else 0
        engine.room_for_chain(3)
        opened, got, closed = await chain(engine, [
            engine.openat(c, os.O_RDONLY | platform.OPEN_FLAGS, slot=slot, flags=FLAG_LINK | flags),
            engine.read(slot, buf, 0, flags=_LINKED | FLAG_FIXED_FILE | flags),
            engine.close_fd(slot, flags=FLAG_FIXED_FILE | flags),
        ])
    finally:
        engine.give_slot(slot)
    if opened < 0:
        raise os_error(opened, shown)
    if got < 0:
        raise os_error(got, shown if got == -errno.EISDIR else None)  # open() names the file for a directory
    if closed < 0:
        raise os_error(closed)
    if got == len(buf):  # perhaps more: read the file whole, as one open() and read() would
        async with aopen(shown, "rb") as f:
            data: bytes = await f.read()
            return data
    return bytes(memoryview(buf)[:got])


def _raw_now(engine: Engine, c: bytes, flags: int, mode: int = 0o666) -> tuple[RawFile | int, int]:
    """c opened at once where that cannot wait (raw.opened_now: await api.now_turn()
    first), as a RawFile whose reads and writes are made at once too where they cannot
    wait; or the open's -errno (-EAGAIN: the ring must open it, and one chain then does
    the whole file); and the FS_* kind of its file system."""
    res, st, kind = opened_now(engine, c, flags, mode)
    if st is None:
        return res, kind
    fd, ref = platform.adopt(res, flags)
    access = flags & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
    return RawFile(engine, fd, ref, owned=True, readable=access != os.O_WRONLY, writable=access != os.O_RDONLY,
                   append=False, closefd=True, st=st, fs_kind=kind, truncated=bool(flags & os.O_TRUNC)), kind


def _decode(data: bytes, encoding: str, errors: str | None, newline: str | None) -> str:
    """What open(mode="r") and read() make of data: BOM, newline translation, errors."""
    text: str = io.TextIOWrapper(io.BytesIO(data), encoding, errors, newline).read()
    return text


def _encode(data: str, encoding: str, errors: str | None, newline: str | None) -> bytes:
    """What open(mode="w") and write() make of data."""
    out = io.BytesIO()
    w = io.TextIOWrapper(out, encoding, errors, newline, write_through=True)
    w.write(data)
    w.flush()
    return out.getvalue()


async def read_text(path: Any, encoding: str | None = None, errors: str | None = None,
                    newline: str | None = None) -> str:
    """pathlib.Path(path).read_text(): read_bytes(), decoded as open(mode="r") decodes."""
    encoding = io.text_encoding(encoding)  # its EncodingWarning at the caller's line, as pathlib's
    return _decode(await read_bytes(path), encoding, errors, newline)


async def write_bytes(path: Any, data: Any, *, atomic: bool = False, durable: bool = False) -> int:
    """pathlib.Path(path).write_bytes(data): one chain (open with O_TRUNC, write, close);
    the count written. durable: fsync before the close. atomic: written under a temporary
    name beside path and renamed over it (readers see the old file or the new one, never
    a mix; on error or cancellation before the rename, path is untouched and the
    temporary file removed); with durable, the directory is fsync'ed after the rename."""
    view = memoryview(data)  # pathlib's check: a bytes-like object
    c, shown = _path(path)
    engine = _chain_engine()
    if engine is None or view.nbytes > MAX_IO_LEN:
        return await _SyncSteps(shown, durable).run(view, atomic)
    steps = _EngineSteps(engine, c, shown, durable)
    if atomic:
        await steps.write_atomic(view)
    elif (opened := await steps.write(c, view, os.O_TRUNC)) < 0:
        raise os_error(opened, shown)
    return view.nbytes


async def write_text(path: Any, data: str, encoding: str | None = None, errors: str | None = None,
                     newline: str | None = None, *, atomic: bool = False, durable: bool = False) -> int:
    """pathlib.Path(path).write_text(data): encoded as open(mode="w") encodes, then
    write_bytes(); the count of characters. The text is encoded before the file is
    opened, so an encoding error leaves the file as it was (open() would have truncated it)."""
    if not isinstance(data, str):
        raise TypeError(f"data must be str, not {type(data).__name__}")
    encoding = io.text_encoding(encoding)  # its EncodingWarning at the caller's line, as pathlib's
    await write_bytes(path, _encode(data, encoding, errors, newline), atomic=atomic, durable=durable)
    return len(data)


class _EngineSteps:
    """The writes of one target as chains on the engine."""

    def __init__(self, engine: Engine, c: bytes, shown: Any, durable: bool) -> None:
        self.engine, self.c, self.shown, self.durable = engine, c, shown, durable
        self.flags = _async_flag(engine, c)  # the temporary files are in the target's directory

    async def write(self, c: bytes, view: memoryview, create: int, mode: int = 0o666,
                    owner_of: os.stat_result | None = None) -> int:
        """open(c, O_WRONLY|O_CREAT|create, mode) → write → (fsync) → close: the open's
        result (-EEXIST for an O_EXCL collision), or raises the write's error. owner_of:
        the new file then takes that file's bits and owner (_take_over). Made at once
        where none of it can wait (_raw_now: a RAM-backed file system), else one chain."""
        engine = self.engine
        await api.now_turn(engine, start=True)
        raw, _ = _raw_now(engine, c, os.O_WRONLY | os.O_CREAT | create | platform.OPEN_FLAGS, mode)
        if isinstance(raw, RawFile):
            try:
                while view:
                    n = await raw.write(view)
                    if n == 0:
                        raise OSError(errno.EIO, "write returned 0 bytes")
                    view = view[n:]
                if owner_of is not None and _differs(owner_of):
                    _take_over(raw.fd, owner_of)  # RAM-backed: nothing to wait for
                if self.durable:
                    await raw.sync(False)
            finally:
                await raw.close()
            return 0
        if raw != -errno.EAGAIN:
            return raw
        slot = engine.take_slot()
        if slot is None:
            return await in_thread(None, _SyncSteps(self.shown, self.durable).write_file, c[:-1], view, create, mode)
        try:
            fixed = FLAG_FIXED_FILE | self.flags
            engine.room_for_chain(4 if self.durable else 3)
            steps = [
                engine.openat(c, os.O_WRONLY | os.O_CREAT | create | platform.OPEN_FLAGS, mode, slot=slot,
                              flags=FLAG_LINK | self.flags),
                engine.write(slot, view, 0, flags=_LINKED | fixed),
            ]
            if self.durable:
                steps.append(engine.fsync(slot, flags=_LINKED | fixed))
            steps.append(engine.close_fd(slot, flags=fixed))
            opened, wrote, *rest = await chain(engine, steps)
        finally:
            engine.give_slot(slot)
        if opened < 0:
            return opened
        if wrote < 0:
            raise os_error(wrote)
        if wrote < view.nbytes:  # a short write is finished, never reported as done
            await in_thread(None, _SyncSteps(self.shown, self.durable).finish, c[:-1], view, wrote)
        for res in rest:
            if res < 0:
                raise os_error(res)
        if owner_of is not None and _differs(owner_of):
            await in_thread(None, _take_over, c[:-1], owner_of)
        return opened

    async def write_atomic(self, view: memoryview) -> None:
        """The data under a temporary name beside the target, then renamed over it: the
        target is the old file or the new one, never a mix; on error or cancellation
        before the rename it is untouched and the temporary file is gone. The new file
        keeps the target's permission bits (see _temp_mode)."""
        try:
            target: os.stat_result | None = await aos.stat(self.shown)
        except OSError:  # none to take bits from (the write reports what is wrong, as before)
            target = None
        head, tail = os.path.split(self.c[:-1])
        for _ in range(_TEMP_TRIES):
            temp = os.path.join(head, _temp_name(tail)) + b"\0"
            try:
                opened = await self.write(temp, view, os.O_EXCL, _temp_mode(target), target)
            except BaseException:
                await self._unlink(temp)
                raise
            if opened == -errno.EEXIST:
                continue
            if opened < 0:
                raise os_error(opened, self.shown)
            break
        else:
            raise FileExistsError(errno.EEXIST, "No usable temporary file name found", self.shown)
        try:
            await self._rename(temp)
        except BaseException:
            await self._unlink(temp)
            raise

    async def _rename(self, temp: bytes) -> None:
        engine = self.engine
        await api.now_turn(engine)
        renamed = engine.rename_now(temp, self.c, self.durable)
        if renamed != -errno.EAGAIN:
            if renamed < 0:
                raise os_error(renamed, self.shown)
            return
        slot = engine.take_slot() if self.durable else None
        if slot is None:
            renamed, = await chain(engine, [engine.renameat(AT_FDCWD, temp, AT_FDCWD, self.c, flags=self.flags)])
            if renamed < 0:
                raise os_error(renamed, self.shown)
            if self.durable:
                await in_thread(None, _fsync_dir, os.path.dirname(self.c[:-1]))
            return
        try:
            head = (os.path.dirname(self.c[:-1]) or b".") + b"\0"
            fixed = FLAG_FIXED_FILE | self.flags
            engine.room_for_chain(4)
            renamed, opened, synced, closed = await chain(engine, [
                engine.renameat(AT_FDCWD, temp, AT_FDCWD, self.c, flags=FLAG_LINK | self.flags),
                engine.openat(head, os.O_RDONLY | _O_DIRECTORY | platform.OPEN_FLAGS, 0, slot=slot,
                              flags=FLAG_LINK | self.flags),
                engine.fsync(slot, flags=_LINKED | fixed),
                engine.close_fd(slot, flags=fixed),
            ])
        finally:
            engine.give_slot(slot)
        if renamed < 0:
            raise os_error(renamed, self.shown)
        for res in (opened, synced, closed):
            if res < 0:
                raise os_error(res)

    async def _unlink(self, temp: bytes) -> None:
        await result(self.engine, self.engine.unlinkat(AT_FDCWD, temp, flags=self.flags), cancel=False)


def _temp_mode(target: os.stat_result | None) -> int:
    """The mode an atomic write creates its temporary with. Over an existing target:
    0600, nobody else's until the target's own bits are set on it before the rename
    (_take_over); a new target: the mode open() gives a new file (0666 less the umask,
    which the kernel applies)."""
    return 0o666 if target is None else 0o600


def _differs(target: os.stat_result) -> bool:
    """_take_over has something to do: the target's bits are not the temporary's 0600,
    or, as root, its owner is not the writer."""
    return stat.S_IMODE(target.st_mode) != 0o600 or (_AS_ROOT and (target.st_uid, target.st_gid) != _WRITER)


def _take_over(temp: bytes | int, target: os.stat_result) -> None:
    """Gives the temporary (by path, or by descriptor while it is open) the target's
    permission bits (set-id and sticky bits too) and, as root, its owner and group
    (chown first: it clears the set-id bits). Not copied: ACLs and extended attributes;
    a non-root writer owns the new file."""
    if sys.platform != "win32" and _AS_ROOT and (target.st_uid, target.st_gid) != _WRITER:
        os.chown(temp, target.st_uid, target.st_gid)
    os.chmod(temp, stat.S_IMODE(target.st_mode))


def _temp_name(tail: bytes) -> bytes:
    return b"." + tail + b"." + os.urandom(6).hex().encode() + b".tmp"


def _fsync_dir(head: bytes) -> None:
    if not platform.FSYNC_DIRECTORIES:
        return
    fd = os.open(head or b".", os.O_RDONLY | _O_DIRECTORY | platform.OPEN_FLAGS)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_from(fd: int, view: memoryview, done: int) -> None:
    """Writes view[done:] at offset done, however many calls that takes."""
    os.lseek(fd, done, os.SEEK_SET)  # no os.pwrite on Windows
    api.write_all_now(lambda rest, _off: os.write(fd, rest), view[done:], -1)


def _read_sync(path: Any) -> bytes:
    with open(path, "rb") as f:
        return f.read()


class _SyncSteps:
    """_EngineSteps' contract as plain calls, for a thread: where the engine has no
    direct descriptors, and to finish a short write."""

    def __init__(self, shown: Any, durable: bool) -> None:
        self.shown, self.durable = shown, durable
        self.cancelled = False  # set by the caller's task: an atomic write stops before its rename

    async def run(self, view: memoryview, atomic: bool) -> int:
        """write() on a thread. A cancelled task waits it out, as a cancelled chain is
        waited out, then raises: an atomic write removes its temporary instead of renaming
        it, so the target is the old file, or the new one if the rename came first."""
        return await requests.in_thread_waited(None, self.write, view, atomic, on_cancel=self.cancel)

    def cancel(self) -> None:
        self.cancelled = True

    def write(self, view: memoryview, atomic: bool) -> int:
        target = os.fsencode(self.shown)
        if not atomic:
            self.write_file(target, view, os.O_TRUNC)
            return view.nbytes
        try:
            st: os.stat_result | None = os.stat(target)
        except OSError:  # as in _EngineSteps.write_atomic
            st = None
        head, tail = os.path.split(target)
        for _ in range(_TEMP_TRIES):
            temp = os.path.join(head, _temp_name(tail))
            if self.write_file(temp, view, os.O_EXCL, _temp_mode(st)) == -errno.EEXIST:
                continue
            if self.cancelled:
                os.unlink(temp)
                return 0  # the caller raises CancelledError
            try:
                if st is not None and _differs(st):
                    _take_over(temp, st)
                os.replace(temp, target)
            except OSError as e:
                os.unlink(temp)
                raise OSError(e.errno, e.strerror, self.shown) from None
            if self.durable:
                _fsync_dir(head)
            return view.nbytes
        raise FileExistsError(errno.EEXIST, "No usable temporary file name found", self.shown)

    def write_file(self, path: bytes, view: memoryview, create: int, mode: int = 0o666) -> int:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | create | platform.OPEN_FLAGS, mode)
        except FileExistsError:
            if create & os.O_EXCL:
                return -errno.EEXIST
            raise
        except OSError as e:
            raise OSError(e.errno, e.strerror, self.shown) from None
        try:
            _write_from(fd, view, 0)
            if self.durable:
                os.fsync(fd)
        except BaseException:
            os.close(fd)
            if create & os.O_EXCL:
                os.unlink(path)
            raise
        os.close(fd)
        return 0

    def finish(self, path: bytes, view: memoryview, done: int) -> None:
        fd = os.open(path, os.O_WRONLY | platform.OPEN_FLAGS)
        try:
            _write_from(fd, view, done)
            if self.durable:
                os.fsync(fd)
        finally:
            os.close(fd)


async def each(items: Iterable[T], fn: Callable[[T], Awaitable[R]], max_concurrency: int) -> list[R]:
    """fn of every item, at most max_concurrency at a time; results in input order. The
    first error (in input order) is raised once every call has finished: none is left
    running on a file its caller goes on to close."""
    if max_concurrency < 1:
        raise ValueError("max_concurrency must be at least 1")
    todo = list(items)
    results: list[Any] = [None] * len(todo)
    errors: list[BaseException | None] = [None] * len(todo)
    work = iter(range(len(todo)))

    async def worker() -> None:
        for i in work:
            try:
                results[i] = await fn(todo[i])
            except Exception as e:
                errors[i] = e

    await asyncio.gather(*(worker() for _ in range(min(max_concurrency, len(todo)))))
    for e in errors:
        if e is not None:
            raise e
    return results


async def read_bytes_many(paths: Iterable[Any], *, max_concurrency: int = 64) -> list[bytes]:
    """read_bytes() of each path, max_concurrency at a time (their chains share
    submissions); results in order; the first error is raised once all have finished."""
    return await each(paths, read_bytes, max_concurrency)


async def read_text_many(paths: Iterable[Any], encoding: str | None = None, errors: str | None = None,
                         newline: str | None = None, *, max_concurrency: int = 64) -> list[str]:
    """read_text() of each path, as read_bytes_many()."""
    encoding = io.text_encoding(encoding)
    return await each(paths, lambda p: read_text(p, encoding, errors, newline), max_concurrency)


async def write_bytes_many(pairs: Iterable[tuple[Any, Any]], *, max_concurrency: int = 64, atomic: bool = False,
                           durable: bool = False) -> list[int]:
    """write_bytes() of each (path, data), as read_bytes_many()."""
    return await each(pairs, lambda pd: write_bytes(pd[0], pd[1], atomic=atomic, durable=durable), max_concurrency)


async def write_text_many(pairs: Iterable[tuple[Any, str]], encoding: str | None = None, errors: str | None = None,
                          newline: str | None = None, *, max_concurrency: int = 64, atomic: bool = False,
                          durable: bool = False) -> list[int]:
    """write_text() of each (path, text), as read_bytes_many()."""
    encoding = io.text_encoding(encoding)
    return await each(pairs, lambda pd: write_text(pd[0], pd[1], encoding, errors, newline, atomic=atomic,
                                                   durable=durable), max_concurrency)

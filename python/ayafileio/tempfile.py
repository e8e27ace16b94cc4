"""aiofiles.tempfile's four factories over ayafileio files: each call can be awaited or
used with ``async with``. The file or directory is created by the engine (openat with
O_EXCL or O_TMPFILE, mkdirat) under tempfile's names and modes, and removed also when
the task is cancelled inside the block. Names come from tempfile's own generator
(tempfile._get_candidate_names and _sanitize_params, which aiofiles reaches through
tempfile itself).

``delete_on_close=`` is accepted on every Python version (tempfile has it from 3.12).
``loop``/``executor``: as in ayafileio.os.
"""

from __future__ import annotations

import errno
import io
import os
import sys
import tempfile as _tempfile
from collections.abc import Generator
from concurrent.futures import Executor
from types import TracebackType
from typing import Any

from .os import requests, tree
from . import _versions
from .io.answer import AwaitableBool, answer
from .io.file import AsyncFile
from .io.open import open as aopen
from .io.lines import ReadlineIteration
from .engine.records import AT_FDCWD, OP_MKDIRAT, OP_OPENAT, OP_UNLINKAT, OP_WRITE
from .engine.api import os_error, result
from .os.requests import in_thread
from .engine import api, platform

__all__ = ["TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile", "TemporaryDirectory"]

# The running tempfile's own rule (os.name == "posix"): whether a temporary file can lose
# its name while it is open (Windows cannot remove an open file; there the two are one
# function, to the type checker too).
_UNNAMED = bool(_tempfile.TemporaryFile is not _tempfile.NamedTemporaryFile)  # type: ignore[comparison-overlap, unused-ignore]
# mkstemp's flags (tempfile._bin_openflags) and the descriptor os.open() would make:
# not inherited (PEP 446), which an OPENAT on the engine is only when asked.
_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | platform.OPEN_FLAGS


async def _params(prefix: Any, suffix: Any, dir: Any, executor: Executor | None) -> tuple[Any, Any, Any]:
    if dir is None and _tempfile.tempdir is None:
        await in_thread(executor, _tempfile.gettempdir)  # its first call probes directories
    # mkstemp's argument rules (defaults, one of str or bytes) have no public form.
    prefix, suffix, dir, _ = _tempfile._sanitize_params(prefix, suffix, dir)  # type: ignore[attr-defined]
    return prefix, suffix, dir


async def _submit_or_clean(op: int, c: bytes, flags: int, mode: int, named: bool = True) -> int:
    """One OPENAT/MKDIRAT on the engine: its result. If the task is cancelled meanwhile,
    what the request created is closed and (when named) removed before CancelledError
    propagates."""
    engine = requests.engine_for(op)
    assert engine is not None

    def remove(res: int) -> None:
        if op == OP_OPENAT:
            os.close(res)
        if named:
            (os.rmdir if op == OP_MKDIRAT else os.unlink)(c[:-1])

    req = engine.openat(c, flags, mode) if op == OP_OPENAT else engine.mkdirat(AT_FDCWD, c, mode)
    return await result(engine, req, undo=remove)


async def _make(op: int, prefix: Any, suffix: Any, dir: Any, executor: Executor | None) -> tuple[int, Any]:
    """tempfile._mkstemp_inner / mkdtemp over the engine: (descriptor or -1, path)."""
    prefix, suffix, dir = await _params(prefix, suffix, dir, executor)
    if requests.engine_for(op) is None:  # what a cancelled task's thread made is removed
        if op == OP_MKDIRAT:
            return -1, await requests.in_thread_waited(executor, _tempfile.mkdtemp, suffix, prefix, dir,
                                                      undo=os.rmdir)
        return await requests.in_thread_waited(executor, _tempfile.mkstemp, suffix, prefix, dir, undo=_unmake)
    # tempfile's name generator has no public form; with it the names are those mkstemp tries.
    names = _tempfile._get_candidate_names()  # type: ignore[attr-defined]
    if isinstance(dir, bytes):
        names = map(os.fsencode, names)
    for _ in range(_tempfile.TMP_MAX):
        path = os.path.abspath(os.path.join(dir, prefix + next(names) + suffix))
        sys.audit("tempfile.mkdtemp" if op == OP_MKDIRAT else "tempfile.mkstemp", path)
        res = await _submit_or_clean(op, os.fsencode(path) + b"\0", _FLAGS if op == OP_OPENAT else 0, 0o700
                                     if op == OP_MKDIRAT else 0o600)
        if res == -errno.EEXIST:
            continue
        if res < 0:
            raise os_error(res, path)
        return (res if op == OP_OPENAT else -1), path
    raise FileExistsError(errno.EEXIST, "No usable temporary file name found")


def _unmake(made: tuple[int, Any]) -> None:
    os.close(made[0])
    os.unlink(made[1])


async def _remove(path: Any) -> None:
    """Removes a temporary file, to its end even if the task is cancelled again."""
    engine = requests.engine_for(OP_UNLINKAT)
    if engine is None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        return
    await result(engine, engine.unlinkat(AT_FDCWD, os.fsencode(path) + b"\0"), cancel=False)


async def _write_all(fd: int, data: bytes) -> None:
    engine = requests.engine_for(OP_WRITE)
    if engine is None:
        await in_thread(None, api.write_all_now, lambda rest, _off: os.write(fd, rest), data, -1)
        return
    await api.write_all(engine, fd, data, 0)


async def _unnamed(prefix: Any, suffix: Any, dir: Any, executor: Executor | None) -> tuple[int, Any]:
    """tempfile.TemporaryFile's descriptor, and the path to remove once it is closed
    (None: it has none). O_TMPFILE where the file system has it, else a named file
    unlinked at once, or, where an open file cannot lose its name (Windows), kept."""
    if hasattr(os, "O_TMPFILE") and requests.engine_for(OP_OPENAT) is not None:
        prefix, suffix, dir = await _params(prefix, suffix, dir, executor)
        flags = (_FLAGS | os.O_TMPFILE) & ~os.O_CREAT
        res = await _submit_or_clean(OP_OPENAT, os.fsencode(dir) + b"\0", flags, 0o600, named=False)
        if res >= 0:
            return res, None
        if res not in (-errno.EISDIR, -errno.EOPNOTSUPP, -errno.EINVAL):
            raise os_error(res, dir)
    fd, path = await _make(OP_OPENAT, prefix, suffix, dir, executor)
    if not _UNNAMED:
        return fd, path
    await _remove(path)
    return fd, None


async def _wrap(fd: int, mode: str, buffering: int, encoding: str | None, newline: str | None,
                errors: str | None) -> AsyncFile[Any]:
    try:
        return await aopen(fd, mode, buffering, encoding, errors, newline, True, None)
    except BaseException:
        os.close(fd)
        raise


class _Context:
    """What each factory returns: await it, or use it with ``async with``."""

    def __init__(self, make: Any) -> None:
        self._make = make
        self._obj: Any = None

    def __await__(self) -> Generator[Any, None, Any]:
        return self._make().__await__()  # type: ignore[no-any-return]

    async def __aenter__(self) -> Any:
        self._obj = await self._make()
        return await self._obj.__aenter__()

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self._obj.__aexit__(et, e, tb)


def TemporaryFile(mode: str = "w+b", buffering: int = -1, encoding: str | None = None, newline: str | None = None,
                  suffix: Any = None, prefix: Any = None, dir: Any = None, *, errors: str | None = None,
                  loop: Any = None, executor: Executor | None = None) -> Any:
    """tempfile.TemporaryFile(): an ayafileio file with no name in the file system, or,
    where tempfile's is its NamedTemporaryFile (Windows cannot remove an open file), a
    named one removed when it is closed."""
    if not _UNNAMED:
        return NamedTemporaryFile(mode, buffering, encoding, newline, suffix, prefix, dir, errors=errors,
                                  executor=executor)

    async def make() -> AsyncFile[Any]:
        fd, _ = await _unnamed(prefix, suffix, dir, executor)  # a name it keeps: NamedTemporaryFile above
        return await _wrap(fd, mode, buffering, encoding, newline, errors)
    return _Context(make)


class NamedTemporaryFileWrapper:
    """tempfile._TemporaryFileWrapper's counterpart: the ayafileio file (``file``) under
    its path (``name``), removed on close (delete and delete_on_close) or when the
    ``async with`` block ends (delete), also when the task was cancelled."""

    def __init__(self, file: AsyncFile[Any], name: Any, delete: bool, delete_on_close: bool) -> None:
        self.file, self.name, self.delete, self._delete_on_close = file, name, delete, delete_on_close
        self._removed = False

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.file, attr)

    def __aiter__(self) -> Any:
        return self.file.__aiter__()

    async def _remove_once(self) -> None:
        if not self._removed:
            self._removed = True
            await _remove(self.name)

    async def close(self) -> None:
        try:
            await self.file.close()
        finally:
            if self.delete and self._delete_on_close:
                await self._remove_once()

    async def __aenter__(self) -> NamedTemporaryFileWrapper:
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.file.close()
        finally:
            if self.delete:
                await self._remove_once()


def NamedTemporaryFile(mode: str = "w+b", buffering: int = -1, encoding: str | None = None,
                       newline: str | None = None, suffix: Any = None, prefix: Any = None, dir: Any = None,
                       delete: bool = True, *, errors: str | None = None, delete_on_close: bool = True,
                       loop: Any = None, executor: Executor | None = None) -> Any:
    """tempfile.NamedTemporaryFile(): an ayafileio file at a fresh path."""
    async def make() -> NamedTemporaryFileWrapper:
        fd, path = await _make(OP_OPENAT, prefix, suffix, dir, executor)
        try:
            f = await _wrap(fd, mode, buffering, encoding, newline, errors)
        except BaseException:
            await _remove(path)
            raise
        return NamedTemporaryFileWrapper(f, path, delete, delete_on_close)
    return _Context(make)


class SpooledTemporaryFile(ReadlineIteration):
    """tempfile.SpooledTemporaryFile(): in memory (io.BytesIO, or io.TextIOWrapper over
    one) until it grows past max_size or fileno() is asked for, then an ayafileio
    TemporaryFile holding the same bytes at the same position. The in-memory methods do
    no I/O; after the rollover each call is the file's."""

    def __init__(self, max_size: int = 0, mode: str = "w+b", buffering: int = -1, encoding: str | None = None,
                 newline: str | None = None, suffix: Any = None, prefix: Any = None, dir: Any = None, *,
                 errors: str | None = None, loop: Any = None, executor: Executor | None = None) -> None:
        self._mem: Any = io.BytesIO() if "b" in mode else io.TextIOWrapper(
            io.BytesIO(), encoding=io.text_encoding(encoding), errors=errors, newline=newline)
        self._file: AsyncFile[Any] | None = None
        self._path: Any = None  # the rolled-over file's, where it keeps one until closed (_unnamed)
        self._max_size, self._mode = max_size, mode
        self._args = (buffering, encoding, newline, suffix, prefix, dir, errors, executor)

    @property
    def _rolled(self) -> bool:
        return self._file is not None

    async def rollover(self) -> None:
        if self._file is not None:
            return
        buffering, encoding, newline, suffix, prefix, dir, errors, executor = self._args
        pos = self._mem.tell()
        data = self._mem.getvalue() if "b" in self._mode else self._mem.detach().getvalue()
        fd, self._path = await _unnamed(prefix, suffix, dir, executor)
        try:
            await _write_all(fd, data)
        except BaseException:
            os.close(fd)
            await self._remove_path()
            raise
        self._file = await _wrap(fd, self._mode, buffering, encoding, newline, errors)
        await self._file.seek(pos)  # a text position is io's cookie, which ayafileio's text files share
        self._mem = None

    async def _check(self) -> None:
        if self._file is None and self._max_size and self._mem.tell() > self._max_size:
            await self.rollover()

    async def write(self, s: Any) -> int:
        if self._file is not None:
            return await self._file.write(s)
        n: int = self._mem.write(s)
        await self._check()
        return n

    async def writelines(self, lines: Any) -> None:
        if self._file is not None:
            await self._file.writelines(lines)
            return
        self._mem.writelines(lines)
        await self._check()

    async def read(self, size: int = -1) -> Any:
        return await self._file.read(size) if self._file is not None else self._mem.read(size)

    async def read1(self, size: int = -1) -> Any:
        rolled: Any = self._file  # a binary kind has read1; a text one raises AttributeError, as io's does
        return await rolled.read1(size) if rolled is not None else self._mem.read1(size)

    async def readline(self, size: int = -1) -> Any:
        return await self._file.readline(size) if self._file is not None else self._mem.readline(size)

    async def readlines(self, hint: int = -1) -> list[Any]:
        return await self._file.readlines(hint) if self._file is not None else self._mem.readlines(hint)

    async def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return await self._file.seek(offset, whence) if self._file is not None else self._mem.seek(offset, whence)

    async def tell(self) -> int:
        return await self._file.tell() if self._file is not None else int(self._mem.tell())

    async def flush(self) -> None:
        if self._file is not None:
            await self._file.flush()
        else:
            self._mem.flush()

    async def truncate(self, size: int | None = None) -> int | None:
        if self._file is None and (size is None or size <= self._max_size):
            n = int(self._mem.truncate(size))
        else:
            await self.rollover()
            assert self._file is not None
            n = await self._file.truncate(size)
        return n if _versions.SPOOLED_TRUNCATE_RETURNS_SIZE else None

    async def fileno(self) -> int:
        await self.rollover()
        assert self._file is not None
        return self._file.fileno()

    async def close(self) -> None:
        if self._file is not None:
            try:
                await self._file.close()
            finally:
                await self._remove_path()
        else:
            self._mem.close()

    async def _remove_path(self) -> None:
        path, self._path = self._path, None
        if path is not None:
            await _remove(path)

    def _answer(self, name: str) -> AwaitableBool:
        return getattr(self._file, name)() if self._file is not None else answer(getattr(self._mem, name)())

    def readable(self) -> AwaitableBool:
        """io's bool, and aiofiles' awaitable (as every ayafileio file's)."""
        return self._answer("readable")

    def writable(self) -> AwaitableBool:
        return self._answer("writable")

    def seekable(self) -> AwaitableBool:
        return self._answer("seekable")

    def isatty(self) -> AwaitableBool:
        return self._answer("isatty")

    @property
    def closed(self) -> bool:
        return self._file.closed if self._file is not None else bool(self._mem.closed)

    @property
    def mode(self) -> str:
        return self._file.mode if self._file is not None else self._mode

    @property
    def name(self) -> Any:
        return self._file.name if self._file is not None else None

    @property
    def encoding(self) -> Any:
        return getattr(self._file if self._file is not None else self._mem, "encoding", None)

    @property
    def errors(self) -> Any:
        return getattr(self._file if self._file is not None else self._mem, "errors", None)

    @property
    def newlines(self) -> Any:
        return getattr(self._file if self._file is not None else self._mem, "newlines", None)

    async def __aenter__(self) -> SpooledTemporaryFile:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __await__(self) -> Generator[Any, None, SpooledTemporaryFile]:
        yield from ()
        return self


class TemporaryDirectory:
    """tempfile.TemporaryDirectory(): ``async with`` gives the path and removes the tree at
    the end (also when the task was cancelled); ``await`` gives this object, with
    ``name`` and ``cleanup()``."""

    def __init__(self, suffix: Any = None, prefix: Any = None, dir: Any = None, ignore_cleanup_errors: bool = False,
                 *, delete: bool = True, loop: Any = None, executor: Executor | None = None) -> None:
        self._args = (prefix, suffix, dir, executor)
        self._ignore, self._delete = ignore_cleanup_errors, delete
        self.name: Any = None

    async def _create(self) -> TemporaryDirectory:
        if self.name is None:
            _, self.name = await _make(OP_MKDIRAT, *self._args)
        return self

    def __await__(self) -> Generator[Any, None, TemporaryDirectory]:
        return self._create().__await__()

    async def cleanup(self) -> None:
        if self.name is not None:
            await tree.rmtree(self.name, self._ignore, None, None, None, self._args[3])

    async def __aenter__(self) -> Any:
        await self._create()
        return self.name

    async def __aexit__(self, *exc: object) -> None:
        if self._delete:
            await self.cleanup()

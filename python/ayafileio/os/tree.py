"""Directories: scandir() and listdir() fetching entries in batches off the loop (getdents64
on the engine's workers into one reused buffer), os.DirEntry's twin, walk() with os.walk's
semantics, and rmtree() with shutil.rmtree's, its unlinks sent as linked chains.
"""

from __future__ import annotations

import asyncio
import errno
import itertools
import os
import stat
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from types import GenericAlias
from typing import Any, Union

from ..engine import driver, kernel, platform
from . import requests
from .. import _versions
from ..engine.records import AT_FDCWD, FLAG_LINK, OP_CLOSE, OP_GETDENTS, OP_OPENAT, OP_STATX, OP_UNLINKAT
from ..engine.api import Engine, now_turn, os_error, result
from .requests import path_arg
from ..engine.kernel import AT_REMOVEDIR, DT_DIR, DT_LNK, DT_REG, DT_UNKNOWN, PathArg

_BATCH_BYTES = 65536  # one request: some 1,500 entries, about a millisecond to make entries of
_LISTING_OPS = (OP_OPENAT, OP_GETDENTS, OP_CLOSE, OP_STATX)
_WALK_AHEAD = 2  # directories walk() lists ahead of the one it is at
_UNLINK_CHAIN = 32  # unlinks linked into one chain: they run in order and stop at the first failure


class DirEntry:
    """os.DirEntry's twin (os.DirEntry cannot be created from Python): the same attributes,
    methods, caching and errors. Like os.DirEntry, is_dir()/is_file()/stat() may make a
    system call on the calling thread; scandir() already fetched the answers for symbolic
    links and unknown types through the engine, so for walk-style use they do not."""

    __slots__ = ("name", "_base", "_type", "_ino", "_dir_fd", "_stat", "_lstat")

    # _stat and _lstat, the cached answers, are set when first fetched (a listing makes
    # thousands of entries that are never asked).
    _stat: os.stat_result
    _lstat: os.stat_result

    def __init__(self, name: Any, base: Any, d_type: int, ino: int, dir_fd: int | None) -> None:
        self.name, self._base = name, base  # base: the directory as given; None for a descriptor
        self._type, self._ino, self._dir_fd = d_type, ino, dir_fd

    @property
    def path(self) -> Any:
        """The directory joined with the name, as os.DirEntry's (only the name for a
        descriptor); made when asked, since walk() and listing never ask."""
        return self.name if self._base is None else _join(self._base, self.name)

    def inode(self) -> int:
        return self._ino

    def is_symlink(self) -> bool:
        if self._type != DT_UNKNOWN:
            return self._type == DT_LNK
        return self._stat_is(False, stat.S_IFLNK)

    def is_dir(self, *, follow_symlinks: bool = True) -> bool:
        known = (_DIR_FOLLOWED if follow_symlinks else _DIR)[self._type]
        return self._stat_is(follow_symlinks, stat.S_IFDIR) if known is None else known

    def is_file(self, *, follow_symlinks: bool = True) -> bool:
        known = (_FILE_FOLLOWED if follow_symlinks else _FILE)[self._type]
        return self._stat_is(follow_symlinks, stat.S_IFREG) if known is None else known

    def is_junction(self) -> bool:
        return False

    def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
        if not follow_symlinks:
            return self._get_lstat()
        try:
            return self._stat
        except AttributeError:
            self._stat = self._fetch(True) if self.is_symlink() else self._get_lstat()
            return self._stat

    def _get_lstat(self) -> os.stat_result:
        try:
            return self._lstat
        except AttributeError:
            self._lstat = self._fetch(False)
            return self._lstat

    def _fetch(self, follow: bool) -> os.stat_result:
        if self._dir_fd is not None:
            return os.stat(self.name, dir_fd=self._dir_fd, follow_symlinks=follow)
        return os.stat(self.path, follow_symlinks=follow)

    def _stat_is(self, follow: bool, bits: int) -> bool:
        """Whether the entry is of type bits, asked of its stat: where the d_type does not tell."""
        try:
            st = self.stat(follow_symlinks=follow)
        except FileNotFoundError:
            return False
        return stat.S_IFMT(st.st_mode) == bits

    def prefetched(self, st: os.stat_result) -> None:
        """Takes the stat (or for an unknown type, lstat) result fetched by the engine."""
        if self._type == DT_LNK:
            self._stat = st
        else:
            self._lstat = st
            if not stat.S_ISLNK(st.st_mode):
                self._stat = st

    def __fspath__(self) -> Any:
        return self.path

    def __repr__(self) -> str:
        return f"<DirEntry {self.name!r}>"

    __class_getitem__: Any = classmethod(GenericAlias)


Entry = Union[DirEntry, "os.DirEntry[Any]"]
# A walked entry: its name, is_dir() when the d_type tells, else the entry to ask.
Walked = tuple[Any, bool, Union[Entry, None]]


def known_mode(d_type: int, follow: bool, bits: int) -> bool | None:
    """posixmodule.c's DirEntry_test_mode for S_IFDIR/S_IFREG: what the d_type alone
    answers, or None where it takes a stat (an unknown type, a link to follow)."""
    if d_type == DT_UNKNOWN or (follow and d_type == DT_LNK):
        return None
    if d_type == DT_LNK:
        return False
    return d_type == (DT_DIR if bits == stat.S_IFDIR else DT_REG)


# known_mode() of every d_type (a byte), for the four questions DirEntry's is_dir() and
# is_file() ask (and walk() of a listing's batch), looked up by index: they run once per
# entry of a listing.
_DIR, _DIR_FOLLOWED, _FILE, _FILE_FOLLOWED = (
    tuple(known_mode(d_type, follow, bits) for d_type in range(256))
    for bits in (stat.S_IFDIR, stat.S_IFREG) for follow in (False, True))


# posixmodule.c's join_path_filename: os.sep, added after none of these (on Windows, a
# drive's colon either).
_JOIN_AFTER = os.sep + (os.altsep or "") + (":" if sys.platform == "win32" else "")


def _join(path: Any, name: Any) -> Any:
    """A DirEntry's path, as os.scandir() makes it."""
    after: Any = os.fsencode(_JOIN_AFTER) if isinstance(name, bytes) else _JOIN_AFTER
    sep: Any = os.fsencode(os.sep) if isinstance(name, bytes) else os.sep
    return path + name if not path or path[-1:] in after else path + sep + name


class _EngineChunk:
    """One batch of a directory read by the engine: the names, and entries made on demand."""

    __slots__ = ("names", "_types", "_inos", "_base", "_dir_fd")

    def __init__(self, names: list[Any], types: bytes, inos: tuple[int, ...], base: Any, dir_fd: int | None) -> None:
        self.names, self._types, self._inos, self._base, self._dir_fd = names, types, inos, base, dir_fd

    def entries(self) -> Iterator[Entry]:
        """The entries, each made as it is taken."""
        return map(DirEntry, self.names, itertools.repeat(self._base), self._types, self._inos,
                   itertools.repeat(self._dir_fd))

    def has_untyped(self) -> bool:
        """Whether an entry is a symbolic link or of unknown type (prefetch has work):
        one scan of the d_types in C, not one step per entry."""
        return DT_LNK in self._types or DT_UNKNOWN in self._types

    def walked(self) -> list[Walked]:
        """Each entry as walk() needs it: no entry made where the d_type answers."""
        dir_followed, base, dir_fd = _DIR_FOLLOWED, self._base, self._dir_fd
        return [(n, known, None) if (known := dir_followed[t]) is not None
                else (n, False, DirEntry(n, base, t, i, dir_fd))
                for n, t, i in zip(self.names, self._types, self._inos)]


class _EngineDir:
    """A directory read through the engine: the first request opens it by path, each
    returns a batch, and the one that reaches the end closes it. at_once: batches are
    made on the loop's thread where that cannot wait (see read_dirents)."""

    def __init__(self, engine: Engine, p: PathArg, at_once: bool) -> None:
        self.engine, self.p, self.at_once = engine, p, at_once
        self.fd = -1
        self.ended = False
        self.buf = bytearray(_BATCH_BYTES)
        self.as_bytes = isinstance(p.shown, bytes)

    async def read(self) -> _EngineChunk | None:
        """The next batch of entries; None at the end."""
        while not self.ended:
            if self.fd < 0:  # by path, or "." relative to a descriptor given instead
                got = await read_dirents(self.engine, self.buf, self.p.shown, self.as_bytes,
                                         path=self.p.c if self.p.fd is None else b".\0",
                                         dirfd=AT_FDCWD if self.p.fd is None else self.p.fd, at_once=self.at_once)
            else:
                got = await read_dirents(self.engine, self.buf, self.p.shown, self.as_bytes, fd=self.fd, close=True,
                                         at_once=self.at_once)
            self.fd, self.ended = got.fd, got.ended
            if got.names:
                return _EngineChunk(got.names, got.types, got.inos, None if self.p.fd is not None else self.p.shown,
                                    self.p.fd)
        return None

    async def prefetch(self, entries: list[Entry]) -> None:
        """Fetches through the engine what is_dir()/is_file() would otherwise ask a
        system call for: the target of each link, the lstat of each unknown type."""
        async def one(e: DirEntry) -> None:
            p = (PathArg(os.fsencode(e.name) + b"\0", None, e.name) if self.p.fd is not None
                 else path_arg("stat", "path", e.path))
            try:
                st = await kernel.statx(self.engine, p, AT_FDCWD if self.p.fd is None else self.p.fd,
                                         e._type == DT_LNK)
            except OSError:
                return  # answered (and raised) by a system call if anyone asks
            e.prefetched(st)

        todo = [e for e in entries if isinstance(e, DirEntry) and e._type in (DT_LNK, DT_UNKNOWN)]
        if todo:
            await asyncio.gather(*(one(e) for e in todo))

    async def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            await result(self.engine, self.engine.close_fd(fd), cancel=False)

    def close_now(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


async def read_dirents(engine: Engine, buf: bytearray, shown: Any, as_bytes: bool, *, fd: int = -1,
                       path: bytes | None = None, dirfd: int = AT_FDCWD, close: bool = False,
                       at_once: bool = False) -> kernel.Dirents:
    """One OP_GETDENTS into buf, of descriptor fd or of the directory at path (which the
    engine opens, and closes at the end). at_once: made on the loop's thread where it
    cannot wait (a RAM-backed file system: Engine.getdents_now), for a caller with nothing
    to do meanwhile (listdir: 1.2-1.7x the entries/s on tmpfs); one that lists ahead
    while it works through what it has (walk: 0.65x at once, scandir: no gain) keeps the
    engine's workers, on another core. A descriptor the engine opened for a task that
    was cancelled meanwhile is closed."""
    res = -errno.EAGAIN
    if at_once:
        await now_turn(engine)
        res = engine.getdents_now(fd, buf, path=path, dirfd=dirfd, close=close)
    if res == -errno.EAGAIN:
        req = engine.getdents(fd, buf, path=path, dirfd=dirfd, close=close)

        def close_opened(res: int) -> None:
            if path is not None and (opened := kernel.dirents(buf, res, as_bytes).fd) >= 0:
                os.close(opened)

        res = await result(engine, req, undo=close_opened)
    if res < 0:
        raise os_error(res, shown)
    return kernel.dirents(buf, res, as_bytes)


class _ThreadChunk:
    __slots__ = ("names", "_entries")

    def __init__(self, entries: list[Entry]) -> None:
        self.names, self._entries = [e.name for e in entries], entries

    def entries(self) -> Iterator[Entry]:
        return iter(self._entries)

    def has_untyped(self) -> bool:
        return False  # os.DirEntry asks on its own

    def walked(self) -> list[Walked]:
        return [(e.name, False, e) for e in self._entries]


class _ThreadDir:
    """The same contract over os.scandir() on a thread, for engines without getdents64."""

    def __init__(self, value: Any, executor: Executor | None) -> None:
        self.value, self.executor = value, executor
        self.it: Any = None

    async def read(self) -> _ThreadChunk | None:
        # Waited out when cancelled: the iterator a cancelled os.scandir() made is closed,
        # and a cancelled batch is not closed under the thread still reading it.
        if self.it is None:
            self.it = await requests.in_thread_waited(self.executor, os.scandir, self.value, undo=_close_iterator)
        got: list[Entry] = await requests.in_thread_waited(self.executor, _take, self.it, 512)
        if not got:
            self.close_now()
            return None
        return _ThreadChunk(got)

    async def prefetch(self, entries: list[Entry]) -> None:
        pass  # os.DirEntry answers from its own d_type

    async def close(self) -> None:
        self.close_now()

    def close_now(self) -> None:
        if self.it is not None:
            self.it.close()


def _close_iterator(it: Any) -> None:
    it.close()


def _take(it: Iterator[Entry], n: int) -> list[Entry]:
    out = []
    for e in it:
        out.append(e)
        if len(out) == n:
            break
    return out


async def open_dir(engine: Engine, c: bytes, dirfd: int, shown: Any) -> int:
    """os.open(c, O_RDONLY, dir_fd=dirfd) by the engine, as shutil.rmtree opens each
    directory; not leaked if the task is cancelled."""
    res = await result(engine, engine.openat(c, os.O_RDONLY | platform.OPEN_FLAGS, 0, dirfd=dirfd), undo=os.close)
    if res < 0:
        raise os_error(res, shown)
    return res


class ScandirIterator:
    """What awaiting scandir() gives, as os.scandir() does: an iterator of the entries
    (all fetched already), usable with ``with`` and close()."""

    def __init__(self, entries: Iterator[Entry]) -> None:
        self._it = entries

    def __iter__(self) -> ScandirIterator:
        return self

    def __next__(self) -> Entry:
        return next(self._it)

    def close(self) -> None:
        self._it = iter(())

    def __enter__(self) -> ScandirIterator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Scandir:
    """What ayafileio.os.scandir() returns. ``await scandir(p)`` gives an iterator of all
    the entries (aiofiles' form); ``async for e in scandir(p)`` fetches them in batches as
    it goes. Either way the directory is read off the event loop's thread."""

    def __init__(self, path: Any, executor: Executor | None, func: str = "scandir", at_once: bool = False) -> None:
        p = path_arg(func, "path", path, allow_fd=getattr(os, func) in os.supports_fd, nullable=True)
        engine = requests.engine_for(OP_GETDENTS)
        if engine is not None and all(op in engine.ops for op in _LISTING_OPS):
            self._dir: _EngineDir | _ThreadDir = _EngineDir(engine, p, at_once)
        else:
            self._dir = _ThreadDir(path if path is not None else ".", executor)
        self._pending: Iterator[Entry] = iter(())  # the batch being taken
        self._done = False

    def __await__(self) -> Any:
        return self._all().__await__()

    async def _all(self) -> ScandirIterator:
        batches = [self._pending]  # (what an async for left, were one begun)
        self._pending = iter(())
        while (got := await self.chunk()) is not None:
            batches.append(await self.entries(got))  # by batches: no step per entry
        return ScandirIterator(itertools.chain.from_iterable(batches))

    def __aiter__(self) -> Scandir:
        return self

    async def __anext__(self) -> Entry:
        while (entry := next(self._pending, None)) is None:
            got = await self.chunk()
            if got is None:
                raise StopAsyncIteration
            self._pending = await self.entries(got)
        return entry

    async def chunk(self) -> _EngineChunk | _ThreadChunk | None:
        """The next batch (None at the end); the directory is closed on an error."""
        if self._done:
            return None
        try:
            got = await self._dir.read()
        except BaseException:
            self._done = True
            self._dir.close_now()
            raise
        self._done = got is None
        return got

    async def entries(self, chunk: _EngineChunk | _ThreadChunk) -> Iterator[Entry]:
        """A batch's entries, made as they are taken: one the caller drops at once is
        freed before the cyclic GC counts it (os.DirEntry is not tracked by the GC, ours
        is: 1,000 kept entries cost it ~400 us here). Where a link or an unknown type
        needs its stat fetched, they are made together first."""
        if not chunk.has_untyped():
            return chunk.entries()
        got = list(chunk.entries())
        await self.prefetch(got)
        return iter(got)

    async def prefetch(self, entries: list[Entry]) -> None:
        await self._dir.prefetch(entries)

    async def aclose(self) -> None:
        self._done = True
        self._pending = iter(())
        await self._dir.close()

    async def __aenter__(self) -> Scandir:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        d = getattr(self, "_dir", None)  # unset when __init__ refused the path
        if d is not None:
            d.close_now()


async def listdir(path: Any, executor: Executor | None) -> list[Any]:
    names: list[Any] = []
    it = Scandir(path, executor, "listdir", at_once=True)
    while (got := await it.chunk()) is not None:
        names.extend(got.names)
    return names


async def _list(top: Any, executor: Executor | None) -> list[Walked]:
    it = Scandir(top, executor)
    walked: list[Walked] = []
    while (got := await it.chunk()) is not None:
        batch = got.walked()
        if got.has_untyped():
            await it.prefetch([e for _, _, e in batch if e is not None])
        walked.extend(batch)
    return walked


async def walk(top: Any, topdown: bool = True, onerror: Callable[[OSError], object] | None = None,
               followlinks: bool = False, executor: Executor | None = None) -> AsyncIterator[tuple[Any, list[Any],
                                                                                                list[Any]]]:
    """os.walk()'s order, results and error handling (its stack form, as in 3.12). The
    next few directories it will visit are listed ahead, concurrently: a directory is
    listed once the walk knows it will go there (after the caller had the chance to
    prune dirnames), and its listing is used, or its error reported, in os.walk's order."""
    from . import path  # the public predicates; os.path imports nothing of this module

    sys.audit("os.walk", top, topdown, onerror, followlinks)
    stack: list[Any] = [os.fspath(top)]
    ahead: dict[Any, asyncio.Future[list[Walked]]] = {}
    try:
        while stack:
            top = stack.pop()
            if isinstance(top, tuple):
                yield top
                continue
            listing = ahead.pop(top, None) or asyncio.ensure_future(_list(top, executor))
            if listing.done() and (turn := driver.get_driver().spend_budget()) is not None:
                await turn  # listings fetched ahead: give the loop its turn between them
            dirs: list[Any] = []
            nondirs: list[Any] = []
            walk_dirs: list[Any] = []
            try:
                walked = await listing
            except OSError as error:
                if onerror is not None:
                    onerror(error)
                continue
            for name, is_dir, entry in walked:
                if entry is not None:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                (dirs if is_dir else nondirs).append(name)
                if not topdown and is_dir:
                    if followlinks or entry is None:  # a d_type of DT_DIR: no link
                        walk_into = True
                    else:
                        try:
                            walk_into = not entry.is_symlink()
                        except OSError:
                            walk_into = True
                    if walk_into:
                        walk_dirs.append(_join(top, name))
            if topdown:
                yield top, dirs, nondirs
                paths = [os.path.join(top, dirname) for dirname in reversed(dirs)]
                # os.walk asks islink() of each after the yield (the caller may have
                # changed dirs): the same questions, asked together.
                links = [False] * len(paths) if followlinks else await asyncio.gather(*map(path.islink, paths))
                stack.extend(p for p, link in zip(paths, links) if not link)
            else:
                stack.append((top, dirs, nondirs))
                stack.extend(reversed(walk_dirs))
            for next_top in reversed([t for t in stack[-_WALK_AHEAD:] if not isinstance(t, tuple)]):
                if next_top not in ahead:
                    ahead[next_top] = asyncio.ensure_future(_list(next_top, executor))
    finally:
        for listing in ahead.values():  # a walk left early: its listings close their directories
            listing.cancel()
            if listing.done() and not listing.cancelled():
                listing.exception()  # retrieved: nobody will ask


Report = Callable[[Callable[..., Any], Any, BaseException], None]


def _reporter(ignore_errors: bool, onerror: Callable[..., object] | None,
              onexc: Callable[..., object] | None) -> Report:
    """shutil.rmtree's error callback. It is called inside the except block, so that a
    bare ``raise`` in it (and the default) re-raises the error."""
    def report(func: Callable[..., Any], path: Any, exc: BaseException) -> None:
        if ignore_errors:
            return
        if onexc is not None:
            onexc(func, path, exc)
        elif onerror is not None:
            onerror(func, path, (type(exc), exc, exc.__traceback__))
        else:
            raise exc
    return report


async def rmtree(path: Any, ignore_errors: bool, onerror: Callable[..., object] | None,
                 onexc: Callable[..., object] | None, dir_fd: int | None, executor: Executor | None) -> None:
    import shutil

    engine = requests.engine_for(OP_UNLINKAT)
    if engine is None or not all(op in engine.ops for op in _LISTING_OPS):
        # Only what was given: shutil's onexc is 3.12's, its dir_fd 3.11's.
        given = {k: v for k, v in (("onexc", onexc), ("dir_fd", dir_fd)) if v is not None}
        await requests.in_thread(executor, shutil.rmtree, path, ignore_errors, onerror, **given)
        return
    sys.audit("shutil.rmtree", path, dir_fd)
    report = _reporter(ignore_errors, onerror, onexc)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    dirfd = requests.dir_fd_arg(dir_fd)
    try:
        p = path_arg("lstat", "path", path)
        orig = await kernel.statx(engine, p, dirfd, False)
    except Exception as exc:
        report(os.lstat, path, exc)
        return
    try:
        fd = await open_dir(engine, p.c, dirfd, p.shown)
    except Exception as exc:
        report(os.open, path, exc)
        return
    await _rmtree_opened(engine, fd, orig, path, report, p, dirfd)


async def _rmtree_opened(engine: Engine, fd: int, orig: os.stat_result, path: str, report: Report, p: PathArg,
                         parent: int) -> None:
    """shutil's steps for a directory it opened (fd; p relative to parent, as shown in
    errors): if it is still the one lstat saw, empty it, close it, rmdir it; else it was
    a symbolic link. fd is closed whatever happens."""
    try:
        if os.path.samestat(orig, await _fstat(engine, fd)):
            await _rmtree_fd(engine, fd, path, report)
            try:
                await _close(engine, fd)
                fd = -1
                await _unlink(engine, p.c, parent, AT_REMOVEDIR, p.shown)
            except OSError as exc:
                report(os.rmdir, path, exc)
        else:
            try:
                raise OSError("Cannot call rmtree on a symbolic link")
            except OSError as exc:
                if _versions.RMTREE_LINK_ERROR_NAMES_THE_PATH:
                    exc.filename = path
                report(os.path.islink, path, exc)
    finally:
        if fd >= 0:
            await _close(engine, fd)


async def _fstat(engine: Engine, fd: int) -> os.stat_result:
    return await kernel.statx(engine, PathArg(b"\0", fd, fd), fd, True, name_fd=False)


async def _close(engine: Engine, fd: int) -> None:
    res = await result(engine, engine.close_fd(fd), cancel=False)
    if res < 0:
        raise os_error(res)


async def _unlink(engine: Engine, c: bytes, dirfd: int, flags: int, shown: Any) -> None:
    res = await result(engine, engine.unlinkat(dirfd, c, flags))
    if res < 0:
        raise os_error(res, shown)


async def _rmtree_fd(engine: Engine, topfd: int, path: str, report: Report) -> None:
    """shutil's _rmtree_safe_fd over the engine: entries in directory order, each error
    reported with the function and name shutil reports it with."""
    try:
        listed: list[tuple[bytes, int]] = []
        buf, ended = bytearray(_BATCH_BYTES), False
        while not ended:
            got = await read_dirents(engine, buf, path, True, fd=topfd)
            listed.extend(zip(got.names, got.types))
            ended = got.ended
    except OSError as err:
        err.filename = path
        report(os.scandir, path, err)
        return
    files: list[bytes] = []
    for name_b, d_type in listed:
        name = os.fsdecode(name_b)
        fullname = os.path.join(path, name)
        entry = PathArg(name_b + b"\0", None, name)
        lstat: os.stat_result | None = None
        if d_type == DT_UNKNOWN:
            try:
                lstat = await kernel.statx(engine, entry, topfd, False)
                is_dir = stat.S_ISDIR(lstat.st_mode)
            except OSError:
                is_dir = False
        else:
            is_dir = d_type == DT_DIR
        if is_dir:
            await _unlink_files(engine, topfd, path, files, report)
            try:
                orig = lstat or await kernel.statx(engine, entry, topfd, False)
                is_dir = stat.S_ISDIR(orig.st_mode)
            except OSError as exc:
                report(os.lstat, fullname, exc)
                continue
        if not is_dir:
            files.append(name_b)
            continue
        try:
            dirfd = await open_dir(engine, entry.c, topfd, name)
        except OSError as exc:
            report(os.open, fullname, exc)
            continue
        await _rmtree_opened(engine, dirfd, orig, fullname, report, entry, topfd)
    await _unlink_files(engine, topfd, path, files, report)


async def _unlink_files(engine: Engine, topfd: int, path: str, names: list[bytes], report: Report) -> None:
    """Unlinks names (and empties the list) in order, as linked chains: the kernel runs a
    chain's unlinks one after another and stops at the first failure, which is reported
    before the rest go on, exactly as one os.unlink() after another would."""
    todo = names[:]
    names.clear()
    while todo:
        chain, todo = todo[:_UNLINK_CHAIN], todo[_UNLINK_CHAIN:]
        cs = [n + b"\0" for n in chain]
        engine.room_for_chain(len(cs))
        reqs = [engine.unlinkat(topfd, c, flags=FLAG_LINK if i < len(cs) - 1 else 0) for i, c in enumerate(cs)]
        results = [await result(engine, req) for req in reqs]
        for i, res in enumerate(results):
            if res < 0 and res != -errno.ECANCELED:
                name = os.fsdecode(chain[i])
                try:
                    raise os_error(res, name)
                except OSError as exc:
                    report(os.unlink, os.path.join(path, name), exc)
                todo = chain[i + 1:] + todo  # the chain stopped here: go on after it
                break


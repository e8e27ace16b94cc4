"""aiofiles.os's functions (aiofiles 25.1 names and signatures), done by the engine: STATX,
RENAMEAT, UNLINKAT, MKDIRAT, LINKAT and SYMLINKAT as io_uring requests; readlink, access,
directory listing (getdents64), statvfs and sendfile on the engine's worker goroutines,
completing through the same records. Results and errors are os's: type, errno,
filename, filename2.

Every function takes aiofiles' ``loop=`` and ``executor=`` keywords. ``loop`` is
ignored: the running loop's engine does the work. ``executor`` is used only where the
running engine cannot do an operation (Windows, macOS's statx-less worker backend, a
child forked after the engine started): there the os function runs on it (None: the
loop's default executor), as aiofiles runs everything.

Beyond aiofiles: ``async for e in scandir(p)``, ``walk()`` and ``rmtree()``.
"""

from __future__ import annotations

import errno
import operator
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from . import path, requests, tree
from ..engine.records import (
    OP_FACCESSAT, OP_LINKAT, OP_MKDIRAT, OP_READLINKAT, OP_RENAMEAT, OP_SENDFILE, OP_STATFS, OP_STATX, OP_SYMLINKAT,
    OP_UNLINKAT,
)
from ..engine.api import os_error
from .requests import dir_fd_arg, in_thread, path_arg
from ..engine.kernel import AT_EACCESS, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW
from .tree import DirEntry, Scandir, ScandirIterator
from ..engine import api, kernel

T = TypeVar("T")

__all__ = ["path", "stat", "rename", "renames", "replace", "remove", "unlink", "mkdir", "makedirs", "rmdir",
           "removedirs", "link", "symlink", "readlink", "listdir", "scandir", "access", "getcwd", "wrap", "walk",
           "rmtree", "DirEntry", "ScandirIterator"]

_PATH_MAX = 4096


def wrap(func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """aiofiles.os.wrap: func made a coroutine function that runs it on ``executor`` (the
    loop's default when None). For functions the engine has no request for."""
    async def run(*args: Any, loop: Any = None, executor: Executor | None = None, **kwargs: Any) -> T:
        return await in_thread(executor, func, *args, **kwargs)
    return run


async def stat(path: Any, *, dir_fd: int | None = None, follow_symlinks: bool = True, loop: Any = None,
               executor: Executor | None = None) -> os.stat_result:
    """os.stat(): one STATX request (a path, a descriptor, or a path relative to dir_fd)."""
    p = path_arg("stat", "path", path, allow_fd=True)
    dirfd = dir_fd_arg(dir_fd)  # os converts every argument before it checks them together
    if p.fd is not None and dir_fd is not None:
        raise ValueError("stat: can't specify dir_fd without matching path")
    if p.fd is not None and not follow_symlinks:
        raise ValueError("stat: cannot use fd and follow_symlinks together")
    engine = requests.engine_for(OP_STATX)
    if engine is None:
        return await in_thread(executor, os.stat, path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)
    return await kernel.statx(engine, p, dirfd, follow_symlinks)


async def _rename(func: str, src: Any, dst: Any, src_dir_fd: int | None, dst_dir_fd: int | None,
                  executor: Executor | None) -> None:
    s, d = path_arg(func, "src", src), path_arg(func, "dst", dst)
    sfd, dfd = dir_fd_arg(src_dir_fd), dir_fd_arg(dst_dir_fd)
    engine = requests.engine_for(OP_RENAMEAT)
    if engine is None:
        await in_thread(executor, getattr(os, func), src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
        return
    res = await api.result(engine, engine.renameat(sfd, s.c, dfd, d.c))
    if res < 0:
        raise os_error(res, s.shown, d.shown)


async def rename(src: Any, dst: Any, *, src_dir_fd: int | None = None, dst_dir_fd: int | None = None,
                 loop: Any = None, executor: Executor | None = None) -> None:
    """os.rename(): one RENAMEAT request."""
    await _rename("rename", src, dst, src_dir_fd, dst_dir_fd, executor)


async def replace(src: Any, dst: Any, *, src_dir_fd: int | None = None, dst_dir_fd: int | None = None,
                  loop: Any = None, executor: Executor | None = None) -> None:
    """os.replace(): one RENAMEAT request (on POSIX a rename replaces its target)."""
    await _rename("replace", src, dst, src_dir_fd, dst_dir_fd, executor)


async def renames(old: Any, new: Any, *, loop: Any = None, executor: Executor | None = None) -> None:
    """os.renames(): makedirs() for the new parent, rename(), removedirs() of the old one."""
    head, tail = os.path.split(new)
    if head and tail and not await path.exists(head):
        await makedirs(head, executor=executor)
    await rename(old, new, executor=executor)
    head, tail = os.path.split(old)
    if head and tail:
        try:
            await removedirs(head, executor=executor)
        except OSError:
            pass


async def _unlinkat(func: str, path: Any, dir_fd: int | None, flags: int, executor: Executor | None) -> None:
    p = path_arg(func, "path", path)
    dirfd = dir_fd_arg(dir_fd)
    engine = requests.engine_for(OP_UNLINKAT)
    if engine is None:
        await in_thread(executor, getattr(os, func), path, dir_fd=dir_fd)
        return
    res = await api.result(engine, engine.unlinkat(dirfd, p.c, flags))
    if res < 0:
        raise os_error(res, p.shown)


async def remove(path: Any, *, dir_fd: int | None = None, loop: Any = None, executor: Executor | None = None) -> None:
    """os.remove(): one UNLINKAT request."""
    await _unlinkat("remove", path, dir_fd, 0, executor)


async def unlink(path: Any, *, dir_fd: int | None = None, loop: Any = None, executor: Executor | None = None) -> None:
    """os.unlink(): one UNLINKAT request."""
    await _unlinkat("unlink", path, dir_fd, 0, executor)


async def rmdir(path: Any, *, dir_fd: int | None = None, loop: Any = None, executor: Executor | None = None) -> None:
    """os.rmdir(): one UNLINKAT request with AT_REMOVEDIR."""
    await _unlinkat("rmdir", path, dir_fd, AT_REMOVEDIR, executor)


async def removedirs(name: Any, *, loop: Any = None, executor: Executor | None = None) -> None:
    """os.removedirs(): rmdir() of name, then of each parent until one fails."""
    await rmdir(name, executor=executor)
    head, tail = os.path.split(name)
    if not tail:
        head, tail = os.path.split(head)
    while head and tail:
        try:
            await rmdir(head, executor=executor)
        except OSError:
            break
        head, tail = os.path.split(head)


async def mkdir(path: Any, mode: int = 0o777, *, dir_fd: int | None = None, loop: Any = None,
                executor: Executor | None = None) -> None:
    """os.mkdir(): one MKDIRAT request."""
    p = path_arg("mkdir", "path", path)
    dirfd = dir_fd_arg(dir_fd)
    engine = requests.engine_for(OP_MKDIRAT)
    if engine is None:
        await in_thread(executor, os.mkdir, path, mode, dir_fd=dir_fd)
        return
    res = await api.result(engine, engine.mkdirat(dirfd, p.c, mode))
    if res < 0:
        raise os_error(res, p.shown)


async def makedirs(name: Any, mode: int = 0o777, exist_ok: bool = False, *, loop: Any = None,
                   executor: Executor | None = None) -> None:
    """os.makedirs(): os's recursion, each step one request."""
    head, tail = os.path.split(name)
    if not tail:
        head, tail = os.path.split(head)
    if head and tail and not await path.exists(head):
        try:
            await makedirs(head, exist_ok=exist_ok, executor=executor)
        except FileExistsError:
            pass  # a concurrent creation of the same parent
        if tail == (b"." if isinstance(tail, bytes) else "."):
            return
    try:
        await mkdir(name, mode, executor=executor)
    except OSError:
        if not exist_ok or not await path.isdir(name):
            raise


async def link(src: Any, dst: Any, *, src_dir_fd: int | None = None, dst_dir_fd: int | None = None,
               follow_symlinks: bool = True, loop: Any = None, executor: Executor | None = None) -> None:
    """os.link(): one LINKAT request."""
    s, d = path_arg("link", "src", src), path_arg("link", "dst", dst)
    sfd, dfd = dir_fd_arg(src_dir_fd), dir_fd_arg(dst_dir_fd)
    engine = requests.engine_for(OP_LINKAT)
    if engine is None:
        await in_thread(executor, os.link, src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd,
                        follow_symlinks=follow_symlinks)
        return
    # CPython calls link(2), which follows no link, unless a dir_fd is given: only then
    # does follow_symlinks=True become linkat's AT_SYMLINK_FOLLOW.
    follow = follow_symlinks and (src_dir_fd is not None or dst_dir_fd is not None)
    res = await api.result(engine, engine.linkat(sfd, s.c, dfd, d.c, AT_SYMLINK_FOLLOW if follow else 0))
    if res < 0:
        raise os_error(res, s.shown, d.shown)


async def symlink(src: Any, dst: Any, target_is_directory: bool = False, *, dir_fd: int | None = None,
                  loop: Any = None, executor: Executor | None = None) -> None:
    """os.symlink(): one SYMLINKAT request."""
    s, d = path_arg("symlink", "src", src), path_arg("symlink", "dst", dst)
    dirfd = dir_fd_arg(dir_fd)
    engine = requests.engine_for(OP_SYMLINKAT)
    if engine is None:
        await in_thread(executor, os.symlink, src, dst, target_is_directory, dir_fd=dir_fd)
        return
    res = await api.result(engine, engine.symlinkat(s.c, dirfd, d.c))
    if res < 0:
        raise os_error(res, s.shown, d.shown)


async def readlink(path: Any, *, dir_fd: int | None = None, loop: Any = None, executor: Executor | None = None) -> Any:
    """os.readlink(): readlinkat on a worker."""
    p = path_arg("readlink", "path", path)
    dirfd = dir_fd_arg(dir_fd)
    engine = requests.engine_for(OP_READLINKAT)
    if engine is None:
        return await in_thread(executor, os.readlink, path, dir_fd=dir_fd)
    buf = bytearray(_PATH_MAX + 1)
    res = await api.result(engine, engine.readlinkat(dirfd, p.c, buf))
    if res < 0:
        raise os_error(res, p.shown)
    target = bytes(buf[:res])
    return target if isinstance(p.shown, bytes) else os.fsdecode(target)


async def access(path: Any, mode: int, *, dir_fd: int | None = None, effective_ids: bool = False,
                 follow_symlinks: bool = True, loop: Any = None, executor: Executor | None = None) -> bool:
    """os.access(): faccessat on a worker; False for any error, as os.access answers."""
    p = path_arg("access", "path", path)
    dirfd = dir_fd_arg(dir_fd)
    engine = requests.engine_for(OP_FACCESSAT)
    if engine is None:
        return await in_thread(executor, os.access, path, mode, dir_fd=dir_fd, effective_ids=effective_ids,
                               follow_symlinks=follow_symlinks)
    flags = (AT_EACCESS if effective_ids else 0) | (0 if follow_symlinks else AT_SYMLINK_NOFOLLOW)
    return await api.result(engine, engine.faccessat(dirfd, p.c, mode, flags)) == 0


async def getcwd(*, loop: Any = None, executor: Executor | None = None) -> str:
    """os.getcwd(). Answered on the calling thread: the kernel copies a string it holds and
    touches no storage, so a hand-off would cost more than the call."""
    return os.getcwd()


if sys.platform != "win32":  # as os (and aiofiles.os): no statvfs or sendfile on Windows
    async def statvfs(path: Any, *, loop: Any = None, executor: Executor | None = None) -> os.statvfs_result:
        """os.statvfs(): statfs/fstatfs on a worker, converted as glibc's statvfs() does."""
        p = path_arg("statvfs", "path", path, allow_fd=True)
        engine = requests.engine_for(OP_STATFS)
        if engine is None or not kernel.statfs_supported():
            return await in_thread(executor, os.statvfs, path)
        return await kernel.statfs(engine, p)

    async def sendfile(out_fd: int, in_fd: int, offset: int | None, count: int, *, loop: Any = None,
                       executor: Executor | None = None) -> int:
        """os.sendfile(out_fd, in_fd, offset, count) on a worker (offset None: from and
        advancing in_fd's position)."""
        engine = requests.engine_for(OP_SENDFILE)
        if engine is None:
            return await in_thread(executor, os.sendfile, out_fd, in_fd, offset, count)
        out, inp = operator.index(out_fd), operator.index(in_fd)
        if offset is not None and offset < 0:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        res = await api.result(engine, engine.sendfile(out, inp, offset, count))
        if res < 0:
            raise os_error(res)
        return res

    __all__ += ["statvfs", "sendfile"]


async def listdir(path: Any = None, *, loop: Any = None, executor: Executor | None = None) -> list[Any]:
    """os.listdir(): the names, read in getdents64 batches on a worker."""
    return await tree.listdir(path, executor)


def scandir(path: Any = None, *, loop: Any = None, executor: Executor | None = None) -> Scandir:
    """os.scandir(). ``await scandir(p)`` gives an iterator of all the entries, as
    aiofiles does; ``async for entry in scandir(p)`` fetches them in batches as it goes.
    Entries behave as os.DirEntry (see DirEntry)."""
    return Scandir(path, executor)


def walk(top: Any, topdown: bool = True, onerror: Callable[[OSError], object] | None = None,
         followlinks: bool = False, *, loop: Any = None,
         executor: Executor | None = None) -> AsyncIterator[tuple[Any, list[Any], list[Any]]]:
    """os.walk() as an async generator: the same triples in the same order, the same
    onerror calls; directories are listed in batches off the loop."""
    return tree.walk(top, topdown, onerror, followlinks, executor)


async def rmtree(path: Any, ignore_errors: bool = False, onerror: Callable[..., object] | None = None, *,
                 onexc: Callable[..., object] | None = None, dir_fd: int | None = None, loop: Any = None,
                 executor: Executor | None = None) -> None:
    """shutil.rmtree(): the same checks, order and errors (onerror, or onexc as in 3.12);
    a directory's files are unlinked in linked chains of requests that stop at the first
    failure, as one unlink after another would."""
    await tree.rmtree(path, ignore_errors, onerror, onexc, dir_fd, executor)

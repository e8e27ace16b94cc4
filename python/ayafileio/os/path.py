"""aiofiles.os.path's functions (ayafileio.os.path), each one or two STATX requests. The
predicates answer False where os.path's do (OSError, ValueError), never raise for a
missing path; getsize() and the times raise as os.path's do. ``loop`` and ``executor``
as in ayafileio.os.
"""

from __future__ import annotations

import operator
import os
import stat
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from . import requests
from ..engine.records import AT_FDCWD, OP_STATX
from .requests import path_arg
from ..engine import kernel

__all__ = ["abspath", "getatime", "getctime", "getmtime", "getsize", "exists", "isdir", "isfile", "islink",
           "ismount", "samefile", "sameopenfile"]


async def _stat(path: Any, follow: bool, executor: Executor | None) -> os.stat_result:
    p = path_arg("stat" if follow else "lstat", "path", path, allow_fd=follow)
    engine = requests.engine_for(OP_STATX)
    if engine is None:
        return await requests.in_thread(executor, os.stat if follow else os.lstat, path)
    return await kernel.statx(engine, p, AT_FDCWD, follow)


async def _predicate(func: Callable[[Any], bool], path: Any, follow: bool, executor: Executor | None,
                     test: Callable[[int], bool]) -> bool:
    """os.path's predicate func: test on the mode of one STATX; where the engine cannot
    stat (Windows, macOS, a forked child), func itself on a thread, so the platform's own
    rules and errors hold (ntpath's, whose exists() is nt._path_exists)."""
    if requests.engine_for(OP_STATX) is None:
        return await requests.in_thread(executor, func, path)
    try:
        mode = (await _stat(path, follow, executor)).st_mode
    except (OSError, ValueError):
        return False
    return test(mode)


async def exists(path: Any, *, loop: Any = None, executor: Executor | None = None) -> bool:
    return await _predicate(os.path.exists, path, True, executor, lambda mode: True)


async def isfile(path: Any, *, loop: Any = None, executor: Executor | None = None) -> bool:
    return await _predicate(os.path.isfile, path, True, executor, stat.S_ISREG)


async def isdir(s: Any, *, loop: Any = None, executor: Executor | None = None) -> bool:
    return await _predicate(os.path.isdir, s, True, executor, stat.S_ISDIR)


async def islink(path: Any, *, loop: Any = None, executor: Executor | None = None) -> bool:
    return await _predicate(os.path.islink, path, False, executor, stat.S_ISLNK)


async def ismount(path: Any, *, loop: Any = None, executor: Executor | None = None) -> bool:
    """posixpath.ismount(): path is not a link and its parent is on another device or is
    the same inode. The kernel resolves path/.. as posixpath's realpath() does. Without
    the engine, os.path.ismount() on a thread (ntpath's rules on Windows)."""
    if requests.engine_for(OP_STATX) is None:
        return await requests.in_thread(executor, os.path.ismount, path)
    try:
        s1 = await _stat(path, False, executor)
    except (OSError, ValueError):
        return False
    if stat.S_ISLNK(s1.st_mode):
        return False
    p = os.fspath(path)
    parent = os.path.join(p, b".." if isinstance(p, bytes) else "..")
    try:
        s2 = await _stat(parent, False, executor)
    except (OSError, ValueError):
        return False
    return s1.st_dev != s2.st_dev or s1.st_ino == s2.st_ino


async def getsize(filename: Any, *, loop: Any = None, executor: Executor | None = None) -> int:
    return (await _stat(filename, True, executor)).st_size


async def getmtime(filename: Any, *, loop: Any = None, executor: Executor | None = None) -> float:
    return (await _stat(filename, True, executor)).st_mtime


async def getatime(filename: Any, *, loop: Any = None, executor: Executor | None = None) -> float:
    return (await _stat(filename, True, executor)).st_atime


async def getctime(filename: Any, *, loop: Any = None, executor: Executor | None = None) -> float:
    return (await _stat(filename, True, executor)).st_ctime


async def samefile(f1: Any, f2: Any, *, loop: Any = None, executor: Executor | None = None) -> bool:
    s1 = await _stat(f1, True, executor)
    s2 = await _stat(f2, True, executor)
    return os.path.samestat(s1, s2)


async def sameopenfile(fp1: int, fp2: int, *, loop: Any = None, executor: Executor | None = None) -> bool:
    return os.path.samestat(await _fstat(fp1, executor), await _fstat(fp2, executor))


async def _fstat(fd: int, executor: Executor | None) -> os.stat_result:
    """os.fstat(): its errors name no file."""
    fd = operator.index(fd)
    engine = requests.engine_for(OP_STATX)
    if engine is None:
        return await requests.in_thread(executor, os.fstat, fd)
    return await kernel.statx(engine, kernel.PathArg(b"\0", fd, fd), fd, True, name_fd=False)


async def abspath(path: Any, *, loop: Any = None, executor: Executor | None = None) -> Any:
    """os.path.abspath(): string work and the working directory, answered at once."""
    return os.path.abspath(path)

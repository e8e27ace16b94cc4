"""The helpers every os function uses: arguments converted as os converts them, and
the one place that picks between the engine and a thread — where the running engine
lacks an operation (macOS's and Windows' engines, a forked child's thread driver),
engine_for() answers None and the caller runs the os function itself on a thread.
"""

from __future__ import annotations

import asyncio
import functools
import operator
import os
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from .. import testing
from ..engine import driver, platform
from ..engine.api import Engine
from ..engine.kernel import PathArg
from ..engine.records import AT_FDCWD
from ..io.modes import c_path

T = TypeVar("T")


def path_arg(func: str, name: str, value: Any, *, allow_fd: bool = False, nullable: bool = False) -> PathArg:
    """Converts value as os's functions do, with the same TypeError and ValueError."""
    if value is None and nullable:
        value = "."
    if allow_fd and isinstance(value, int):
        return PathArg(b"\0", value, value)
    if not isinstance(value, (str, bytes)) and not hasattr(type(value), "__fspath__"):
        kinds = ("string, bytes, os.PathLike, integer or None" if allow_fd and nullable else
                 "string, bytes, os.PathLike or integer" if allow_fd else
                 "string, bytes, os.PathLike or None" if nullable else "string, bytes or os.PathLike")
        raise TypeError(f"{func}: {name} should be {kinds}, not {type(value).__name__}")
    shown = os.fspath(value)  # its own TypeError for a bad __fspath__()
    return PathArg(c_path(shown, func, name), None, shown)


def dir_fd_arg(value: Any) -> int:
    """A dir_fd argument: AT_FDCWD for None, else the descriptor (os's TypeError; where
    os takes no dir_fd at all, Windows, its NotImplementedError)."""
    if value is None:
        return AT_FDCWD
    try:
        fd = operator.index(value)
    except TypeError:
        raise TypeError(f"argument should be integer or None, not {type(value).__name__}") from None
    if not os.supports_dir_fd:
        raise NotImplementedError("dir_fd unavailable on this platform")
    return fd


def engine_for(op: int) -> Engine | None:
    """The running loop's engine if it performs op here, else None (also while calls go
    through Python's os, ayafileio.testing)."""
    if testing.active():
        return None
    engine = driver.get_driver()
    return engine if platform.PATH_OPS and op in engine.ops else None


async def in_thread(executor: Executor | None, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """func run on executor (the loop's default when None), as aiofiles runs everything."""
    return await asyncio.get_running_loop().run_in_executor(executor, functools.partial(func, *args, **kwargs))


async def in_thread_waited(executor: Executor | None, func: Callable[..., T], *args: Any,
                           on_cancel: Callable[[], object] | None = None,
                           undo: Callable[[T], object] | None = None) -> T:
    """func on a thread, for work that must not be left running or lost: a thread cannot
    be stopped, so a cancelled task calls on_cancel (a flag the thread reads), waits the
    thread out, gives what it made to undo (a directory it opened is closed), then raises."""
    fut = asyncio.get_running_loop().run_in_executor(executor, functools.partial(func, *args))
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        if on_cancel is not None:
            on_cancel()
        while not fut.done():
            try:
                await asyncio.wait([fut])
            except asyncio.CancelledError:
                pass
        if not fut.cancelled() and fut.exception() is None and undo is not None:
            undo(fut.result())  # the cancellation is what the caller gets, not the thread's error
        raise



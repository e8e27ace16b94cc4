"""Files over synchronous file objects, each call run on a thread: aiofiles' threadpool.
Two uses: ayafileio.threadpool.wrap() of a file object (aiofiles' API, and its mocking
recipe), and open() while files go through Python's io (ayafileio.testing), where the
synchronous open() of the moment — perhaps a mock's or pyfakefs's — makes the file.

Each kind (AsyncTextIOWrapper, AsyncBufferedIOBase, AsyncBufferedReader, AsyncFileIO)
gets a subclass that replaces the engine's methods by calls of the object's method of
the same name, so isinstance() and the kind's surface are the same as for engine files.
"""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from ..engine.api import sync_now
from .answer import answer
from .file import (
    THREAD_BACKED,
    AsyncBufferedIOBase,
    AsyncBufferedReader,
    AsyncFile,
    AsyncFileIO,
    AsyncTextIOWrapper,
    kind_of,
)


def _on_thread(name: str) -> Callable[..., Any]:
    """The file object's method `name`, run on the executor."""
    async def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = functools.partial(getattr(self._file, name), *args, **kwargs)
        return await (self._ref_loop or asyncio.get_running_loop()).run_in_executor(self._executor, call)
    method.__name__ = method.__qualname__ = name
    return method


def _direct(name: str) -> Callable[..., Any]:
    """The file object's method `name`, called at once (it does no I/O)."""
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(self._file, name)(*args, **kwargs)
    method.__name__ = method.__qualname__ = name
    return method


def _answered(name: str) -> Callable[..., Any]:
    """readable() and the like: the object's answer, usable with and without await."""
    def method(self: Any) -> Any:
        return answer(bool(getattr(self._file, name)()))
    method.__name__ = method.__qualname__ = name
    return method


def _attribute(name: str) -> property:
    return property(lambda self: getattr(self._file, name))


def _wrapped(name: str) -> property:
    """.buffer and .raw: the object's, thread-backed too (ayafileio's are async)."""
    return property(lambda self: wrap(getattr(self._file, name), loop=self._ref_loop, executor=self._executor))


async def _sync(self: Any, datasync: bool = False) -> None:
    """flush(), then os.fsync() (os.fdatasync() where there is one) of the descriptor."""
    await self.flush()
    await (self._ref_loop or asyncio.get_running_loop()).run_in_executor(self._executor, sync_now,
                                                                         self._file.fileno(), datasync)


async def _fsync(self: Any) -> None:
    await _sync(self)


async def _datasync(self: Any) -> None:
    await _sync(self, datasync=True)


def _positional(name: str) -> Callable[..., Any]:
    async def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise io.UnsupportedOperation(f"{name}() on a file object run on threads")
    method.__name__ = method.__qualname__ = name
    return method


def _init(self: Any, file: Any, *, loop: Any = None, executor: Executor | None = None) -> None:
    self._file = file  # aiofiles' name for the object it wraps
    self._ref_loop = loop
    self._executor = executor
    self._text = None


async def _anext(self: Any) -> Any:
    line = await self.readline()
    if not line:
        raise StopAsyncIteration
    return line


def _aiter(self: Any) -> Any:
    return self


def _repr(self: Any) -> str:
    return f"<ayafileio.{type(self).__name__} on threads wrapping {self._file!r}>"


def _collected(self: Any) -> None:
    """Nothing to do: the file object warns and closes itself when it is collected."""


# Every public method and attribute of the kinds, and what it is over a file object
# (readall, chunk: the kinds' own, over read and readinto).
_OVERRIDES: dict[str, Any] = {
    **{name: _on_thread(name) for name in (
        "close", "flush", "read", "read1", "readinto", "readinto1", "peek", "readline", "readlines",
        "seek", "tell", "truncate", "write", "writelines")},
    **{name: _direct(name) for name in ("fileno", "detach")},
    **{name: _answered(name) for name in ("readable", "writable", "seekable", "isatty")},
    **{name: _attribute(name) for name in (
        "name", "mode", "closed", "closefd", "encoding", "errors", "newlines", "line_buffering")},
    **{name: _wrapped(name) for name in ("buffer", "raw")},
    **{name: _positional(name) for name in ("read_at", "write_at", "read_many", "write_many")},
    "fsync": _fsync,
    "datasync": _datasync,
    "__init__": _init,
    "__aiter__": _aiter,
    "__anext__": _anext,
    "__repr__": _repr,
    "__del__": _collected,
}


def _thread_backed(kind: type[AsyncFile[Any]]) -> type[AsyncFile[Any]]:
    """kind with every method of its own replaced by the file object's, on threads."""
    names = {name: value for name, value in _OVERRIDES.items() if hasattr(kind, name)}
    return type(kind.__name__, (kind,), {"__module__": __name__, "__doc__": kind.__doc__, **names})


THREAD_BACKED.update({kind: _thread_backed(kind)
                      for kind in (AsyncTextIOWrapper, AsyncBufferedIOBase, AsyncBufferedReader, AsyncFileIO)})


@functools.singledispatch
def wrap(file: Any, *, loop: Any = None, executor: Executor | None = None) -> AsyncFile[Any]:
    """aiofiles.threadpool.wrap: a synchronous file object as the ayafileio file of its
    kind whose calls run on executor (None: the loop's default). Register other types
    (a mock's) with ``wrap.register(type)``."""
    raise TypeError(f"Unsupported io type: {file}.")


@wrap.register(io.TextIOBase)
def _(file: Any, *, loop: Any = None, executor: Executor | None = None) -> AsyncFile[Any]:
    return AsyncTextIOWrapper(file, loop=loop, executor=executor)  # type: ignore[call-arg]


@wrap.register(io.BufferedWriter)
@wrap.register(io.BufferedIOBase)
def _(file: Any, *, loop: Any = None, executor: Executor | None = None) -> AsyncFile[Any]:
    return AsyncBufferedIOBase(file, loop=loop, executor=executor)  # type: ignore[call-arg]


@wrap.register(io.BufferedReader)
@wrap.register(io.BufferedRandom)
def _(file: Any, *, loop: Any = None, executor: Executor | None = None) -> AsyncFile[Any]:
    return AsyncBufferedReader(file, loop=loop, executor=executor)  # type: ignore[call-arg]


@wrap.register(io.FileIO)
def _(file: Any, *, loop: Any = None, executor: Executor | None = None) -> AsyncFile[Any]:
    return AsyncFileIO(file, loop=loop, executor=executor)  # type: ignore[call-arg]


async def on_threads(sync_open: Callable[..., Any], file: Any, mode: str, buffering: int, encoding: str | None,
                     errors: str | None, newline: str | None, closefd: bool, opener: Any, *, loop: Any,
                     executor: Executor | None) -> Any:
    """sync_open(...) run on executor, its file wrapped (aiofiles' threadpool._open). An
    object of a type wrap() does not know (a mock's) gets the mode's kind."""
    call = functools.partial(sync_open, file, mode=mode, buffering=buffering, encoding=encoding, errors=errors,
                             newline=newline, closefd=closefd, opener=opener)
    f = await (loop or asyncio.get_running_loop()).run_in_executor(executor, call)
    kind = kind_of(mode, buffering)
    if wrap.dispatch(type(f)) is wrap.dispatch(object) and kind is not None:
        return kind(f, loop=loop, executor=executor)  # type: ignore[call-arg]
    return wrap(f, loop=loop, executor=executor)

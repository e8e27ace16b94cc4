"""ayafileio.open(): the built-in open()'s signature, asynchronous."""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Coroutine, Generator
from concurrent.futures import Executor
from typing import Any, Generic, Literal, TypeVar, overload

from .. import testing
from .file import (
    AsyncBinaryFile, AsyncBufferedIOBase, AsyncBufferedReader, AsyncFile, AsyncFileIO, AsyncTextIOWrapper, opening,
    unopened,
)
from .modes import parse_open_args
from .threaded import on_threads

_TextMode = Literal["r", "w", "a", "x", "r+", "w+", "a+", "x+", "rt", "wt", "at", "xt",
                    "r+t", "w+t", "a+t", "x+t", "rt+", "wt+", "at+", "xt+"]
_ReadingBinaryMode = Literal["rb", "r+b", "w+b", "a+b", "x+b", "rb+", "wb+", "ab+", "xb+"]
_WritingBinaryMode = Literal["wb", "ab", "xb"]
_File = TypeVar("_File", bound="AsyncFile[Any]", covariant=True)


class OpenContext(Generic[_File]):
    """What open() returns: await it for the file, or use it with ``async with``."""

    __slots__ = ("_obj",)
    _obj: _File  # named as aiofiles names it, whose tests look at it

    def __init__(self, file: _File) -> None:
        self._obj = file

    def __await__(self) -> Generator[Any, None, _File]:
        return opening(self._obj).__await__()  # type: ignore[return-value]  # the file itself

    def __aenter__(self) -> Coroutine[Any, Any, _File]:
        return opening(self._obj)  # type: ignore[return-value]  # its coroutine itself: no frame of ours around it

    def __aexit__(self, *exc: object) -> Coroutine[Any, Any, None]:
        return self._obj.close()


class ThreadOpenContext(OpenContext[_File]):
    """open()'s result while files go through Python's io (ayafileio.testing): the
    synchronous open() runs on a thread when awaited or entered."""

    __slots__ = ("_opening",)

    def __init__(self, opening: Callable[[], Coroutine[Any, Any, _File]]) -> None:
        self._opening = opening  # called when awaited: an unused result leaves no coroutine behind

    def __await__(self) -> Generator[Any, None, _File]:
        if not hasattr(self, "_obj"):
            self._obj = yield from self._opening().__await__()
        return self._obj

    async def __aenter__(self) -> _File:
        return await self


@overload
def open(file: Any, mode: _TextMode = "r", buffering: int = -1, encoding: str | None = None,
         errors: str | None = None, newline: str | None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False, loop: Any = None,
         executor: Executor | None = None) -> OpenContext[AsyncTextIOWrapper]: ...
@overload
def open(file: Any, mode: _ReadingBinaryMode | _WritingBinaryMode, buffering: Literal[0], encoding: None = None,
         errors: None = None, newline: None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False, loop: Any = None,
         executor: Executor | None = None) -> OpenContext[AsyncFileIO]: ...
@overload
def open(file: Any, mode: _ReadingBinaryMode, buffering: Literal[-1, 1] = -1, encoding: None = None,
         errors: None = None, newline: None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False, loop: Any = None,
         executor: Executor | None = None) -> OpenContext[AsyncBufferedReader]: ...
@overload
def open(file: Any, mode: _WritingBinaryMode, buffering: Literal[-1, 1] = -1, encoding: None = None,
         errors: None = None, newline: None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False, loop: Any = None,
         executor: Executor | None = None) -> OpenContext[AsyncBufferedIOBase]: ...
@overload
def open(file: Any, mode: _ReadingBinaryMode | _WritingBinaryMode, buffering: int = -1, encoding: None = None,
         errors: None = None, newline: None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False, loop: Any = None,
         executor: Executor | None = None) -> OpenContext[AsyncBinaryFile]: ...
@overload
def open(file: Any, mode: str, buffering: int = -1, encoding: str | None = None,
         errors: str | None = None, newline: str | None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False, loop: Any = None,
         executor: Executor | None = None) -> OpenContext[AsyncFile[Any]]: ...
def open(file: Any, mode: str = "r", buffering: int = -1, encoding: str | None = None,
         errors: str | None = None, newline: str | None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False, loop: Any = None,
         executor: Executor | None = None) -> OpenContext[AsyncFile[Any]]:
    """Opens a file like the built-in open(), without blocking the event loop; the file
    is of the mode's kind (AsyncTextIOWrapper, AsyncBufferedReader, AsyncBufferedIOBase
    or AsyncFileIO), as io's open() picks its class.

    Arguments are checked at once (the same exceptions as open()); the file itself is
    opened by the engine when the result is awaited or entered with ``async with``.
    auto_flush=True (the C++ ayafileio 2.0's option) flushes after every write().

    ``loop`` and ``executor`` are aiofiles' keywords, accepted so that code written for
    aiofiles runs unchanged. The engine of the loop running when the file is opened does
    its I/O, so ``loop`` is not used and ``executor`` is used only while files go through
    Python's io on threads (ayafileio.testing): then every call of the file runs on it
    (None: the loop's default executor), as in aiofiles.
    """
    sync_open = testing.sync_open()
    if sync_open is not None:
        return ThreadOpenContext(functools.partial(on_threads, sync_open, file, mode, buffering, encoding, errors,
                                                   newline, closefd, opener, loop=loop, executor=executor))
    return OpenContext(unopened(parse_open_args(file, mode, buffering, encoding, errors, newline, closefd, opener),
                                auto_flush))


def wrap_file(file: Any, mode: str = "rb", *, owns_fd: bool = False) -> AsyncFile[Any]:
    """An AsyncFile over an open descriptor or binary file object (the C++ ayafileio
    2.0's wrap_file), starting at the file's current position: a file object's buffered
    writes are flushed and the descriptor moved to its logical position first. With
    owns_fd the AsyncFile closes the descriptor; else it stays the caller's. Call it in
    a coroutine: a file belongs to the running loop's engine."""
    if isinstance(file, int):
        return AsyncFile.wrap(file, mode, closefd=owns_fd)
    fd = file.fileno()
    if isinstance(file, io.BufferedIOBase):
        file.flush()
        if file.seekable():
            os.lseek(fd, file.tell(), os.SEEK_SET)
    return AsyncFile.wrap(fd, mode, closefd=owns_fd)

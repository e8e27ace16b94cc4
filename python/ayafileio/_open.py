"""ayafileio.open(): the built-in open()'s signature, asynchronous."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Coroutine, Generator
from typing import Any, AnyStr, Generic, Literal, overload

from ._file import AsyncFile

_TextMode = Literal["r", "w", "a", "x", "r+", "w+", "a+", "x+", "rt", "wt", "at", "xt",
                    "r+t", "w+t", "a+t", "x+t", "rt+", "wt+", "at+", "xt+"]
_BinaryMode = Literal["rb", "wb", "ab", "xb", "r+b", "w+b", "a+b", "x+b", "rb+", "wb+", "ab+", "xb+"]


class OpenContext(Generic[AnyStr]):
    """What open() returns: await it for the file, or use it with ``async with``."""

    __slots__ = ("_obj",)
    _obj: AsyncFile[AnyStr]  # named as aiofiles names it, whose tests look at it

    def __init__(self, file: AsyncFile[AnyStr]) -> None:
        self._obj = file

    def __await__(self) -> Generator[Any, None, AsyncFile[AnyStr]]:
        return self._obj._open().__await__()

    def __aenter__(self) -> Coroutine[Any, Any, AsyncFile[AnyStr]]:
        return self._obj._open()  # its coroutine itself: no frame of ours around it

    def __aexit__(self, *exc: object) -> Coroutine[Any, Any, None]:
        return self._obj.close()


@overload
def open(file: Any, mode: _TextMode = "r", buffering: int = -1, encoding: str | None = None,
         errors: str | None = None, newline: str | None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False) -> OpenContext[str]: ...
@overload
def open(file: Any, mode: _BinaryMode, buffering: int = -1, encoding: None = None,
         errors: None = None, newline: None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False) -> OpenContext[bytes]: ...
@overload
def open(file: Any, mode: str, buffering: int = -1, encoding: str | None = None,
         errors: str | None = None, newline: str | None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False) -> OpenContext[Any]: ...
def open(file: Any, mode: str = "r", buffering: int = -1, encoding: str | None = None,
         errors: str | None = None, newline: str | None = None, closefd: bool = True,
         opener: Callable[[str, int], int] | None = None, *, auto_flush: bool = False) -> OpenContext[Any]:
    """Opens a file like the built-in open(), without blocking the event loop.

    Arguments are checked at once (the same exceptions as open()); the file itself is
    opened by the engine when the result is awaited or entered with ``async with``.
    auto_flush=True (the C++ ayafileio 2.0's option) flushes after every write().
    """
    return OpenContext(AsyncFile(file, mode, buffering, encoding, errors, newline, closefd, opener,
                                 auto_flush=auto_flush))


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

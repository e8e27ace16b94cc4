"""_platform on Windows: the engine's overlapped HANDLE beside a C runtime descriptor
(see _platform)."""

from __future__ import annotations

import io
import os
import sys
import time
from typing import Any

assert sys.platform == "win32"

import _winapi  # noqa: E402
import msvcrt  # noqa: E402

from .. import native
from .. import api, records  # noqa: E402

__all__ = ["adopt", "borrow", "engine_closes", "close_fd", "discard", "write_now", "close_now", "append_position",
           "check_detachable", "detach_fd", "READ_FAST_PATH", "PATH_OPS", "FSYNC_DIRECTORIES", "makedev", "OPEN_FLAGS",
           "read_nowait", "read_new", "write_once", "encode_for_open", "encode_for_os", "yield_cpu"]

# os's errors here carry winerror, which the engine's results do not: ayafileio.os runs
# os's own functions on threads.
PATH_OPS = False
FSYNC_DIRECTORIES = False  # a directory cannot be opened to fsync; NTFS journals the rename itself
READ_FAST_PATH = False  # every read goes through the completion port


def makedev(major: int, minor: int) -> int:
    raise NotImplementedError("the engine does no path operations on Windows (PATH_OPS)")


# What every descriptor the package opens carries: never inherited by a child process, and
# binary (without O_BINARY the C runtime's descriptor translates newlines: "\n" written
# lands as "\r\n").
OPEN_FLAGS = os.O_NOINHERIT | os.O_BINARY


# Windows paths are UTF-16 strings: Python decodes a bytes path first (as os.fsdecode
# does: UnicodeDecodeError for one that is not UTF-8), then rejects a NUL character.


def encode_for_open(name: str | bytes) -> bytes:
    """name (os.fspath()'s result) as the engine takes it, with the built-in open()'s errors."""
    path = os.fsdecode(name)
    if "\0" in path:
        raise ValueError("embedded null character")
    return os.fsencode(path)


def encode_for_os(func: str, arg: str, name: str | bytes) -> bytes:
    """name (func's argument arg) as the engine takes it, with the errors os's function gives."""
    path = os.fsdecode(name)
    if "\0" in path:
        raise ValueError(f"{func}: embedded null character in {arg}")
    return os.fsencode(path)


def read_nowait(fd: int, view: memoryview, off: int, memory: bool) -> int:
    raise NotImplementedError("no reads straight from memory on Windows")


def read_new(fd: int, n: int, off: int) -> bytes:
    raise NotImplementedError("no reads straight from memory on Windows")


def write_once(fd: int, data: Any, off: int) -> int:
    raise NotImplementedError("no writes straight to memory on Windows")


def _duplicate(handle: int) -> int:
    me = _winapi.GetCurrentProcess()
    return _winapi.DuplicateHandle(me, handle, me, 0, False, _winapi.DUPLICATE_SAME_ACCESS)


def adopt(handle: int, flags: int) -> tuple[int, int]:
    """(descriptor, record handle) for a handle the engine's open returned."""
    dup = _duplicate(handle)
    try:
        return msvcrt.open_osfhandle(dup, flags & os.O_APPEND), handle
    except BaseException:
        _winapi.CloseHandle(dup)
        raise


def borrow(fd: int) -> int:
    """The record handle for a descriptor given to open()."""
    return _duplicate(msvcrt.get_osfhandle(fd))


def engine_closes(closefd: bool) -> bool:
    """Whether closing the file asks the engine to close the record handle."""
    return True  # it is always a handle of the engine's own


def close_fd(fd: int, closefd: bool) -> None:
    """Closes what the file's close must close besides the engine's handle."""
    if closefd:
        os.close(fd)


def discard(engine: api.Engine, handle: int, flags: int) -> None:
    """Closes a handle the engine opened that nobody will use (a cancelled open, a failed
    one)."""
    native.lib().pybind_CloseNow(handle)


def write_now(fd: int, handle: int, data: bytes, off: int) -> None:
    """Writes all of data at off (-1: at the end) without the event loop."""
    addr, keep = records.address_of(data, writable=False)

    def write_once(rest: memoryview, at: int) -> int:
        res: int = native.lib().pybind_WriteNow(handle, addr + len(data) - rest.nbytes, rest.nbytes, at)
        if res <= 0:
            raise OSError(-res or 5, os.strerror(-res or 5))
        return res

    api.write_all_now(write_once, data, off)
    del keep


def close_now(fd: int, handle: int, closefd: bool) -> None:
    """Closes both without the event loop (a file collected unclosed)."""
    try:
        close_fd(fd, closefd)
    finally:
        native.lib().pybind_CloseNow(handle)


def append_position(fd: int) -> int:
    """The position after an append: the end (overlapped writes move no file pointer)."""
    return os.lseek(fd, 0, os.SEEK_END)


def yield_cpu() -> None:
    """Lets a thread queued on this CPU run before this one goes on (Sleep(0))."""
    time.sleep(0)


def check_detachable() -> None:
    """Raises for a file the engine opened: it cannot become a synchronous file."""
    raise io.UnsupportedOperation(
        "detach(): on Windows a file ayafileio opened has an overlapped handle, which io.FileIO cannot use")


def detach_fd(fd: int, handle: int) -> int:
    """The descriptor for a synchronous io.FileIO, once the engine let go of it."""
    native.lib().pybind_CloseNow(handle)
    return fd

"""What a request record names for an open file.

POSIX: the file descriptor itself, so every function here is the plain one.

Windows: the engine reads and writes a HANDLE it opened overlapped, tied to its
completion port, while Python code (fileno(), os.fstat, os.lseek) needs a C runtime
descriptor. So each file has both, over two handles of one kernel file object: a file
the engine opened gets a descriptor wrapping a duplicate of its handle; a descriptor
given to open() lends the engine a duplicate of its handle. Closing the descriptor never
closes the handle the engine uses, and the engine closes (or pools) only its own.
"""

from __future__ import annotations

import io
import os
import sys

from . import _native, _records

if sys.platform == "win32":
    import _winapi
    import msvcrt

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

    def discard(handle: int) -> None:
        """Closes a handle the engine opened for a task that was cancelled."""
        _native.lib().pybind_CloseNow(handle)

    def write_now(fd: int, handle: int, data: bytes, off: int) -> None:
        """Writes all of data at off (-1: at the end) without the event loop."""
        addr, keep = _records.address_of(data, writable=False)
        done = 0
        while done < len(data):
            res = _native.lib().pybind_WriteNow(handle, addr + done, len(data) - done, off if off < 0 else off + done)
            if res <= 0:
                raise OSError(-res or 5, os.strerror(-res or 5))
            done += res
        del keep

    def close_now(fd: int, handle: int, closefd: bool) -> None:
        """Closes both without the event loop (a file collected unclosed)."""
        try:
            close_fd(fd, closefd)
        finally:
            _native.lib().pybind_CloseNow(handle)

    def append_position(fd: int) -> int:
        """The position after an append: the end (overlapped writes move no file pointer)."""
        return os.lseek(fd, 0, os.SEEK_END)

    def check_detachable() -> None:
        """Raises for a file the engine opened: it cannot become a synchronous file."""
        raise io.UnsupportedOperation(
            "detach(): on Windows a file ayafileio opened has an overlapped handle, which io.FileIO cannot use")

    def detach_fd(fd: int, handle: int) -> int:
        """The descriptor for a synchronous io.FileIO, once the engine let go of it."""
        _native.lib().pybind_CloseNow(handle)
        return fd

else:

    def adopt(handle: int, flags: int) -> tuple[int, int]:
        """(descriptor, record handle) for a descriptor the engine's open returned."""
        return handle, handle

    def borrow(fd: int) -> int:
        """The record handle for a descriptor given to open()."""
        return fd

    def engine_closes(closefd: bool) -> bool:
        """Whether closing the file asks the engine to close the record handle."""
        return closefd

    def close_fd(fd: int, closefd: bool) -> None:
        """Closes what the file's close must close besides the engine's handle: nothing."""

    def discard(handle: int) -> None:
        """Closes a descriptor the engine opened for a task that was cancelled."""
        os.close(handle)

    def write_now(fd: int, handle: int, data: bytes, off: int) -> None:
        """Writes all of data at off (-1: at the file position) without the event loop."""
        view = memoryview(data)
        while view:
            n = os.write(fd, view) if off < 0 else os.pwrite(fd, view, off)
            view = view[n:]
            off = off if off < 0 else off + n

    def close_now(fd: int, handle: int, closefd: bool) -> None:
        """Closes the descriptor without the event loop (a file collected unclosed)."""
        if closefd:
            os.close(fd)

    def append_position(fd: int) -> int:
        """The position after an append: where O_APPEND left the descriptor's offset."""
        return os.lseek(fd, 0, os.SEEK_CUR)

    def check_detachable() -> None:
        """Any file can become a synchronous one."""

    def detach_fd(fd: int, handle: int) -> int:
        """The descriptor for a synchronous io.FileIO."""
        return fd

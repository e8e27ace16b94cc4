"""_platform on POSIX: the descriptor is what records name, so each function is the plain
one (see _platform)."""

from __future__ import annotations

import os
import sys
from typing import Any

from ... import _versions
from ..api import Engine, write_all_now

assert sys.platform != "win32"

__all__ = ["adopt", "borrow", "engine_closes", "close_fd", "discard", "write_now", "close_now", "append_position",
           "check_detachable", "detach_fd", "READ_FAST_PATH", "PATH_OPS", "FSYNC_DIRECTORIES", "makedev", "OPEN_FLAGS",
           "read_nowait", "read_new", "write_once", "encode_for_open", "encode_for_os", "yield_cpu"]

# Reads served straight from memory: page-cache hits through preadv2(RWF_NOWAIT), which
# never waits for a device (Linux), or anything on a RAM-backed file system.
PATH_OPS = True  # the engine does path operations with errno results, as os reports them
FSYNC_DIRECTORIES = True  # a rename is durable once its directory is fsynced
READ_FAST_PATH = hasattr(os, "RWF_NOWAIT")

# What path operations on the engine need from os.
makedev = os.makedev
_RWF_NOWAIT = getattr(os, "RWF_NOWAIT", 0)

# What every descriptor the package opens carries: never inherited by a child process
# (also those the engine opens, which os.open's own rule does not cover).
OPEN_FLAGS = os.O_CLOEXEC


_FS_CODEC = (sys.getfilesystemencoding(), sys.getfilesystemencodeerrors())  # fixed at start-up, as os caches them


def _fsencode(name: str | bytes) -> bytes:
    """os.fsencode(name) for os.fspath()'s result, its one line for a str made here: a call
    less on every open and stat."""
    return name.encode(*_FS_CODEC) if type(name) is str else os.fsencode(name)


def encode_for_open(name: str | bytes) -> bytes:
    """name (os.fspath()'s result) as the engine takes it, with the built-in open()'s
    ValueError for a NUL."""
    path = _fsencode(name)
    if b"\0" in path:
        raise ValueError("embedded null byte")
    return path


def encode_for_os(func: str, arg: str, name: str | bytes) -> bytes:
    """name (func's argument arg) as the engine takes it, with the ValueError os's function
    gives for a NUL: os's own check (of bytes; of str too where this os does), or before it
    the str encoder's."""
    path = _fsencode(name)
    if b"\0" in path:
        raise ValueError(f"{func}: embedded null character in {arg}"
                         if isinstance(name, bytes) or _versions.STR_PATH_NUL_NAMES_THE_ARGUMENT
                         else "embedded null byte")
    return path


def read_nowait(fd: int, view: memoryview, off: int, memory: bool) -> int:
    """Reads into view at off if that needs no device (memory: the file system is in
    RAM); BlockingIOError when the data is not in the page cache."""
    return os.preadv(fd, [view], off, 0 if memory else _RWF_NOWAIT)


read_new = os.pread  # (fd, n, off) -> new bytes: a RAM-backed file system's read


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


def discard(engine: Engine, handle: int, flags: int) -> None:
    """Closes a descriptor the engine opened that nobody will use (a cancelled open, a
    failed one), on the engine, without waiting: a close can wait on a slow file system
    (FUSE's flush), and the loop's thread must not."""
    engine.close_fd(handle, flags=flags)


def write_once(fd: int, data: Any, off: int) -> int:
    """One write of data at off (-1: at the file position): the count."""
    return os.write(fd, data) if off < 0 else os.pwrite(fd, data, off)


def write_now(fd: int, handle: int, data: bytes, off: int) -> None:
    """Writes all of data at off (-1: at the file position) without the event loop."""
    write_all_now(lambda rest, at: write_once(fd, rest, at), data, off)


def close_now(fd: int, handle: int, closefd: bool) -> None:
    """Closes the descriptor without the event loop (a file collected unclosed)."""
    if closefd:
        os.close(fd)


def append_position(fd: int) -> int:
    """The position after an append: where O_APPEND left the descriptor's offset."""
    return os.lseek(fd, 0, os.SEEK_CUR)


def yield_cpu() -> None:
    """Lets a thread queued on this CPU run before this one goes on."""
    os.sched_yield()


def check_detachable() -> None:
    """Any file can become a synchronous one."""


def detach_fd(fd: int, handle: int) -> int:
    """The descriptor for a synchronous io.FileIO."""
    return fd

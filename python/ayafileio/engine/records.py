"""The request/completion record format of core/record.go (a test holds the two side by
side) and the memory a record may point at. A leaf: it imports nothing of the package.
"""

from __future__ import annotations

import ctypes
import struct
from typing import Any

# The 64-byte request record (op, flags, fd, user data, addr, len, op flags, off, addr2,
# mode, dirfd, slot) and the 16-byte completion record (user data, result).
REQUEST = struct.Struct("<BBHiQQIIQQIiI4x")
REQUEST_SIZE, COMPLETION_SIZE = 64, 16

OP_NOP, OP_READ, OP_WRITE, OP_READV, OP_WRITEV, OP_FSYNC, OP_OPENAT, OP_CLOSE = range(8)
OP_STATX, OP_RENAMEAT, OP_UNLINKAT, OP_MKDIRAT, OP_FTRUNCATE = range(8, 13)
OP_SYMLINKAT, OP_LINKAT, OP_READLINKAT, OP_FACCESSAT, OP_GETDENTS, OP_STATFS, OP_SENDFILE = range(13, 20)
OP_COPY_FILE_RANGE = 20
# The names get_backend_info() lists the engine's operations by, indexed by op code.
OP_NAMES = ("nop", "read", "write", "readv", "writev", "fsync", "openat", "close", "statx", "renameat", "unlinkat",
            "mkdirat", "ftruncate", "symlinkat", "linkat", "readlinkat", "faccessat", "getdents", "statfs", "sendfile",
            "copy_file_range")
FLAG_LINK = 1  # the next request runs only if this one succeeds
FLAG_FIXED_FILE = 2  # fd is a direct-descriptor slot
FLAG_HARD_LINK = 4  # with FLAG_LINK: the next request runs whatever this one's result
FLAG_ASYNC = 8  # never run inline on the loop's thread (io_uring's IOSQE_ASYNC): files on FS_SLOW
# What waiting on a file system can cost the thread asking (core/fsinfo.go's FSKind): a
# local one never makes an inline attempt wait, a RAM-backed one never waits for a device
# at all, a slow one (FUSE, NFS, SMB, ...) can wait for a daemon or the network anywhere.
FS_LOCAL, FS_MEMORY, FS_SLOW = 0, 1, 2
FSYNC_DATASYNC = 1
OFF_CURRENT = (1 << 64) - 1  # use (and advance) the file position
AT_FDCWD = -100
MAX_IO_LEN = 0x7FFFF000  # the largest length of one read or write (Linux caps one at this)
DIRECT_SLOTS = 256  # the engine's direct-descriptor table: slot ranges over 1..DIRECT_SLOTS
DIRENTS_END = 1  # OP_GETDENTS' answer flags: the directory ended
DIRENTS_CLOSE = 1  # OP_GETDENTS' op flags: close the descriptor when the directory ends


def engine_ops(info: dict[str, Any]) -> frozenset[int]:
    """The op codes an engine performs, from its backend info."""
    names = set(info.get("native_ops", ())) | set(info.get("worker_ops", ()))
    return frozenset(code for code, name in enumerate(OP_NAMES) if name in names)


def _bytes_data_offset() -> int | None:
    """Where a bytes object's data starts relative to id() in this interpreter (CPython
    keeps it inline at a fixed offset), checked against ctypes; None if not fixed."""
    offsets = set()
    for sample in (b"ayafileio", b"x" * 1000):
        addr = ctypes.cast(ctypes.c_char_p(sample), ctypes.c_void_p).value or 0
        offsets.add(addr - id(sample))
    return offsets.pop() if len(offsets) == 1 else None


_BYTES_OFFSET = _bytes_data_offset()

_bytes_from_size: Any = None
if _BYTES_OFFSET is not None and hasattr(ctypes, "pythonapi"):
    _bytes_from_size = ctypes.pythonapi.PyBytes_FromStringAndSize
    _bytes_from_size.restype = ctypes.py_object
    _bytes_from_size.argtypes = (ctypes.c_void_p, ctypes.c_ssize_t)

_FRESH_BYTES_MIN = 16384  # below it, a bytearray and a copy cost less than the ctypes calls


def fresh_bytes(n: int) -> tuple[bytes | bytearray, memoryview]:
    """A new n-byte object to read into and return, and a writable view of it. As io's
    read does (PyBytes_FromStringAndSize(NULL, n)), a bytes object is filled in place
    before anyone else sees it: no zero-fill, no copy into bytes afterwards. Where the
    interpreter's layout is unknown: a bytearray."""
    if _bytes_from_size is None or n < _FRESH_BYTES_MIN:
        out = bytearray(n)
        return out, memoryview(out)
    b: bytes = _bytes_from_size(None, n)
    assert _BYTES_OFFSET is not None
    return b, memoryview((ctypes.c_char * n).from_address(id(b) + _BYTES_OFFSET)).cast("B")


def bytes_read(out: bytes | bytearray, view: memoryview, n: int) -> bytes:
    """The first n bytes read into fresh_bytes()' out (through view) as bytes."""
    if n == len(out) and type(out) is bytes:
        return out
    return bytes(view[:n])


def bytes_address(b: bytes) -> int:
    """The address of b's first byte, valid while b lives (a call made at once takes
    its path so)."""
    if _BYTES_OFFSET is not None:
        return id(b) + _BYTES_OFFSET  # the hot path (a path, data to write): no ctypes objects
    return ctypes.cast(ctypes.c_char_p(b), ctypes.c_void_p).value or 0  # (c_char_p points into b)


def address_of(buf: Any, writable: bool) -> tuple[int, Any]:
    """The address of a contiguous buffer's first byte, and the object that keeps it valid."""
    if type(buf) is bytearray and not writable and len(buf) <= 16384:
        buf = bytes(buf)  # a small copy is cheaper than pinning the bytearray with ctypes
    if type(buf) is bytes and not writable:
        return bytes_address(buf), buf
    if type(buf) is bytearray and buf:
        # One byte's ctypes object pins the whole bytearray: a third of what a memoryview
        # cast and an array type cost (a read buffer).
        pin = ctypes.c_char.from_buffer(buf)
        return ctypes.addressof(pin), pin
    view = memoryview(buf)
    if not view.c_contiguous:
        raise BufferError("ayafileio needs a contiguous buffer")
    view = view.cast("B")
    if view.readonly:
        if writable:
            raise TypeError("readinto() argument must be read-write bytes-like object")
        return address_of(bytes(view), False)
    if len(view) == 0:
        return 0, view
    c = (ctypes.c_char * len(view)).from_buffer(view)
    return ctypes.addressof(c), (view, c)

"""The kernel's structures the records point at — statx, statfs, linux_dirent64 — and
their flags (Linux's ABI: Python's os has no names for them), decoded into what os
returns, and the two requests that fill them: what the io layers' fstat and the os
functions share."""

from __future__ import annotations

import errno
import os
import struct
import sys
from typing import Any, NamedTuple

from . import platform
from .api import Engine, now_turn, os_error, result
from .records import DIRENTS_END

AT_SYMLINK_NOFOLLOW = 0x100
AT_REMOVEDIR = 0x200
AT_EACCESS = 0x200  # faccessat's flag, same value as AT_REMOVEDIR
AT_SYMLINK_FOLLOW = 0x400
AT_EMPTY_PATH = 0x1000
STATX_BASIC_STATS = 0x7FF
_STATX = struct.Struct("<IIQIIIH2xQQQQqIiqIiqIiqIiIIII")  # struct statx up to stx_dev_minor
STATX_SIZE = 256
_STATFS = struct.Struct("<qqQQQQQIIqqq32x")  # struct statfs on 64-bit Linux
ST_VALID = 0x20
_DIRENTS_HEAD = struct.Struct("<IIiI")  # getdents' packed answer: count, flags, descriptor, 0
_FS_ENCODING, _FS_ERRORS = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
DT_UNKNOWN, DT_DIR, DT_REG, DT_LNK = 0, 4, 8, 10


class PathArg(NamedTuple):
    """A path argument as os's path converter leaves it."""

    c: bytes  # the path, NUL-terminated (b"\\0" when a descriptor was given)
    fd: int | None  # the descriptor given instead of a path
    shown: Any  # what os names in its errors: the path after os.fspath(), or the descriptor


class TypeAndSize(NamedTuple):
    """What opening a file needs of its stat, by os.stat_result's names (which has them
    too): its type and its size."""

    st_mode: int
    st_size: int


_MODE_SIZE = struct.Struct("<28xH10xQ")  # stx_mode, stx_size


def type_and_size_from_statx(buf: bytes | bytearray) -> TypeAndSize:
    """stat_from_statx() for what an open needs: two fields, none of the times."""
    made: TypeAndSize = _new_tuple(TypeAndSize, _MODE_SIZE.unpack_from(buf))
    return made


_new_tuple: Any = tuple.__new__  # what TypeAndSize._make calls, without its two Python frames


def stat_from_statx(buf: bytes | bytearray) -> os.stat_result:
    """The os.stat_result os.stat() builds from the same inode, field for field."""
    (_mask, blksize, _attrs, nlink, uid, gid, mode, ino, size, blocks, _amask,
     a_s, a_ns, _r1, _b_s, _b_ns, _r2, c_s, c_ns, _r3, m_s, m_ns, _r4,
     rdev_major, rdev_minor, dev_major, dev_minor) = _STATX.unpack_from(buf)
    return os.stat_result((
        mode, ino, platform.makedev(dev_major, dev_minor), nlink, uid, gid, size, a_s, m_s, c_s,
        a_s + a_ns * 1e-9, m_s + m_ns * 1e-9, c_s + c_ns * 1e-9,  # as CPython's fill_time() computes them
        a_s * 1_000_000_000 + a_ns, m_s * 1_000_000_000 + m_ns, c_s * 1_000_000_000 + c_ns,
        blksize, blocks, platform.makedev(rdev_major, rdev_minor)))


async def statx(engine: Engine, p: PathArg, dirfd: int, follow: bool, *, name_fd: bool = True) -> os.stat_result:
    """os.stat()/os.lstat()/os.fstat() of p as one STATX request. name_fd=False leaves the
    descriptor out of the error, as os.fstat() does."""
    if p.fd is not None:
        dirfd, flags = p.fd, AT_EMPTY_PATH
    else:
        flags = 0 if follow else AT_SYMLINK_NOFOLLOW
    await now_turn(engine, start=True)
    res = engine.stat_now(p.c, dirfd, flags)
    if res >= 0:
        return stat_from_statx(engine.now_record)
    if res == -errno.EAGAIN:
        buf = bytearray(STATX_SIZE)  # the request's own: the kernel fills it while the task waits
        res = await result(engine, engine.statx(p.c, buf, dirfd=dirfd, at_flags=flags, mask=STATX_BASIC_STATS))
        if res >= 0:
            return stat_from_statx(buf)
    raise os_error(res, p.shown if p.fd is None or name_fd else None)


def statfs_supported() -> bool:
    return sys.maxsize > 2**32  # _STATFS is the 64-bit layout


def statvfs_from_statfs(buf: bytes | bytearray) -> os.statvfs_result:
    """The os.statvfs_result glibc's statvfs() and os.statvfs() make of struct statfs."""
    (_type, bsize, blocks, bfree, bavail, files, ffree, fsid0, fsid1, namelen, frsize,
     flags) = _STATFS.unpack_from(buf)
    flag = flags & ~ST_VALID
    return os.statvfs_result((bsize, frsize or bsize, blocks, bfree, bavail, files, ffree, ffree, flag, namelen,
                              fsid0 | fsid1 << 32))


async def statfs(engine: Engine, p: PathArg) -> os.statvfs_result:
    buf = bytearray(_STATFS.size)
    res = await result(engine, engine.statfs(p.fd, p.c, buf))
    if res < 0:
        raise os_error(res, p.shown)
    return statvfs_from_statfs(buf)


class Dirents(NamedTuple):
    """getdents' packed answer (core/dirents_linux.go)."""

    names: list[Any]  # decoded as os decodes them, unless read for a bytes path
    types: bytes  # d_type of each
    inos: tuple[int, ...]  # d_ino of each
    ended: bool  # the directory has no more entries
    fd: int  # the descriptor to read on from (-1: closed, or not the engine's)


def dirents(buf: bytearray, n: int, as_bytes: bool) -> Dirents:
    count, flags, fd, _ = _DIRENTS_HEAD.unpack_from(buf)
    head = _DIRENTS_HEAD.size
    types_at, names_at = head + 8 * count, head + 9 * count
    inos = struct.unpack_from(f"<{count}Q", buf, head)
    types = bytes(buf[types_at:names_at])
    names: list[Any] = []
    if count:
        blob = bytes(buf[names_at:n - 1])  # one split (and one decode) for the whole batch
        names = blob.split(b"\0") if as_bytes else blob.decode(_FS_ENCODING, _FS_ERRORS).split("\0")
    return Dirents(names, types, inos, bool(flags & DIRENTS_END), fd)

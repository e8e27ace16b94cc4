"""acopy(): a file copied by the kernel, in chunks the engine runs side by side.

Each chunk is copy_file_range on the engine's workers (the file system may share extents
instead: a reflink), so no byte crosses into Python and a cancelled copy stops within a
chunk. Where the kernel cannot (another file system on old kernels, a special file, no
copy_file_range on the platform), the same chunks are read and written positionally
through the files, pipelined. The checks and errors are shutil.copyfile's.
"""

from __future__ import annotations

import errno
import shutil
import stat
from typing import Any

from .engine import api, driver
from .os import requests
from . import testing
from . import os as _os
from .io.file import AsyncBinaryFile
from .io.open import open as aopen
from .io.raw import fstat
from .engine.records import OP_COPY_FILE_RANGE
from .engine.api import os_error
from .whole import each

# What copy_file_range answers when it cannot copy between these two files.
_NO_KERNEL_COPY = {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF}


async def acopy(src: Any, dst: Any, *, chunk_size: int = 4 << 20, concurrency: int = 8,
                copy_stat: bool = False) -> int:
    """shutil.copyfile(src, dst) (and shutil.copystat with copy_stat): the bytes copied.
    shutil.SameFileError for the same file; src is opened before dst, as shutil does.
    Cancelled, it stops within a chunk and leaves dst as far as it got."""
    if chunk_size <= 0:
        raise ValueError("chunk_size must be positive")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    if await _same_file(src, dst):
        raise shutil.SameFileError(f"{src!r} and {dst!r} are the same file")
    for fn in (src, dst):  # shutil's check, before either is opened: opening a FIFO would block
        try:
            st = await _os.stat(fn)
        except OSError:
            continue
        if stat.S_ISFIFO(st.st_mode):
            raise shutil.SpecialFileError(f"`{fn}` is a named pipe")
    async with aopen(src, "rb", buffering=0) as fin:
        async with aopen(dst, "wb", buffering=0) as fout:
            size = (await fstat(driver.get_driver(), fin.fileno())).st_size  # by the engine: a slow fs's fstat waits
            copied = await _copy(fin, fout, size, chunk_size, concurrency)
    if copy_stat:
        await requests.in_thread(None, shutil.copystat, src, dst)
    return copied


async def _same_file(src: Any, dst: Any) -> bool:
    try:
        return await _os.path.samefile(src, dst)
    except (OSError, ValueError):
        return False


async def _copy(fin: AsyncBinaryFile, fout: AsyncBinaryFile, size: int, chunk_size: int, concurrency: int) -> int:
    if size == 0 or testing.active():
        # Nothing said about the size (a /proc file, say), or files on threads
        # (ayafileio.testing), which have no positional I/O: read until the end.
        return await _stream(fin, fout, chunk_size)
    spans = [(off, min(chunk_size, size - off)) for off in range(0, size, chunk_size)]
    engine = requests.engine_for(OP_COPY_FILE_RANGE)
    if engine is not None:
        first = await _kernel_span(engine, fin.fileno(), fout.fileno(), *spans[0])
        if first is not None:
            rest = await each(spans[1:], lambda s: _kernel_span(engine, fin.fileno(), fout.fileno(), *s), concurrency)
            return first + sum(n or 0 for n in rest)
    return sum(await each(spans, lambda s: _pipelined_span(fin, fout, *s), concurrency))


async def _stream(fin: AsyncBinaryFile, fout: AsyncBinaryFile, chunk_size: int) -> int:
    copied = 0
    while chunk := await fin.read(chunk_size):
        await fout.write(chunk)
        copied += len(chunk)
    return copied


async def _kernel_span(engine: Any, fin: int, fout: int, off: int, n: int) -> int | None:
    """copy_file_range of one chunk to its end (a call may copy less): the bytes copied,
    or None when the kernel cannot copy between these files at all."""
    done = 0
    while done < n:
        res = await api.result(engine, engine.copy_file_range(fin, off + done, fout, off + done, n - done))
        if res < 0:
            if done == 0 and off == 0 and -res in _NO_KERNEL_COPY:
                return None
            raise os_error(res)
        if res == 0:
            break  # the source ended early: it was truncated meanwhile
        done += res
    return done


async def _pipelined_span(fin: AsyncBinaryFile, fout: AsyncBinaryFile, off: int, n: int) -> int:
    data = await fin.read_at(off, n)
    if data:
        await fout.write_at(off, data)
    return len(data)

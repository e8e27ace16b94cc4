"""The buffered layer: io.BufferedReader, io.BufferedWriter and io.BufferedRandom (chosen
by the raw file's directions), ported state for state from CPython's C implementation
(Modules/_io/bufferedio.c), whose behaviour the built-in open() has: one buffer serves
read-ahead and pending writes, `_pos` is the logical position in it, `_raw_pos` where the
raw position is relative to it, `_abs_pos` the raw position as last seen. Method and
helper names follow the C functions so the two can be read side by side.

What C cannot have and this layer adds: cancellation. A cancelled read takes nothing
(what it had gathered goes back in front of the read-ahead); a cancelled write() is
accepted whole (what the raw file did not take stays buffered); a cancelled flush leaves
the unwritten rest buffered. Nothing is lost or written twice.

Callers (AsyncFile) serialise calls on one file; this layer assumes exclusive use.
"""

from __future__ import annotations

import asyncio
import errno
import io
import operator
import os
from collections.abc import Callable
from typing import Any

from ..engine import api, buffers, records
from .. import _versions
from ..engine.config import debug
from .raw import Interrupted, RawFile, closed_error
from ..engine.records import FLAG_LINK
from ..engine.api import os_error

_DATA_HOLE = tuple(w for w in (getattr(os, "SEEK_DATA", None), getattr(os, "SEEK_HOLE", None)) if w is not None)


class _OverRaw:
    """What the two binary layers, siblings with one contract, say of their raw file."""

    __slots__ = ("raw", "readable", "writable")

    def __init__(self, raw: RawFile) -> None:
        self.raw = raw
        self.readable = raw.readable
        self.writable = raw.writable

    @property
    def closed(self) -> bool:
        return self.raw.closed

    @property
    def seekable(self) -> bool:
        return self.raw.seekable

    @property
    def fd(self) -> int:
        return self.raw.fd


class BufferedFile(_OverRaw):
    """Binary buffered file over a RawFile."""

    __slots__ = ("buffer_size", "_buf", "_view", "_pin", "_addr", "_pos", "_raw_pos", "_read_end", "_write_pos",
                 "_write_end", "_abs_pos_delta")

    def __init__(self, raw: RawFile, buffer_size: int) -> None:
        if buffer_size <= 0:
            raise ValueError("buffer size must be strictly positive")
        _OverRaw.__init__(self, raw)
        self.buffer_size = buffer_size
        self._hold_none()  # taken when first needed (a whole-file read needs none)
        self._pos = 0
        self._raw_pos = 0
        self._read_end = -1
        self._write_pos = 0
        self._write_end = -1
        # C's abs_pos (the raw position as C last saw it) minus raw.pos: the two part
        # only where C counts differently (a readall it does not count, appends it counts
        # where O_APPEND put the position elsewhere).
        self._abs_pos_delta = 0

    def _set_buffer(self, buf: bytearray) -> None:
        """Installs buf as the buffer. The kernel reads into it by address: a new
        bytearray replaces it whenever it must grow (a pinned one cannot be resized)."""
        self._buf, self._view, self._pin, self._addr = buffers.wrap(buf)

    def _hold_none(self) -> None:
        """Holds no buffer: the one shared empty buffer stands in (no view per file)."""
        self._buf, self._view, self._pin, self._addr = _NO_BUFFER

    def _ensure_buffer(self) -> None:
        """Gives the buffer its full capacity (read-ahead fills all of it)."""
        self._room(self.buffer_size)

    def _room(self, end: int) -> None:
        """Makes the buffer hold at least end bytes: it is taken at the size class that
        fits (a 1 KB write pins no 64 KiB) and grows by classes up to buffer_size,
        keeping what it holds."""
        if end > len(self._buf):
            self._replace(buffers.size_class(end, self.buffer_size), len(self._buf))

    def _fit(self, end: int) -> None:
        """After a fill, which reads as much as C's: where a regular file held less (it
        ended), the end bytes read are kept in a buffer of their size class (a 4 KB
        file holds 4 KiB, not 64 KiB), none if there are none. Not for pipes and
        terminals (their next read would take the whole buffer again), nor with
        writes pending."""
        if not self.raw.regular or self._valid_write():
            return
        if end == 0:
            self._release_buffer()
            return
        size = buffers.size_class(end, self.buffer_size)
        if size < len(self._buf):
            self._replace(size, end)

    def _replace(self, size: int, keep: int) -> None:
        """Takes a buffer of size bytes in place of this one, with its first keep bytes;
        the old one is given back. Only between requests: none uses the old one."""
        old = self._buf, self._view, self._pin, self._addr
        taken = buffers.take(size)
        if keep:
            taken[1][:keep] = old[1][:keep]
        self._give(old)
        self._buf, self._view, self._pin, self._addr = taken

    def _release_buffer(self) -> None:
        """Gives the buffer back for reuse (nothing is buffered, no request uses it)."""
        if self._addr:
            self._give((self._buf, self._view, self._pin, self._addr))
            self._hold_none()

    def _give(self, buffer: buffers.Buffer) -> None:
        size = len(buffer[0])
        if buffer[3] and size == buffers.size_class(size, self.buffer_size):
            buffers.give(buffer)

    # --- the C macros -------------------------------------------------------------------

    def _valid_read(self) -> bool:
        return self.readable and self._read_end != -1

    def _valid_write(self) -> bool:
        return self.writable and self._write_end != -1

    def _readahead(self) -> int:
        return self._read_end - self._pos if self.readable and self._read_end != -1 else 0

    def _raw_offset(self) -> int:
        if (self._valid_read() or self._valid_write()) and self._raw_pos >= 0:
            return self._raw_pos - self._pos
        return 0

    def _adjust_position(self, new_pos: int) -> None:
        self._pos = new_pos
        if self._valid_read() and self._read_end < new_pos:
            self._read_end = new_pos

    def _check_closed(self, msg: str) -> None:
        if self.raw.closed and self._readahead() == 0:
            raise closed_error(msg)

    def check_readable(self) -> None:
        self.raw.check_open()
        if not self.readable:
            raise io.UnsupportedOperation("read")

    def check_writable(self) -> None:
        self.raw.check_open()
        if not self.writable:
            raise io.UnsupportedOperation("write")

    # --- raw calls ----------------------------------------------------------------------

    @property
    def _abs_pos(self) -> int:
        return self.raw.pos + self._abs_pos_delta

    def _raw_tell(self) -> int:
        self._abs_pos_delta = 0
        return self.raw.tell()

    def _raw_seek(self, target: int, whence: int) -> int:
        self._abs_pos_delta = 0
        return self.raw.seek(target, whence)

    async def _raw_write(self, data: Any) -> int:
        """_bufferedwriter_raw_write: C adds n to its raw position also where O_APPEND
        put the real one elsewhere."""
        before = self.raw.pos
        try:
            n = await self.raw.write(data)
        except Interrupted as e:
            self._abs_pos_delta += e.count - (self.raw.pos - before)
            raise
        self._abs_pos_delta += n - (self.raw.pos - before)
        return n

    # --- buffer state -------------------------------------------------------------------

    def _reader_reset_buf(self) -> None:
        self._read_end = -1

    def _writer_reset_buf(self) -> None:
        self._write_pos = 0
        self._write_end = -1

    async def _fill_buffer(self, fit: bool = True) -> int:
        """_bufferedreader_fill_buffer, then _fit() unless not fit. If cancelled, the
        bytes read are read-ahead."""
        self._ensure_buffer()
        start = self._read_end if self._valid_read() else 0
        view = self._view[start : self.buffer_size]
        try:
            wait = self.raw.busy()
            if wait is not None:
                await wait
            n = self.raw.read_cached(view)  # in memory: no round trip
            if n is None:
                pinned = self._buf, self._view, self._pin, self._addr
                n = await self.raw.read_pinned(pinned, start, len(view))
        except Interrupted as e:
            if e.count > 0:
                self._read_end = self._raw_pos = start + e.count
            raise asyncio.CancelledError(*e.args) from None
        except asyncio.CancelledError:
            # The read was abandoned (settle() timed out): the kernel may still write
            # into the buffer, so it is not used again.
            self._set_buffer(bytearray(self.buffer_size))
            self._reader_reset_buf()
            raise
        if n > 0:
            self._read_end = self._raw_pos = start + n
        if fit:
            self._fit(max(self._read_end, 0))
        return n

    def _give_back(self, data: bytes) -> None:
        """Puts bytes a cancelled read had taken in front of the read-ahead, so the
        position is where the read started and the next read returns them. Only called
        with no pending writes (reads flush them first)."""
        if not data:
            return
        rest = bytes(self._view[self._pos : self._read_end]) if self._valid_read() else b""
        data += rest
        self._set_buffer(bytearray(data) + bytearray(max(self.buffer_size - len(data), 0)))
        self._pos = 0
        self._read_end = self._raw_pos = len(data)

    async def _flush_unlocked(self) -> None:
        """_bufferedwriter_flush_unlocked. If cancelled, what was not written stays
        buffered."""
        if not self._valid_write() or self._write_pos == self._write_end:
            self._writer_reset_buf()
            return
        rewind = self._raw_offset() + (self._pos - self._write_pos)
        if rewind != 0:
            self._raw_seek(-rewind, os.SEEK_CUR)
            self._raw_pos -= rewind
        while self._write_pos < self._write_end:
            try:
                n = await self._raw_write(self._view[self._write_pos : self._write_end])
            except asyncio.CancelledError as e:
                if isinstance(e, Interrupted):
                    self._write_pos += e.count
                    self._raw_pos = self._write_pos
                else:  # abandoned: the write may still read the buffer, so work on a copy
                    self._set_buffer(bytearray(self._view))
                if self._valid_read() and self._raw_pos != self._read_end:
                    # Where a flush leaves read-ahead, C's state has the raw position at
                    # its end (the in-buffer seek counts on it): put it back there; the
                    # next flush rewinds to the pending bytes.
                    self._raw_seek(self._read_end - self._raw_pos, os.SEEK_CUR)
                    self._raw_pos = self._read_end
                raise asyncio.CancelledError(*e.args) from None
            if n == 0:
                raise OSError(errno.EIO, "write returned 0 bytes")
            self._write_pos += n
            self._raw_pos = self._write_pos
        self._writer_reset_buf()
        if not self._valid_read():
            self._release_buffer()  # idle: the next write takes one again

    async def _flush_and_rewind(self) -> None:
        await self._flush_unlocked()
        if self.readable:
            # Rewind the raw position to the logical one.
            try:
                self._raw_seek(-self._raw_offset(), os.SEEK_CUR)
            finally:
                self._reader_reset_buf()

    # --- reading ------------------------------------------------------------------------

    async def _flush_before_reading(self, taken: int) -> None:
        """C's flush before a read goes past the buffer (BufferedRandom). If it is
        cancelled, the `taken` bytes the read had copied from the buffer go back."""
        try:
            await self._flush_and_rewind()
        except asyncio.CancelledError:
            self._pos -= taken
            raise

    def read_fast(self, n: int) -> bytes | None:
        """read(n) made at once, or None: from the read-ahead where it holds n bytes
        (_bufferedreader_read_fast), or, with nothing read ahead, as one read into new
        bytes (_read_direct, _read_all_now) while this loop iteration has budget left."""
        if not self.readable or n < -1 or self.raw.closed:
            return None
        ahead = self._read_end - self._pos if self._read_end != -1 else 0  # (_readahead(), readable)
        if n == -1:
            return self._read_all_now() if ahead == 0 else None
        if n <= ahead:
            return self._take(n)
        if ahead == 0 and self._reads_direct(n) and self.raw.engine.budget_left():
            return self._read_direct(n)
        return None

    def _read_all_now(self) -> bytes | None:
        """read() with nothing read ahead, as RawFile.readall_now() at once: no writes
        pending, a file read from memory, budget left."""
        if self._valid_write() or not self.raw.fast_read or not self.raw.engine.budget_left():
            return None
        rest = self.raw.readall_now()
        if rest is not None:
            self._reader_reset_buf()
            self._abs_pos_delta -= len(rest)  # (as _read_all)
        return rest

    def _take(self, n: int) -> bytes:
        """n bytes of the read-ahead, which holds them."""
        pos = self._pos
        self._pos = pos + n
        return bytes(self._view[pos : pos + n])

    def _reads_direct(self, n: int) -> bool:
        """Whether read(n), with nothing read ahead and no writes pending, is first tried as
        one read into new bytes at once (RawFile.read_new): C's fill and the read that
        finds the end are one read straight into the result. On a RAM-backed file system
        where all of it would go straight from the raw file into the result, or the file
        (as last seen) ends within it; from the page cache where the file ends within a
        read of at most a buffer (a short read there may stop at a page not cached: the
        ring then reads it all again)."""
        raw = self.raw
        if not raw.fast_read or self._valid_write():
            return False
        if raw.fast_read == "memory":
            return n % self.buffer_size == 0 or raw.ends_within(n)
        return n <= self.buffer_size and raw.ends_within(n)

    def _read_direct(self, n: int) -> bytes | None:
        """read(n) where _reads_direct(n) holds; None where the raw file could not read it
        all at once after all."""
        data = self.raw.read_new(n)
        if data is not None:
            self._reader_reset_buf()
            self._release_buffer()  # it holds nothing to keep
            if len(data) == n:
                self._pos = self._raw_pos = self._read_end = 0
        return data

    def _check_reader(self, name: str, size: Any = -1) -> None:
        # io.BufferedWriter's read methods are BufferedIOBase's: they refuse whether or
        # not the file is closed (since 3.12 after parsing the size).
        if not self.readable:
            if _versions.WRITER_READ_PARSES_SIZE:
                operator.index(size)
            raise io.UnsupportedOperation(name)

    async def read(self, size: Any = -1) -> bytes:
        self._check_reader("read", size)
        n = optional_size(size)
        if n < -1:
            raise ValueError("read length must be non-negative or -1")
        self._check_closed("read of closed file")
        if n == -1:
            return await self._read_all()
        res = self.read_fast(n)
        if res is not None:
            return res
        # _bufferedreader_read_generic:
        if n > _MAX_ALLOCATION:
            n = await _bounded(self.raw, n, self.tell)
        current = self._readahead()
        if current == 0 and self._reads_direct(n):  # read_fast() found the budget spent
            wait = self.raw.busy()
            if wait is not None:
                await wait
            data = self._read_direct(n)
            if data is not None:
                return data
        out, ov = records.fresh_bytes(n)
        remaining, written = n, 0
        if current > 0:
            ov[:current] = self._view[self._pos : self._pos + current]
            remaining -= current
            written += current
            self._pos += current
        if self.writable:
            await self._flush_before_reading(taken=current)
        self._reader_reset_buf()
        try:
            while remaining > 0:
                # Whole buffers go straight into the result; the tail through the buffer.
                r = remaining - remaining % self.buffer_size
                if r == 0:
                    break
                try:
                    r = await self.raw.readinto(ov[written : written + r])
                except Interrupted as e:
                    written += e.count
                    raise
                if r == 0:
                    return records.bytes_read(out, ov, written)
                remaining -= r
                written += r
            self._pos = self._raw_pos = self._read_end = 0
            while remaining > 0 and self._read_end < self.buffer_size:
                r = await self._fill_buffer(fit=False)  # once below: a fill at the end often follows
                if r == 0:
                    break
                take = min(r, remaining)
                ov[written : written + take] = self._view[self._pos : self._pos + take]
                written += take
                self._pos += take
                remaining -= take
                if self._read_end < self.buffer_size and self.raw.fast_read == "memory":
                    break  # a short read of a RAM-backed file is its end: no read to learn it
            if self._pos == self._read_end and self.raw.regular and not self._valid_write():
                # All it read was taken: no buffer to keep (a seek back reads again).
                self._reader_reset_buf()
                self._release_buffer()
            else:
                self._fit(max(self._read_end, 0))
        except asyncio.CancelledError as e:
            self._give_back(bytes(ov[:written]))
            raise asyncio.CancelledError(*e.args) from None
        return records.bytes_read(out, ov, written)

    async def _read_all(self) -> bytes:
        current = self._readahead()
        data = b""
        if current:
            data = bytes(self._view[self._pos : self._read_end])
            self._pos += current
        if self.writable:
            await self._flush_before_reading(taken=current)
        self._reader_reset_buf()
        try:
            rest = await self.raw.readall()
        except Interrupted as e:
            self._give_back(data + e.data)
            raise asyncio.CancelledError(*e.args) from None
        self._abs_pos_delta -= len(rest)  # C does not count a readall in its raw position
        return data + rest if data else rest

    async def read1(self, size: Any = -1) -> bytes:
        self._check_reader("read1", size)
        n = operator.index(size)
        if n < 0:
            n = self.buffer_size
        self._check_closed("read of closed file")
        if n == 0:
            return b""
        have = self._readahead()
        if have > 0:
            return self._take(min(have, n))
        # As C's read1: one raw read; pending writes flushed first where this io does so
        # (else the read is at the raw position, before them).
        if self.writable and _versions.READ1_FLUSHES_WRITES:
            await self._flush_and_rewind()
        self._reader_reset_buf()
        return await _read_new(n, self.raw, self._give_back_raw)

    def _give_back_raw(self, data: bytes) -> None:
        """read1()'s give-back: with writes pending the buffer holds them, so the raw
        position is moved back instead (such a file is seekable: BufferedRandom)."""
        if self._valid_write():
            self._raw_seek(-len(data), os.SEEK_CUR)
        else:
            self._give_back(data)

    async def readinto(self, buffer: Any, readinto1: bool = False) -> int:
        view = writable_view(buffer, "readinto1() argument" if readinto1 else "readinto() argument")
        self._check_reader("readinto1" if readinto1 else "read")
        self._check_closed("readinto of closed file")
        length = len(view)
        written = 0
        n = self._readahead()
        if n > 0:
            if n >= length:
                view[:] = self._view[self._pos : self._pos + length]
                self._pos += length
                return length
            view[:n] = self._view[self._pos : self._pos + n]
            self._pos += n
            written = n
        if self.writable:
            await self._flush_before_reading(taken=written)
        self._reader_reset_buf()
        self._pos = 0
        remaining = length - written
        try:
            while remaining > 0:
                if remaining > self.buffer_size:
                    try:
                        n = await self.raw.readinto(view[written:])
                    except Interrupted as e:
                        written += e.count
                        raise
                elif not (readinto1 and written):
                    n = await self._fill_buffer()
                    if n > 0:
                        n = min(n, remaining)
                        view[written : written + n] = self._view[self._pos : self._pos + n]
                        self._pos += n
                        written += n
                        remaining -= n
                        continue
                else:
                    n = 0
                if n == 0:
                    break
                if readinto1:
                    written += n
                    break
                written += n
                remaining -= n
        except asyncio.CancelledError as e:
            self._give_back(bytes(view[:written]))
            raise asyncio.CancelledError(*e.args) from None
        return written

    async def peek(self, size: Any = 0) -> bytes:
        if not self.readable:
            raise AttributeError("'_io.BufferedWriter' object has no attribute 'peek'")
        operator.index(size)  # parsed, then unused, as C's
        self._check_closed("peek of closed file")
        if self.writable:
            await self._flush_and_rewind()
        have = self._readahead()
        if have > 0:
            return bytes(self._view[self._pos : self._read_end])
        self._reader_reset_buf()
        r = await self._fill_buffer()
        self._pos = 0
        return bytes(self._view[: max(r, 0)])

    def readline_fast(self, limit: int = -1) -> bytes | None:
        """The part of _buffered_readline that needs no I/O: a line (or limit bytes)
        found in the buffer, or None."""
        if self.raw.closed:
            return None  # readline() says which error
        n = self._readahead()
        if limit >= 0 and n > limit:
            n = limit
        start = self._pos
        end = self._buf.find(b"\n", start, start + n)
        if end >= 0:
            self._pos = end + 1
            return bytes(self._view[start : end + 1])
        if n == limit:
            self._pos = start + n
            return bytes(self._view[start : start + n])
        return None

    async def readline(self, limit: int = -1) -> bytes:
        if not self.readable:  # io.BufferedWriter's is IOBase.readline, which reads byte by byte
            if limit == 0:
                return b""
            raise io.UnsupportedOperation("read")
        self._check_closed("readline of closed file")
        line = self.readline_fast(limit)
        if line is not None:
            return line
        chunks: list[bytes] = []
        n = self._readahead()
        if n > 0:
            chunks.append(bytes(self._view[self._pos : self._pos + n]))
            self._pos += n
            if limit >= 0:
                limit -= n
        if self.writable:
            await self._flush_before_reading(taken=n)
        try:
            while True:
                self._reader_reset_buf()
                self._pos = 0  # where a cancelled fill's bytes start
                n = await self._fill_buffer()
                if n <= 0:
                    break
                if limit >= 0 and n > limit:
                    n = limit
                end = self._buf.find(b"\n", 0, n)
                if end >= 0:
                    chunks.append(bytes(self._view[: end + 1]))
                    self._pos = end + 1
                    break
                chunks.append(bytes(self._view[:n]))
                if n == limit:
                    self._pos = n
                    break
                if limit >= 0:
                    limit -= n
        except asyncio.CancelledError as e:
            self._give_back(b"".join(chunks))
            raise asyncio.CancelledError(*e.args) from None
        return b"".join(chunks)

    # --- writing ------------------------------------------------------------------------

    def write_fast(self, data: Any, length: int) -> bool:
        """The part of write() that needs no I/O: data fits in the buffer at the
        position. False when it does not (nothing was done)."""
        if not self._valid_read() and not self._valid_write():
            self._pos = self._raw_pos = 0
        if length > self.buffer_size - self._pos or self._goes_to_raw(length):
            return False
        self._room(self._pos + length)
        self._put(data, length)
        return True

    def _goes_to_raw(self, length: int) -> bool:
        """Whether write() hands this much to the raw file, not the buffer."""
        return length >= self.buffer_size if _versions.FULL_BUFFER_WRITES_GO_TO_RAW else length > self.buffer_size

    def _put(self, data: Any, length: int) -> None:
        """Copies data into the buffer at the position as pending bytes."""
        pos = self._pos
        self._view[pos : pos + length] = data
        if not self._valid_write() or self._write_pos > pos:
            self._write_pos = pos
        self._adjust_position(pos + length)
        if self._pos > self._write_end:
            self._write_end = self._pos

    async def write(self, data: Any) -> int:
        if not self.writable:
            raise io.UnsupportedOperation("write")
        view = bytes_view(data)
        if self.raw.closed:
            raise closed_error("write to closed file")
        length = len(view)
        if self.write_fast(view, length):
            return length
        try:
            await self._flush_unlocked()
        except asyncio.CancelledError:
            self.accept(view)
            raise
        # The raw position may be away from the logical one if the read buffer was
        # filled but not modified (the flush did not rewind it).
        offset = self._raw_offset()
        if offset != 0:
            self._raw_seek(-offset, os.SEEK_CUR)
            self._raw_pos -= offset
        remaining, written = length, 0
        while self._goes_to_raw(remaining):
            chunk = view if written == 0 and type(view) is bytes else memoryview(view)[written:]
            try:
                n = await self._raw_write(chunk)
            except Interrupted as e:
                written += e.count
                self._reader_reset_buf()
                self.accept(memoryview(view)[written:])
                raise asyncio.CancelledError(*e.args) from None
            if n == 0:
                raise OSError(errno.EIO, "write returned 0 bytes")
            written += n
            remaining -= n
        if self.readable:
            self._reader_reset_buf()
        if remaining > 0:
            self._room(remaining)
            self._view[:remaining] = memoryview(view)[written:]
        self._write_pos = 0
        self._write_end = remaining
        self._adjust_position(remaining)
        self._raw_pos = 0
        return length

    def writes_through(self) -> bool:
        """Whether write_through() applies: a write-only file whose buffer holds nothing
        and whose writes are made at once (a file written through the ring sends its
        last bytes and the close as one chain)."""
        return self.raw.writes_now and not self.readable and not self._valid_write()

    async def write_through(self, data: bytes) -> None:
        """write(data) and the flush after it, for a buffer that holds nothing: the
        bytes go to the raw file without a copy into the buffer. What a failure or a
        cancellation leaves unwritten stays pending, as in C's buffer."""
        view = memoryview(data)
        written = 0
        try:
            while written < len(data):
                n = await self._raw_write(view[written:] if written else data)
                if n == 0:
                    raise OSError(errno.EIO, "write returned 0 bytes")
                written += n
        except Interrupted as e:
            self.accept(view[written + e.count :])
            raise asyncio.CancelledError(*e.args) from None
        except BaseException:
            self.accept(view[written:])
            raise

    def accept(self, data: Any) -> None:
        """Buffers data at the position whatever its size (the rest of a cancelled
        write(), which the caller counts as written), growing the buffer if needed."""
        length = len(data)
        if not length or self.write_fast(data, length):
            return
        self._set_buffer(bytearray(self._view) + bytearray(max(self._pos + length - len(self._buf), 0)))
        self._put(data, length)

    async def flush(self) -> None:
        self._check_closed("flush of closed file")
        await self._flush_and_rewind()

    def pending_write(self) -> int:
        """Bytes written to the buffer and not yet to the raw file."""
        return self._write_end - self._write_pos if self._valid_write() else 0

    # --- position -----------------------------------------------------------------------

    def tell(self) -> int:
        pos = self._raw_tell() - self._raw_offset()
        return pos

    def seek_now(self, target: Any, whence: int = 0) -> int | None:
        """seek() when it needs no I/O (inside the buffer, or nothing pending to write):
        the new position. None when pending bytes must be written first (then seek())."""
        if whence not in (0, 1, 2, *_DATA_HOLE):
            raise ValueError(f"whence value {whence} unsupported")
        self._check_closed("seek of closed file")
        if not self.raw.seekable:
            raise io.UnsupportedOperation("File or stream is not seekable.")
        if not isinstance(target, int):
            raise TypeError(f"'{type(target).__name__}' object cannot be interpreted as an integer")
        if whence in (0, 1) and self.readable:
            # Seeking inside the buffer needs no I/O.
            current = self._abs_pos if self._abs_pos != -1 else self._raw_tell()
            avail = self._readahead()
            if avail > 0:
                offset = target - (current - self._raw_offset()) if whence == 0 else target
                if -self._pos <= offset <= avail:
                    self._pos += offset
                    return current - avail + offset
        if self.pending_write():
            return None
        return self._seek_raw(target, whence)

    async def seek(self, target: Any, whence: int = 0) -> int:
        n = self.seek_now(target, whence)
        if n is not None:
            return n
        await self._flush_unlocked()
        return self._seek_raw(target, whence)

    def _seek_raw(self, target: int, whence: int) -> int:
        """The raw seek that ends C's seek once the pending bytes are written."""
        self._writer_reset_buf()  # what the flush C runs here leaves (nothing pending)
        if whence == 1:
            target -= self._raw_offset()
        n = self._raw_seek(target, whence)
        self._raw_pos = -1
        if self.readable:
            self._reader_reset_buf()
        return n

    async def truncate(self, pos: int | None = None) -> int:
        self._check_closed("truncate of closed file")
        if not self.writable:
            raise io.UnsupportedOperation("truncate")
        await self._flush_and_rewind()
        res = await self.raw.truncate(pos)
        try:
            self._raw_tell()
        except OSError:
            pass
        return res

    async def sync(self, datasync: bool) -> None:
        self.raw.check_open()
        await self.flush()
        await self.raw.sync(datasync)

    # --- closing ------------------------------------------------------------------------

    def closes_through(self) -> bool:
        """Whether close(last) applies: a write-only file whose buffer holds nothing and
        whose last bytes and close go to the engine as one chain (the sibling of
        writes_through() where writes are not made at once)."""
        return self.raw.chains_close() and not self.readable and not self._valid_write()

    def close_fast(self) -> bool:
        """close() made at once where nothing is pending and the raw file closes on this
        thread: whether it did."""
        if not self.raw.closes_now or self.pending_write():
            return False
        self._close_state()
        self.raw.close_now()
        return True

    async def close(self, last: bytes = b"") -> None:
        """Flushes and closes; the descriptor is closed even when the flush fails, and
        the flush's error is raised after (as io does). Pending bytes and the close go to
        the kernel as one linked chain. A cancelled close still writes and closes. last:
        bytes written at the position before the close, where closes_through() holds
        (the text layer's last batch): they go into that chain without a copy into a
        buffer; what the kernel does not write of them is pending, as in C's buffer."""
        if self.raw.closed:
            return
        error: BaseException | None = None
        try:
            if last or self.pending_write():
                if (last or self.raw.chains_close()) and await self._write_and_close(last):
                    return
                await self.flush()
        except asyncio.CancelledError:
            await self._close_uninterrupted()
            raise
        except BaseException as e:
            error = e
        self._close_state()
        try:
            await self.raw.close()
        except OSError as e:
            error = error or e
        if error is not None:
            raise error

    async def _write_and_close(self, last: bytes = b"") -> bool:
        """Submits the pending bytes' write (or last's, with nothing pending) and the close
        as one linked chain. True when the file is closed; False when the write came up
        short and the kernel skipped the close (the rest is still pending)."""
        raw = self.raw
        engine = raw.engine
        if not last:
            self._rewind_for_flush()
        off = raw.write_offset()
        engine.room_for_chain(2)
        if last:
            wreq = engine.write(raw.ref, last, off, flags=FLAG_LINK | raw.flags)
        else:  # from the buffer, which the file holds until both requests are done
            wreq = engine.write_pinned(raw.ref, (self._buf, self._view, self._pin, self._addr), self._write_pos,
                                       self._write_end - self._write_pos, off, flags=FLAG_LINK | raw.flags)
        creq = engine.close_fd(raw.ref, flags=raw.close_flags)
        wreq.future.cancel()  # the close wakes the task; the write's result is in by then (as in api.chain)
        before = raw.pos
        try:
            cres = await creq.future
            wres = wreq.result if wreq.result is not None else await engine.settle(wreq, cancel=False)
        except asyncio.CancelledError:
            wres = await engine.settle(wreq, cancel=False)
            cres = await engine.settle(creq, cancel=False)
            if raw.wrote_and_closed(wres, cres):
                self._close_state()
            else:
                self._wrote_pending(wres, before, last)  # the rest is written by the caller's cleanup
            raise
        if not raw.wrote_and_closed(wres, cres):  # the write failed or came up short
            self._wrote_pending(wres, before, last)
            if wres < 0:
                raise os_error(wres)
            return False
        self._close_state()
        if cres < 0:
            raise os_error(cres)
        return True

    def _rewind_for_flush(self) -> None:
        """Moves the raw position to where the pending bytes go (_flush_unlocked's rewind)."""
        rewind = self._raw_offset() + (self._pos - self._write_pos)
        if rewind != 0:
            self._raw_seek(-rewind, os.SEEK_CUR)
            self._raw_pos -= rewind

    def _wrote_pending(self, n: int, raw_pos_before: int, last: bytes = b"") -> None:
        """Accounts for n pending bytes written outside _raw_write (the linked chain, after
        which the raw file moved its position from raw_pos_before); of last (the chain's
        data, not in the buffer), what is left becomes pending."""
        if n > 0:
            self._abs_pos_delta += n - (self.raw.pos - raw_pos_before)
            if not last:
                self._write_pos += n
                self._raw_pos = self._write_pos
        if last:
            self.accept(memoryview(last)[max(n, 0):])

    async def _close_uninterrupted(self) -> None:
        """The rest of a close whose task was cancelled: the pending bytes go out and
        the descriptor is closed whatever the task wants. Errors have nobody to go to
        but the log."""
        raw = self.raw
        if not raw.closed:
            if self.pending_write():
                self._rewind_for_flush()
                data = bytes(self._view[self._write_pos : self._write_end])
                await _write_all_uninterrupted(raw, data)
            try:
                await raw.close()
            except (OSError, asyncio.CancelledError):
                pass
        self._close_state()

    def _close_state(self) -> None:
        self._writer_reset_buf()
        self._read_end = 0
        self._pos = 0
        self._release_buffer()

    def drain_now(self) -> None:
        """Writes pending bytes without the event loop (a file collected unclosed,
        detach()), leaving the raw position at the logical one."""
        if self.pending_write():
            self._rewind_for_flush()
            self.raw.write_now(bytes(self._view[self._write_pos : self._write_end]))
            self._raw_pos = self._write_end
        self._writer_reset_buf()
        if self.readable and self.raw.seekable:
            self._raw_seek(-self._raw_offset(), os.SEEK_CUR)
        self._reader_reset_buf()


async def _read_new(n: int, raw: RawFile, give_back: Callable[[bytes], None]) -> bytes:
    """One read of up to n bytes into new memory: at once where raw reads them from
    memory (RawFile.read_new), else by the ring, where a cancelled one gives back what
    the kernel had read."""
    wait = raw.busy()
    if wait is not None:
        await wait
    data = raw.read_new(n)
    if data is not None:
        return data
    out, view = records.fresh_bytes(n)
    try:
        got = await raw.readinto_by_ring(view)
    except Interrupted as e:
        give_back(bytes(view[: e.count]))
        raise asyncio.CancelledError(*e.args) from None
    return records.bytes_read(out, view, got)


def bytes_view(data: Any) -> bytes | memoryview:
    """write()'s argument as C's buffer converter takes it, before any other check: bytes
    as they are, another bytes-like object as a view of its bytes; io's TypeError for
    anything else."""
    if type(data) is bytes:
        return data
    try:
        view = memoryview(data)
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not '{type(data).__name__}'") from None
    return view.cast("B")


def writable_view(buffer: Any, argument: str) -> memoryview:
    """readinto()'s argument as C's read-write buffer converter takes it, before any other
    check, with io's TypeError naming the argument as the method's converter does."""
    try:
        view = memoryview(buffer)
    except TypeError:
        view = None
    if view is None or view.readonly:
        kind = "None" if buffer is None else type(buffer).__name__
        raise TypeError(f"{argument} must be read-write bytes-like object, not {kind}")
    return view.cast("B")


def optional_size(size: Any) -> int:
    """A size argument as C's _Py_convert_optional_to_ssize_t takes it: None is -1."""
    if size is None:
        return -1
    try:
        return operator.index(size)
    except TypeError:
        raise TypeError(f"argument should be integer or None, not '{type(size).__name__}'") from None


async def _bounded(raw: RawFile, n: int, tell: Callable[[], int]) -> int:
    """A read size to allocate for n above _MAX_ALLOCATION (checked by the caller: no
    coroutine for the others): on a regular file, what the file holds (io would raise
    MemoryError allocating it)."""
    if raw.regular:
        return min(n, max(await raw.current_size() - tell(), 0) + 1)
    return n


_MAX_ALLOCATION = 64 << 20

_NO_BUFFER = buffers.wrap(bytearray())  # none (a file holds one only while it buffers)


class Unbuffered(_OverRaw):
    """buffering=0: io.FileIO's methods (every read and write is one system call, no
    read1/peek), with BufferedFile's surface so AsyncFile drives either the same way."""

    __slots__ = ()

    def check_readable(self) -> None:
        self.raw.check_readable()

    def check_writable(self) -> None:
        self.raw.check_writable()

    def read_fast(self, n: int) -> bytes | None:
        return None

    def readline_fast(self, limit: int = -1) -> bytes | None:
        return None

    def write_fast(self, data: Any, length: int) -> bool:
        return False

    def pending_write(self) -> int:
        return 0

    async def read(self, size: Any = -1) -> bytes:
        n = optional_size(size)
        self.raw.check_readable()
        if n < 0:
            try:
                return await self.raw.readall()
            except Interrupted as e:
                self._give_back(e.data)
                raise asyncio.CancelledError(*e.args) from None
        if n > _MAX_ALLOCATION:
            n = await _bounded(self.raw, n, self.raw.tell)
        return await _read_new(n, self.raw, self._give_back)

    def _give_back(self, data: bytes) -> None:
        """A cancelled read takes nothing: the position goes back (a pipe's bytes are
        gone: FileIO has no buffer to keep them in)."""
        if data and self.raw.seekable:
            self.raw.seek(-len(data), os.SEEK_CUR)

    async def readinto(self, buffer: Any, readinto1: bool = False) -> int:
        view = writable_view(buffer, "readinto() argument 1" if _versions.FILEIO_READINTO_NAMES_ARGUMENT_1
                             else "readinto() argument")
        self.raw.check_readable()
        try:
            return await self.raw.readinto(view)
        except Interrupted as e:
            self._give_back(bytes(view[: e.count]))
            raise asyncio.CancelledError(*e.args) from None

    async def read1(self, size: Any = -1) -> bytes:
        raise AttributeError("'_io.FileIO' object has no attribute 'read1'")

    async def peek(self, size: Any = 0) -> bytes:
        raise AttributeError("'_io.FileIO' object has no attribute 'peek'")

    async def readline(self, limit: int = -1) -> bytes:
        """IOBase.readline over FileIO: byte by byte up to a newline. A seekable file
        reads a chunk and keeps the position just past the line (the same result)."""
        if limit == 0:
            return b""
        self.raw.check_readable()
        line = bytearray()
        while limit < 0 or len(line) < limit:
            want = 1 if not self.raw.seekable else 8192 if limit < 0 else min(8192, limit - len(line))
            chunk = await self.read(want)
            if not chunk:
                break
            end = chunk.find(b"\n")
            if end >= 0 and end + 1 < len(chunk):
                self.raw.seek(end + 1 - len(chunk), os.SEEK_CUR)
                chunk = chunk[: end + 1]
            line += chunk
            if end >= 0:
                break
        return bytes(line)

    async def write(self, data: Any) -> int:
        view = bytes_view(data)
        self.raw.check_writable()
        try:
            return await self.raw.write(view)
        except Interrupted as e:
            # A cancelled write() lands whole, as with the buffered file.
            rest = bytes(memoryview(view)[e.count :])
            await _write_all_uninterrupted(self.raw, rest)
            raise asyncio.CancelledError(*e.args) from None

    async def flush(self) -> None:
        self.raw.check_open()

    def tell(self) -> int:
        return self.raw.tell()

    def seek_now(self, offset: Any, whence: int = 0) -> int:
        self.raw.check_open()  # FileIO looks before it converts the offset
        if not isinstance(offset, int):
            raise TypeError(f"'{type(offset).__name__}' object cannot be interpreted as an integer")
        return self.raw.seek(offset, whence)

    async def seek(self, offset: Any, whence: int = 0) -> int:
        return self.seek_now(offset, whence)

    async def truncate(self, pos: int | None = None) -> int:
        return await self.raw.truncate(pos)

    async def sync(self, datasync: bool) -> None:
        await self.raw.sync(datasync)

    def close_fast(self) -> bool:
        if not self.raw.closes_now:
            return False
        self.raw.close_now()
        return True

    async def close(self) -> None:
        await self.raw.close()

    def accept(self, data: bytes) -> None:
        if data:
            raise AssertionError("an unbuffered file has no pending bytes")

    def drain_now(self) -> None:
        """Nothing is ever pending."""


async def _write_all_uninterrupted(raw: RawFile, data: bytes) -> None:
    """Writes data where the raw file writes, waiting out every cancellation; a failure
    goes to the log (its task was cancelled: nobody is left to hear of it)."""
    try:
        await api.write_all(raw.engine, raw.ref, data, raw.write_offset(), flags=raw.flags, waited_out=True,
                            wrote=raw.wrote)
    except OSError as e:
        debug("write of fd %d failed after cancellation: %s", raw.fd, e)

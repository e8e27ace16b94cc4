"""The text layer over BufferedFile: io.TextIOWrapper ported from CPython's C
implementation (Modules/_io/textio.c), whose behaviour the built-in open() has:
pending encoded text reaches the buffer before any read, tell()/seek() cookies have C's
layout and search, so they round-trip and equal the built-in file's.

Cancellation, which C cannot have: a cancelled read takes no characters (what it had
gathered is put back in front of the decoded characters).
"""

from __future__ import annotations

import asyncio
import functools
import io
import os
import struct
from collections import deque
from typing import Any

from .. import _versions
from .buffered import BufferedFile, optional_size
from .modes import text_codec
from .raw import closed_error

_CHUNK = 8192  # io.TextIOWrapper's _CHUNK_SIZE

# The codecs whose encoding keeps no state (no BOM), by their normalised names: C's
# encodefunc table less utf-16 and utf-32.
_STATELESS = frozenset({"ascii", "iso8859-1", "utf-8", "utf-16-be", "utf-16-le", "utf-32-be", "utf-32-le"})


class _StatelessEncoder:
    """The incremental encoder of a codec in _STATELESS: str.encode itself (C's encodefunc
    fast path: no Python frame per write), one object per codec and error handler,
    shared by every file (it has no state to reset)."""

    __slots__ = ("encode",)

    def __init__(self, name: str, errors: str) -> None:
        self.encode = functools.partial(str.encode, encoding=name, errors=errors)

    def reset(self) -> None:
        pass

    def setstate(self, state: int) -> None:
        pass


@functools.lru_cache(maxsize=64)
def _stateless_encoder(name: str, errors: str) -> _StatelessEncoder:
    return _StatelessEncoder(name, errors)

# start_pos, dec_flags, bytes_to_feed, chars_to_skip, need_eof: C's cookie_type, packed
# little-endian into one unsigned integer.
_COOKIE = struct.Struct("<qiiiB")


def _build_cookie(start_pos: int, dec_flags: int = 0, feed: int = 0, skip: int = 0, need_eof: bool = False) -> int:
    return int.from_bytes(_COOKIE.pack(start_pos, dec_flags, feed, skip, need_eof), "little")


def _parse_cookie(cookie: int) -> tuple[int, int, int, int, bool]:
    start_pos, dec_flags, feed, skip, need_eof = _COOKIE.unpack(cookie.to_bytes(_COOKIE.size, "little"))
    return start_pos, dec_flags, feed, skip, bool(need_eof)


def _find_line_ending(line: str, start: int, translated: bool, universal: bool, readnl: str | None) -> tuple[int, int]:
    """_PyIO_find_line_ending on line[start:]: (end of the line ending relative to
    start, or -1; when -1, how many characters can be put aside)."""
    if translated:
        pos = line.find("\n", start)
        return (pos - start + 1, 0) if pos >= 0 else (-1, len(line) - start)
    if universal:
        cr, nl = line.find("\r", start), line.find("\n", start)
        if cr < 0 and nl < 0:
            return -1, len(line) - start
        if cr < 0 or 0 <= nl < cr:
            return nl - start + 1, 0
        return (cr - start + 2 if line.startswith("\n", cr + 1) else cr - start + 1), 0
    assert readnl is not None
    pos = line.find(readnl, start)
    if pos >= 0:
        return pos - start + len(readnl), 0
    if len(readnl) == 1:
        return -1, len(line) - start
    # A partial match may be cut off at the end: keep from there.
    e = max(len(line) - (len(readnl) - 1), start)
    first = line.find(readnl[0], e)
    return -1, (first - start if first >= 0 else len(line) - start)


class TextLayer:
    """Text over a BufferedFile; exclusive use assumed (AsyncFile serialises calls)."""

    __slots__ = ("buf", "_raw", "encoding", "errors", "line_buffering", "write_through", "_readuniversal",
                 "_readtranslate", "_readnl", "_writetranslate", "_writenl", "_scan_lf", "_decoder", "_encoder",
                 "_decoded", "_used", "_snapshot", "_b2c", "_pending", "_pending_count", "_due", "_flush_due",
                 "pushing", "chunk_size", "_seekable", "_telling")

    def __init__(self, buf: BufferedFile, encoding: str, errors: str, newline: str | None, line_buffering: bool,
                 write_through: bool) -> None:
        self.buf = buf
        self._raw = buf.raw  # for the closed check on every call
        self.encoding = encoding
        self.errors = errors
        self.line_buffering = line_buffering
        self.write_through = write_through
        self._readuniversal = not newline
        self._readtranslate = newline is None
        self._readnl = newline
        self._writetranslate = newline != ""
        self._writenl = newline or os.linesep
        # Whether a write must look for "\n": to translate it, or for line buffering.
        self._scan_lf = line_buffering or (self._writetranslate and self._writenl != "\n")
        codec = text_codec(encoding)
        self._decoder: Any = None
        if buf.readable:
            dec: Any = codec.incrementaldecoder(errors)
            if self._readuniversal:
                dec = io.IncrementalNewlineDecoder(dec, self._readtranslate)
            self._decoder = dec
        stateless = codec.name in _STATELESS
        self._encoder: Any = None
        if buf.writable:
            self._encoder = _stateless_encoder(codec.name, errors) if stateless else codec.incrementalencoder(errors)
        self._decoded = ""  # decoded_chars
        self._used = 0  # decoded_chars_used
        self._snapshot: tuple[int, bytes] | None = None
        self._b2c = 0.0
        # Encoded text not yet given to the buffer: the open batch (C's pending_bytes),
        # and batches closed by C's rules, due for the buffer in this order.
        self._pending: list[bytes] = []
        self._pending_count = 0
        self._due: deque[bytes] | None = None  # made when a batch first closes (0.7 KB)
        self._flush_due = False  # a line-buffered write wants the buffer flushed after them
        self.pushing = False  # push() is at work: writes may queue behind it (see write_now)
        self.chunk_size = _CHUNK
        self._seekable = self._telling = buf.seekable
        if self._seekable and self._encoder is not None and not stateless and buf.tell() != 0:
            self._encoder.setstate(0)  # appending to a file that has data: no second BOM

    # --- state --------------------------------------------------------------------------

    @property
    def newlines(self) -> Any:
        return getattr(self._decoder, "newlines", None) if self._decoder is not None else None

    def _check_closed(self) -> None:
        if self._raw.closed:
            raise closed_error()

    def _set_decoded(self, chars: str) -> None:
        self._decoded, self._used = chars, 0

    def _get_decoded(self, n: int = -1) -> str:
        start = self._used
        avail = len(self._decoded) - start
        if n < 0 or n > avail:
            n = avail
        self._used = start + n
        return self._decoded[start : start + n] if start or n < avail else self._decoded

    def _put_back(self, chars: str, chunks: int) -> None:
        """Puts back the characters a cancelled read had gathered: the next read returns
        them. If it had replaced the decoded characters (chunks > 0), tell() cannot
        describe the position any more: it raises OSError until the next seek(), as
        after next()."""
        if chunks == 0:
            self._used -= len(chars)  # they all came from the current decoded chunk
            return
        self._decoded = chars + self._decoded[self._used :]
        self._used = 0
        self._telling = False

    def _decoder_setstate(self, start_pos: int, dec_flags: int) -> None:
        # Seeking to the start calls reset(): utf-16's state there is not (b"", 0).
        if start_pos == 0 and dec_flags == 0:
            self._decoder.reset()
        else:
            self._decoder.setstate((b"", dec_flags))

    def _encoder_reset(self, start_of_stream: bool) -> None:
        if start_of_stream:
            self._encoder.reset()
        else:
            self._encoder.setstate(0)

    async def _read_chunk(self, size_hint: int) -> bool:
        """textiowrapper_read_chunk: reads and decodes one chunk; False at end of file."""
        if self._decoder is None:
            raise io.UnsupportedOperation("not readable")
        dec = self._decoder
        if self._telling:
            dec_buffer, dec_flags = dec.getstate()
        if size_hint > 0:
            size_hint = int(max(self._b2c, 1.0) * size_hint)
        chunk = await self.buf.read1(max(self.chunk_size, size_hint))
        eof = not chunk
        chars = dec.decode(chunk, eof)
        self._set_decoded(chars)
        self._b2c = len(chunk) / len(chars) if chars else 0.0
        if chars:
            eof = False
        if self._telling:
            self._snapshot = (dec_flags, dec_buffer + chunk)
        return not eof

    async def writeflush(self) -> None:
        """Gives all pending encoded text to the buffer."""
        if self._pending:
            self._close_batch()
        while self._due:
            await self.buf.write(self._due.popleft())  # a cancelled one is buffered whole

    def close_fast(self) -> bool:
        """close() made at once where no text is pending (BufferedFile.close_fast)."""
        return not self._pending and not self._due and self.buf.close_fast()

    async def close(self) -> None:
        """Gives pending text to the buffer and closes it; the buffer is closed even when
        that fails, and the error raised after. Text that is one batch, with nothing in
        the buffer, skips the buffer: at once to the raw file where writes are made at
        once (BufferedFile.write_through), else in the close's chain (close(last))."""
        last = b""
        try:
            if not self._due and self._pending:
                if self.buf.writes_through():
                    await self.buf.write_through(self._take_pending())
                elif self.buf.closes_through():
                    last = self._take_pending()
            await self.writeflush()
        except BaseException:
            await self.buf.close()  # close anyway, then report the write error
            raise
        await self.buf.close(last)

    def _close_batch(self) -> None:
        """Closes the open batch: it goes to the buffer after the batches due before it."""
        if self._due is None:
            self._due = deque()
        self._due.append(self._take_pending())

    def _take_pending(self) -> bytes:
        pending = self._pending
        self._pending, self._pending_count = [], 0
        return pending[0] if len(pending) == 1 else b"".join(pending)

    def drain_now(self) -> None:
        """Gives pending text to the buffer and writes everything, synchronously (a file
        collected unclosed, detach())."""
        if self._pending:
            self._close_batch()
        while self._due:
            self.buf.accept(self._due.popleft())
        self.buf.drain_now()

    # --- reading ------------------------------------------------------------------------

    async def read(self, size: Any = -1) -> str:
        n = optional_size(size)
        self._check_closed()
        if self._decoder is None:
            raise io.UnsupportedOperation("not readable")
        await self.writeflush()
        if n < 0:
            return self._decode_rest(await self.buf.read())
        result = self._get_decoded(n)
        remaining = n - len(result)
        chunks = 0
        try:
            while remaining > 0:
                if not await self._read_chunk(remaining):
                    break
                chunks += 1
                more = self._get_decoded(remaining)
                result += more
                remaining -= len(more)
        except asyncio.CancelledError:
            self._put_back(result, chunks)
            raise
        return result

    def readline_fast(self) -> str | None:
        """readline() when the decoded characters hold a whole line: no I/O, no
        coroutine. None when the general readline must run."""
        if self._pending or self._due or self._decoder is None or self._raw.closed:
            return None
        decoded, start = self._decoded, self._used
        if self._readtranslate:
            end = decoded.find("\n", start) + 1 - start
        else:
            end, _ = _find_line_ending(decoded, start, False, self._readuniversal, self._readnl)
        if end <= 0:
            return None
        self._used = start + end
        return decoded[start : start + end]

    def read_fast(self, n: int) -> str | None:
        """read(n) when the decoded characters hold n, and read() when the buffer reads
        the rest at once (BufferedFile.read_fast): no coroutine. None when the general
        read must run."""
        if self._pending or self._due or self._decoder is None or self._raw.closed:
            return None
        if n < 0:
            data = self.buf.read_fast(-1)
            return None if data is None else self._decode_rest(data)
        if len(self._decoded) - self._used < n:
            return None
        return self._get_decoded(n)

    def _decode_rest(self, data: bytes) -> str:
        """The characters left, with data (the rest of the file) decoded after them."""
        decoded: str = self._decoder.decode(data, True)
        result = self._get_decoded() + decoded
        self._set_decoded("")
        self._snapshot = None
        return result

    async def readline(self, limit: int = -1) -> str:
        self._check_closed()
        await self.writeflush()
        chunked = 0
        chunks: list[str] = []
        line: str | None = None
        remaining: str | None = None
        start = endpos = offset_to_buffer = 0
        replaced = False  # the decoded characters are no longer those readline started with
        try:
            while True:
                more = True
                while not self._decoded:
                    more = await self._read_chunk(0)
                    if not more:
                        break
                if not more:
                    self._set_decoded("")
                    self._snapshot = None
                    start = endpos = offset_to_buffer = 0
                    break
                if remaining is None:
                    line, start, offset_to_buffer = self._decoded, self._used, 0
                else:
                    line, start, offset_to_buffer = remaining + self._decoded, 0, len(remaining)
                    remaining = None
                found, consumed = _find_line_ending(line, start, self._readtranslate, self._readuniversal, self._readnl)
                if found >= 0:
                    endpos = start + found
                    if limit >= 0 and (endpos - start) + chunked >= limit:
                        endpos = start + limit - chunked
                    break
                endpos = start + consumed
                if limit >= 0 and (endpos - start) + chunked >= limit:
                    endpos = start + limit - chunked
                    break
                if endpos > start:
                    chunks.append(line[start:endpos])
                    chunked += endpos - start
                if endpos < len(line):
                    remaining = line[endpos:]
                line = None
                self._set_decoded("")
                replaced = True
        except asyncio.CancelledError:
            self._put_back("".join(chunks) + (remaining or ""), int(replaced))
            raise
        if line is not None:
            self._used = endpos - offset_to_buffer
            line = line[start:endpos]
        if remaining is not None:
            chunks.append(remaining)
        if chunks:
            if line:
                chunks.append(line)
            return "".join(chunks)
        return line or ""

    # --- writing ------------------------------------------------------------------------

    def write_now(self, s: str) -> bool:
        """The part of write() that needs no I/O: s is encoded and queued, in call order,
        as C's write would batch it. Whether the write still owes I/O: then the caller,
        holding the file's turn, awaits push(). A write made while push() is at work owes
        none unless it must reach the buffer itself (line buffering, write_through): the
        batches it closes are pushed with the rest."""
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        if self._raw.closed:
            raise closed_error()
        if self._encoder is None:
            raise io.UnsupportedOperation("not writable")
        needflush = False
        if self._scan_lf:
            haslf = "\n" in s
            if haslf and self._writetranslate and self._writenl != "\n":
                s = s.replace("\n", self._writenl)
            needflush = self.line_buffering and (haslf or "\r" in s)
        data = self._encoder.encode(s)
        if self._decoder is not None:
            self._wrote()
        count = self._pending_count + len(data)
        if count > self.chunk_size and self._pending:
            self._close_batch()  # the earlier text goes to the buffer first, on its own
            count = len(data)
        self._pending.append(data)
        self._pending_count = count
        if count >= self.chunk_size or needflush or self.write_through:
            self._close_batch()
            if needflush or self.write_through:
                self._flush_due = self._flush_due or needflush
                return True
        return bool(self._due) and not self.pushing

    async def push(self) -> None:
        """The I/O that writes left due: the closed batches go to the buffer in order (also
        those writes add meanwhile), then the buffer is flushed if a line-buffered write
        asked for it."""
        self.pushing = True
        try:
            while self._due or self._flush_due:
                if self._due:
                    await self.buf.write(self._due.popleft())  # a cancelled one is buffered whole
                else:
                    self._flush_due = False
                    await self.buf.flush()
        finally:
            self.pushing = False

    def _wrote(self) -> None:
        """A write makes the read-ahead characters stale (called for readable files: a
        write-only one has none); where this io keeps them while iteration has tell()
        off, they are kept."""
        if self._snapshot is not None or not _versions.TEXT_WRITE_KEEPS_DECODED_WITHOUT_SNAPSHOT:
            self._set_decoded("")
            self._snapshot = None
        self._decoder.reset()

    async def flush(self) -> None:
        """Pushes pending text and the buffer to the OS; also turns tell() back on."""
        self._check_closed()
        self._telling = self._seekable
        await self.writeflush()
        self._flush_due = False  # this flush is the one a line-buffered write asked for
        await self.buf.flush()

    # --- position -----------------------------------------------------------------------

    async def tell(self) -> int:
        self._check_closed()
        if not self._seekable:
            raise io.UnsupportedOperation("underlying stream is not seekable")
        if not self._telling:
            raise OSError("telling position disabled by next() call")
        await self.writeflush()
        await self.flush()
        position = self.buf.tell()
        dec = self._decoder
        if dec is None or self._snapshot is None:
            return position
        dec_flags, next_input = self._snapshot
        start_pos = position - len(next_input)
        if self._used == 0:
            return _build_cookie(start_pos, dec_flags)
        chars_to_skip = self._used
        saved = dec.getstate()
        try:
            # Fast search for a start point where the decoder holds nothing, near the
            # current position; then feed one byte at a time.
            skip_bytes = int(self._b2c * chars_to_skip)
            skip_back = 1
            while skip_bytes > 0:
                self._decoder_setstate(start_pos, dec_flags)
                # C decodes skip_bytes from the snapshot's start even when the snapshot
                # is shorter (stale after iteration): it reads the terminating NUL.
                head = next_input[:skip_bytes]
                decoded = len(dec.decode(head + b"\0" * (skip_bytes - len(head))))
                if decoded <= chars_to_skip:
                    dec_buffer, flags = dec.getstate()
                    if not dec_buffer:
                        dec_flags = flags
                        chars_to_skip -= decoded
                        break
                    skip_bytes -= len(dec_buffer)
                    skip_back = 1
                else:
                    skip_bytes -= skip_back
                    skip_back *= 2
            if skip_bytes <= 0:
                skip_bytes = 0
                self._decoder_setstate(start_pos, dec_flags)
            start_pos += skip_bytes
            feed = 0
            need_eof = False
            if chars_to_skip:
                decoded = 0
                i = skip_bytes
                while i < len(next_input):
                    decoded += len(dec.decode(next_input[i : i + 1]))
                    feed += 1
                    dec_buffer, flags = dec.getstate()
                    if not dec_buffer and decoded <= chars_to_skip:
                        start_pos += feed
                        chars_to_skip -= decoded
                        dec_flags = flags
                        feed = decoded = 0
                    if decoded >= chars_to_skip:
                        break
                    i += 1
                if i == len(next_input):
                    decoded += len(dec.decode(b"", True))
                    need_eof = True
                    if decoded < chars_to_skip:
                        raise OSError("can't reconstruct logical file position")
            return _build_cookie(start_pos, dec_flags, feed, chars_to_skip, need_eof)
        finally:
            dec.setstate(saved)

    async def seek(self, cookie: Any, whence: int = 0) -> Any:
        self._check_closed()
        if not self._seekable:
            raise io.UnsupportedOperation("underlying stream is not seekable")
        if whence == os.SEEK_CUR:
            if cookie != 0:
                raise io.UnsupportedOperation("can't do nonzero cur-relative seeks")
            cookie = await self.tell()
        elif whence == os.SEEK_END:
            if cookie != 0:
                raise io.UnsupportedOperation("can't do nonzero end-relative seeks")
            await self.flush()
            self._set_decoded("")
            self._snapshot = None
            if self._decoder is not None:
                self._decoder.reset()
            position = await self.buf.seek(0, os.SEEK_END)
            if self._encoder is not None:
                self._encoder_reset(position == 0)
            return position
        elif whence != os.SEEK_SET:
            raise ValueError(f"invalid whence ({whence}, should be {os.SEEK_SET}, {os.SEEK_CUR} or {os.SEEK_END})")
        if cookie < 0:
            raise ValueError(f"negative seek position {cookie!r}")
        await self.flush()
        start_pos, dec_flags, feed, skip, need_eof = _parse_cookie(int(cookie))
        await self.buf.seek(start_pos)
        self._set_decoded("")
        self._snapshot = (dec_flags, b"")
        if self._decoder is not None:
            self._decoder_setstate(start_pos, dec_flags)
        if skip:
            chunk = await self.buf.read(feed)
            self._snapshot = (dec_flags, chunk)
            self._set_decoded(self._decoder.decode(chunk, need_eof))
            if len(self._decoded) < skip:
                raise OSError("can't restore logical file position")
            self._used = skip
        if self._encoder is not None:
            self._encoder_reset(start_pos == 0 and dec_flags == 0)
        return cookie

    async def truncate(self, size: int | None = None) -> int:
        await self.flush()
        return await self.buf.truncate(size)

    def start_iteration(self) -> None:
        self._telling = False

    def end_iteration(self) -> None:
        """Iteration reached the end of the file: tell() works again."""
        self._snapshot = None
        self._telling = self._seekable

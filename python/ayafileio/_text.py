"""The text layer over BufferedFile: incremental decoding and encoding, newline
translation, and tell()/seek() cookies in io.TextIOWrapper's format (byte position,
decoder flags, bytes to feed, characters to skip, need-EOF), so they round-trip and
agree with the built-in file's.
"""

from __future__ import annotations

import asyncio
import io
import os
from typing import Any

from ._binary import BufferedFile
from ._modes import text_codec

_CHUNK = 8192  # io.TextIOWrapper's _CHUNK_SIZE


def _pack_cookie(pos: int, dec_flags: int = 0, feed: int = 0, need_eof: bool = False, skip: int = 0) -> int:
    return pos | (dec_flags << 64) | (feed << 128) | (skip << 192) | (int(need_eof) << 256)


def _unpack_cookie(cookie: int) -> tuple[int, int, int, bool, int]:
    rest, pos = divmod(cookie, 1 << 64)
    rest, dec_flags = divmod(rest, 1 << 64)
    rest, feed = divmod(rest, 1 << 64)
    need_eof, skip = divmod(rest, 1 << 64)
    return pos, dec_flags, feed, bool(need_eof), skip


class TextLayer:
    """Text over a BufferedFile; exclusive use assumed (AsyncFile serialises calls)."""

    def __init__(self, buf: BufferedFile, encoding: str, errors: str, newline: str | None, line_buffering: bool, write_through: bool) -> None:
        self.buf = buf
        self.encoding = encoding
        self.errors = errors
        self.line_buffering = line_buffering
        self.write_through = write_through
        self._readuniversal = not newline
        self._readtranslate = newline is None
        self._readnl = newline
        self._writetranslate = newline != ""
        self._writenl = newline or os.linesep
        self._decoder: Any = None
        self._encoder: Any = None
        self._decoded = ""
        self._used = 0
        self._snapshot: tuple[int, bytes] | None = None
        self._b2c = 0.0
        # Encoded text not yet given to the binary layer. Like io.TextIOWrapper, reads
        # do not push it (a write then a read on "r+" lands where the read left off).
        self._pending: list[bytes] = []
        self._pending_count = 0
        self._codec = text_codec(encoding)
        self._seekable = buf.seekable
        self._telling = self._seekable
        if buf.readable:
            self._get_decoder()
        if buf.writable:
            self._encoder = self._codec.incrementalencoder(errors)
            if self._seekable and buf.pos != 0:
                # Appending to a file that has data: no second BOM.
                self._encoder.setstate(0)

    # --- codec state ------------------------------------------------------------------

    def _get_decoder(self) -> Any:
        if self._decoder is None:
            dec: Any = self._codec.incrementaldecoder(self.errors)
            if self._readuniversal:
                dec = io.IncrementalNewlineDecoder(dec, self._readtranslate)
            self._decoder = dec
        return self._decoder

    @property
    def newlines(self) -> Any:
        return getattr(self._decoder, "newlines", None) if self._decoder else None

    def _set_decoded(self, chars: str) -> None:
        self._decoded, self._used = chars, 0

    def _take_decoded(self, n: int | None = None) -> str:
        start = self._used
        chars = self._decoded[start:] if n is None else self._decoded[start : start + n]
        self._used += len(chars)
        return chars

    def _unread(self, chars: str, chunks: int) -> None:
        """Puts back the characters a cancelled read had gathered: the next read returns
        them. If it had read new chunks, tell() cannot describe the position any more:
        it raises OSError until the next seek(), as after next()."""
        if chunks == 0:
            self._used -= len(chars)  # they all came from the current decoded chunk
            return
        self._decoded = chars + self._decoded[self._used :]
        self._used = 0
        self._telling = False

    def _rewind_decoded(self, n: int) -> None:
        if self._used < n:
            raise AssertionError("rewind_decoded_chars out of bounds")
        self._used -= n

    async def _read_chunk(self, size_hint: int = 0) -> bool:
        """Reads and decodes one chunk; False at end of file."""
        dec = self._get_decoder()
        if self._telling:
            dec_buffer, dec_flags = dec.getstate()
        size = _CHUNK if size_hint <= 0 else max(_CHUNK, int(max(self._b2c, 1.0) * size_hint))
        chunk = await self.buf.read1(size)
        eof = not chunk
        chars = dec.decode(chunk, eof)
        self._set_decoded(chars)
        self._b2c = len(chunk) / len(chars) if chars else 0.0
        if self._telling:
            self._snapshot = (dec_flags, dec_buffer + chunk)
        return not eof

    # --- reading ------------------------------------------------------------------------

    def _check_readable(self) -> None:
        self.buf.check_readable()

    async def read(self, n: int | None = -1) -> str:
        self._check_readable()
        if n is None:
            n = -1
        if not isinstance(n, int):
            raise TypeError(f"argument should be integer or None, not '{type(n).__name__}'")
        dec = self._get_decoder()
        if n < 0:
            data = await self.buf.read()
            result = self._take_decoded() + dec.decode(data, final=True)
            self._set_decoded("")
            self._snapshot = None
            return str(result)
        result = self._take_decoded(n)
        eof = False
        chunks = 0
        try:
            while len(result) < n and not eof:
                eof = not await self._read_chunk(n - len(result))
                chunks += 1
                result += self._take_decoded(n - len(result))
        except asyncio.CancelledError:
            self._unread(result, chunks)
            raise
        return result

    async def readline(self, size: int = -1) -> str:
        if not isinstance(size, int):  # io.TextIOWrapper.readline refuses None too
            raise TypeError(f"'{type(size).__name__}' object cannot be interpreted as an integer")
        self._check_readable()
        line = self._take_decoded()
        start = 0
        endpos = -1
        chunks = 0
        while True:
            if self._readtranslate:
                pos = line.find("\n", start)
                if pos >= 0:
                    endpos = pos + 1
                    break
                start = len(line)
            elif self._readuniversal:
                nl = line.find("\n", start)
                cr = line.find("\r", start)
                if cr == -1:
                    if nl >= 0:
                        endpos = nl + 1
                        break
                    start = len(line)
                elif nl == -1:
                    if cr < len(line) - 1:
                        endpos = cr + 1
                        break
                    start = cr  # a \r at the end: wait to see if \n follows
                elif nl < cr:
                    endpos = nl + 1
                    break
                elif nl == cr + 1:
                    endpos = cr + 2
                    break
                else:
                    endpos = cr + 1
                    break
            else:
                assert self._readnl is not None
                pos = line.find(self._readnl, start)
                if pos >= 0:
                    endpos = pos + len(self._readnl)
                    break
                start = max(len(line) - len(self._readnl) + 1, 0)
            if size >= 0 and len(line) >= size:
                endpos = size
                break
            try:
                while await self._read_chunk():
                    chunks += 1
                    if self._decoded:
                        break
            except asyncio.CancelledError:
                self._unread(line, chunks)
                raise
            chunks += 1
            if self._decoded:
                line += self._take_decoded()
            else:
                self._set_decoded("")
                self._snapshot = None
                return line
        if size >= 0 and endpos > size:
            endpos = size
        self._rewind_decoded(len(line) - endpos)
        return line[:endpos]

    # --- writing ------------------------------------------------------------------------

    async def flush(self) -> None:
        """Pushes pending text and the binary buffer to the OS; like io.TextIOWrapper's
        flush it also turns tell() back on."""
        self._telling = self._seekable
        await self.flush_pending()
        await self.buf.flush()

    async def flush_pending(self) -> None:
        """Gives pending encoded text to the binary layer."""
        if self._pending:
            data = b"".join(self._pending)
            self._pending, self._pending_count = [], 0
            await self.buf.write(data)

    def encode(self, s: str) -> tuple[int, bytes, bool]:
        """The synchronous half of write(): checks, newline translation, encoding.
        Returns (characters written, bytes, whether line buffering asks for a flush)."""
        self.buf.check_writable()
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        length = len(s)
        haslf = (self._writetranslate or self.line_buffering) and "\n" in s
        if haslf and self._writetranslate and self._writenl != "\n":
            s = s.replace("\n", self._writenl)
        needflush = self.line_buffering and (haslf or "\r" in s)
        self._snapshot = None
        self._set_decoded("")
        if self._decoder is not None:
            self._decoder.reset()
        return length, self._encoder.encode(s), needflush

    def append_now(self, data: bytes, needflush: bool) -> bool:
        """Adds encoded text to the pending bytes if that needs no I/O; False otherwise."""
        if needflush or self.write_through or self._pending_count + len(data) >= _CHUNK:
            return False
        self._pending.append(data)
        self._pending_count += len(data)
        return True

    async def append(self, data: bytes, needflush: bool) -> None:
        """Adds encoded text, handing pending bytes to the binary layer as
        io.TextIOWrapper does (past its chunk size, or for line buffering)."""
        if self._pending_count + len(data) > _CHUNK:
            await self.flush_pending()
        self._pending.append(data)
        self._pending_count += len(data)
        if self._pending_count >= _CHUNK or needflush or self.write_through:
            await self.flush_pending()
        if needflush:
            await self.buf.flush()

    async def write(self, s: str) -> int:
        length, data, needflush = self.encode(s)
        await self.append(data, needflush)
        return length

    # --- position -----------------------------------------------------------------------

    async def tell(self) -> int:
        self.buf.check_open()
        if not self._seekable:
            raise io.UnsupportedOperation("underlying stream is not seekable")
        if not self._telling:
            raise OSError("telling position disabled by next() call")
        await self.flush_pending()
        await self.buf.flush()
        position = self.buf.tell()
        dec = self._decoder
        if dec is None or self._snapshot is None:
            return position
        dec_flags, next_input = self._snapshot
        position -= len(next_input)
        skip = self._used
        if skip == 0:
            return _pack_cookie(position, dec_flags)
        saved = dec.getstate()
        try:
            # Find the last point before the current character where the decoder held
            # no pending bytes, and describe the rest as bytes to feed and chars to skip.
            dec.setstate((b"", dec_flags))
            start_pos, start_flags = position, dec_flags
            fed = decoded = 0
            need_eof = False
            for i in range(len(next_input)):
                fed += 1
                decoded += len(dec.decode(next_input[i : i + 1]))
                dec_buffer, flags = dec.getstate()
                if not dec_buffer and decoded <= skip:
                    start_pos += fed
                    skip -= decoded
                    start_flags, fed, decoded = flags, 0, 0
                if decoded >= skip:
                    break
            else:
                decoded += len(dec.decode(b"", final=True))
                need_eof = True
                if decoded < skip:
                    raise OSError("can't reconstruct logical file position")
            if skip == 0:
                return _pack_cookie(start_pos, start_flags)
            return _pack_cookie(start_pos, start_flags, fed, need_eof, skip)
        finally:
            dec.setstate(saved)

    async def seek(self, cookie: int, whence: int = 0) -> int:
        self.buf.check_open()
        if not isinstance(cookie, int):
            raise TypeError(f"an integer is required (got type {type(cookie).__name__})")
        if not self._seekable:
            raise io.UnsupportedOperation("underlying stream is not seekable")
        if whence == os.SEEK_CUR:
            if cookie != 0:
                raise io.UnsupportedOperation("can't do nonzero cur-relative seeks")
            whence, cookie = os.SEEK_SET, await self.tell()
        elif whence == os.SEEK_END:
            if cookie != 0:
                raise io.UnsupportedOperation("can't do nonzero end-relative seeks")
            await self.flush_pending()
            position = await self.buf.seek(0, os.SEEK_END)
            self._set_decoded("")
            self._snapshot = None
            if self._decoder is not None:
                self._decoder.reset()
            self._reset_encoder(position)
            self._telling = self._seekable
            return position
        if whence != os.SEEK_SET:
            raise ValueError(f"invalid whence ({whence}, should be {os.SEEK_SET}, {os.SEEK_CUR} or {os.SEEK_END})")
        if cookie < 0:
            raise ValueError(f"negative seek position {cookie}")
        await self.flush_pending()
        await self.buf.flush()
        start_pos, dec_flags, feed, need_eof, skip = _unpack_cookie(cookie)
        await self.buf.seek(start_pos)
        self._set_decoded("")
        self._snapshot = None
        if cookie == 0 and self._decoder is not None:
            self._decoder.reset()
        elif self._decoder is not None or dec_flags or skip:
            self._get_decoder().setstate((b"", dec_flags))
            self._snapshot = (dec_flags, b"")
        if skip:
            chunk = await self.buf.read(feed)
            self._set_decoded(self._get_decoder().decode(chunk, need_eof))
            self._snapshot = (dec_flags, chunk)
            if len(self._decoded) < skip:
                raise OSError("can't restore logical file position")
            self._used = skip
        self._reset_encoder(cookie)
        self._telling = self._seekable  # a seek ends what iteration turned off
        return cookie

    def _reset_encoder(self, position: int) -> None:
        if self._encoder is not None:
            if position == 0:
                self._encoder.reset()
            else:
                self._encoder.setstate(0)

    async def truncate(self, size: int | None = None) -> int:
        await self.flush_pending()
        await self.buf.flush()
        if size is None:
            size = await self.tell()
        return await self.buf.truncate(size)

    def disable_telling(self, off: bool) -> None:
        if not off:
            self._snapshot = None
        self._telling = self._seekable and not off

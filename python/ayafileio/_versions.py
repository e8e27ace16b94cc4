"""Where the running CPython's io, os and shutil differ from other versions' (issue 17):
each fact is decided here, once, at import, so the layers follow the built-ins of the
interpreter they run on. Where a change was backported to bug-fix releases the version
number cannot tell, so the fact is read off the interpreter itself, on in-memory objects
or arguments refused before any system call; otherwise the version that changed it is
named."""

from __future__ import annotations

import io
import os
import sys


def _writer_read_parses_size() -> bool:
    try:
        io.BufferedWriter(io.BytesIO()).read(None)
    except TypeError:
        return True
    except io.UnsupportedOperation:
        return False
    raise AssertionError("BufferedWriter.read(None) returned")


def _read1_flushes_writes() -> bool:
    f = io.BufferedRandom(io.BytesIO(b"ab"))  # type: ignore[arg-type]
    f.write(b"X")
    return f.read1(1) == b"b"  # b"a": read at the raw position, the write still pending


def _full_buffer_writes_go_to_raw() -> bool:
    raw = io.BytesIO()
    writer = io.BufferedWriter(raw, 1)
    writer.write(b"x")
    return raw.getvalue() == b"x"  # b"": kept in the (full) buffer


def _text_write_keeps_decoded_without_snapshot() -> bool:
    text = io.TextIOWrapper(io.BufferedRandom(io.BytesIO(b"a\nb")), encoding="ascii")  # type: ignore[arg-type]
    next(text)  # "a\n"; "b" decoded ahead, no snapshot (iteration turns tell() off)
    text.write("")
    return next(text, None) == "b"  # None: the write dropped "b", the buffer is at its end


def _not_a_text_encoding() -> str:
    try:
        io.TextIOWrapper(io.BytesIO(), encoding="base64")
    except LookupError as e:
        return str(e).replace("base64", "{}")
    raise AssertionError("TextIOWrapper took base64")


def _str_path_nul_names_the_argument() -> bool:
    try:
        os.stat("\0")  # refused by the path converter
    except ValueError as e:
        return str(e).startswith("stat:")
    raise AssertionError("os.stat accepted a NUL")


# 3.12: a write-only buffered file's read()/read1() (BufferedIOBase's, converted to
# Argument Clinic) parse their size as a Py_ssize_t before refusing: read(None) is a
# TypeError there, UnsupportedOperation before.
WRITER_READ_PARSES_SIZE = _writer_read_parses_size()

# gh-115059 (3.13, backported to 3.12.3 and 3.11.9): BufferedRandom.read1() with nothing
# read ahead flushes pending writes and rewinds before its raw read, so a text read(n)
# after a write on r+/a+ (TextIOWrapper reads chunks with read1) reads on after the write.
READ1_FLUSHES_WRITES = _read1_flushes_writes()

# 3.11: open() refuses the "U" mode (3.10: reading with universal newlines, a
# DeprecationWarning, and "mode U cannot be combined with 'x', 'w', 'a', or '+'").
U_MODE = sys.version_info < (3, 11)

# 3.11: SpooledTemporaryFile.truncate() returns the new size (None before).
SPOOLED_TRUNCATE_RETURNS_SIZE = sys.version_info >= (3, 11)

# 3.13: a buffered write of at least the buffer's size that does not fit beside what is
# buffered goes to the raw file, also when it is exactly the buffer's size (before: such a
# write was kept in the buffer).
FULL_BUFFER_WRITES_GO_TO_RAW = _full_buffer_writes_go_to_raw()

# 3.13: TextIOWrapper.write() drops the characters decoded ahead only with a snapshot
# (tell() on); after next(), which turns tell() off, they stay and are read next.
TEXT_WRITE_KEEPS_DECODED_WITHOUT_SNAPSHOT = _text_write_keeps_decoded_without_snapshot()

# 3.13: os's path converter checks str paths for NUL itself, as it did bytes ("stat:
# embedded null character in path"), where the str encoder said "embedded null byte".
STR_PATH_NUL_NAMES_THE_ARGUMENT = _str_path_nul_names_the_argument()

# 3.14: open() with a bytes-to-bytes codec says "'base64' is not a text encoding", no
# longer adding "; use codecs.open() to handle arbitrary codecs" (codecs.open() is
# deprecated). The message with {} for the encoding's name.
NOT_A_TEXT_ENCODING = _not_a_text_encoding()

# 3.13 (shutil's rmtree rewritten without recursion): its "Cannot call rmtree on a
# symbolic link" error carries the path as filename.
RMTREE_LINK_ERROR_NAMES_THE_PATH = sys.version_info >= (3, 13)

# 3.12: FileIO.readinto()'s refusal of a read-only buffer names its argument "argument 1"
# (Argument Clinic), where the buffered files' say "argument".
FILEIO_READINTO_NAMES_ARGUMENT_1 = sys.version_info >= (3, 12)

# 3.13: open() warns when a bool is given as a file descriptor (RuntimeWarning "bool is
# used as a file descriptor"); before, True was fd 1 without a word.
BOOL_FD_WARNS = sys.version_info >= (3, 13)

# 3.15: FileIO's mode for "w+" says "wb+" (before: "rb+", as for "r+").
FILEIO_MODE_KEEPS_W_PLUS = sys.version_info >= (3, 15)

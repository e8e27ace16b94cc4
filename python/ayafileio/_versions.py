"""Where the running CPython's io and os differ from other versions' (issue 17): each fact
is decided here, once, at import, so the layers follow the built-ins of the interpreter
they run on. Where a change was backported to bug-fix releases, the version number cannot
tell, so the fact is read off the interpreter's own io on in-memory objects (no file, no
system call); otherwise the version that changed it is named."""

from __future__ import annotations

import io


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


# 3.12: a write-only buffered file's read()/read1() (BufferedIOBase's, converted to
# Argument Clinic) parse their size as a Py_ssize_t before refusing: read(None) is a
# TypeError there, UnsupportedOperation before.
WRITER_READ_PARSES_SIZE = _writer_read_parses_size()

# gh-115059 (3.13, backported to 3.12.3 and 3.11.9): BufferedRandom.read1() with nothing
# read ahead flushes pending writes and rewinds before its raw read, so a text read(n)
# after a write on r+/a+ (TextIOWrapper reads chunks with read1) reads on after the write.
READ1_FLUSHES_WRITES = _read1_flushes_writes()

"""What differs between operating systems, one module per system (_platform_posix,
_platform_windows), re-exported here: what a request record names for an open file, and
how a read is served straight from memory.

What a request record names for an open file.

POSIX: the file descriptor itself, so every function here is the plain one.

Windows: the engine reads and writes a HANDLE it opened overlapped, tied to its
completion port, while Python code (fileno(), os.fstat, os.lseek) needs a C runtime
descriptor. So each file has both, over two handles of one kernel file object: a file
the engine opened gets a descriptor wrapping a duplicate of its handle; a descriptor
given to open() lends the engine a duplicate of its handle. Closing the descriptor never
closes the handle the engine uses, and the engine closes (or pools) only its own.
"""

from __future__ import annotations

import sys

if sys.platform == "win32":
    from .windows import *  # noqa: F403
else:
    from .posix import *  # noqa: F403

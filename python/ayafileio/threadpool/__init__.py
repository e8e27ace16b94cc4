"""aiofiles.threadpool's names over ayafileio, so that renaming the import is enough:
``open``, ``wrap``, ``sync_open``, the kinds' classes and the stdio streams.

``open`` is ayafileio.open (the engine does the I/O). ``wrap(file_object)`` is aiofiles':
the file object's calls run on threads. ``sync_open`` is the synchronous open() that
open() calls on a thread while files go through Python's io (ayafileio.testing);
patching it, as aiofiles' testing recipe does, routes open() through it.
"""

from __future__ import annotations

import builtins

from ..io.open import open
from ..stdio import stderr, stderr_bytes, stdin, stdin_bytes, stdout, stdout_bytes
from ..io.threaded import wrap
from .binary import AsyncBufferedIOBase, AsyncBufferedReader, AsyncFileIO, AsyncIndirectBufferedIOBase
from .text import AsyncTextIndirectIOWrapper, AsyncTextIOWrapper

sync_open = builtins.open

__all__ = ["open", "wrap", "sync_open", "stdin", "stdout", "stderr", "stdin_bytes", "stdout_bytes", "stderr_bytes",
           "AsyncBufferedIOBase", "AsyncBufferedReader", "AsyncFileIO", "AsyncIndirectBufferedIOBase",
           "AsyncTextIndirectIOWrapper", "AsyncTextIOWrapper"]

"""ayafileio: asynchronous file I/O for asyncio, done by the kernel (io_uring on Linux).

```python
async with ayafileio.open("data.json", "w", encoding="utf-8") as f:
    await f.write(text)
```
"""

from __future__ import annotations

from .engine.buffers import drain as drain_buffer_pool
from .copy import acopy
from .engine.config import (
    configure,
    get_config,
    get_handle_pool_limits,
    reset_config,
    set_handle_pool_limits,
    set_io_worker_count,
)
from .engine.driver import get_backend_info, get_capabilities, get_stats
from .io.answer import AwaitableBool
from .io.file import (
    AsyncBinaryFile,
    AsyncBufferedIOBase,
    AsyncBufferedReader,
    AsyncFile,
    AsyncFileIO,
    AsyncTextIOWrapper,
)
from .engine.native import ForkedChildError
from .io.open import OpenContext, open, wrap_file
from .io.open import open as aopen  # the C++ ayafileio 2.0's name for the awaitable open()
from .whole import (
    read_bytes,
    read_bytes_many,
    read_text,
    read_text_many,
    write_bytes,
    write_bytes_many,
    write_text,
    write_text_many,
)
from .stdio import stderr, stderr_bytes, stdin, stdin_bytes, stdout, stdout_bytes
from . import os, ospath, tempfile, testing, threadpool  # noqa: E402  (after open: they build on it)
from .path import Path  # noqa: E402  (builds on os and the whole-file calls)

__version__ = "0.1.0"

__all__ = [
    "AsyncBinaryFile",
    "AsyncBufferedIOBase",
    "AsyncBufferedReader",
    "AsyncFile",
    "AsyncFileIO",
    "AsyncTextIOWrapper",
    "AwaitableBool",
    "acopy",
    "aopen",
    "read_bytes",
    "read_bytes_many",
    "read_text",
    "read_text_many",
    "write_bytes",
    "write_bytes_many",
    "write_text",
    "wrap_file",
    "write_text_many",
    "ForkedChildError",
    "OpenContext",
    "Path",
    "configure",
    "drain_buffer_pool",
    "get_backend_info",
    "get_capabilities",
    "get_config",
    "get_handle_pool_limits",
    "get_stats",
    "open",
    "os",
    "reset_config",
    "set_handle_pool_limits",
    "set_io_worker_count",
    "stderr",
    "stderr_bytes",
    "stdin",
    "stdin_bytes",
    "stdout",
    "stdout_bytes",
    "tempfile",
    "testing",
    "threadpool",
]

"""aiofiles.threadpool.binary's names: the binary kinds of ayafileio files."""

from __future__ import annotations

from ..io.file import AsyncBufferedIOBase, AsyncBufferedReader, AsyncFileIO
from ..stdio import IndirectBytes as AsyncIndirectBufferedIOBase

__all__ = ["AsyncBufferedIOBase", "AsyncBufferedReader", "AsyncFileIO", "AsyncIndirectBufferedIOBase"]

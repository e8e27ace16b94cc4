"""aiofiles.threadpool.text's names: the text kind of ayafileio files."""

from __future__ import annotations

from ..io.file import AsyncTextIOWrapper
from ..stdio import IndirectText as AsyncTextIndirectIOWrapper

__all__ = ["AsyncTextIOWrapper", "AsyncTextIndirectIOWrapper"]

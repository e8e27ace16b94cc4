"""aiofiles: file calls on a thread pool, and aiofiles.os."""

from __future__ import annotations

import os
from typing import Any

from .base import Lib
from .stdlib import fsync_dir


class Aiofiles(Lib):
    name = "aiofiles"

    def __init__(self) -> None:
        import aiofiles
        import aiofiles.os

        self.m = aiofiles
        self.os = aiofiles.os

    async def write_text(self, path: str, text: str) -> None:
        async with self.m.open(path, "w", encoding="utf-8") as f:
            await f.write(text)

    async def open_append(self, path: str) -> Any:
        return await self.m.open(path, "a", encoding="utf-8")

    async def open_reader(self, path: str) -> Any:
        return await self.m.open(path, "rb")

    async def open_writer(self, path: str) -> Any:
        return await self.m.open(path, "wb")

    async def read_bytes(self, path: str) -> bytes:
        async with self.m.open(path, "rb") as f:
            data: bytes = await f.read()
            return data

    async def write_atomic(self, path: str, data: bytes) -> None:
        """The hand-rolled way: a temporary file, fsync, os.replace, fsync of the directory."""
        wrap = getattr(self.os, "wrap", None)
        if wrap is None:
            raise NotImplementedError  # no way to fsync on its threads
        temp = f"{path}.{os.urandom(4).hex()}.tmp"
        async with self.m.open(temp, "wb") as f:
            await f.write(data)
            await f.flush()
            await wrap(os.fsync)(f.fileno())
        await self.os.replace(temp, path)
        await wrap(fsync_dir)(os.path.dirname(path))

